/**
 * Where an expanding process of a cluster search puts the successors it found: a successor owned
 * by one of its own partitions is added there at once; any other goes into a batch for its
 * partition's stream, sent (XADD) when full and at the end of the level. It is the search's Sink
 * (search/expand.ts): `add` says new only for a successor added here, whose invariants the
 * expansion then checks as the one-worker search does, on the successor it has at hand; whether
 * a state sent elsewhere is new is known to its owner only, which checks the new ones as they
 * arrive (Expander.arrived).
 */
import type { Sink } from '../expand.js'
import type { Partition } from './Partition.js'
import { PARENT_INITIAL, batchFields, partitionOf, stride } from './protocol.js'

/** States per batch: 64 KiB and more of packed words, few enough messages for Redis. */
const BATCH_STATES = 2048

export class Outbox implements Sink {
  readonly seen = -1
  /** The partition of the states being expanded (the parent of every successor added). */
  parentPartition = 0
  /** States sent (or added locally) per partition, this level. */
  readonly sent: Float64Array
  bytes = 0
  batches = 0
  private readonly fill: Int32Array
  private readonly buffers: Uint32Array[]
  private readonly S: number
  private pending: Promise<unknown>[] = []
  /** Per local partition: the fingerprints (lo, hi) of the coming successors it owns, for its table's prefetch. */
  private readonly ahead: Uint32Array[]
  private readonly aheadCount: Int32Array

  constructor(
    private readonly partitions: number,
    private readonly W: number,
    /** The partitions this process owns, by index. */
    private readonly local: readonly (Partition | undefined)[],
    /** Called with each state added to a local partition: its id there, or -1 when seen. */
    private readonly counted: (p: Partition, id: number, instance: number) => void,
    /** Sends a batch: the stream's partition and the entry's fields. */
    private readonly send: (partition: number, fields: (string | Buffer)[]) => Promise<unknown>,
    private readonly run: string,
  ) {
    this.S = stride(W)
    this.sent = new Float64Array(partitions)
    this.fill = new Int32Array(partitions)
    this.buffers = Array.from({ length: partitions }, () => new Uint32Array(0))
    this.ahead = Array.from({ length: partitions }, () => new Uint32Array(64))
    this.aheadCount = new Int32Array(partitions)
  }

  /** The level the successors belong to (the depth being expanded, plus one). */
  level = 1

  add(buf: Uint32Array, at: number, lo: number, hi: number, parent: number, instance: number): number {
    const k = partitionOf(hi, this.partitions)
    this.sent[k]!++
    // An initial state (parent -1 - i, from the coordinator) goes as PARENT_INITIAL and i.
    const parentPartition = parent < 0 ? PARENT_INITIAL : this.parentPartition
    const parentId = parent < 0 ? -1 - parent : parent
    const owner = this.local[k]
    if (owner !== undefined) {
      const id = owner.add(buf, at, lo, hi, parentPartition, parentId, instance)
      this.counted(owner, id, instance)
      return id
    }
    let b = this.buffers[k]!
    if (b.length === 0) b = this.buffers[k] = new Uint32Array(BATCH_STATES * this.S)
    const o = this.fill[k]! * this.S
    const W = this.W
    for (let i = 0; i < W; i++) b[o + i] = buf[at + i]!
    b[o + W] = parentPartition
    b[o + W + 1] = parentId
    b[o + W + 2] = instance
    if (++this.fill[k]! === BATCH_STATES) this.flush(k)
    return -1
  }

  /** The one-worker search's prefetch (Sink.prefetch), in the tables of the local partitions that own the successors. */
  prefetch(fps: Uint32Array, count: number): void {
    const { local, ahead, aheadCount, partitions } = this
    aheadCount.fill(0)
    for (let j = 0; j < count; j++) {
      const k = partitionOf(fps[2 * j + 1]!, partitions)
      if (local[k] === undefined) continue
      const n = aheadCount[k]!
      let a = ahead[k]!
      if (2 * n + 2 > a.length) {
        const more = new Uint32Array(a.length * 2)
        more.set(a)
        a = ahead[k] = more
      }
      a[2 * n] = fps[2 * j]!
      a[2 * n + 1] = fps[2 * j + 1]!
      aheadCount[k] = n + 1
    }
    for (let k = 0; k < partitions; k++) if (aheadCount[k]! > 0) local[k]!.table.prefetch(ahead[k]!, aheadCount[k]!)
  }

  /** Sends partition k's batch, if it has states. */
  private flush(k: number): void {
    const n = this.fill[k]!
    if (n === 0) return
    const words = this.buffers[k]!.subarray(0, n * this.S)
    const fields = batchFields(this.run, this.level, n, words)
    // The batch's buffer now belongs to the send; the next batch gets a new one.
    this.buffers[k] = new Uint32Array(0)
    this.fill[k] = 0
    this.bytes += words.byteLength
    this.batches++
    this.pending.push(this.send(k, fields))
  }

  /** Waits for the batches sent so far (so that the sender keeps only a few in flight). */
  async drain(): Promise<void> {
    const p = this.pending
    this.pending = []
    await Promise.all(p)
  }

  /** Sends every partly filled batch and waits for all. */
  async flushAll(): Promise<void> {
    for (let k = 0; k < this.partitions; k++) this.flush(k)
    await this.drain()
  }

  /** Starts a level: no states sent yet. */
  begin(level: number): void {
    this.level = level
    this.sent.fill(0)
  }
}
