/**
 * Model-based testing of real code with a model as the oracle (fast-check's `fc.commands` and
 * `fc.modelRun`). Every action instance of the spec becomes one command:
 *
 * - `check(model)`: the instance's guard on the current model state (disabled steps are skipped);
 * - `run(model, real)`: the model takes the step in strict mode, the adapter performs the same
 *   step on the system under test, and the adapter's observation of the system must deep-equal
 *   its projection of the new model state; a mismatch throws a `ConformanceError` that lists
 *   the steps so far and every differing path.
 *
 * fast-check then shrinks a failing command sequence by dropping commands; dropped commands
 * may disable later ones, which are then skipped, so every shrunk sequence is still a behaviour
 * of the model.
 */
import fc from 'fast-check'
import type { AnyModel, Model, ModelParams, ParamDecl, Spec, SpecState, SpecStep } from '../model/model.js'
import { instantiate } from '../compile/instantiate.js'
import { compileSpec, type CompiledSpec } from '../compile/compile.js'
import type { Instance } from '../compile/instances.js'
import { frozen, strictStep } from '../compile/strictStep.js'
import { diffStates, type Change } from '../result/diff.js'
import { showValue } from '../report/text.js'

/** How to drive and read the system under test, in the model's terms. */
export interface SystemAdapter<S, St, Real> {
  /** A fresh system in the situation of the model's initial state `init`. */
  readonly create: (init: Readonly<S>) => Real
  /** Performs `step` (an action name and its parameters) on the system. */
  readonly apply: (real: Real, step: St) => void
  /** What the test can see of the system, as plain data (objects, arrays, primitives). */
  readonly observe: (real: Real) => unknown
  /** The same view computed from a model state; must deep-equal `observe` after every step. */
  readonly project: (state: Readonly<S>) => unknown
}

/** The model side of a run: the current state and the steps taken so far. */
export interface ModelRunState<S, St> {
  state: S
  readonly steps: St[]
  readonly labels: string[]
}

/** The system under test and its model disagree (or the system threw). */
export class ConformanceError extends Error {
  constructor(
    message: string,
    /** Labels of the steps taken, the failing one last (`[]`: the initial states already differ). */
    readonly steps: readonly string[],
    /** Where the observation differs from the projection (empty when the system threw). */
    readonly changes: readonly Change[],
    override readonly cause?: unknown,
  ) {
    super(message)
    this.name = 'ConformanceError'
  }
}

export type ModelCommand<S, St, Real> = fc.Command<ModelRunState<S, St>, Real>

export interface ModelCommands<S, St, Real> {
  /** One command per action instance, in instance order (action key order, then parameters). */
  readonly commands: readonly ModelCommand<S, St, Real>[]
  /**
   * `fc.commands` over every instance: sequences that shrink by dropping steps. Defaults:
   * `maxCommands` 30, and `size: 'max'` (lengths up to `maxCommands`, not fast-check's "small").
   */
  readonly arbitrary: (constraints?: fc.CommandsContraints) => fc.Arbitrary<Iterable<ModelCommand<S, St, Real>>>
  /** Runs `cmds` (`fc.modelRun`) from initial state number `init` against a fresh system. */
  readonly run: (cmds: Iterable<ModelCommand<S, St, Real>>, init?: number) => void
  /** The whole test as a property: a random initial state, then a random command sequence. */
  readonly property: (
    constraints?: fc.CommandsContraints,
  ) => fc.IPropertyWithHooks<[number, Iterable<ModelCommand<S, St, Real>>]>
}

/** Default longest command sequence. */
const DEFAULT_MAX_COMMANDS = 30

const describeThrow = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))

function compare(observed: unknown, expected: unknown, labels: readonly string[], spec: string): void {
  const changes = diffStates(expected, observed)
  if (changes.length === 0) return
  const after = labels.length === 0 ? 'in the initial state' : `after step ${labels.length} (${labels.at(-1)})`
  const lines = changes.map((c) => `  ${c.path || '(whole view)'}: model ${showValue(c.from)}, system ${showValue(c.to)}`)
  throw new ConformanceError(
    `The system under test diverged from model "${spec}" ${after}:\n${lines.join('\n')}\n` +
      `Steps: ${labels.length === 0 ? '(none)' : labels.join(', ')}`,
    labels,
    changes,
  )
}

