/**
 * Breadth-first exhaustive search with one worker: the reference engine. Every safety
 * counterexample it returns is a shortest one, because states are discovered level by level.
 *
 * Each state is expanded by search/expand.ts, which runs the checks per successor in TLC's order;
 * this file owns the queue (the ids of a store of visited states, in discovery order), the limits,
 * the memory budget, and the result. A checkpoint is the loop state between two expansions
 * (`next`, `levelEnd`, `depth`, the expander's counters and the store).
 */
import type { CheckResult, StopReason } from '../result/result.js'
import type { ReducedSpec } from '../reduce/reduction.js'
import type { CompiledSpec } from '../compile/compile.js'
import { EvaluationError, StrayWrite } from '../compile/evaluation.js'
import { StutterStep } from '../reduce/partialOrder.js'
import { EXPANDED, NO_ROOM, type EdgeRecorder, type Expander, type Sink } from './expand.js'
import { expanderFor } from './strictExpand.js'
import { progressOf, runInfo, searchResult, strictCause, type Progress } from './outcome.js'
export type { Progress } from './outcome.js'
import type { PathSource } from '../trace/trace.js'
import { MiB, isOutOfMemory, memoryBudget, memoryStopWarning } from '../store/memory.js'
import type { PackedStates } from '../store/StatesById.js'
import { ExactStore, FULL, FingerprintStore, type VisitedStore } from '../store/VisitedStore.js'
import type { CheckpointOptions } from '../longrun/checkpoint.js'
import { Checkpointer } from '../longrun/Checkpointer.js'
import { loadCheckpoint } from '../longrun/loadCheckpoint.js'

/**
 * How visited states are kept: `exact` (whole packed states, stopping at the memory budget),
 * `fingerprint` (64-bit fingerprints only: about 10-12 bytes a state, with a tiny chance of a
 * collision, reported), or `auto`, the default: exact while the states fit the memory budget,
 * then fingerprints, with a warning.
 */
export type StoreMode = 'exact' | 'fingerprint' | 'auto'

export interface SearchOptions {
  /**
   * Stop (incomplete) once this many distinct states are stored. The new states of the expansion
   * that reaches it are kept, so a few more may be stored (with several workers, those of the
   * blocks of states they were expanding).
   */
  readonly maxStates?: number
  /** Do not explore beyond this depth (initial states have depth 1). */
  readonly maxDepth?: number
  /** Stop (incomplete) after this many milliseconds. */
  readonly timeoutMs?: number
  /** Stop (incomplete) when aborted, e.g. on Ctrl-C. */
  readonly signal?: AbortSignal
  /** Keep going after a violation, collecting the first violation of every property. */
  readonly continue?: boolean
  /** Called every `progressIntervalMs` (default 2000) while the search runs. */
  readonly onProgress?: (p: Progress) => void
  readonly progressIntervalMs?: number
  /** How visited states are stored (default 'auto'). */
  readonly store?: StoreMode
  /**
   * Memory budget in MiB for the visited set, the queue and the trace records (default: half of
   * physical memory). Passing it stops the search (stopReason 'memory'), or with store 'auto'
   * switches from exact states to fingerprints.
   */
  readonly memoryMiB?: number
  /** Write the search state to `dir` every `everyMs` (default 60 s) and when interrupted (longrun/checkpoint.ts). */
  readonly checkpoint?: CheckpointOptions
  /** Go on from the checkpoint in this directory instead of starting from the initial states. */
  readonly resumeFrom?: string
  /**
   * Debug mode (much slower): also run every guard, effect and property the strict way
   * (frozen states, immer drafts), twice, and report one that is not deterministic or that
   * changes what it is given as an evaluation error (search/strictExpand.ts).
   */
  readonly strict?: boolean
}

const YIELD_EVERY_MS = 100
/** The most states expanded between looks at the clock, the memory budget, checkpoints and interruption. */
const CHECK_EVERY_STATES = 1024
/** Time between looks past which the next look comes after one state. */
const CHECK_SOON_MS = 10

/**
 * The one-worker sink: the store of visited states, which it swaps for a fingerprint store when
 * an exact store runs out of budget and `auto` allows it.
 */
