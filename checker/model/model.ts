/**
 * The authoring API: state variables, actions, a spec, and a model (a spec family over parameters).
 * In TLA+ words: `vars` declares VARIABLES with their types, `action` is one disjunct of Next with
 * its `\E` parameters, `spec` gathers Init, Next, the state constraint and the deadlock switch.
 */
import type { AnyType, Type, ValueOf } from './types.js'
import type { PropertySet } from './properties.js'

/** A parameter domain: a finite type, or an explicit list of values. */
export type ParamDomain = Type<unknown> | readonly (string | number | boolean)[]
export type ParamDomains = Record<string, ParamDomain>
export type ParamValues<P extends ParamDomains> = {
  [K in keyof P]: P[K] extends readonly (infer V)[] ? V : ValueOf<P[K]>
}

export type Fairness = 'weak' | 'strong'

/**
 * Fairness of a group of action instances taken as one action: `WF_vars(A \/ B)`,
 * `WF_vars(\E i : A(i))`, per process over all its actions (PlusCal's `fair process`), or `SF_vars`
 * alike. The group is enabled where one of its instances is (a step that changes the state), and
 * taken by a step of any of them.
 */
export interface FairGroup<S, St> {
  readonly kind: Fairness
  /** The actions whose instances form the group (every instance of each). */
  readonly actions: readonly (St extends { readonly action: infer N } ? N : never)[]
  /**
   * One group per value: `per: (step) => step.params.c` is `\A c : WF_vars(\E S : A(c, S))`. The
   * value may be of any declared type (a record, tuple or set parameter included); equal values
   * (records whatever their key order, sets listed in the same order) make one group. Omitted: one
   * group of all the instances.
   */
  per?(step: St): unknown
  /**
   * The instance the group means in a state, when the state picks it: `WF_vars(Return(c,
   * alloc[c]))` is `per: c` with `when: (s, step) => step.params.S === s.alloc[c]`. Only the steps
   * whose instance `when` accepts in their first state count, for ENABLED as for taking the step.
   */
  when?(s: Readonly<S>, step: St): boolean
}

/** What an action is, for lanes in sequence views: who takes the step. */
export type Actor = string

export interface ActionDef<S, P> {
  /** Enabling condition; must not change the state. Omitted: always enabled. */
  readonly guard?: (s: Readonly<S>, p: P) => boolean
  /** The step: mutates a draft of the current state into the next state. */
  readonly effect: (d: S, p: P) => void
  /** `WF_vars(A)` or `SF_vars(A)`, per instance (`\A p : WF_vars(A(p))`). */
  readonly fairness?: Fairness
  /**
   * Who takes this step (application, kernel, device, peer, ...), or who, from the step's
   * parameters (`({ p }) => \`proc ${p}\``: one lane per process in sequence views).
   */
  readonly actor?: Actor | ((p: P) => Actor)
}

export interface Action<S, P> extends ActionDef<S, P> {
  readonly params: ParamDomains
  /** Phantom: the parameter value type. */
  readonly __params?: P
}

type AnyAction<S> = Action<S, any>
export type Actions<S> = Record<string, AnyAction<S>>

/** One step of a behaviour: an action name with its parameter values (a discriminated union). */
export type StepOf<A> = {
  [K in keyof A & string]: { readonly action: K; readonly params: A[K] extends Action<any, infer P> ? P : never }
}[keyof A & string]

export type Schema = Record<string, Type<unknown>>
export type StateOf<V extends Schema> = { [K in keyof V]: ValueOf<V[K]> }

/** Initial states stated as a predicate and/or a generator of candidates (compile/initialStates.ts). */
export type InitPredicate<S> =
  | { readonly where: (s: Readonly<S>) => boolean; readonly generate?: never }
  | { readonly generate: () => Iterable<S>; readonly where?: (s: Readonly<S>) => boolean }

export interface SpecDef<S, A extends Actions<S>> {
  readonly name: string
  /** JSON constants this spec was built from (shown in results, used to rebuild it). */
  readonly constants?: Readonly<Record<string, unknown>>
  /**
   * One initial state, several, or a predicate over the declared types (`{ where: (s) => ... }`:
   * every state of the variables' types is tried, TLA+'s `x \in T /\ P(x)`), or a generator of
   * candidates (`{ generate: function* () { ... } }`, optionally with `where`).
   */
  readonly init: S | readonly S[] | InitPredicate<S>
  /** Key order is the enumeration order of action instances. */
  readonly actions: A
  /** State constraint: states outside it are checked but not explored (TLC's CONSTRAINT). */
  readonly constraint?: (s: Readonly<S>) => boolean
  /** Whether a state without any successor is an error (TLC's CHECK_DEADLOCK); default true. */
  readonly checkDeadlock?: boolean
  /** A projection used when printing states (TLC's ALIAS). */
  readonly alias?: (s: Readonly<S>) => unknown
  /** One line on what this instance is (e.g. the known bug a policy value reproduces and its source), shown in reports. */
  readonly about?: string
  /**
   * TLC's VIEW: states with equal views count as one state, and only the first one found is
   * explored. Unsound unless states with equal views have the same futures; a run with a view
   * says so in its warnings, and refuses temporal properties.
   */
  readonly view?: (s: Readonly<S>) => unknown
  /** Fairness over groups of action instances (beside each action's own `fairness`, per instance). */
  readonly fairness?: readonly FairGroup<S, StepOf<A>>[]
}

