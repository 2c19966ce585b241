/**
 * The state of one parallel search, which the steps of its coordinator (search/Coordinator.ts) share:
 * the shared set and the trace records, the worker threads and their shared counters, the initial
 * states, the level's counts, and what was found. Its own steps are the start (the initial states,
 * the smallest set the budget must hold, what each worker is started with), growing the shared set
 * (growSharedSet.ts) and the result (parallelResult.ts).
 */
import type { StopReason, CheckResult } from '../result/result.js'
import type { StoreMode } from './bfs.js'
import { EvaluationError } from '../compile/evaluation.js'
import { EXPANDED, type Expander, type Sink } from './expand.js'
import { expanderFor } from './strictExpand.js'
import { refOf } from './EdgeLog.js'
import { ParallelGraph } from './ParallelGraph.js'
import { INSERTED, SharedStateSet, type SharedStateSetHandle } from '../store/SharedStateSet.js'
import { specSignature } from '../compile/specSignature.js'
import { MiB, memoryBudget } from '../store/memory.js'
import type { ReducedSpec } from '../reduce/reduction.js'
import type { Found } from '../trace/trace.js'
import { TraceRecords } from '../store/TraceRecords.js'
import { SearchWorker } from './SearchWorker.js'
import { WorkerPool } from './WorkerPool.js'
import { growSharedSet } from './growSharedSet.js'
import { parallelResult, type LoggedGraph } from './parallelResult.js'
import type { ParallelSearchOptions } from './parallelOptions.js'
import {
  BLOCK_STATES,
  CONTROL_COUNTS,
  CONTROL_NEXT_STATE,
  CONTROL_PAUSE_AT,
  COUNT_STRIDE,
  generatedWord,
  type FromWorker,
  type ModelSource,
  type WorkerSetup,
} from './workerProtocol.js'

/** A chunk of a level: packed states in shared memory. */
export interface Chunk {
  readonly words: SharedArrayBuffer
  readonly count: number
  /** Id of its first state. */
  readonly firstId: number
}

/** States in a chunk the workers fill. */
export const CHUNK_STATES = 8192
const MAX_LOAD = 0.75
/**
 * When the budget forbids a bigger set, the workers fill this one up to this load before the
 * search stops, as one worker fills its own. The set has room for what they insert past the mark
 * before they all stop (a block each, published or not: an eighth of the smallest set at most).
 */
const FULL_LOAD = 0.85

/** The search's state and its own steps; search/Coordinator.ts runs the levels over it. */
export abstract class ParallelSearchState {
  readonly records: TraceRecords
  readonly pool: WorkerPool
  protected readonly W: number
  protected readonly mode: StoreMode
  protected exact: boolean
  protected readonly budget: number
  protected readonly maxStates: number
  protected readonly warnings: string[] = []
  /** The behaviour graph the workers log, when it is recorded (from exact states only, which the set keeps with their refs). */
  protected readonly graph: ParallelGraph | undefined
  protected set: SharedStateSet
  protected readonly control: Int32Array
  private readonly generatedBy: Float64Array
  private readonly expander: Expander
  protected readonly initWords: Uint32Array
  protected initCount = 0
  protected readonly found: Found[]
  protected readonly broken: Set<string>
  protected readonly reached: Set<string>
  protected stopReason: StopReason | undefined
  protected stop = false
  protected failure: EvaluationError | undefined
  protected readonly lastDone: (FromWorker & { type: 'done' })[] = []
  protected depth = 0
  protected expanded = 0
  /** How many states the level being expanded has. */
  protected levelSize = 0
  /** The next level's chunks, as they arrive. */
  protected next: Chunk[] = []

  constructor(
    protected readonly c: ReducedSpec,
    protected readonly options: ParallelSearchOptions,
    private readonly source: ModelSource,
    private readonly nWorkers: number,
    protected readonly started: number,
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

  protected fullMark(): number {
    return Math.min(Math.floor(this.set.capacity * FULL_LOAD), this.maxStates)
  }

  /** States stored so far, as the workers last published it (exact when every worker is idle). */
  protected stored(): number {
    let k = this.initCount
    for (let w = 0; w < this.nWorkers; w++) k += Atomics.load(this.control, CONTROL_COUNTS + COUNT_STRIDE * w)
    return k
  }

  protected generatedSoFar(): number {
    let n = this.expander.generated
    for (let w = 0; w < this.nWorkers; w++) n += this.generatedBy[generatedWord(w) / 2]!
    return n
  }

  protected levelLeft(): boolean {
    return Atomics.load(this.control, CONTROL_NEXT_STATE) < this.levelSize
  }

  protected halted(): boolean {
    return this.stop || this.failure !== undefined || this.stopReason !== undefined
  }

  /** The result, and the logged graph when the search completed with it (parallelResult.ts). */
  protected async finish(): Promise<{ result: CheckResult; logged?: LoggedGraph }> {
    const complete = !this.halted() && !this.levelLeft() && this.next.length === 0 && this.expanded === this.records.count
    const { c, options, records, expander, graph, exact, set, started, depth, nWorkers, warnings, found, reached, lastDone, initCount, expanded, stopReason, failure } = this
    const search = { records, expander, graph, exact, set, started, depth, nWorkers, warnings, found, reached, lastDone, initCount, expanded, stopReason, failure }
    return parallelResult(c, options, { ...search, complete, generated: this.generatedSoFar() })
  }

  /**
   * Grows the shared set, or turns it into fingerprints (growSharedSet.ts), and has the workers go
   * on with it; undefined when the budget forbids it. The budget holds the set, the trace records
   * and the frontier (`frontierBytes`), as with one worker.
   */
  protected async grow(frontierBytes: number): Promise<SharedStateSetHandle | undefined> {
    const { set, exact, mode, records, pool, control, budget, warnings } = this
    const growth = { set, exact, mode, records, pool, control, budget, warnings, graphBytes: this.graph?.bytes ?? 0, forgetGraph: () => this.forgetGraph() }
    const grown = await growSharedSet(growth, frontierBytes)
    if (grown === undefined) return undefined
    const h = grown.handle
    this.set = new SharedStateSet(h)
    control[CONTROL_PAUSE_AT] = this.pauseMark()
    if (grown.exact !== exact) {
      // The workers take the fingerprint set as they took the first one; a grown set they rehashed into.
      this.exact = grown.exact
      pool.postAll({ type: 'table', set: h, exact: this.exact })
    }
    return h
  }

  /** Gives up recording the graph; the liveness phase will explore the states again. */
  protected forgetGraph(): void {
    if (this.graph?.abandon() === true) this.pool.postAll({ type: 'unrecord' })
  }
}