class StoreSink implements Sink {
  /** The first id not expanded yet (the queue's head), for a switch of stores. */
  next = 0
  readonly warnings: string[] = []

  constructor(
    public store: VisitedStore,
    private readonly auto: boolean,
    private readonly budget: number,
    private readonly fpOptions: ConstructorParameters<typeof FingerprintStore>[1],
  ) {}

  add(buf: Uint32Array, at: number, lo: number, hi: number, parent: number, instance: number): number {
    const id = this.store.add(buf, at, lo, hi, parent, instance)
    if (id !== FULL || !this.auto || !(this.store instanceof ExactStore)) return id
    const n = this.store.count
    this.store = FingerprintStore.fromExact(this.store, this.next, this.fpOptions)
    this.warnings.push(
      `Switched from exact states to fingerprints at ${n.toLocaleString('en-US')} distinct states ` +
        `(memory budget ${Math.round(this.budget / MiB)} MiB).`,
    )
    return this.store.add(buf, at, lo, hi, parent, instance)
  }

  get seen(): number {
    return this.store.seen
  }

  prefetch(fps: Uint32Array, count: number): void {
    this.store.prefetch(fps, count)
  }
}

/**
 * The behaviour graph a search records as it goes, for the liveness phase (run/check.ts asks for
 * one; liveness/GraphRecorder.ts). It grows while the search lets it spend, and gives up
 * (`abandoned`) when refused: the states come first, and the liveness phase then builds the
 * graph again.
 */
export interface GraphRecording extends EdgeRecorder {
  readonly bytes: number
  readonly abandoned: boolean
  abandon(): void
  /**
   * The search completed with `count` states in `store`, the first ones initial (`initOf`: their
   * index in `spec.init`); `guardHolds[a]`: an instance of action a was enabled somewhere.
   */
  finish(store: PackedStates, count: number, initOf: Int32Array, guardHolds: Uint8Array): void
}

/**
 * Makes a GraphRecording that asks `maySpend` before it grows; `expected`: its size, when known
 * (a parallel search puts its graph together after the search: ParallelGraph.ts).
 */
export type RecordGraph = (
  maySpend: (extraBytes: number) => boolean,
  expected?: { readonly states: number; readonly transitions: number },
) => GraphRecording

/** Per initial state (the first ids, whose parent marks them initial): its index in `spec.init`. */
function initialStates(store: ExactStore): Int32Array {
  const out: number[] = []
  for (let id = 0; id < store.count && store.parentOf(id) < 0; id++) out.push(-1 - store.parentOf(id))
  return Int32Array.from(out)
}

/**
 * The store of visited states of a search (in its sink) and the behaviour graph it records, if
 * any, under one memory budget; `held`: the bytes they hold.
 */
function storeFor(c: ReducedSpec, options: SearchOptions, budget: number, recordGraph: RecordGraph | undefined) {
  const W = c.codec.words
  const mode = options.store ?? 'auto'
  const held = (): number => sink.store.bytes + (graph?.bytes ?? 0)
  const graph: GraphRecording | undefined =
    recordGraph === undefined || options.strict === true || options.resumeFrom !== undefined
      ? undefined
      : recordGraph((extra) => held() + extra <= budget)
  /** The states come first: the graph gives way when both would not fit. */
  const maySpend = (extra: number) => {
    if (held() + extra <= budget) return true
    graph?.abandon()
    return sink.store.bytes + extra <= budget
  }
  const fpOptions = { maySpend, wideInstances: c.instances.length > 0xffff }
  const sink = new StoreSink(
    mode === 'fingerprint' ? new FingerprintStore(W, fpOptions) : new ExactStore(W, maySpend),
    mode === 'auto',
    budget,
    fpOptions,
  )
  return { sink, graph, held, maySpend }
}

/**
 * Runs the search. Async only so that signals (Ctrl-C) and progress can be served. `recordGraph`:
 * record the behaviour graph too; not in strict mode, whose loop does not, nor from a checkpoint,
 * whose states before it were expanded in another run. A switch to fingerprints leaves the graph
 * behind: the store's maySpend has given it up first.
 *
 * One piece on purpose: the loop's state (`next`, `levelEnd`, `depth`, the stop reason) is read by
 * the limits, the checkpoints and the result alike, and this loop is the one-worker search's hot
 * path (bench/README.md), so it stays in local variables of one function.
 */
