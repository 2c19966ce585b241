/**
 * One partition of a cluster search, as its owner keeps it, in one of two ways (ClusterStore):
 * - `exact`: the states whose fingerprint falls in it (store/StateTable.ts, ids in discovery
 *   order, which double as the queue);
 * - `fingerprint`: their 96-bit fingerprints in the same table (the two lanes of
 *   encode/fingerprint.ts and fingerprintThird), and the packed states of the depth being expanded
 *   and of the next one only, in a queue that drops a depth once it is expanded.
 * Per state it keeps where it came from: the parent's partition (PARENT_INITIAL for an initial
 * state) beside the parent id and instance in the table. The states of the depth being expanded are
 * ids `levelStart` to `levelEnd`; states added meanwhile (the next depth) follow them.
 *
 * A checkpoint of a partition (written at a level boundary, when every state of the depth about
 * to be expanded is in), and what its owner sends when it hands the partition to another (image), is
 * one framed file (longrun/checkpoint.ts): a header of HEADER_WORDS
 * words, every state's words (exact) or fingerprint (fingerprint), then the parent ids, instances
 * and parent partitions; with fingerprints, then the words of the states from `levelStart` on.
 */
import { join } from 'node:path'
import { closeSync, readdirSync, rmSync } from 'node:fs'
import { fingerprint, fingerprintThird } from '../../encode/fingerprint.js'
import { StateTable } from '../../store/StateTable.js'
import { CheckerError } from '../../result/errors.js'
import { checkpointDir, openFramed, readAt, writeFramed } from '../../longrun/checkpoint.js'
import { PARENT_INITIAL, type ClusterStore } from './protocol.js'

const MAGIC = 0x4d52434c
const HEADER_WORDS = 8

/** Words of a fingerprint: the low and high lanes, and the third. */
const KEY_WORDS = 3
export const FINGERPRINT_BITS = 32 * KEY_WORDS

export class Partition {
  /** The states (exact) or their fingerprints (fingerprint), with parents and instances. */
  readonly table: StateTable
  parentPartition = new Uint32Array(1024)
  levelStart = 0
  levelEnd = 0
  /** With fingerprints: the words of states `queueBase` on. */
  private queue = new Uint32Array(0)
  private queueBase = 0
  private readonly key = new Uint32Array(KEY_WORDS)
  /** What `take` made readable: state `id` at `words[at..]`, and `ahead` states after it. */
  words: Uint32Array = new Uint32Array(0)
  at = 0
  ahead = 0

  constructor(
    readonly index: number,
    readonly width: number,
    readonly store: ClusterStore = 'exact',
  ) {
    this.table = new StateTable(store === 'exact' ? width : KEY_WORDS)
  }

  get count(): number {
    return this.table.count
  }

  /** Adds the state at `buf[at..]`, with fingerprint lanes (lo, hi), unless seen; returns its id, or -1. */
  add(buf: Uint32Array, at: number, lo: number, hi: number, parentPartition: number, parentId: number, instance: number): number {
    const parent = parentPartition === PARENT_INITIAL ? -1 - parentId : parentId
    if (this.store === 'exact') return this.recorded(this.table.add(buf, at, lo, parent, instance), parentPartition)
    const key = this.key
    key[0] = lo
    key[1] = hi
    key[2] = fingerprintThird(buf, at, this.width)
    const id = this.recorded(this.table.add(key, 0, lo, parent, instance), parentPartition)
    if (id >= 0) this.enqueue(buf, at, id)
    return id
  }

  private recorded(id: number, parentPartition: number): number {
    if (id < 0) return id
    if (id >= this.parentPartition.length) {
      const more = new Uint32Array(this.parentPartition.length * 2)
      more.set(this.parentPartition)
      this.parentPartition = more
    }
    this.parentPartition[id] = parentPartition
    return id
  }

  private enqueue(buf: Uint32Array, at: number, id: number): void {
    const W = this.width
    const o = (id - this.queueBase) * W
    if (o + W > this.queue.length) {
      const more = new Uint32Array(Math.max(1024 * W, this.queue.length * 2))
      more.set(this.queue)
      this.queue = more
    }
    for (let i = 0; i < W; i++) this.queue[o + i] = buf[at + i]!
  }

