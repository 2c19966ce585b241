/**
 * One worker of the parallel search (parallel.ts has the search, workerProtocol.ts the messages).
 * It takes blocks of the level's states, in turn with the other workers, expands them with the
 * same routine as the one-worker search, inserts their successors into the shared visited set and
 * sends the new states back in chunks, with their trace records (SharedSink.ts); between levels it
 * helps the set grow.
 *
 * Worker 0 runs in the coordinator's own thread (WorkerPool.ts), so that it searches while the
 * other workers' threads start, and one thread fewer loads the library and the model; the others
 * each run in a thread of their own (worker.ts). So `work` is a generator that stops after every
 * block: the thread runs it to the end, the coordinator a slice at a time, between its own turns.
 */
import type { ReducedSpec } from '../reduce/reduction.js'
import { STOP } from './expand.js'
import { expanderFor } from './strictExpand.js'
import { EdgeLog } from './EdgeLog.js'
import { SharedSink } from './SharedSink.js'
import { PARTITIONS, SharedStateSet } from '../store/SharedStateSet.js'
import {
  BLOCK_STATES,
  CONTROL_COUNTS,
  CONTROL_NEXT_STATE,
  CONTROL_PAUSE_AT,
  CONTROL_REHASH_NEXT,
  CONTROL_STOP,
  COUNT_STRIDE,
  type FromWorker,
  type Level,
  type SearchSetup,
  type ToWorker,
  type WorkerFailure,
  generatedWord,
  serializeError,
} from './workerProtocol.js'

export class SearchWorker {
  private readonly expander
  private readonly sink: SharedSink
  private readonly control: Int32Array
  private readonly generatedOut: Float64Array
  /** This worker's count among the control words. */
  private readonly mine: number
  private readonly W: number
  /** Broken properties already reported. */
  private reported = 0

  /** The level being expanded: its chunks, where each starts in the level, and their first ids. */
  private chunks: Uint32Array[] = []
  private starts = new Float64Array(1)
  private firstIds: readonly number[] = []
  /** The chunk of the last block taken (blocks are taken in increasing order within a level). */
  private cursor = 0
  /** States expanded since the last 'work', and what failed among them. */
  private expanded = 0
  private failure: WorkerFailure | undefined

  constructor(
    c: ReducedSpec,
    private readonly setup: SearchSetup,
    private readonly post: (m: FromWorker, transfer?: ArrayBuffer[]) => void,
  ) {
    this.W = c.codec.words
    this.control = new Int32Array(setup.control)
    this.expander = expanderFor(c, setup.keepGoing, setup.strict)
    const log = setup.record ? new EdgeLog() : undefined
    this.sink = new SharedSink(new SharedStateSet(setup.set), this.W, setup.exact, setup.chunkStates, post, setup.index, setup.workers, log)
    this.expander.graph = log
    this.mine = CONTROL_COUNTS + COUNT_STRIDE * setup.index
    this.generatedOut = new Float64Array(setup.control, generatedWord(setup.index) * 4, 1)
  }

  /** Every message but 'work' (see `work`) and 'exit'. */
  receive(m: Exclude<ToWorker, { type: 'work' | 'exit' }>): void {
    switch (m.type) {
      case 'table':
        this.sink.set = new SharedStateSet(m.set)
        this.sink.exact = m.exact
        break
      case 'recycle':
        this.sink.spareWords.push(...m.words)
        this.sink.spareRecords.push(...m.records)
        break
      case 'grow': {
        const next = new SharedStateSet(m.set)
        this.takePartitions(PARTITIONS, (p) => this.sink.set.movePartition(p, next))
        this.sink.set = next
        this.post({ type: 'rehashed' })
        break
      }
      case 'unrecord':
        this.sink.log = this.expander.graph = undefined
        break
    }
  }

  /**
   * Expands blocks of the level (of `level` when given: a new one) until none is left, the pause
   * mark is passed or the search stops, then says 'done'. Stops after every block.
   */
  *work(level?: Level): Generator<void, void> {
    if (level !== undefined) this.startLevel(level)
    const control = this.control
    const total = this.starts[this.chunks.length]!
    this.expanded = 0
    this.failure = undefined
    for (;;) {
      this.publish()
      if (Atomics.load(control, CONTROL_STOP) !== 0 || this.storedInAll() >= Atomics.load(control, CONTROL_PAUSE_AT)) break
      const first = Atomics.add(control, CONTROL_NEXT_STATE, BLOCK_STATES)
      if (first >= total) break
      if (!this.expandBlock(first, Math.min(total, first + BLOCK_STATES))) {
        Atomics.store(control, CONTROL_STOP, 1)
        break
      }
      yield
    }
    this.sink.flush()
    this.publish()
    const found = this.expander.found.slice(this.reported)
    this.reported = this.expander.found.length
    const log = this.sink.log
    const edges = log === undefined ? undefined : log.lost ? null : log.take()
    const stray = this.failure === undefined ? this.expander.strayWrite() : undefined
    this.post(
      {
        type: 'done',
        expanded: this.expanded,
        enabled: this.expander.enabled,
        produced: this.expander.produced,
        found,
        reached: [...this.expander.reached],
        ...(this.failure === undefined ? {} : { failure: this.failure }),
        ...(stray === undefined ? {} : { stray: serializeError(stray) }),
        ...(edges === undefined ? {} : { edges }),
      },
      edges ? [edges.buffer as ArrayBuffer] : [],
    )
  }

  /** Expands the level's states `first` to `end` (excluded); false when the search must stop. */
  private expandBlock(first: number, end: number): boolean {
    const W = this.W
    const expander = this.expander
    const sink = this.sink
    let id = -1
    let words = this.chunks[0]!
    let i = 0
    try {
      for (let g = first; g < end; ) {
        while (this.starts[this.cursor + 1]! <= g) this.cursor++
        words = this.chunks[this.cursor]!
        const to = Math.min(end, this.starts[this.cursor + 1]!)
        for (; g < to; g++) {
          i = g - this.starts[this.cursor]!
          id = this.firstIds[this.cursor]! + i
          // The shared sink takes every state, so expand ends with EXPANDED or STOP.
          const r = expander.expand(id, words, i * W, sink, to - g - 1)
          this.expanded++
          if (r === STOP) return false
        }
      }
      return true
    } catch (e) {
      this.failure = { state: id, instance: expander.instance, error: serializeError(e), words: words.slice(i * W, (i + 1) * W) }
      return false
    }
  }

  private startLevel(level: Level): void {
    this.chunks = level.words.map((b) => new Uint32Array(b))
    this.starts = new Float64Array(level.counts.length + 1)
    level.counts.forEach((n, i) => (this.starts[i + 1] = this.starts[i]! + n))
    this.firstIds = level.firstIds
    this.cursor = 0
  }

  /** Makes this worker's counts visible to the others and to the coordinator. */
  private publish(): void {
    Atomics.store(this.control, this.mine, this.sink.inserted)
    this.generatedOut[0] = this.expander.generated
  }

  private storedInAll(): number {
    const control = this.control
    let k = this.setup.initial
    for (let w = CONTROL_COUNTS; w < control.length; w += COUNT_STRIDE) k += w === this.mine ? this.sink.inserted : Atomics.load(control, w)
    return k
  }

  /** Runs `each` on partition after partition of a growing set, as CONTROL_REHASH_NEXT hands them out, until `count`. */
  private takePartitions(count: number, each: (k: number) => void): void {
    const control = this.control
    for (let k = Atomics.add(control, CONTROL_REHASH_NEXT, 1); k < count; k = Atomics.add(control, CONTROL_REHASH_NEXT, 1)) each(k)
  }
}