/** A checkable system: typed variables, initial states and named actions. */
export interface Spec<S = any, A extends Actions<S> = Actions<S>> extends SpecDef<S, A> {
  readonly vars: Readonly<Record<string, AnyType>>
  readonly constants: Readonly<Record<string, unknown>>
  readonly checkDeadlock: boolean
  /** Phantom: the step union. */
  readonly __step?: StepOf<A>
}

export type SpecState<X> = X extends Spec<infer S, any> ? S : never
export type SpecStep<X> = X extends Spec<any, infer A> ? StepOf<A> : never

/**
 * Declares the state variables and returns the two builders typed by them:
 * `action` for one named action and `spec` for the whole system.
 */
export function vars<V extends Schema>(schema: V) {
  type S = StateOf<V>
  function action<P extends ParamDomains>(params: P, def: ActionDef<S, ParamValues<P>>): Action<S, ParamValues<P>>
  function action(def: ActionDef<S, Record<string, never>>): Action<S, Record<string, never>>
  function action(a: ParamDomains | ActionDef<S, any>, b?: ActionDef<S, any>): Action<S, any> {
    return b === undefined ? { ...(a as ActionDef<S, any>), params: {} } : { ...b, params: a as ParamDomains }
  }
  function spec<A extends Actions<S>>(def: SpecDef<S, A>): Spec<S, A> {
    return {
      ...def,
      vars: schema as Readonly<Record<string, AnyType>>,
      constants: def.constants ?? {},
      checkDeadlock: def.checkDeadlock ?? true,
    }
  }
  return { action, spec }
}

/** Declarations of a model's parameters (TLA+ CONSTANTS), settable with `--param name=value`. */
export type ParamDecl = IntParam | EnumParam | BoolParam

export interface IntParam {
  readonly kind: 'int'
  readonly default: number
  readonly min: number
  readonly max: number
  readonly doc?: string
}
export interface EnumParam<E extends string = string> {
  readonly kind: 'enum'
  readonly default: E
  readonly values: readonly E[]
  readonly doc?: string
  /** One line per value, e.g. the design a policy is or the known bug it reproduces, with its source. */
  readonly valueDocs?: Readonly<Partial<Record<E, string>>>
}
export interface BoolParam {
  readonly kind: 'bool'
  readonly default: boolean
  readonly doc?: string
}

type ParamDeclValue<D> = D extends { kind: 'int' } ? number : D extends { kind: 'bool' } ? boolean : D extends {
    kind: 'enum'
    values: readonly (infer E)[]
  }
  ? E
  : never
export type ModelParams<D extends Record<string, ParamDecl>> = { [K in keyof D]: ParamDeclValue<D[K]> }

/** `doc` only when given, so that the declarations also fit under `exactOptionalPropertyTypes`. */
const withDoc = (doc: string | undefined): { doc?: string } => (doc === undefined ? {} : { doc })

/** Parameter declaration helpers. */
export const param = {
  int: (def: number, range: { readonly min: number; readonly max: number }, doc?: string): IntParam => ({
    kind: 'int',
    default: def,
    min: range.min,
    max: range.max,
    ...withDoc(doc),
  }),
  enum: <const E extends readonly [string, ...string[]]>(
    values: E,
    def: E[number],
    doc?: string,
    valueDocs?: Readonly<Partial<Record<E[number], string>>>,
  ): EnumParam<E[number]> => ({
    kind: 'enum',
    default: def,
    values,
    ...withDoc(doc),
    ...(valueDocs === undefined ? {} : { valueDocs }),
  }),
  bool: (def: boolean, doc?: string): BoolParam => ({ kind: 'bool', default: def, ...withDoc(doc) }),
}

/**
 * `Spec => Abstract!Spec` under a refinement mapping (TLC's `PROPERTY` of an instantiated spec):
 * every initial state maps to an initial state of the abstract model at `params`, and every step
 * to one of its steps or to a stutter; with `temporal`, the abstract model's temporal properties
 * (all, or those named) are checked over the mapped behaviours, under the concrete model's fairness.
 */