class InstanceCommand<S, St, Real> implements ModelCommand<S, St, Real> {
  constructor(
    private readonly c: CompiledSpec,
    private readonly inst: Instance,
    private readonly adapter: SystemAdapter<S, St, Real>,
  ) {}
  check(m: Readonly<ModelRunState<S, St>>): boolean {
    const guard = this.inst.def.guard
    return guard === undefined || guard(m.state as never, this.inst.params)
  }
  run(m: ModelRunState<S, St>, real: Real): void {
    const next = strictStep(m.state, this.inst, this.c.canonical) as S
    const step = this.c.steps[this.inst.id] as St
    m.state = next
    m.steps.push(step)
    m.labels.push(this.inst.label)
    try {
      this.adapter.apply(real, step)
    } catch (e) {
      throw new ConformanceError(
        `The system under test threw at step ${m.labels.length} (${this.inst.label}), a step model "${this.c.spec.name}" ` +
          `allows: ${describeThrow(e)}\nSteps: ${m.labels.join(', ')}`,
        [...m.labels],
        [],
        e,
      )
    }
    compare(this.adapter.observe(real), this.adapter.project(next), m.labels, this.c.spec.name)
  }
  toString(): string {
    return this.inst.label
  }
}

/**
 * Turns a model (at `params`) or a spec into fast-check commands against a system under test,
 * with the model as the oracle:
 *
 * ```ts
 * const mbt = modelCommands(translationTableModel, { pages: 2 }, adapter)
 * fc.assert(mbt.property({ maxCommands: 30 }), { numRuns: 1000 })
 * ```
 */
export function modelCommands<D extends Record<string, ParamDecl>, X extends Spec, Real>(
  model: Model<D, X>,
  params: Partial<ModelParams<D>>,
  adapter: SystemAdapter<SpecState<X>, SpecStep<X>, Real>,
): ModelCommands<SpecState<X>, SpecStep<X>, Real>
export function modelCommands<X extends Spec, Real>(
  spec: X,
  params: Readonly<Record<string, never>>,
  adapter: SystemAdapter<SpecState<X>, SpecStep<X>, Real>,
): ModelCommands<SpecState<X>, SpecStep<X>, Real>
export function modelCommands(
  target: AnyModel | Spec,
  params: Readonly<Record<string, unknown>>,
  adapter: SystemAdapter<any, any, any>,
): ModelCommands<any, any, any> {
  const spec =
    'build' in target && typeof target.build === 'function' ? instantiate(target as AnyModel, params).spec : (target as Spec)
  const c = compileSpec(spec, {})
  const commands = c.instances.map((inst) => new InstanceCommand(c, inst, adapter))
  // Unlike fc.commands, sequence lengths spread over the whole 0..maxCommands range by default:
  // interleavings that break things tend to need more than fast-check's "small" size allows.
  const arbitrary = (constraints: fc.CommandsContraints = {}) =>
    fc.commands(
      commands.map((cmd) => fc.constant(cmd)),
      { maxCommands: DEFAULT_MAX_COMMANDS, ...(constraints.size === undefined ? { size: 'max' } : {}), ...constraints },
    )
  const run = (cmds: Iterable<ModelCommand<any, any, any>>, init = 0) => {
    fc.modelRun(() => {
      const state: unknown = frozen(c.init[init])
      const real: unknown = adapter.create(state as never)
      compare(adapter.observe(real), adapter.project(state as never), [], spec.name)
      return { model: { state, steps: [], labels: [] }, real }
    }, cmds)
  }
  const property = (constraints: fc.CommandsContraints = {}) =>
    fc.property(fc.nat({ max: c.init.length - 1 }), arbitrary(constraints), (init, cmds) => run(cmds, init))
  return { commands, arbitrary, run, property }
}
