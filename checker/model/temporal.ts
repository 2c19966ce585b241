/**
 * Temporal formulas over state predicates, the common cases of TLA+ liveness:
 * `<>P`, `[]<>P`, `<>[]P` and `P ~> Q`. They are checked by the liveness phase under the
 * fairness declared on the actions.
 */
export type Temporal<S> =
  | { readonly kind: 'eventually'; readonly p: (s: Readonly<S>) => boolean }
  | { readonly kind: 'alwaysEventually'; readonly p: (s: Readonly<S>) => boolean }
  | { readonly kind: 'eventuallyAlways'; readonly p: (s: Readonly<S>) => boolean }
  | { readonly kind: 'leadsTo'; readonly p: (s: Readonly<S>) => boolean; readonly q: (s: Readonly<S>) => boolean }
  | { readonly kind: 'all'; readonly parts: readonly Temporal<S>[] }

/** `<>P`: every fair behaviour reaches a state where P holds. */
export const eventually = <S>(p: (s: Readonly<S>) => boolean): Temporal<S> => ({ kind: 'eventually', p })
/** `[]<>P`: P holds infinitely often. */
export const alwaysEventually = <S>(p: (s: Readonly<S>) => boolean): Temporal<S> => ({ kind: 'alwaysEventually', p })
/** `<>[]P`: from some point on, P holds forever. */
export const eventuallyAlways = <S>(p: (s: Readonly<S>) => boolean): Temporal<S> => ({ kind: 'eventuallyAlways', p })
/** `P ~> Q`: whenever P holds, Q holds then or later. */
export const leadsTo = <S>(p: (s: Readonly<S>) => boolean, q: (s: Readonly<S>) => boolean): Temporal<S> => ({
  kind: 'leadsTo',
  p,
  q,
})
/** `\A i \in 0..n-1 : F(i)`: the conjunction of one formula per index. */
export const forAll = <S>(n: number, f: (i: number) => Temporal<S>): Temporal<S> => ({
  kind: 'all',
  parts: Array.from({ length: n }, (_, i) => f(i)),
})
