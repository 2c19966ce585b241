/**
 * Where a parallel search worker (SearchWorker.ts) puts the successors it generates: into the
 * shared visited set, and the new ones, with their trace records, into chunks of shared memory
 * handed to the coordinator (parallel.ts).
 */
import type { Sink } from './expand.js'
import { EdgeLog, MAX_REF, refOf } from './EdgeLog.js'
import { INSERTED, type SharedStateSet } from '../store/SharedStateSet.js'
import type { FromWorker } from './workerProtocol.js'

/**
 * New states found by this worker, in chunks of shared memory handed to the coordinator. The
 * shared set knows no ids: a new state's number is its ref (EdgeLog.ts), and `seen` is the ref of
 * the state the last `add` found (in a set that keeps refs).
 */
export class SharedSink implements Sink {
  private words!: Uint32Array
  private records!: Int32Array
  private n = 0
  /** New states this worker found, in all. */
  inserted = 0
  seen = -1
  private readonly key = new Uint32Array(1)
  /** The ref of the next state this worker inserts, and how much it grows with each. */
  private ref: number
  private readonly refStep: number

  constructor(
    public set: SharedStateSet,
    private readonly W: number,
    public exact: boolean,
    private readonly chunkStates: number,
    private readonly post: (m: FromWorker) => void,
    index: number,
    workers: number,
    /** The edges' log, while the behaviour graph is recorded. */
    public log: EdgeLog | undefined,
  ) {
    this.ref = refOf(0, index, workers)
    this.refStep = refOf(1, index, workers) - this.ref
    this.fresh()
  }

  add(buf: Uint32Array, at: number, lo: number, hi: number, parent: number, instance: number): number {
    const key = this.key
    const ref = this.ref
    let found: number
    if (this.exact) found = this.set.insert(lo, hi, buf, at, ref)
    else {
      key[0] = lo
      found = this.set.insert(lo, hi, key, 0, 0)
    }
    if (found !== INSERTED) {
      this.seen = found
      return -1
    }
    this.inserted++
    this.ref += this.refStep
    if (this.ref > MAX_REF) this.log?.lose()
    const W = this.W
    const words = this.words
    const base = this.n * W
    for (let i = 0; i < W; i++) words[base + i] = buf[at + i]!
    this.records[2 * this.n] = parent
    this.records[2 * this.n + 1] = instance
    if (++this.n === this.chunkStates) this.flush()
    return ref
  }

  prefetch(fps: Uint32Array, count: number): void {
    this.set.prefetch(fps, count)
  }

  /** Sends the states collected so far. */
  flush(): void {
    if (this.n === 0) return
    this.post({
      type: 'out',
      words: this.words.buffer as SharedArrayBuffer,
      records: this.records.buffer as SharedArrayBuffer,
      count: this.n,
    })
    this.fresh()
  }

  /** Buffers to fill again, handed back by the coordinator (see parallel.ts). */
  readonly spareWords: SharedArrayBuffer[] = []
  readonly spareRecords: SharedArrayBuffer[] = []

  private fresh(): void {
    this.words = new Uint32Array(this.spareWords.pop() ?? new SharedArrayBuffer(this.chunkStates * this.W * 4))
    this.records = new Int32Array(this.spareRecords.pop() ?? new SharedArrayBuffer(this.chunkStates * 8))
    this.n = 0
  }
}