export async function bfs(c: ReducedSpec, options: SearchOptions = {}, recordGraph?: RecordGraph): Promise<CheckResult> {
  const started = Date.now()
  const budget = memoryBudget(options.memoryMiB)
  const mode = options.store ?? 'auto'
  const { sink, graph, held, maySpend } = storeFor(c, options, budget, recordGraph)
  const expander = expanderFor(c, options.continue ?? false, options.strict ?? false)
  expander.graph = graph
  let stopReason: StopReason | undefined
  /**
   * Memory ran out where a checkpoint could not be consistent: while loading the initial states,
   * or in the engine itself (not the budget) in the middle of an expansion, whose counts stay.
   */
  let unresumable = false
  let failure: EvaluationError | undefined
  let stop = false
  const restored = options.resumeFrom === undefined ? undefined : loadCheckpoint(c, options.resumeFrom, maySpend)
  if (restored !== undefined) {
    sink.store = restored.store
    sink.warnings.push(...restored.manifest.warnings)
    restored.restore(expander)
    const { store } = restored
    c.reduction?.resumed?.(store instanceof ExactStore ? store.table.states(store.count) : undefined)
  }
  const saver = options.checkpoint === undefined ? undefined : new Checkpointer(c, options.checkpoint, options as Record<string, unknown>)

  if (restored === undefined) try {
    for (let i = 0; i < c.init.length && !stop && stopReason === undefined; i++) {
      const r = expander.initial(i, sink)
      if (r === NO_ROOM) stopReason = 'memory'
      else stop = r !== EXPANDED
    }
  } catch (e) {
    if (isOutOfMemory(e)) stopReason = 'memory'
    else failure = new EvaluationError(e, -1, -1)
  }
  if (stopReason === 'memory') unresumable = true

  const maxStates = options.maxStates ?? Infinity
  let depth = restored?.loop.depth ?? (sink.store.count > 0 ? 1 : 0)
  let levelEnd = restored?.loop.levelEnd ?? sink.store.count
  let next = restored?.loop.next ?? 0
  sink.next = next
  // A resumed search expands 1,024 states before it heeds its time limit: loading the checkpoint may
  // take most of a short limit, and a run resumed in time-limited slices must still get on.
  const heedTimeFrom = restored === undefined ? 0 : next + CHECK_EVERY_STATES
  let lastYield = Date.now()
  let lastProgress = lastYield
  let lastCheck = lastYield
  let checkEvery = 1
  let untilCheck = 1
  const progressEvery = options.progressIntervalMs ?? 2000

  while (!stop && failure === undefined && stopReason === undefined && next < sink.store.count) {
    const store = sink.store
    if (next === levelEnd) {
      failure = strayWriteIn(expander, depth)
      if (failure !== undefined) break
      if (options.maxDepth !== undefined && depth >= options.maxDepth) {
        stopReason = 'maxDepth'
        break
      }
      depth++
      levelEnd = store.count
    }
    if (store.count >= maxStates) {
      stopReason = 'maxStates'
      break
    }
    if (--untilCheck === 0) {
      const now = Date.now()
      // Every 1,024 states at most, and every state again once the states since the last look took
      // CHECK_SOON_MS (a model whose code takes long), so that the time limit, checkpoints and
      // Ctrl-C are heeded within a few states however slow they are.
      checkEvery = now - lastCheck >= CHECK_SOON_MS ? 1 : Math.min(CHECK_EVERY_STATES, 2 * checkEvery)
      untilCheck = checkEvery
      lastCheck = now
      if (options.timeoutMs !== undefined && next >= heedTimeFrom && now - started >= options.timeoutMs) {
        stopReason = 'timeout'
        break
      }
      if (held() > budget) graph?.abandon()
      if (store.bytes > budget) {
        stopReason = 'memory'
        break
      }
      if (saver?.due(now) && !saver.save({ next, levelEnd, depth }, expander, store, sink.warnings)) {
        stopReason = 'disk'
        break
      }
      if (now - lastYield >= YIELD_EVERY_MS) {
        await new Promise((r) => setImmediate(r))
        lastYield = Date.now()
        if (options.signal?.aborted) {
          stopReason = 'interrupted'
          break
        }
        if (options.onProgress !== undefined && lastYield - lastProgress >= progressEvery) {
          lastProgress = lastYield
          options.onProgress(progressOf(started, sink.store.count, expander.generated, depth, sink.store.count - next))
        }
      }
    }
    const id = next++
    sink.next = next
    try {
      store.take(id)
      const r = expander.expand(id, store.words, store.at, sink, store.ahead)
      if (r === NO_ROOM) {
        stopReason = 'memory'
        next = id
        store.untake()
      } else stop = r !== EXPANDED
    } catch (e) {
      if (e instanceof StutterStep) throw e
      if (isOutOfMemory(e)) {
        stopReason = 'memory'
        unresumable = true
        next = id
        store.untake()
      } else failure = new EvaluationError(strictCause(c, store, expander.instance, e), id, expander.instance)
    }
  }

  failure ??= strayWriteIn(expander, depth)
  const store = sink.store
  const resumable = stopReason === 'interrupted' || stopReason === 'timeout' || (stopReason === 'memory' && !unresumable)
  if (saver !== undefined && resumable && failure === undefined && !stop) {
    if (!saver.save({ next, levelEnd, depth }, expander, store, sink.warnings)) stopReason = 'disk'
  }
  if (saver?.refused !== undefined) sink.warnings.push(saver.refused)
  if (stopReason === 'memory') sink.warnings.push(memoryStopWarning(store.count, store.bytes, budget, mode === 'exact'))
  const complete = !stop && failure === undefined && stopReason === undefined && next === store.count
  if (complete) {
    for (const [name] of c.reachable) if (!expander.reached.has(name)) expander.report(name, 'reachable', -1, -1)
  }
  if (graph !== undefined && complete && !graph.abandoned && store instanceof ExactStore) {
    graph.finish(store.table.statesById(), store.count, initialStates(store), Uint8Array.from(expander.enabled, (n) => (n > 0 ? 1 : 0)))
  }
  const info = runInfo(
    c,
    started,
    {
      distinct: store.count,
      generated: expander.generated,
      depth,
      left: store.count - next,
      enabled: (i) => expander.enabled[i]!,
      produced: (i) => expander.produced[i]!,
    },
    store.kind,
    undefined,
    sink.warnings,
  )
  let result: CheckResult
  try {
    result = searchResult(c, info, storePaths(store), expander.found, { complete, stopReason, failure })
  } finally {
    store.close()
  }
  return namedStrayWrite(c, options, failure, result)
}

