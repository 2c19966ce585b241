/**
 * What the one-worker search (bfs.ts) and the parallel one (parallel.ts) both make of a search:
 * progress reports, the run's statistics, and the result, each violation's trace rebuilt from the
 * stored paths.
 */
import { collisionProbability, fingerprint } from '../encode/fingerprint.js'
import type { CheckResult, RunInfo, StopReason, Violation, TraceStep } from '../result/result.js'
import { CheckerError } from '../result/errors.js'
import type { CompiledSpec } from '../compile/compile.js'
import type { ReducedSpec } from '../reduce/reduction.js'
import { recordedPath, replayPath, type Found, type PathSource } from '../trace/trace.js'
import { frozen, strictStep } from '../compile/strictStep.js'
import { EvaluationError, PropertyThrew, StrictFailure, describeFailure } from '../compile/evaluation.js'

export interface Progress {
  readonly distinct: number
  readonly generated: number
  readonly depth: number
  readonly left: number
  readonly elapsedMs: number
  readonly statesPerSecond: number
}

/** A progress report of a search begun at `started` (ms since the epoch). */
export function progressOf(started: number, distinct: number, generated: number, depth: number, left: number): Progress {
  const elapsedMs = Date.now() - started
  return {
    distinct,
    generated,
    depth,
    left,
    elapsedMs,
    statesPerSecond: elapsedMs > 0 ? Math.round((distinct * 1000) / elapsedMs) : 0,
  }
}

/** What a search counted, for its statistics. */
export interface SearchCounts {
  readonly distinct: number
  readonly generated: number
  readonly depth: number
  /** States found but not expanded. */
  readonly left: number
  /** Per action (by index): how often an instance of it was enabled, and how many new states it produced. */
  readonly enabled: (action: number) => number
  readonly produced: (action: number) => number
}

/**
 * The run's description and statistics, for a search begun at `started`; `workers` only from
 * the parallel and the cluster search, `fingerprintBits` (64 by default) only from the cluster search.
 */
export function runInfo(
  c: CompiledSpec,
  started: number,
  n: SearchCounts,
  store: 'exact' | 'fingerprint',
  workers: number | undefined,
  warnings: string[],
  fingerprintBits = 64,
): RunInfo {
  const elapsed = Date.now() - started
  return {
    model: c.spec.name,
    constants: c.spec.constants,
    stats: {
      initial: c.initialDistinct,
      distinct: n.distinct,
      generated: n.generated,
      depth: n.depth,
      left: n.left,
      durationMs: elapsed,
      statesPerSecond: elapsed > 0 ? Math.round((n.distinct * 1000) / elapsed) : n.distinct * 1000,
      actions: c.actionNames.map((name, i) => ({ name, enabled: n.enabled(i), distinct: n.produced(i) })),
    },
    store,
    ...(store === 'fingerprint' ? { collisionProbability: collisionProbability(n.distinct, fingerprintBits) } : {}),
    ...(workers === undefined ? {} : { workers }),
    checked: checkedProperties(c),
    warnings,
  }
}

/**
 * The result of a search that found `found` (violations, in the order found) and ended
 * `complete` or for `stopReason`, or with `failure`: traces are rebuilt from `paths`.
 */
export function searchResult(
  c: ReducedSpec,
  info: RunInfo,
  paths: PathSource,
  found: readonly Found[],
  end: { readonly complete: boolean; readonly stopReason: StopReason | undefined; readonly failure: EvaluationError | undefined },
): CheckResult {
  const { failure } = end
  try {
    return finishResult(c, info, {
      complete: end.complete,
      stopReason: end.stopReason,
      violations: found.map((f) => toViolation(c, paths, f, c.independence === undefined)),
      failure,
      failureTrace: () => (failure !== undefined && failure.state >= 0 ? traceTo(c, paths, failure.state, -1) : []),
    })
  } catch (e) {
    return rerunFailed(info, e)
  }
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

/**
 * The result of a search when re-running a recorded behaviour (to print a trace) failed, which
 * means that the model is not deterministic: status error. Any other error is thrown again.
 */
function rerunFailed(info: RunInfo, e: unknown): CheckResult {
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
function finishResult(
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

/**
 * The trace to stored state `id`, plus one more step by `instance` when it is >= 0. It is rebuilt
 * by replaying the recorded action instances from the initial state; each replayed state is
 * checked against the stored one (exact mode) or against the fingerprint set (fingerprint mode).
 */
function traceTo(c: ReducedSpec, paths: PathSource, id: number, instance: number): TraceStep[] {
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

function toViolation(c: CompiledSpec, paths: PathSource, f: Found, shortest: boolean): Violation {
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
  const where = trace.length > 0 ? ` after ${trace.length} state${trace.length === 1 ? '' : 's'}` : ''
  return { property: f.property, kind: f.kind, trace, shortest, message: `${what}${where}.` }
}

