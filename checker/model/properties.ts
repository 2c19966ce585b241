/**
 * Properties: invariants (`[]P`), action properties (`[][A]_vars`), reachability goals (vacuity
 * guards: fail when never reached) and, checked by the liveness phase, temporal properties.
 */
import type { Temporal } from './temporal.js'

export type StatePredicate<S> = (s: Readonly<S>) => boolean
export type ActionPredicate<S, St> = (s: Readonly<S>, next: Readonly<S>, step: St) => boolean

export interface PropertySet<S, St> {
  /** `[]P`: must hold in every reachable state. */
  readonly invariants?: Readonly<Record<string, StatePredicate<S>>>
  /** `[][A]_vars`: must hold on every step (old state, new state, action instance). */
  readonly actionProperties?: Readonly<Record<string, ActionPredicate<S, St>>>
  /** Must hold in some reachable state; a complete run that never meets it reports a failure. */
  readonly reachable?: Readonly<Record<string, StatePredicate<S>>>
  /** Temporal formulas, checked under the actions' fairness. */
  readonly temporal?: Readonly<Record<string, Temporal<S>>>
  /**
   * Safety properties that state how a design works rather than what it promises (e.g. "the
   * commit checks the snapshot"). A violation of one is reported, but it does not end a check
   * that stops at the first violation: the search goes on to the first broken promise (or to the
   * end), and that promise's trace comes first, so a plain check shows the harm, not only the
   * missing mechanism one step before it.
   */
  readonly mechanisms?: readonly string[]
  /** A one-line statement of the promise each property protects, by property name. */
  readonly docs?: Readonly<Record<string, string>>
  /**
   * Lines added to a violation's message, by property name, from the states of its trace (a
   * refinement names the abstract states and the abstract step that is not allowed).
   */
  readonly explain?: Readonly<Record<string, (states: readonly Readonly<S>[]) => string>>
  /**
   * The refinements among the invariants and action properties (each is both; compile/refinement.ts):
   * the matrix shows them after the other promises.
   */
  readonly refinements?: readonly string[]
}