/**
 * A search that ended on a write outside an array found after the fact (StrayWrite) is searched
 * again in strict mode, down to the depth of that write, which names the action and gives the trace
 * to it; `result` stays when strict mode does not meet it (a model whose code is not deterministic).
 */
export async function namedStrayWrite(
  c: CompiledSpec,
  options: SearchOptions,
  failure: EvaluationError | undefined,
  result: CheckResult,
): Promise<CheckResult> {
  if (!(failure?.cause instanceof StrayWrite) || options.strict === true) return result
  const named = await bfs(c, {
    strict: true,
    continue: true,
    maxDepth: failure.cause.depth,
    ...(options.memoryMiB === undefined ? {} : { memoryMiB: options.memoryMiB }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
  return named.status === 'error' ? named : result
}

/** A write outside an array left on the expander's successor objects by the level ending at `depth` (StrayWrite). */
export function strayWriteIn(expander: Expander, depth: number): EvaluationError | undefined {
  const stray = expander.strayWrite()
  return stray === undefined ? undefined : new EvaluationError(new StrayWrite(stray, depth + 1), -1, -1)
}
const storePaths = (store: VisitedStore): PathSource => ({
  parentOf: (id) => store.parentOf(id),
  instanceOf: (id) => store.instanceOf(id),
  stateWords: (id) => store.stateWords(id),
  ...(store.kind === 'fingerprint' ? { contains: (b, a, lo, hi) => store.contains(b, a, lo, hi) } : {}),
})