  /** Makes state `id` (of the depth being expanded) readable at `words[at..]`. */
  take(id: number): void {
    if (this.store === 'exact') {
      this.words = this.table.chunkOf(id)
      this.at = this.table.wordsAt(id)
      this.ahead = this.table.after(id)
    } else {
      this.words = this.queue
      this.at = (id - this.queueBase) * this.width
      this.ahead = this.table.count - id - 1
    }
  }

  /** Makes the states added since the last call the ones to expand next; with fingerprints, drops the depth just expanded. */
  nextLevel(): void {
    this.levelStart = this.levelEnd
    this.levelEnd = this.table.count
    if (this.store === 'fingerprint') {
      const W = this.width
      this.queue.copyWithin(0, (this.levelStart - this.queueBase) * W, (this.levelEnd - this.queueBase) * W)
      this.queueBase = this.levelStart
    }
  }

  /** Where state `id` came from: the parent's partition and id (the initial state's index for PARENT_INITIAL), and the instance. */
  origin(id: number): { parentPartition: number; parentId: number; instance: number } {
    const parent = this.table.parent[id]!
    return parent < 0
      ? { parentPartition: PARENT_INITIAL, parentId: -1 - parent, instance: -1 }
      : { parentPartition: this.parentPartition[id]!, parentId: parent, instance: this.table.via[id]! }
  }

  /** What the table keeps of state `id`: its words (exact), or its three fingerprint lanes. */
  kept(id: number): Uint32Array {
    return this.table.stateWords(id)
  }

  /** This partition at a level boundary as bytes (a checkpoint's body, or what a handover sends): their count, and the pieces in order. */
  image(partitions: number, level: number): { bytes: number; pieces: Iterable<Uint32Array | Int32Array> } {
    const n = this.table.count
    const W = this.width
    const K = this.table.width
    const table = this.table
    const queued = this.store === 'exact' ? 0 : n - this.levelStart
    const head = Uint32Array.of(MAGIC, partitions, this.index, level, n, this.levelStart, W, this.store === 'exact' ? 0 : 1)
    const pieces = function* (self: Partition) {
      yield head
      yield* table.states(n)
      yield table.parent.subarray(0, n)
      yield table.via.subarray(0, n)
      yield self.parentPartition.subarray(0, n)
      if (queued > 0) yield self.queue.subarray((self.levelStart - self.queueBase) * W, (n - self.queueBase) * W)
    }
    return { bytes: (HEADER_WORDS + n * (K + 3) + queued * W) * 4, pieces: pieces(this) }
  }

  /** Writes this partition's checkpoint for run `run` at `level` into `dir`; keeps the files of the level before. */
  save(dir: string, run: string, level: number, partitions: number): void {
    const existing = checkpointDir(dir)
    const { bytes, pieces } = this.image(partitions, level)
    writeFramed(dir, fileName(run, level, this.index), 'partition', bytes, pieces)
    // The coordinator records a level once every owner wrote it: until then the one before may be the one to resume from.
    const keep = previous(existing, run, this.index, level)
    for (const f of existing) {
      const m = FILE.exec(f)
      if (m !== null && m[1] === run && Number(m[3]) === this.index && Number(m[2]) < keep) rmSync(join(dir, f), { force: true })
    }
  }

  /** Loads partition `index` of run `run` at `level` from `dir`, checking that it fits. */
  static load(dir: string, run: string, level: number, index: number, partitions: number, W: number, store: ClusterStore): Partition {
    const file = join(dir, fileName(run, level, index))
    const f = openFramed(file, 'partition')
    try {
      return Partition.fromImage((into, bytes, offset) => readAt(f, into, bytes, offset), f.bytes, (what) => bad(file, what), { level, index, partitions, W, store })
    } finally {
      closeSync(f.fd)
    }
  }

  /** Partition `index` at `level` from its image (Partition.image) in `bytes` (a handover), checking that it fits. */
  static fromBytes(bytes: Buffer, refuse: (what: string) => never, want: { level: number; index: number; partitions: number; W: number; store: ClusterStore }): Partition {
    const read = (into: ArrayBufferView, n: number, offset: number) => {
      if (offset + n > bytes.byteLength) refuse('is truncated')
      new Uint8Array(into.buffer, into.byteOffset, n).set(bytes.subarray(offset, offset + n))
    }
    return Partition.fromImage(read, bytes.byteLength, refuse, want)
  }

