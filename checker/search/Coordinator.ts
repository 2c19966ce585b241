/**
 * The coordinator of one parallel search (the algorithm: search/parallel.ts): its level loop, which
 * has the workers expand each level and collects their messages (new states, what each found), and
 * the checks between two turns (time limit, Ctrl-C, progress), over the search's state
 * (ParallelSearchState.ts).
 */
import { CheckerError } from '../result/errors.js'
import type { CheckResult } from '../result/result.js'
import { progressOf, strictCause } from './outcome.js'
import type { TypeViolation } from '../encode/TypeViolation.js'
import { EvaluationError, StrayWrite } from '../compile/evaluation.js'
import { memoryStopWarning } from '../store/memory.js'
import type { LoggedGraph } from './parallelResult.js'
import { CHUNK_STATES, ParallelSearchState, type Chunk } from './ParallelSearchState.js'
import { CONTROL_NEXT_STATE, CONTROL_PAUSE_AT, CONTROL_STOP, deserializeError, type FromWorker, type ToWorker } from './workerProtocol.js'

/**
 * The coordinator of one parallel search: the levels and the workers' messages. Its steps share the
 * search's state (the set, the level, what was found), so they are methods over its fields.
 */
export class Coordinator extends ParallelSearchState {
  /** The level being expanded, and the workers that have it. */
  private level: Chunk[] = []
  private readonly levelSent = new Set<number>()
  private expandedBeforeLevel = 0
  private lastProgress = 0

  /** The search, from the first level to its end, and its result. */
  async run(): Promise<{ result: CheckResult; logged?: LoggedGraph }> {
    const { options, initCount } = this
    if (options.waitForWorkers === true) await this.pool.started()
    this.depth = initCount > 0 ? 1 : 0
    this.level = initCount > 0 ? [{ words: this.initWords.buffer as SharedArrayBuffer, count: initCount, firstId: 0 }] : []
    this.levelSize = initCount
    this.lastProgress = Date.now()
    const timer = setInterval(() => this.tick(), 25)
    try {
      await this.levels()
    } finally {
      clearInterval(timer)
    }
    // A thread that could not build the spec says so, even when the search ended without it.
    await this.pool.started()
    return this.finish()
  }

  /** Every 25 ms: the time limit, Ctrl-C, and progress reports. */
  private tick(): void {
    const { options, started, control } = this
    const now = Date.now()
    if (this.stopReason === undefined && options.timeoutMs !== undefined && now - started >= options.timeoutMs) this.stopReason = 'timeout'
    if (this.stopReason === undefined && options.signal?.aborted) this.stopReason = 'interrupted'
    if (this.stopReason !== undefined) Atomics.store(control, CONTROL_STOP, 1)
    if (options.onProgress !== undefined && now - this.lastProgress >= (options.progressIntervalMs ?? 2000)) {
      this.lastProgress = now
      const distinct = this.stored()
      const left = distinct - this.expandedBeforeLevel - Math.min(this.levelSize, Atomics.load(control, CONTROL_NEXT_STATE))
      options.onProgress(progressOf(started, distinct, this.generatedSoFar(), this.depth, left))
    }
  }

  /** The levels, one after the other, until the search ends. Every worker is idle at the top of the loop. */
  private async levels(): Promise<void> {
    const { control } = this
    while (!this.halted()) {
      this.admit()
      if (this.stored() >= control[CONTROL_PAUSE_AT]!) {
        if (this.records.count >= this.maxStates) {
          this.stopReason = 'maxStates'
          return
        }
        const frontier = [...this.level, ...this.next].reduce((n, chunk) => n + chunk.words.byteLength, 0)
        if ((await this.grow(frontier)) === undefined) {
          if (control[CONTROL_PAUSE_AT]! < this.fullMark()) {
            control[CONTROL_PAUSE_AT] = this.fullMark()
            continue
          }
          this.stopReason = 'memory'
          this.warnings.push(memoryStopWarning(this.records.count, this.set.bytes + this.records.bytes + frontier, this.budget, this.mode === 'exact'))
          return
        }
      } else if (this.levelLeft()) {
        await this.expandLevel()
      } else if (!this.nextLevel()) return
    }
  }

