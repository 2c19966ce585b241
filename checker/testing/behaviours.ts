/**
 * Behaviours as a fast-check arbitrary: random walks through a spec that only ever take enabled
 * actions, run in strict mode (each state deeply frozen, each step an immer draft).
 *
 * Why it shrinks well: a behaviour is generated as a list of small integers, one per step,
 * where choice `c` in a state with `n` enabled action instances takes the `(c mod n)`-th of them
 * (in instance order: action key order, then parameter-domain order). fast-check shrinks the
 * list (shorter behaviours first) and each integer (towards 0: the first enabled instance), and
 * every shrunk list still maps to a valid behaviour, because enabledness is re-evaluated at each
 * step. A behaviour ends early where nothing is enabled or the state leaves the constraint.
 */
import fc from 'fast-check'
import type { AnyModel, Model, ModelParams, ParamDecl, Spec, SpecState, SpecStep } from '../model/model.js'
import { instantiate } from '../compile/instantiate.js'
import { compileSpec, type CompiledSpec } from '../compile/compile.js'
import { frozen, strictStep } from '../compile/strictStep.js'
import type { TraceStep } from '../result/result.js'
import { formatTrace } from '../report/text.js'

/** One random behaviour of a spec. */
export interface Behaviour<S = unknown, St = { readonly action: string; readonly params: Readonly<Record<string, unknown>> }> {
  /** The behaviour as a trace (initial state first), as in counterexamples. */
  readonly trace: readonly TraceStep[]
  /** Its states, initial state first; deeply frozen. */
  readonly states: readonly S[]
  /** Its steps: `steps[i]` leads from `states[i]` to `states[i + 1]`. */
  readonly steps: readonly St[]
  /** The last state. */
  readonly last: S
  /** Why it ended: the step budget ran out, nothing was enabled, or the state left the constraint. */
  readonly end: 'steps' | 'deadlock' | 'constraint'
  /** The choices it was generated from (initial state index first); replayable with `replayChoices`. */
  readonly choices: readonly number[]
}

export interface BehaviourOptions<P = Readonly<Record<string, unknown>>> {
  /** Model parameters (defaults for the rest); ignored for a spec. */
  readonly params?: Partial<P>
  /** The most steps per behaviour; default 20. */
  readonly maxSteps?: number
}

/**
 * Walks `c` by `choices`: the first picks the initial state, each next one an enabled instance
 * (`choice mod #enabled`). Stops early where nothing is enabled or outside the constraint.
 */
export function walkChoices(c: CompiledSpec, choices: readonly number[]): Behaviour<any, any> {
  const init = choices[0] ?? 0
  let state = frozen(c.init[init % c.init.length])
  const trace: TraceStep[] = [{ action: null, state }]
  const steps: (typeof c.steps)[number][] = []
  const used = [init % c.init.length]
  let end: Behaviour['end'] = 'steps'
  const constraint = c.spec.constraint
  for (const choice of choices.slice(1)) {
    if (constraint !== undefined && !constraint(state as never)) {
      end = 'constraint'
      break
    }
    const enabled = c.instances.filter((i) => i.def.guard === undefined || i.def.guard(state as never, i.params))
    if (enabled.length === 0) {
      end = 'deadlock'
      break
    }
    const inst = enabled[choice % enabled.length]!
    const next = strictStep(state, inst, c.canonical)
    trace.push({ action: { name: inst.name, params: inst.params, label: inst.label }, state: next })
    steps.push(c.steps[inst.id]!)
    used.push(choice % enabled.length)
    state = next
  }
  const states = trace.map((s) => s.state)
  return {
    trace,
    states,
    steps,
    last: state,
    end,
    choices: used,
    // fast-check prints a counterexample with this: the behaviour as a TLC-style trace.
    [fc.toStringMethod]: () => `Behaviour of ${trace.length} states:\n${formatTrace(trace)}`,
  } as Behaviour
}

const compiledOf = (target: AnyModel | Spec, params: Readonly<Record<string, unknown>>): CompiledSpec => {
  const spec = 'build' in target && typeof target.build === 'function' ? instantiate(target as AnyModel, params).spec : (target as Spec)
  return compileSpec(spec, {})
}

/**
 * A fast-check arbitrary of behaviours of a model (at `params`) or of a spec: random walks of
 * at most `maxSteps` steps that take only enabled actions. Shrinks to shorter behaviours and to
 * earlier action choices. Use it to test properties of behaviours, or code that consumes them:
 *
 * ```ts
 * fc.assert(fc.property(behaviours(dieHard, { maxSteps: 10 }), (b) => b.last.big <= 5))
 * ```
 */
export function behaviours<D extends Record<string, ParamDecl>, X extends Spec>(
  model: Model<D, X>,
  options?: BehaviourOptions<ModelParams<D>>,
): fc.Arbitrary<Behaviour<SpecState<X>, SpecStep<X>>>
export function behaviours<X extends Spec>(spec: X, options?: BehaviourOptions): fc.Arbitrary<Behaviour<SpecState<X>, SpecStep<X>>>
export function behaviours(target: AnyModel | Spec, options: BehaviourOptions<any> = {}): fc.Arbitrary<Behaviour<any, any>> {
  const c = compiledOf(target, options.params ?? {})
  const maxSteps = options.maxSteps ?? 20
  return fc
    .tuple(fc.nat({ max: c.init.length - 1 }), fc.array(fc.nat(), { maxLength: maxSteps, size: 'max' }))
    .map(([init, choices]) => walkChoices(c, [init, ...choices]))
}

/** Rebuilds a behaviour from its `choices` (e.g. one printed by a failing property). */
export function replayChoices<D extends Record<string, ParamDecl>, X extends Spec>(
  model: Model<D, X>,
  choices: readonly number[],
  params?: Partial<ModelParams<D>>,
): Behaviour<SpecState<X>, SpecStep<X>>
export function replayChoices<X extends Spec>(spec: X, choices: readonly number[]): Behaviour<SpecState<X>, SpecStep<X>>
export function replayChoices(target: AnyModel | Spec, choices: readonly number[], params: Readonly<Record<string, unknown>> = {}) {
  return walkChoices(compiledOf(target, params), choices)
}
