/**
 * One partition of a cluster search, as its owner keeps it: the exact states whose fingerprint
 * falls in it (store/VisitedStore.ts ExactStore, ids in discovery order), and per state where it
 * came from: the parent's partition (PARENT_INITIAL for an initial state) beside the parent id and
 * instance the store keeps. The states of the depth being expanded are ids `levelStart` to
 * `levelEnd`; states added meanwhile (the next depth) follow them.
 *
 * A checkpoint of a partition (written at a level boundary, when every state of the depth about
 * to be expanded is in) is one framed file (longrun/checkpoint.ts): a header of HEADER_WORDS
 * words, every state's words, then the parent ids, instances and parent partitions.
 */
import { join } from 'node:path'
import { closeSync, readdirSync, rmSync } from 'node:fs'
import { fingerprint } from '../../encode/fingerprint.js'
import { ExactStore } from '../../store/VisitedStore.js'
import { CheckerError } from '../../result/errors.js'
import { checkpointDir, openFramed, readAt, writeFramed } from '../../longrun/checkpoint.js'
import { PARENT_INITIAL } from './protocol.js'

const MAGIC = 0x4d52434c
const HEADER_WORDS = 8

export class Partition {
  readonly store: ExactStore
  parentPartition = new Uint32Array(1024)
  levelStart = 0
  levelEnd = 0

  constructor(
    readonly index: number,
    readonly width: number,
  ) {
    this.store = new ExactStore(width)
  }

  /** Adds the state at `buf[at..]` unless seen; returns its id, or -1. */
  add(buf: Uint32Array, at: number, lo: number, hi: number, parentPartition: number, parentId: number, instance: number): number {
    const id = this.store.add(buf, at, lo, hi, parentPartition === PARENT_INITIAL ? -1 - parentId : parentId, instance)
    if (id < 0) return id
    if (id >= this.parentPartition.length) {
      const more = new Uint32Array(this.parentPartition.length * 2)
      more.set(this.parentPartition)
      this.parentPartition = more
    }
    this.parentPartition[id] = parentPartition
    return id
  }

  /** Makes the states added since the last call the ones to expand next. */
  nextLevel(): void {
    this.levelStart = this.levelEnd
    this.levelEnd = this.store.count
  }

  /** Where state `id` came from: the parent's partition and id (the initial state's index for PARENT_INITIAL), and the instance. */
  origin(id: number): { parentPartition: number; parentId: number; instance: number } {
    const parent = this.store.parentOf(id)
    return parent < 0
      ? { parentPartition: PARENT_INITIAL, parentId: -1 - parent, instance: -1 }
      : { parentPartition: this.parentPartition[id]!, parentId: parent, instance: this.store.instanceOf(id) }
  }

  /** Writes this partition's checkpoint for run `run` at `level` into `dir`; keeps the files of the level before. */
  save(dir: string, run: string, level: number, partitions: number): void {
    const existing = checkpointDir(dir)
    const n = this.store.count
    const W = this.width
    const table = this.store.table
    const head = Uint32Array.of(MAGIC, partitions, this.index, level, n, this.levelStart, W, 0)
    const pieces = function* (self: Partition) {
      yield head
      yield* table.states(n)
      yield table.parent.subarray(0, n)
      yield table.via.subarray(0, n)
      yield self.parentPartition.subarray(0, n)
    }
    writeFramed(dir, fileName(run, level, this.index), 'partition', (HEADER_WORDS + n * (W + 3)) * 4, pieces(this))
    // The coordinator records a level once every owner wrote it: until then the one before may be the one to resume from.
    const keep = previous(existing, run, this.index, level)
    for (const f of existing) {
      const m = FILE.exec(f)
      if (m !== null && m[1] === run && Number(m[3]) === this.index && Number(m[2]) < keep) rmSync(join(dir, f), { force: true })
    }
  }

  /** Loads partition `index` of run `run` at `level` from `dir`, checking that it fits. */
  static load(dir: string, run: string, level: number, index: number, partitions: number, W: number): Partition {
    const file = join(dir, fileName(run, level, index))
    const f = openFramed(file, 'partition')
    try {
      const head = new Uint32Array(HEADER_WORDS)
      if (f.bytes < HEADER_WORDS * 4) bad(file, 'is too short')
      readAt(f, head, HEADER_WORDS * 4, 0)
      const [magic, parts, k, lvl, n, levelStart, width] = head as unknown as number[]
      if (magic !== MAGIC || parts !== partitions || k !== index || lvl !== level || width !== W) {
        bad(file, `is not partition ${index} of ${partitions} at level ${level} with states of ${W} words`)
      }
      if (f.bytes !== (HEADER_WORDS + n! * (W + 3)) * 4 || levelStart! > n!) bad(file, 'has a size that does not fit its header')
      const p = new Partition(index, W)
      const BLOCK = 65536
      const words = new Uint32Array(BLOCK * W)
      const parent = new Int32Array(BLOCK)
      const via = new Int32Array(BLOCK)
      const pp = new Uint32Array(BLOCK)
      const fp = new Uint32Array(2)
      const base = HEADER_WORDS * 4
      for (let first = 0; first < n!; first += BLOCK) {
        const count = Math.min(BLOCK, n! - first)
        readAt(f, words, count * W * 4, base + first * W * 4)
        readAt(f, parent, count * 4, base + (n! * W + first) * 4)
        readAt(f, via, count * 4, base + (n! * (W + 1) + first) * 4)
        readAt(f, pp, count * 4, base + (n! * (W + 2) + first) * 4)
        for (let i = 0; i < count; i++) {
          fingerprint(words, i * W, W, fp)
          const initial = parent[i]! < 0
          const id = p.add(words, i * W, fp[0]!, fp[1]!, initial ? PARENT_INITIAL : pp[i]!, initial ? -1 - parent[i]! : parent[i]!, via[i]!)
          if (id !== first + i) bad(file, `holds state ${first + i} twice`)
        }
      }
      p.levelStart = levelStart!
      p.levelEnd = n!
      return p
    } finally {
      closeSync(f.fd)
    }
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
