/**
 * Breadth-first exhaustive search with one worker: the reference engine. Every safety
 * counterexample it returns is a shortest one, because states are discovered level by level.
 *
 * Each state is expanded by search/expand.ts, which runs the checks per successor in TLC's order;
 * this file owns the queue (the ids of a store of visited states, in discovery order), the limits,
 * the memory budget, and the result. A checkpoint is the loop state between two expansions
 * (`next`, `levelEnd`, `depth`, the expander's counters and the store).
 */
import { collisionProbability, fingerprint } from '../encode/fingerprint.js'
import type { CheckResult, RunInfo, StopReason, Violation, TraceStep } from '../result/result.js'
import { CheckerError } from '../result/errors.js'
import type { CompiledSpec } from '../compile/compile.js'
import type { ReducedSpec } from '../reduce/reduction.js'
import { recordedPath, replayPath, type Found, type PathSource } from '../trace/trace.js'
export type { PathSource } from '../trace/trace.js'
import { frozen, strictStep } from '../compile/strictStep.js'
import { EvaluationError, PropertyThrew, StrayWrite, StrictFailure, describeFailure } from '../compile/evaluation.js'
import { EXPANDED, NO_ROOM, type EdgeRecorder, type Expander, type Sink } from './expand.js'
import { expanderFor } from './strictExpand.js'
import { MiB, isOutOfMemory, memoryBudget, memoryStopWarning } from '../store/memory.js'
import type { PackedStates } from '../store/StatesById.js'
import { ExactStore, FULL, FingerprintStore, type VisitedStore } from '../store/VisitedStore.js'
import { Checkpointer, loadCheckpoint, type CheckpointOptions } from '../longrun/checkpoint.js'

export interface Progress {
  readonly distinct: number
  readonly generated: number
  readonly depth: number
  readonly left: number
  readonly elapsedMs: number
  readonly statesPerSecond: number
}

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
 * Runs the search. Async only so that signals (Ctrl-C) and progress can be served. `recordGraph`:
 * record the behaviour graph too; not in strict mode, whose loop does not, nor from a checkpoint,
 * whose states before it were expanded in another run. A switch to fingerprints leaves the graph
 * behind: the store's maySpend has given it up first.
 */
