/**
 * The library entry points: check a spec against a property set, or a model at given
 * parameters. Safety first (breadth-first search); then, when the search covered the whole
 * state space and temporal properties were asked for, the liveness phase over the behaviour graph.
 */
import type { AnyModel, ParamsOf, Spec } from '../model/model.js'
import type { PropertySet } from '../model/properties.js'
import type { CheckResult, StopReason } from '../result/result.js'
import { CheckerError } from '../result/errors.js'
import { show } from '../encode/TypeViolation.js'
import { MiB, budgetPastMemory, isOutOfMemory, memoryBudget } from '../store/memory.js'
import { compileSpec, type CompiledSpec, type PropertySelection } from '../compile/compile.js'
import { bfs, type RecordGraph, type SearchOptions } from '../search/bfs.js'
import { instantiate } from '../compile/instantiate.js'
import { checkTemporalUnlessStopped, type TemporalOptions } from '../liveness/checkTemporal.js'
import { GraphRecorder } from '../liveness/GraphRecorder.js'
import { resolveFairness } from '../liveness/resolveFairness.js'
import { reductionFor, type ReductionOptions } from '../reduce/reduction.js'
import { usesPartialOrder, noAmpleWarning, POR_NOTE, StutterStep, stutterWarning } from '../reduce/partialOrder.js'
import { analyseIndependence } from '../reduce/independence.js'
import { independenceInThread } from './sampleThread.js'
import { parallelSearch } from '../search/parallel.js'
import type { ParallelOptions } from '../search/parallelOptions.js'
import { checkWorkerCount } from '../search/WorkerPool.js'

/** `symmetry: true` stores one state per orbit of the symmetric index types (see reduce/reduction.ts). */
/**
 * `workers: n` searches on n worker threads (search/parallel.ts); each builds the spec again from
 * `source`, which `checkModel` completes with the model's parameters.
 */
export interface CheckOptions extends SearchOptions, PropertySelection, TemporalOptions, ReductionOptions, ParallelOptions {
  /**
   * Partial-order reduction for safety properties (reduce/partialOrder.ts): the same verdicts,
   * usually far fewer states; counterexamples are real but not always the shortest. Refused with
   * temporal properties, symmetry, a view, several workers, `strict` and checkpoints.
   */
  readonly por?: boolean
}