  private static fromImage(
    read: (into: ArrayBufferView, bytes: number, offset: number) => void,
    size: number,
    refuse: (what: string) => never,
    { level, index, partitions, W, store }: { level: number; index: number; partitions: number; W: number; store: ClusterStore },
  ): Partition {
    const head = new Uint32Array(HEADER_WORDS)
    if (size < HEADER_WORDS * 4) refuse('is too short')
    read(head, HEADER_WORDS * 4, 0)
    const [magic, parts, k, lvl, n, levelStart, width, kind] = head as unknown as number[]
    if (magic !== MAGIC || parts !== partitions || k !== index || lvl !== level || width !== W || kind !== (store === 'exact' ? 0 : 1)) {
      refuse(`is not partition ${index} of ${partitions} at level ${level} with ${store === 'exact' ? 'exact states' : 'fingerprints'} of ${W}-word states`)
    }
    const K = store === 'exact' ? W : KEY_WORDS
    const queued = store === 'exact' ? 0 : n! - levelStart!
    if (levelStart! > n! || size !== (HEADER_WORDS + n! * (K + 3) + queued * W) * 4) refuse('has a size that does not fit its header')
    const p = new Partition(index, W, store)
    const BLOCK = 65536
    const keys = new Uint32Array(BLOCK * K)
    const parent = new Int32Array(BLOCK)
    const via = new Int32Array(BLOCK)
    const pp = new Uint32Array(BLOCK)
    const fp = new Uint32Array(2)
    const base = HEADER_WORDS * 4
    for (let first = 0; first < n!; first += BLOCK) {
      const count = Math.min(BLOCK, n! - first)
      read(keys, count * K * 4, base + first * K * 4)
      read(parent, count * 4, base + (n! * K + first) * 4)
      read(via, count * 4, base + (n! * (K + 1) + first) * 4)
      read(pp, count * 4, base + (n! * (K + 2) + first) * 4)
      for (let i = 0; i < count; i++) {
        if (store === 'exact') fingerprint(keys, i * K, W, fp)
        const lo = store === 'exact' ? fp[0]! : keys[i * K]!
        const initial = parent[i]! < 0
        const id = p.recorded(p.table.add(keys, i * K, lo, parent[i]!, via[i]!), initial ? PARENT_INITIAL : pp[i]!)
        if (id !== first + i) refuse(`holds state ${first + i} twice`)
      }
    }
    if (queued > 0) {
      // The states to expand next, each checked against its fingerprint.
      const words = new Uint32Array(queued * W)
      read(words, queued * W * 4, base + n! * (K + 3) * 4)
      for (let i = 0; i < queued; i++) {
        fingerprint(words, i * W, W, fp)
        const key = p.kept(levelStart! + i)
        if (key[0] !== fp[0] || key[1] !== fp[1] || key[2] !== fingerprintThird(words, i * W, W)) refuse(`holds state ${levelStart! + i} under another fingerprint`)
      }
      p.queue = words
      p.queueBase = levelStart!
    }
    p.levelStart = levelStart!
    p.levelEnd = n!
    return p
  }

  /** The partitions of run `run` at `level` that `dir` holds checkpoints of. */
  static held(dir: string, run: string, level: number): number[] {
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch {
      return []
    }
    return names.flatMap((f) => {
      const m = FILE.exec(f)
      return m !== null && m[1] === run && Number(m[2]) === level ? [Number(m[3])] : []
    })
  }
}

const FILE = /^cluster-([\w-]+)-L(\d+)-p(\d+)\.bin$/
const fileName = (run: string, level: number, index: number) => `cluster-${run}-L${level}-p${index}.bin`

/** The latest level before `level` of which `dir` holds partition `index` of `run` (kept until `level` is recorded). */
function previous(names: readonly string[], run: string, index: number, level: number): number {
  let best = -1
  for (const f of names) {
    const m = FILE.exec(f)
    if (m !== null && m[1] === run && Number(m[3]) === index && Number(m[2]) < level) best = Math.max(best, Number(m[2]))
  }
  return best
}

const bad = (file: string, what: string): never => {
  throw new CheckerError('BAD_INPUT', `Cluster checkpoint file ${file} ${what}; it was not used.`)
}
