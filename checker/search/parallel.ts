/**
 * Breadth-first search on several worker threads, level by level, sharing one visited set.
 *
 * The coordinator (this thread) holds the frontier as chunks of packed states in shared memory and
 * gives every worker the level's chunks. Worker 0 runs in this thread, between the coordinator's
 * turns; the others start threads of their own, and each joins the search once it has built the
 * spec (WorkerPool.ts), in the middle of a level if need be. The workers take blocks of the
 * level's states from a shared counter (CONTROL_NEXT_STATE), so that they share the work by how
 * fast each goes and end the level together; a worker expands its states with the same routine as
 * the one-worker search (expand.ts), inserts every successor into the shared visited set
 * (SharedStateSet.ts, lock-free, by compare-and-swap) and sends its new states back in chunks,
 * with their trace records (parent id, action instance). When a level is done, the coordinator
 * numbers the new states in the order their chunks arrived, appends their trace records in that
 * order, and the chunks become the next level.
 *
 * Why level-synchronous: while level d is expanded, only states of depth d + 1 are found, and
 * level d + 1 starts only after level d ends. So every state is recorded with a shortest path,
 * every counterexample is a shortest one (Violation.shortest), and `depth` is exact. The counts
 * match one worker: each reachable state is inserted once (the set decides) and expanded once, so
 * `distinct` and `generated` do not depend on the number of workers. What may differ between
 * runs is which of several shortest counterexamples is reported, and, in the coverage, which
 * action is credited with a state that two actions reach in the same level.
 *
 * The shared set never grows while workers run: a worker takes no more blocks once the published
 * counts pass the pause mark, and when every worker has stopped the coordinator has them grow
 * the set (SharedStateSet.ts), or, with `store: 'auto'`, turns it into a fingerprint set; then
 * they go on with the level where the counter stands.
 *
 * With temporal properties to check (`recordGraph`) and exact states, the search records the
 * behaviour graph as the one-worker search does: the workers log their edges and the coordinator
 * puts the graph together at the end (ParallelGraph.ts), once the workers and the shared set are
 * gone.
 */
import { CheckerError } from '../result/errors.js'
import type { CheckResult, StopReason } from '../result/result.js'
import { namedStrayWrite, type RecordGraph, type SearchOptions, type StoreMode } from './bfs.js'
import { progressOf, runInfo, searchResult, strictCause } from './outcome.js'
import type { TypeViolation } from '../encode/TypeViolation.js'
import { EvaluationError, StrayWrite } from '../compile/evaluation.js'
import { EXPANDED, type Expander, type Sink } from './expand.js'
import { expanderFor } from './strictExpand.js'
import { refOf } from './EdgeLog.js'
import { ParallelGraph } from './ParallelGraph.js'
import { INSERTED, SharedStateSet, type SharedStateSetHandle } from '../store/SharedStateSet.js'
import { specSignature } from '../compile/specSignature.js'
import { MiB, memoryBudget, memoryStopWarning } from '../store/memory.js'
import type { ReducedSpec, ReductionOptions } from '../reduce/reduction.js'
import type { Found, PathSource } from '../trace/trace.js'
import { TraceRecords } from '../store/TraceRecords.js'
import { SearchWorker } from './SearchWorker.js'
import { WorkerPool } from './WorkerPool.js'
import {
  BLOCK_STATES,
  CONTROL_COUNTS,
  CONTROL_NEXT_STATE,
  CONTROL_PAUSE_AT,
  CONTROL_REHASH_NEXT,
  CONTROL_STOP,
  COUNT_STRIDE,
  deserializeError,
  generatedWord,
  type FromWorker,
  type ModelSource,
  type ToWorker,
  type WorkerSetup,
} from './workerProtocol.js'

export interface ParallelOptions {
  /** Worker threads for the search (default 1: the search runs in this thread). */
  readonly workers?: number
  /** Where the spec comes from; required with `workers` > 1. */
  readonly source?: ModelSource
  /**
   * Start only once every worker thread has built the spec (default: at once, on the worker in
   * this thread, the others joining as they are ready). Every worker then searches from the first
   * level on, even on a small model, which is what tests of the parallel search want.
   */
  readonly waitForWorkers?: boolean
}

interface Chunk {
  readonly words: SharedArrayBuffer
  readonly count: number
  /** Id of its first state. */
  readonly firstId: number
}

const CHUNK_STATES = 8192
const MAX_LOAD = 0.75
/**
 * When the budget forbids a bigger set, the workers fill this one up to this load before the
 * search stops, as one worker fills its own. The set has room for what they insert past the mark
 * before they all stop (a block each, published or not: an eighth of the smallest set at most).
 */
