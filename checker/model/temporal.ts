/**
 * Temporal formulas over state predicates, the common cases of TLA+ liveness: `<>P`, `[]P`,
 * `[]<>P`, `<>[]P` and `P ~> Q`, and their compositions that the liveness phase decides with one
 * lasso search each: `eventually` and `always` of a temporal formula, and `~>` with `[]<>P`,
 * `<>[]P`, `[]P`, `<>P` or a conjunction of `[]<>P` as its premise, and `<>Q`, `[]<>Q`, `<>[]Q` or
 * `[]Q` as its conclusion. They are checked by the liveness phase under the fairness declared on
 * the actions and the spec.
 *
 * The constructors normalise what they are given (`eventually(alwaysEventually(P))` is
 * `alwaysEventually(P)`, `always(leadsTo(P, Q))` is `leadsTo(P, Q)`), so a formula is one of the
 * kinds below; a composition they cannot reduce to one throws, naming what is supported.
 */
import { CheckerError } from '../result/errors.js'

export type Predicate<S> = (s: Readonly<S>) => boolean

export type Temporal<S> =
  | { readonly kind: 'eventually'; readonly p: Predicate<S> }
  | { readonly kind: 'always'; readonly p: Predicate<S> }
  | { readonly kind: 'alwaysEventually'; readonly p: Predicate<S> }
  | { readonly kind: 'eventuallyAlways'; readonly p: Predicate<S> }
  | { readonly kind: 'leadsTo'; readonly p: Predicate<S>; readonly q: Predicate<S> }
  | LeadsToTemporal<S>
  | { readonly kind: 'all'; readonly parts: readonly Temporal<S>[] }

/**
 * `F ~> G` with temporal sides: F is `[]<>P` for each P in `p` (`infinitelyOften`, a conjunction
 * when several), `<>[]P` (`eventuallyAlways`, one P) or the state predicate (`now`); G is `<>Q`
 * (`once`), `[]<>Q` (`infinitelyOften`) or `<>[]Q` (`eventuallyAlways`).
 */
export interface LeadsToTemporal<S> {
  readonly kind: 'leadsToTemporal'
  readonly premise: 'now' | 'infinitelyOften' | 'eventuallyAlways'
  readonly p: readonly Predicate<S>[]
  readonly conclusion: 'once' | 'infinitelyOften' | 'eventuallyAlways'
  readonly q: Predicate<S>
}

/** A state predicate or a temporal formula: what `eventually`, `always` and `leadsTo` take. */
export type Formula<S> = Predicate<S> | Temporal<S>

const SUPPORTED =
  'Supported: eventually/always of a state predicate or of []<>P, <>[]P, P ~> Q; ' +
  'F ~> G with F a state predicate, <>P, []P, []<>P, <>[]P or a forAll of []<>P, and G a state predicate, <>Q, []Q, []<>Q or <>[]Q.'

const unsupported = (what: string): never => {
  throw new CheckerError('MODEL_DEFINITION', `A temporal property asks for ${what}, which mrcheck cannot check. ${SUPPORTED}`)
}

/** `<>F`: every fair behaviour reaches a point where F holds. */
export function eventually<S>(f: Formula<S>): Temporal<S> {
  if (typeof f === 'function') return { kind: 'eventually', p: f }
  switch (f.kind) {
    case 'eventually':
    case 'alwaysEventually':
    case 'eventuallyAlways':
      return f // <><>P = <>P; <>[]<>P = []<>P; <><>[]P = <>[]P
    case 'always':
      return { kind: 'eventuallyAlways', p: f.p }
    default:
      return unsupported(`<> of ${describe(f)}`)
  }
}

/** `[]F`: F holds at every point of every fair behaviour. */
export function always<S>(f: Formula<S>): Temporal<S> {
  if (typeof f === 'function') return { kind: 'always', p: f }
  switch (f.kind) {
    case 'eventually':
      return { kind: 'alwaysEventually', p: f.p }
    case 'always':
    case 'alwaysEventually':
    case 'eventuallyAlways':
    case 'leadsTo':
    case 'leadsToTemporal':
      return f // [][]P = []P; [][]<>P = []<>P; []<>[]P = <>[]P; [](F ~> G) = F ~> G
    case 'all':
      return { kind: 'all', parts: f.parts.map((part) => always(part)) }
  }
}

/** `[]<>P`: P holds infinitely often. */
export const alwaysEventually = <S>(p: Predicate<S>): Temporal<S> => ({ kind: 'alwaysEventually', p })
/** `<>[]P`: from some point on, P holds forever. */
export const eventuallyAlways = <S>(p: Predicate<S>): Temporal<S> => ({ kind: 'eventuallyAlways', p })

/** `F ~> G`: whenever F holds, G holds then or later (`[](F => <>G)`). */
export function leadsTo<S>(f: Formula<S>, g: Formula<S>): Temporal<S> {
  const premise = premiseOf(f)
  const conclusion = conclusionOf(g)
  if (premise.premise === 'now' && conclusion.conclusion === 'once') return { kind: 'leadsTo', p: premise.p[0]!, q: conclusion.q }
  return { kind: 'leadsToTemporal', ...premise, ...conclusion }
}

function premiseOf<S>(f: Formula<S>): Pick<LeadsToTemporal<S>, 'premise' | 'p'> {
  if (typeof f === 'function') return { premise: 'now', p: [f] }
  switch (f.kind) {
    case 'eventually':
      return { premise: 'now', p: [f.p] } // (<>P) ~> G is P ~> G
    case 'always':
    case 'eventuallyAlways':
      return { premise: 'eventuallyAlways', p: [f.p] } // ([]P) ~> G is (<>[]P) ~> G
    case 'alwaysEventually':
      return { premise: 'infinitelyOften', p: [f.p] }
    case 'all':
      if (f.parts.length > 0 && f.parts.every((x) => x.kind === 'alwaysEventually')) {
        return { premise: 'infinitelyOften', p: f.parts.map((x) => (x as { p: Predicate<S> }).p) }
      }
      return unsupported(`a leadsTo whose premise is ${describe(f)}`)
    default:
      return unsupported(`a leadsTo whose premise is ${describe(f)}`)
  }
}

function conclusionOf<S>(g: Formula<S>): Pick<LeadsToTemporal<S>, 'conclusion' | 'q'> {
  if (typeof g === 'function') return { conclusion: 'once', q: g }
  switch (g.kind) {
    case 'eventually':
      return { conclusion: 'once', q: g.p }
    case 'alwaysEventually':
      return { conclusion: 'infinitelyOften', q: g.p }
    case 'always':
    case 'eventuallyAlways':
      return { conclusion: 'eventuallyAlways', q: g.p } // F ~> []Q is F ~> <>[]Q
    default:
      return unsupported(`a leadsTo whose conclusion is ${describe(g)}`)
  }
}

function describe(f: Temporal<any>): string {
  switch (f.kind) {
    case 'all':
      return 'a forAll'
    case 'leadsTo':
    case 'leadsToTemporal':
      return 'a leadsTo'
    default:
      return `a formula of kind ${f.kind}`
  }
}

/** `\A i \in 0..n-1 : F(i)`: the conjunction of one formula per index. */
export const forAll = <S>(n: number, f: (i: number) => Temporal<S>): Temporal<S> => ({
  kind: 'all',
  parts: Array.from({ length: n }, (_, i) => f(i)),
})