export async function bfs(c: ReducedSpec, options: SearchOptions = {}, recordGraph?: RecordGraph): Promise<CheckResult> {
  const started = Date.now()
  const W = c.codec.words
  const budget = memoryBudget(options.memoryMiB)
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
  let lastYield = Date.now()
  let lastProgress = lastYield
  const progressEvery = options.progressIntervalMs ?? 2000
  const progress = (): Progress => {
    const elapsedMs = Date.now() - started
    const distinct = sink.store.count
    return {
      distinct,
      generated: expander.generated,
      depth,
      left: distinct - next,
      elapsedMs,
      statesPerSecond: elapsedMs > 0 ? Math.round((distinct * 1000) / elapsedMs) : 0,
    }
  }

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
    if ((next & 1023) === 0) {
      const now = Date.now()
      if (options.timeoutMs !== undefined && now - started >= options.timeoutMs) {
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
          options.onProgress(progress())
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
  const elapsed = Date.now() - started
  const info: RunInfo = {
    model: c.spec.name,
    constants: c.spec.constants,
    stats: {
      distinct: store.count,
      generated: expander.generated,
      depth,
      left: store.count - next,
      durationMs: elapsed,
      statesPerSecond: elapsed > 0 ? Math.round((store.count * 1000) / elapsed) : store.count * 1000,
      actions: c.actionNames.map((name, i) => ({
        name,
        enabled: expander.enabled[i]!,
        distinct: expander.produced[i]!,
      })),
    },
    store: store.kind,
    ...(store.kind === 'fingerprint' ? { collisionProbability: collisionProbability(store.count) } : {}),
    checked: checkedProperties(c),
    warnings: sink.warnings,
  }
  let result: CheckResult
  try {
    const paths = storePaths(store)
    result = finishResult(c, info, {
      complete,
      stopReason,
      violations: expander.found.map((f) => toViolation(c, paths, f, true)),
      failure,
      failureTrace: () => (failure !== undefined && failure.state >= 0 ? traceTo(c, paths, failure.state, -1) : []),
    })
  } catch (e) {
    result = rerunFailed(info, e)
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

/**
 * The error the strict way of running a step (an immer draft, as in replay) gives, so that a
 * failing step is reported the same way in both: the fast way's reused state objects are sealed,
 * so adding a field fails in the effect there, but only in the type check in strict mode. The
 * parent is the state `store` last took.
 */
export function strictCause(c: CompiledSpec, store: { words: Uint32Array; at: number }, inst: number, cause: unknown): unknown {
  if (inst < 0 || cause instanceof PropertyThrew || cause instanceof StrictFailure) return cause
  try {
    const next = strictStep(frozen(c.codec.decode(store.words, store.at)), c.instances[inst]!, c.canonical)
    if (next !== null) c.codec.encode(next, new Uint32Array(c.codec.words), 0)
  } catch (e) {
    return e
  }
  return cause
}

/** A write outside an array left on the expander's successor objects by the level ending at `depth` (StrayWrite). */
export function strayWriteIn(expander: Expander, depth: number): EvaluationError | undefined {
  const stray = expander.strayWrite()
  return stray === undefined ? undefined : new EvaluationError(new StrayWrite(stray, depth + 1), -1, -1)
}

/**
 * The result of a search when re-running a recorded behaviour (to print a trace) failed, which
 * means that the model is not deterministic: status error. Any other error is thrown again.
 */
export function rerunFailed(info: RunInfo, e: unknown): CheckResult {
  if (!(e instanceof CheckerError) || e.code !== 'NONDETERMINISM') throw e
  return { ...info, status: 'error', complete: false, error: { code: e.code, message: e.message, trace: [] }, violations: [] }
}

/** The names of the properties a run checks, by kind. */
export function checkedProperties(c: CompiledSpec): RunInfo['checked'] {
  return {
    invariants: c.invariants.map(([n]) => n),
    actionProperties: c.actionProperties.map(([n]) => n),
    reachable: c.reachable.map(([n]) => n),
    temporal: Object.keys(c.props.temporal ?? {}),
  }
}

/** The result document from what a search found. */
export function finishResult(
  c: CompiledSpec,
  info: RunInfo,
  r: {
    readonly complete: boolean
    readonly stopReason: StopReason | undefined
    readonly violations: readonly Violation[]
    readonly failure: EvaluationError | undefined
    readonly failureTrace: () => TraceStep[]
  },
): CheckResult {
  const { violations, failure } = r
  if (failure !== undefined) {
    const trace = r.failureTrace()
    return {
      ...info,
      status: 'error',
      complete: false,
      error: { code: 'EVALUATION', message: describeFailure(c, failure, trace), trace },
      violations,
    }
  }
  if (violations.length > 0) return { ...info, status: 'violation', complete: r.complete, violations }
  if (!r.complete) {
    return { ...info, status: 'incomplete', complete: false, stopReason: r.stopReason ?? 'interrupted', violations: [] }
  }
  return { ...info, status: 'ok', complete: true, violations: [] }
}

const storePaths = (store: VisitedStore): PathSource => ({
  parentOf: (id) => store.parentOf(id),
  instanceOf: (id) => store.instanceOf(id),
  stateWords: (id) => store.stateWords(id),
  ...(store.kind === 'fingerprint' ? { contains: (b, a, lo, hi) => store.contains(b, a, lo, hi) } : {}),
})

/**
 * The trace to stored state `id`, plus one more step by `instance` when it is >= 0. It is rebuilt
 * by replaying the recorded action instances from the initial state; each replayed state is
 * checked against the stored one (exact mode) or against the fingerprint set (fingerprint mode).
 */
export function traceTo(c: ReducedSpec, paths: PathSource, id: number, instance: number): TraceStep[] {
  if (c.reduction?.trace !== undefined) return c.reduction.trace(c, paths, id, instance)
  const { init, ids, steps } = recordedPath(paths, id, instance)
  const trace = replayPath(c, init, steps, (k) => (k < ids.length ? paths.stateWords(ids[k]!) : undefined))
  if (paths.contains !== undefined) {
    const W = c.codec.words
    const buf = new Uint32Array(W)
    const fp = new Uint32Array(2)
    for (let k = 0; k < ids.length; k++) {
      c.codec.encode(trace[k]!.state, buf, 0)
      fingerprint(buf, 0, W, fp)
      if (!paths.contains(buf, 0, fp[0]!, fp[1]!)) {
        throw new CheckerError(
          'NONDETERMINISM',
          `Model "${c.spec.name}": re-running step ${k + 1} of a recorded behaviour gave a state that was never ` +
            'found by the search. Guards and effects must depend only on the state and the action parameters: ' +
            'look for Math.random, Date, Map or Set iteration order, or state captured outside the model.',
        )
      }
    }
  }
  return trace
}

export function toViolation(c: CompiledSpec, paths: PathSource, f: Found, shortest: boolean): Violation {
  let trace: TraceStep[] = []
  if (f.state >= 0) trace = traceTo(c, paths, f.state, f.instance)
  else if (f.instance >= 0) trace = replayPath(c, f.instance, [])
  const what =
    f.kind === 'invariant'
      ? `Invariant ${f.property} is violated`
      : f.kind === 'action'
        ? `Action property ${f.property} is violated`
        : f.kind === 'deadlock'
          ? 'Deadlock reached'
          : `${f.property} is never reached`
  const where = trace.length > 0 ? ` after ${trace.length} states` : ''
  return { property: f.property, kind: f.kind, trace, shortest, message: `${what}${where}.` }
}