/** Explores every reachable state of `spec` and checks `props` on it. */
export async function check(spec: Spec, props: PropertySet<any, any> = {}, options: CheckOptions = {}): Promise<CheckResult> {
  const started = Date.now()
  checkStorage(options)
  checkWorkerCount(options.workers)
  if ((options.workers ?? 1) > 1 && (options.checkpoint !== undefined || options.resumeFrom !== undefined)) {
    throw new CheckerError('BAD_PARAM', 'Checkpoints work with one worker only: drop the `workers` option, or `checkpoint` and `resumeFrom`.')
  }
  const compiled = compileSpec(spec, props, options)
  const reduction = reductionFor(compiled, options)
  const sampled = !usesPartialOrder(compiled, options)
    ? undefined
    : options.source !== undefined
      ? await independenceInThread(compiled, options.source, options.only)
      : analyseIndependence(compiled)
  // An action property that fails on a stutter is not kept by the reduction, and a model whose
  // sampled states have no ample set gains nothing from it (reduce/independence.ts).
  let unreduced =
    sampled === undefined
      ? undefined
      : sampled.stutterSensitive.length > 0
        ? stutterWarning(sampled.stutterSensitive, 'on a sampled state')
        : sampled.ample === 0
          ? noAmpleWarning(sampled.choices)
          : undefined
  let independence = unreduced === undefined ? sampled : undefined
  let c = { ...compiled, ...(reduction === undefined ? {} : { reduction }), ...(independence === undefined ? {} : { independence }) }
  const temporal = Object.keys(c.props.temporal ?? {})
  // Resolved before the search, so that a bad fairness override is refused at once in every mode.
  const fair = temporal.length > 0 ? resolveFairness(c, options.fairness) : undefined
  // A search keeping exact states records the behaviour graph (search/bfs.ts, search/parallel.ts).
  let recorder: GraphRecorder | undefined
  const recordGraph: RecordGraph | undefined =
    fair !== undefined && options.store !== 'fingerprint'
      ? (maySpend, expected) => (recorder = new GraphRecorder(fair, maySpend, expected))
      : undefined
  let safety: CheckResult
  try {
    safety = (options.workers ?? 1) > 1 ? await parallelSearch(c, options, recordGraph) : await bfs(c, options, recordGraph)
  } catch (e) {
    if (!(e instanceof StutterStep)) throw reduction?.failure ?? e
    unreduced = stutterWarning([e.property], 'on a state the reduced search reached')
    independence = undefined
    c = { ...compiled, ...(reduction === undefined ? {} : { reduction }) }
    // The time limit counts from the start of the run.
    const left = options.timeoutMs === undefined ? {} : { timeoutMs: Math.max(1, options.timeoutMs - (Date.now() - started)) }
    safety = await bfs(c, { ...options, ...left }, recordGraph)
  }
  if (reduction !== undefined) safety = reduction.finish(safety)
  if (independence !== undefined) {
    safety = { ...safety, reduction: { symmetry: [], view: false, ...safety.reduction, partialOrder: true }, warnings: [...safety.warnings, POR_NOTE] }
  }
  if (unreduced !== undefined) safety = { ...safety, warnings: [...safety.warnings, unreduced] }
  const pastMemory = budgetPastMemory(options.memoryMiB)
  if (pastMemory !== undefined) safety = { ...safety, warnings: [pastMemory, ...safety.warnings] }
  safety = explained(c, promisesFirst(c, safety))
  if (temporal.length === 0) return safety
  /** The safety search's result with the temporal properties moved from `checked` to `unchecked`, for `why`. */
  const temporalUnchecked = (why: string): CheckResult => ({
    ...safety,
    checked: { ...safety.checked, temporal: [] },
    unchecked: temporal,
    warnings: [...safety.warnings, `Temporal properties were not checked: ${why}.`],
  })
  if (!safety.complete) {
    return temporalUnchecked(safety.status === 'error' ? 'the model failed to evaluate' : 'the safety search did not cover every state')
  }
  const budget = memoryBudget(options.memoryMiB)
  /** As temporalUnchecked, after a complete safety search: incomplete unless that search found a violation. */
  const unchecked = (stopReason: StopReason, why: string): CheckResult => {
    const r = temporalUnchecked(why)
    if (r.status !== 'ok') return r
    return { ...r, status: 'incomplete', complete: false, stopReason, stoppedIn: 'liveness', violations: [] }
  }
  // Ctrl-C and the time limit stop the liveness phase too, between its steps.
  const stopped = (): StopReason | undefined =>
    options.signal?.aborted === true
      ? 'interrupted'
      : options.timeoutMs !== undefined && Date.now() - started >= options.timeoutMs
        ? 'timeout'
        : undefined
  let live: Awaited<ReturnType<typeof checkTemporalUnlessStopped>>
  try {
    const expected = { states: safety.stats.distinct, transitions: safety.stats.generated }
    live = await checkTemporalUnlessStopped(c, options, budget, recorder?.recorded ?? expected, stopped)
  } catch (e) {
    if (!isOutOfMemory(e)) throw e
    return unchecked(
      'memory',
      `their behaviour graph and its working arrays would pass the memory budget (${(budget / MiB).toFixed(1)} MiB). ` +
        'Give it more (--memory, memoryMiB)',
    )
  }
  if ('stopReason' in live) return unchecked(live.stopReason, live.stopReason === 'timeout' ? 'the time limit was reached' : 'the run was interrupted')
  const warnings = [...safety.warnings, ...live.warnings]
  const violations = [...safety.violations, ...live.violations]
  if (violations.length === 0) return { ...safety, warnings, status: 'ok', complete: true, violations: [] }
  return { ...safety, warnings, status: 'violation', complete: true, violations }
}

/** Refuses a store or memory budget the search cannot use (the CLI's parsers refuse them too). */
function checkStorage({ store, memoryMiB }: CheckOptions): void {
  if (store !== undefined && store !== 'exact' && store !== 'fingerprint' && store !== 'auto') {
    throw new CheckerError('BAD_PARAM', `store must be "exact", "fingerprint" or "auto", not ${show(store)}.`)
  }
  if (memoryMiB !== undefined && !(Number.isFinite(memoryMiB) && memoryMiB > 0)) {
    throw new CheckerError('BAD_PARAM', `memoryMiB must be a positive number of MiB, not ${show(memoryMiB)}.`)
  }
}

/** The broken promises before the broken mechanisms (PropertySet.mechanisms), each in the order found. */
function promisesFirst(c: CompiledSpec, r: CheckResult): CheckResult {
  const mechanism = (v: CheckResult['violations'][number]) => (c.mechanisms.has(v.property) ? 1 : 0)
  return { ...r, violations: [...r.violations].sort((a, b) => mechanism(a) - mechanism(b)) } as CheckResult
}

/** Each violation's message with its property's explanation (PropertySet.explain), from its trace. */
function explained(c: CompiledSpec, r: CheckResult): CheckResult {
  const explain = c.props.explain
  if (explain === undefined || r.violations.length === 0) return r
  const violations = r.violations.map((v) => {
    const lines = explain[v.property]?.(v.trace.map((s) => s.state as never))
    return lines === undefined ? v : { ...v, message: `${v.message}\n${lines}` }
  })
  return { ...r, violations } as CheckResult
}

/** Checks a model at the given parameters (defaults for the rest); a misspelt parameter is a compile error. */
export async function checkModel<M extends AnyModel>(
  model: M,
  given: ParamsOf<M> = {} as ParamsOf<M>,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const { params, spec, props } = instantiate(model, given)
  const source = options.source === undefined ? undefined : { ...options.source, params: options.source.params ?? params }
  return check(spec, props, source === undefined ? options : { ...options, source })
}