const FULL_LOAD = 0.85

type Options = SearchOptions & ParallelOptions & ReductionOptions & { readonly only?: readonly string[] }

/** The edges the workers logged in a complete search, and what the graph needs beside them. */
interface LoggedGraph {
  readonly graph: ParallelGraph
  readonly states: number
  readonly transitions: number
  readonly initOf: Int32Array
  readonly guardHolds: Uint8Array
}

/** Runs the search on `options.workers` worker threads; `recordGraph` as for bfs (bfs.ts). */
export async function parallelSearch(c: ReducedSpec, options: Options, recordGraph?: RecordGraph): Promise<CheckResult> {
  const { result, logged } = await searchOnWorkers(c, options, recordGraph !== undefined)
  // The graph is put together after the search, its time not counted in it, and once the
  // workers, the shared set and the trace records are gone: the budget holds the graph alone.
  if (logged !== undefined && recordGraph !== undefined) {
    const { graph, states, transitions } = logged
    const budget = memoryBudget(options.memoryMiB)
    const recording = recordGraph((extra) => graph.bytes + recording.bytes + extra <= budget, { states, transitions })
    graph.finish(recording, states, logged.initOf, logged.guardHolds)
  }
  return result
}

/** The search itself; `record`: whether to log the behaviour graph (exact states only). */
async function searchOnWorkers(c: ReducedSpec, options: Options, record: boolean): Promise<{ result: CheckResult; logged?: LoggedGraph }> {
  const started = Date.now()
  const nWorkers = options.workers ?? 2
  const source = options.source
  if (source === undefined) {
    throw new CheckerError(
      'MODEL_LOAD',
      `A search on ${nWorkers} workers needs to know where the spec comes from, to build it again in each ` +
        'worker thread: pass options.source = { module: <file URL>, export?, params } (checkModel fills in the ' +
        'parameters), or search with one worker.',
    )
  }
  const search = new Coordinator(c, options, source, nWorkers, started, record)
  try {
    return await search.run()
  } finally {
    await search.pool.shutDown()
    search.records.close()
  }
}

/**
 * The coordinator of one parallel search: the shared set and the trace records, the levels, the
 * workers' messages, the growth of the set, and the result. Its steps share the search's state
 * (the set, the level, what was found), so they are methods over these fields.
 */
class Coordinator {
  readonly records: TraceRecords
  readonly pool: WorkerPool
  private readonly W: number
  private readonly mode: StoreMode
  private exact: boolean
  private readonly budget: number
  private readonly maxStates: number
  private readonly warnings: string[] = []
  /** The behaviour graph the workers log, when it is recorded (from exact states only, which the set keeps with their refs). */
  private readonly graph: ParallelGraph | undefined
  private set: SharedStateSet
  private readonly control: Int32Array
  private readonly generatedBy: Float64Array
  private readonly expander: Expander
  private readonly initWords: Uint32Array
  private initCount = 0
  private readonly found: Found[]
  private readonly broken: Set<string>
  private readonly reached: Set<string>
  private stopReason: StopReason | undefined
  private stop = false
  private failure: EvaluationError | undefined
  private readonly lastDone: (FromWorker & { type: 'done' })[] = []
  private depth = 0
  private expanded = 0
  /** The level being expanded, how many states it has, and the workers that have it. */
  private level: Chunk[] = []
  private levelSize = 0
  private readonly levelSent = new Set<number>()
  private expandedBeforeLevel = 0
  /** The next level's chunks, as they arrive. */
  private next: Chunk[] = []
  private lastProgress = 0