  /**
   * The level is done: its new states, numbered as their chunks arrived, are the next level.
   * False when there is none, or the depth limit is reached.
   */
  private nextLevel(): boolean {
    const { next, pool, W } = this
    if (next.length === 0) return false
    if (this.options.maxDepth !== undefined && this.depth >= this.options.maxDepth) {
      this.stopReason = 'maxDepth'
      return false
    }
    this.depth++
    const frontier = next.reduce((n, chunk) => n + chunk.words.byteLength, 0)
    if (this.set.bytes + this.records.bytes + frontier + (this.graph?.bytes ?? 0) > this.budget) this.forgetGraph()
    // The level's chunks are expanded: their buffers go back to the workers to be filled again.
    const spare = this.level.map((t) => t.words).filter((b) => b.byteLength === CHUNK_STATES * W * 4)
    for (let w = 0; w < pool.size; w++) {
      const words = spare.filter((_, k) => k % pool.size === w)
      if (words.length > 0) pool.post(w, { type: 'recycle', words, records: [] })
    }
    this.level = next
    this.levelSize = next.reduce((n, chunk) => n + chunk.count, 0)
    this.levelSent.clear()
    this.expandedBeforeLevel = this.expanded
    this.next = []
    Atomics.store(this.control, CONTROL_NEXT_STATE, 0)
    return true
  }

  /**
   * Threads that have built the spec since the last look join the search, with the set as it is
   * now, and with `work` (the level) while a level is expanded.
   */
  private admit(work?: ToWorker): void {
    const { pool } = this
    for (const w of pool.admit()) {
      pool.post(w, { type: 'table', set: this.set.handle, exact: this.exact })
      if (this.graph?.abandoned === true) pool.post(w, { type: 'unrecord' })
      if (work === undefined) continue
      pool.post(w, work)
      this.levelSent.add(w)
    }
  }

  /** Has every worker take blocks of the level until they all stop, and collects what they found. */
  private async expandLevel(): Promise<void> {
    const { pool, level, levelSent } = this
    const whole: ToWorker = {
      type: 'work',
      level: { words: level.map((k) => k.words), counts: level.map((k) => k.count), firstIds: level.map((k) => k.firstId) },
    }
    for (let w = 0; w < pool.size; w++) {
      if (!pool.isSearching(w)) continue
      pool.post(w, levelSent.has(w) ? { type: 'work' } : whole)
      levelSent.add(w)
    }
    for (let idle = 0; idle < pool.searchers; ) {
      const got = await pool.next()
      const msg = got.message
      if (msg.type === 'ready') this.admit(whole)
      else if (msg.type === 'out') this.newStates(got.worker, msg)
      else if (msg.type === 'done') {
        idle++
        this.workerDone(got.worker, msg)
      }
    }
  }

  /** A chunk of new states from `worker`: numbered in the order chunks arrive, their trace records appended. */
  private newStates(worker: number, msg: FromWorker & { type: 'out' }): void {
    const { records } = this
    const chunk: Chunk = { words: msg.words, count: msg.count, firstId: records.count }
    this.graph?.chunk(worker, new Uint32Array(msg.words), msg.count, chunk.firstId)
    const recs = new Int32Array(msg.records)
    for (let i = 0; i < msg.count; i++) records.append(recs[2 * i]!, recs[2 * i + 1]!)
    this.next.push(chunk)
    this.pool.post(worker, { type: 'recycle', words: [], records: [msg.records] })
  }

  /** `worker` stopped taking blocks: what it expanded, logged and found, and whether the search stops. */
  private workerDone(worker: number, msg: FromWorker & { type: 'done' }): void {
    const { c, options } = this
    this.lastDone[worker] = msg
    this.expanded += msg.expanded
    if (msg.edges === null) this.forgetGraph()
    else if (msg.edges !== undefined) this.graph?.edges(worker, msg.edges)
    for (const r of msg.reached) this.reached.add(r)
    for (const f of msg.found) {
      if (this.broken.has(f.property)) continue
      this.broken.add(f.property)
      this.found.push(f)
      if (!options.continue && !c.mechanisms.has(f.property)) this.stop = true
    }
    if (msg.stray !== undefined && this.failure === undefined) {
      this.failure = new EvaluationError(new StrayWrite(deserializeError(msg.stray) as TypeViolation, this.depth + 1), -1, -1)
    }
    if (msg.failure !== undefined && this.failure === undefined) {
      const f = msg.failure
      const error = deserializeError(f.error)
      // The model refused (by the symmetry audit): check() throws it, as with one worker.
      if (error instanceof CheckerError) throw error
      const cause = strictCause(c, { words: f.words, at: 0 }, f.instance, error)
      this.failure = new EvaluationError(cause, f.state, f.instance)
    }
    if (this.halted()) Atomics.store(this.control, CONTROL_STOP, 1)
  }

}