export interface Refinement<S> {
  readonly model: AnyModel
  readonly params?: Readonly<Record<string, unknown>>
  /** The refinement mapping: the abstract state a concrete state stands for. */
  readonly map: (s: Readonly<S>) => unknown
  readonly temporal?: boolean | readonly string[]
}

/** A model: a family of specs over declared parameters, with its properties. */
export interface Model<
  D extends Record<string, ParamDecl> = Record<string, ParamDecl>,
  X extends Spec = Spec,
  R extends PropertySet<SpecState<X>, SpecStep<X>> = PropertySet<SpecState<X>, SpecStep<X>>,
> {
  readonly name: string
  readonly summary: string
  readonly params: D
  /** The parameter whose values are the rows of `mrcheck matrix` (e.g. `policy`). */
  readonly matrixParam?: keyof D & string
  readonly build: (p: ModelParams<D>) => X
  readonly properties: (p: ModelParams<D>) => R
  /**
   * The properties an instance is meant to break: a known-bug variant names the property its bug
   * breaks, a design names the promises it gives up on purpose. Omitted: it breaks none. A property
   * that `properties` does not return for an instance does not apply to it.
   */
  readonly expectedBreaks?: (p: ModelParams<D>) => readonly string[]
  /** The instance `mrcheck matrix` checks by default (its `--quick` uses the parameters' defaults). */
  readonly matrix?: MatrixInstance<D>
  /** Abstract models this one refines, by the name its check reports (compile/refinement.ts). */
  readonly refines?: (p: ModelParams<D>) => Readonly<Record<string, Refinement<SpecState<X>>>>
}

/** A model's default matrix: parameters for every row, and parameters swept (one row per combination). */
export interface MatrixInstance<D extends Record<string, ParamDecl> = Record<string, ParamDecl>> {
  readonly instance?: Partial<ModelParams<D>>
  readonly sweep?: { readonly [K in keyof D]?: readonly ModelParams<D>[K][] }
}

/**
 * Types a property set against a spec type. `properties<MySpec, Params>()((p) => ({ ... }))` keeps
 * the property names in the type (so that checks naming a property are checked by the compiler);
 * `properties<MySpec, Params>((p) => ({ ... }))` types the predicates only.
 */
export function properties<X extends Spec, P = Record<string, unknown>>(): <R extends PropertySet<SpecState<X>, SpecStep<X>>>(
  build: (p: P) => R,
) => (p: P) => R
export function properties<X extends Spec, P = Record<string, unknown>>(
  build: (p: P) => PropertySet<SpecState<X>, SpecStep<X>>,
): (p: P) => PropertySet<SpecState<X>, SpecStep<X>>
export function properties(build?: (p: unknown) => unknown): unknown {
  return build ?? ((b: unknown) => b)
}

/** Defines a model; the object is returned as is, typed (its parameters and property names included). */
export function defineModel<D extends Record<string, ParamDecl>, X extends Spec, R extends PropertySet<SpecState<X>, SpecStep<X>>>(
  m: Model<D, X, R>,
): Model<D, X, R> {
  return m
}

/** The parameters a model takes, each optional (the declared default stands in): what `checkModel` accepts. */
export type ParamsOf<M> = M extends Model<infer D, infer _X, infer _R>
  ? string extends keyof D
    ? Readonly<Record<string, unknown>> // a model typed only as AnyModel
    : Partial<ModelParams<D>>
  : Readonly<Record<string, unknown>>

/** The keys of a property set's record (`invariants`, ...); none when it is absent. */
type KeysOf<T> = [T] extends [undefined] ? never : keyof NonNullable<T> & string
/** The names of the properties in a property set (a union of sets: every name any of them has). */
export type PropertyNames<R> = R extends unknown
  ?
      | KeysOf<R extends { readonly invariants?: infer T } ? T : undefined>
      | KeysOf<R extends { readonly actionProperties?: infer T } ? T : undefined>
      | KeysOf<R extends { readonly reachable?: infer T } ? T : undefined>
      | KeysOf<R extends { readonly temporal?: infer T } ? T : undefined>
  : never
/** The property names a model's checks may name: its properties and `"Deadlock"`. */
export type PropertyNameOf<M> = M extends Model<infer _D, infer _X, infer R> ? PropertyNames<R> | 'Deadlock' : string

/** Any model, for code that handles models generically (CLI, matrix). */
export interface AnyModel {
  readonly name: string
  readonly summary: string
  readonly params: Readonly<Record<string, ParamDecl>>
  readonly matrixParam?: string
  readonly build: (p: any) => Spec
  readonly properties: (p: any) => PropertySet<any, any>
  readonly expectedBreaks?: (p: any) => readonly string[]
  readonly refines?: (p: any) => Readonly<Record<string, Refinement<any>>>
  readonly matrix?: {
    readonly instance?: Readonly<Record<string, unknown>>
    readonly sweep?: Readonly<Record<string, readonly unknown[] | undefined>>
  }
}