  constructor(
    private readonly c: ReducedSpec,
    private readonly options: Options,
    private readonly source: ModelSource,
    private readonly nWorkers: number,
    private readonly started: number,
    record: boolean,
  ) {
    this.W = c.codec.words
    this.mode = options.store ?? 'auto'
    this.exact = this.mode !== 'fingerprint'
    this.budget = memoryBudget(options.memoryMiB)
    this.maxStates = options.maxStates ?? Infinity
    this.graph = record && this.exact && options.strict !== true ? new ParallelGraph(nWorkers, this.W) : undefined
    // Room for what the workers insert between two publications of their counts, many times over.
    const slots = 16 * nWorkers * BLOCK_STATES * Math.max(1, c.instances.length)
    this.set = new SharedStateSet(SharedStateSet.create(this.exact ? this.W : 1, slots, this.graph !== undefined, this.budget))
    this.control = new Int32Array(new SharedArrayBuffer((CONTROL_COUNTS + COUNT_STRIDE * nWorkers) * 4))
    this.generatedBy = new Float64Array(this.control.buffer)
    this.control[CONTROL_PAUSE_AT] = this.pauseMark()
    this.records = new TraceRecords({ wideInstances: c.instances.length > 0xffff, spill: !this.exact })
    this.expander = expanderFor(c, options.continue ?? false, options.strict ?? false)
    this.initWords = new Uint32Array(new SharedArrayBuffer(Math.max(1, c.init.length) * this.W * 4))
    this.initialStates()
    this.found = [...this.expander.found]
    this.broken = new Set(this.found.map((f) => f.property))
    this.reached = new Set(this.expander.reached)
    this.checkSmallestSet()
    const go = !this.stop && this.failure === undefined && this.stopReason === undefined
    this.pool = new WorkerPool(go ? nWorkers : 0, (i) => this.setup(i), (post) => new SearchWorker(c, this.setup(0), post))
  }

  /** The initial states, in this thread. */
  private initialStates(): void {
    const { c, W, nWorkers, initWords, records } = this
    const key = new Uint32Array(1)
    const initSink: Sink = {
      add: (buf, at, lo, hi, parent, instance) => {
        key[0] = lo
        const ref = refOf(this.initCount, nWorkers, nWorkers)
        if ((this.exact ? this.set.insert(lo, hi, buf, at, ref) : this.set.insert(lo, hi, key, 0, 0)) !== INSERTED) return -1
        initWords.set(buf.subarray(at, at + W), this.initCount * W)
        this.initCount++
        records.append(parent, instance)
        return 0
      },
      prefetch() {},
      seen: -1,
    }
    try {
      for (let i = 0; i < c.init.length && !this.stop; i++) this.stop = this.expander.initial(i, initSink) !== EXPANDED
    } catch (e) {
      this.failure = new EvaluationError(e, -1, -1)
    }
    this.graph?.initial(initWords, this.initCount)
  }

  /**
   * The smallest set the workers can share (room for what they insert between two looks at the
   * pause mark) is the first thing the budget must hold.
   */
  private checkSmallestSet(): void {
    const { set, records, budget } = this
    if (set.bytes + records.bytes <= budget) return
    this.stopReason = 'memory'
    this.warnings.push(
      `The memory budget (${(budget / MiB).toFixed(1)} MiB) is smaller than the smallest visited set ${this.nWorkers} workers ` +
        `share with their trace records (${((set.bytes + records.bytes) / MiB).toFixed(1)} MiB): give it more, or search with one worker.`,
    )
  }

  /** What worker `index` is started with. */
  private setup(index: number): WorkerSetup {
    const { options } = this
    return {
      index,
      initial: this.initCount,
      workers: this.nWorkers,
      record: this.graph !== undefined,
      kind: 'mrcheck-search-worker',
      source: this.source,
      only: options.only,
      reduction: {
        ...(options.symmetry === undefined ? {} : { symmetry: options.symmetry }),
        ...(options.view === undefined ? {} : { view: options.view }),
        ...(options.symmetryStrategy === undefined ? {} : { symmetryStrategy: options.symmetryStrategy }),
      },
      signature: specSignature(this.c),
      exact: this.exact,
      keepGoing: options.continue ?? false,
      strict: options.strict ?? false,
      chunkStates: CHUNK_STATES,
      set: this.set.handle,
      control: this.control.buffer as SharedArrayBuffer,
    }
  }

  private pauseMark(): number {
    return Math.min(Math.floor(this.set.capacity * MAX_LOAD), this.maxStates)
  }

  private fullMark(): number {
    return Math.min(Math.floor(this.set.capacity * FULL_LOAD), this.maxStates)
  }

  /** States stored so far, as the workers last published it (exact when every worker is idle). */
  private stored(): number {
    let k = this.initCount
    for (let w = 0; w < this.nWorkers; w++) k += Atomics.load(this.control, CONTROL_COUNTS + COUNT_STRIDE * w)
    return k
  }

  private generatedSoFar(): number {
    let n = this.expander.generated
    for (let w = 0; w < this.nWorkers; w++) n += this.generatedBy[generatedWord(w) / 2]!
    return n
  }

  private levelLeft(): boolean {
    return Atomics.load(this.control, CONTROL_NEXT_STATE) < this.levelSize
  }

  private halted(): boolean {
    return this.stop || this.failure !== undefined || this.stopReason !== undefined
  }

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

