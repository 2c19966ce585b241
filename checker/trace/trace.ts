/**
 * Counterexample traces, rebuilt from (parent id, action instance) pairs by re-running each step
 * in strict mode from the initial state. A printed trace is therefore always a real behaviour;
 * if re-running a step does not give the stored state, the model is not deterministic.
 */
import type { TraceStep, ViolationKind } from '../result/result.js'
import { CheckerError } from '../result/errors.js'
import type { CompiledSpec } from '../compile/compile.js'
import { describeThrow } from '../compile/evaluation.js'
import { frozen, strictStep } from '../compile/strictStep.js'

/** What a trace needs from a store of visited states. */
export interface PathSource {
  /** Parent id of a stored state; `-1 - i` for initial state i. */
  parentOf(id: number): number
  instanceOf(id: number): number
  /** The packed words of a stored state, when kept (exact mode). */
  stateWords(id: number): Uint32Array | undefined
  /** When states are not kept: whether a state with this fingerprint was stored. */
  contains?(buf: Uint32Array, at: number, lo: number, hi: number): boolean
}

/**
 * A broken property, located by the step that breaks it: the successor of stored state `state`
 * by `instance`; or stored state `state` itself when `instance` is -1 (a deadlock); or initial
 * state number `instance` when `state` is -1; or nowhere (-1, -1: a goal never reached).
 */
export interface Found {
  readonly property: string
  readonly kind: ViolationKind
  readonly state: number
  readonly instance: number
}

/**
 * The recorded path to stored state `id` (plus one step by `instance` when it is >= 0): the
 * initial state's index, the ids of the stored states from it to `id`, and the instances taken.
 */
export function recordedPath(paths: PathSource, id: number, instance: number) {
  const ids: number[] = []
  let at = id
  for (; at >= 0; at = paths.parentOf(at)) ids.push(at)
  ids.reverse()
  const steps = ids.slice(1).map((i) => paths.instanceOf(i))
  if (instance >= 0) steps.push(instance)
  return { init: -1 - at, ids, steps }
}

/**
 * Replays a path given as an initial-state index and action instances, checking each state
 * against `expected` (packed words) when given.
 */
export function replayPath(
  c: CompiledSpec,
  initIndex: number,
  instances: readonly number[],
  expected?: (step: number) => Uint32Array | undefined,
): TraceStep[] {
  let state = frozen(c.init[initIndex])
  const trace: TraceStep[] = [{ action: null, state }]
  const buf = new Uint32Array(c.codec.words)
  instances.forEach((id, k) => {
    const inst = c.instances[id]!
    let next: unknown
    try {
      next = strictStep(state, inst, c.canonical)
    } catch (e) {
      throw nondeterminism(
        c,
        trace,
        `${inst.label} threw ${describeThrow(e)}, though the search ran it without an error`,
        'Re-running gives guards a frozen state and effects an immer draft: a guard must not write to its state, ' +
          'and an effect must write only to its draft and return nothing. The search with --strict (strict: true) ' +
          'finds such a step where it happens.',
      )
    }
    if (next === null) {
      throw nondeterminism(c, trace, `${inst.label} is no longer enabled`)
    }
    const want = expected?.(k + 1)
    if (want !== undefined) {
      try {
        c.codec.encode(next, buf, 0)
      } catch (e) {
        throw nondeterminism(c, trace, `${inst.label} now gives a state outside its type (${describeThrow(e)})`)
      }
      if (buf.some((w, i) => w !== want[i])) {
        throw nondeterminism(c, trace, `${inst.label} now gives a different state`)
      }
    }
    trace.push({ action: { name: inst.name, params: inst.params, label: inst.label }, state: next })
    state = next
  })
  return trace
}

const DEPEND_ONLY =
  'Guards and effects must depend only on the state and the action parameters: look for Math.random, ' +
  'Date, Map or Set iteration order, or state captured outside the model.'

function nondeterminism(c: CompiledSpec, trace: TraceStep[], what: string, hint = DEPEND_ONLY): CheckerError {
  return new CheckerError(
    'NONDETERMINISM',
    `Model "${c.spec.name}": re-running step ${trace.length} of a recorded behaviour failed: ${what}. ${hint}`,
  )
}