  /** The result, and the logged graph when the search completed with it. */
  private async finish(): Promise<{ result: CheckResult; logged?: LoggedGraph }> {
    const { c, records, expander, graph, exact, set } = this
    const distinct = records.count
    const complete = !this.halted() && !this.levelLeft() && this.next.length === 0 && this.expanded === distinct
    if (complete) for (const [name] of c.reachable) if (!this.reached.has(name)) this.found.push({ property: name, kind: 'reachable', state: -1, instance: -1 })
    const generated = this.generatedSoFar()
    const sum = (pick: (d: FromWorker & { type: 'done' }) => Float64Array, i: number) =>
      this.lastDone.reduce((n, d) => n + (d === undefined ? 0 : pick(d)[i]!), 0)
    const logged: LoggedGraph | undefined =
      graph !== undefined && complete && !graph.abandoned
        ? {
            graph,
            states: distinct,
            transitions: generated,
            initOf: Int32Array.from({ length: this.initCount }, (_, id) => -1 - records.parentOf(id)),
            guardHolds: Uint8Array.from(c.actionNames, (_, i) => (expander.enabled[i]! + sum((d) => d.enabled, i) > 0 ? 1 : 0)),
          }
        : undefined
    const info = runInfo(
      c,
      this.started,
      {
        distinct,
        generated,
        depth: this.depth,
        left: distinct - this.expanded,
        enabled: (i) => expander.enabled[i]! + sum((d) => d.enabled, i),
        produced: (i) => expander.produced[i]! + sum((d) => d.produced, i),
      },
      exact ? 'exact' : 'fingerprint',
      this.nWorkers,
      this.warnings,
    )
    const lo = new Uint32Array(1)
    const paths: PathSource = {
      parentOf: (id) => records.parentOf(id),
      instanceOf: (id) => records.instanceOf(id),
      stateWords: () => undefined,
      contains: (buf, at, l, hi) => {
        lo[0] = l
        return exact ? set.has(l, hi, buf, at) : set.has(l, hi, lo, 0)
      },
    }
    const result = searchResult(c, info, paths, this.found, { complete, stopReason: this.stopReason, failure: this.failure })
    return { result: await namedStrayWrite(c, this.options, this.failure, result), ...(logged === undefined ? {} : { logged }) }
  }

  /**
   * Grows the shared set (or turns it into fingerprints); undefined when the budget forbids it.
   * The budget holds the set, the trace records and the frontier (`frontierBytes`), as with one worker.
   */
  private async grow(frontierBytes: number): Promise<SharedStateSetHandle | undefined> {
    const { records, budget, control, pool, set } = this
    const bigger = set.grownCapacity
    const resident = set.bytes + records.bytes + frontierBytes
    const more = set.growthBytes(pool.searchers)
    // The states come first: the graph gives way when both would not fit.
    if (resident + more + (this.graph?.bytes ?? 0) > budget) this.forgetGraph()
    let h: SharedStateSetHandle
    if (resident + more <= budget) {
      h = set.grown()
      Atomics.store(control, CONTROL_REHASH_NEXT, 0)
      pool.postAll({ type: 'grow', set: h })
      for (let done = 0; done < pool.searchers; ) if ((await pool.next()).message.type === 'rehashed') done++
      this.set = new SharedStateSet(h)
      control[CONTROL_PAUSE_AT] = this.pauseMark()
      return h
    } else if (this.exact && this.mode === 'auto') {
      // As with one worker: the trace records go to disk, and the exact set goes once its
      // states are fingerprinted, into a set of the grown size or, when that does not fit, one
      // of the same size (filled further before the search stops).
      records.startSpilling()
      const room = [bigger, set.capacity].find((n) => records.bytes + frontierBytes + n * 8 <= budget)
      if (room === undefined) return undefined
      h = set.toFingerprints(room)
      this.exact = false
      this.warnings.push(
        `Switched from exact states to fingerprints at ${records.count.toLocaleString('en-US')} distinct states ` +
          `(memory budget ${Math.round(budget / MiB)} MiB).`,
      )
    } else return undefined
    this.set = new SharedStateSet(h)
    control[CONTROL_PAUSE_AT] = this.pauseMark()
    pool.postAll({ type: 'table', set: h, exact: this.exact })
    return h
  }

  /** Gives up recording the graph; the liveness phase will explore the states again. */
  private forgetGraph(): void {
    if (this.graph?.abandon() === true) this.pool.postAll({ type: 'unrecord' })
  }
}
