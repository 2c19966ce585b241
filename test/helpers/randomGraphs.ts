/**
 * Random small behaviour graphs written as ordinary models, and a naive reference for temporal
 * verdicts under fairness, for property-based tests of checker/liveness.
 *
 * A model has one variable `node` in 0..n-1 and actions A0, A1, ... with a parameter x; instance
 * Ai(x) is a partial function on nodes given by a table (-1: disabled; its own node: a stuttering
 * step). The reference does not use SCCs: it enumerates every set S of states and asks whether a
 * behaviour can visit exactly S infinitely often while being fair, which is the definition.
 */
import fc from 'fast-check'
import { always, alwaysEventually, eventually, eventuallyAlways, forAll, leadsTo, t, vars } from '../../checker/index.js'
import type { Spec, Temporal, TraceStep } from '../../checker/index.js'

export type Fair = 'none' | 'weak' | 'strong'
export type Kind = 'eventually' | 'alwaysEventually' | 'eventuallyAlways' | 'leadsTo'
/**
 * Composed formulas over P, Q and R (R: the nodes where exactly one of P and Q holds): []P, and
 * F ~> G with F among P, []<>P, <>[]P, []<>P /\ []<>R and G among Q, []<>Q, <>[]Q.
 */
export type ComposedKind =
  | 'always'
  | 'P~>[]<>Q'
  | 'P~><>[]Q'
  | '<>[]P~>Q'
  | '<>[]P~>[]<>Q'
  | '<>[]P~><>[]Q'
  | '[]<>P~>Q'
  | '[]<>P~><>[]Q'
  | '[]<>P/\\[]<>R~>Q'
  | 'eventually(always P)'
  | 'always(eventually P)'
  | '(<>P)~>([]Q)'
export const composedKinds: readonly ComposedKind[] = [
  'always',
  'P~>[]<>Q',
  'P~><>[]Q',
  '<>[]P~>Q',
  '<>[]P~>[]<>Q',
  '<>[]P~><>[]Q',
  '[]<>P~>Q',
  '[]<>P~><>[]Q',
  '[]<>P/\\[]<>R~>Q',
  'eventually(always P)',
  'always(eventually P)',
  '(<>P)~>([]Q)',
]

export interface RandomModel {
  readonly n: number
  /** `table[a][x][v]`: the node instance Aa(x) leads to from node v, or -1 when disabled there. */
  readonly table: readonly (readonly (readonly number[])[])[]
  /** Fairness declared per action. */
  readonly fairness: readonly Fair[]
  /** Fairness given as an override, per action name. */
  readonly override: Readonly<Record<string, Fair>>
  readonly init: readonly number[]
  /** Bit v: P (resp. Q) holds in node v. */
  readonly p: number
  readonly q: number
  readonly kind: Kind
  /** Bit v: node v is inside the state constraint; null: no constraint. */
  readonly constraint: number | null
  /** Fairness over groups of instances (the spec's `fairness`). */
  readonly groups: readonly RandomGroup[]
}

/**
 * A fairness group over every instance of some actions, one group per value of x when `perX`
 * (`per` giving x as a number, or as a record or tuple that x determines, its fields built in
 * either order); with `when`, instance Aa(x) counts only from the nodes of mask `when[a][x]`.
 */
export interface RandomGroup {
  readonly kind: 'weak' | 'strong'
  readonly actions: readonly number[]
  readonly perX: boolean
  readonly perShape: PerShape
  readonly when: readonly (readonly number[])[] | null
}

type PerShape = 'number' | 'record' | 'recordReordered' | 'tuple'

/** The group key of instance x, shaped as `shape` says; equal keys exactly where the x are equal. */
function perKey(shape: PerShape, x: number): unknown {
  if (shape === 'number') return x
  if (shape === 'record') return { high: x >> 1, low: x & 1 }
  if (shape === 'recordReordered') return x % 2 === 0 ? { low: 0, high: x >> 1 } : { high: x >> 1, low: 1 }
  return [x & 1, [x >> 1]]
}

const fairArb = fc.constantFrom<Fair>('none', 'weak', 'strong')
/** Mostly fair actions, so that fair cycles (not only stuttering) decide many verdicts. */
const declaredFairArb = fc.oneof(
  { arbitrary: fc.constant<Fair>('none'), weight: 1 },
  { arbitrary: fc.constantFrom<Fair>('weak', 'strong'), weight: 2 },
)

/**
 * Models with 2..6 nodes and 1..4 actions of 1..3 instances each. Unbiased: fast-check's default
 * bias towards small values would send most edges to node 0 and leave few interesting cycles.
 */
export const randomModel: fc.Arbitrary<RandomModel> = fc.noBias(
  fc
    .record({ n: fc.integer({ min: 2, max: 6 }), actions: fc.integer({ min: 1, max: 4 }), dense: fc.nat(3) })
    .chain(({ n, actions, dense }) => {
      // Sparse to dense graphs: an instance is enabled in a node with odds (1 + dense) : 3.
      const cell = fc.oneof(
        { arbitrary: fc.constant(-1), weight: 3 },
        { arbitrary: fc.nat(n - 1), weight: 1 + dense },
      )
      const mask = fc.nat(2 ** n - 1)
      // Sparse predicates: the states where P (or Q) holds are about a quarter of all.
      const sparse = fc.tuple(mask, mask).map(([a, b]) => a & b)
      return fc.record({
        n: fc.constant(n),
        table: fc.array(fc.array(fc.array(cell, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 3 }), {
          minLength: actions,
          maxLength: actions,
        }),
        fairness: fc.array(declaredFairArb, { minLength: actions, maxLength: actions }),
        override: fc.dictionary(fc.constantFrom(...Array.from({ length: actions }, (_, a) => `A${a}`)), fairArb, {
          maxKeys: 1,
        }),
        init: fc.uniqueArray(fc.nat(n - 1), { minLength: 1, maxLength: n }),
        p: sparse,
        q: sparse,
        kind: fc.constantFrom<Kind>('eventually', 'alwaysEventually', 'eventuallyAlways', 'leadsTo'),
        constraint: fc.oneof({ arbitrary: fc.constant(null), weight: 2 }, { arbitrary: mask, weight: 1 }),
        groups: fc.array(
          fc.record({
            kind: fc.constantFrom<'weak' | 'strong'>('weak', 'strong'),
            actions: fc.uniqueArray(fc.nat(actions - 1), { minLength: 1, maxLength: actions }),
            perX: fc.boolean(),
            perShape: fc.constantFrom<PerShape>('number', 'record', 'recordReordered', 'tuple'),
            when: fc.option(fc.array(fc.array(mask, { minLength: 3, maxLength: 3 }), { minLength: actions, maxLength: actions }), {
              nil: null,
            }),
          }),
          { maxLength: 2 },
        ),
      })
      // The first initial state is inside the constraint: a model with none inside it is refused.
      .map((m) => (m.constraint === null ? m : { ...m, constraint: m.constraint | (1 << m.init[0]!) }))
    }),
)

const bit = (m: number, v: number) => ((m >>> v) & 1) === 1

/** The model as a spec of the normal model API. */
export function specOf(m: RandomModel): Spec {
  const { spec, action } = vars({ node: t.int(0, m.n - 1) })
  const actions = Object.fromEntries(
    m.table.map((rows, a) => [
      `A${a}`,
      action({ x: t.int(0, rows.length - 1) }, {
        guard: (s, { x }) => rows[x]![s.node]! >= 0,
        effect: (d, { x }) => void (d.node = rows[x]![d.node]!),
        fairness: m.fairness[a] === 'none' ? undefined : m.fairness[a],
      }),
    ]),
  )
  return spec({
    name: 'random',
    init: m.init.map((node) => ({ node })),
    actions,
    constraint: m.constraint === null ? undefined : (s) => bit(m.constraint!, s.node),
    checkDeadlock: false,
    fairness: m.groups.map((g) => ({
      kind: g.kind,
      actions: g.actions.map((a) => `A${a}`),
      ...(g.perX ? { per: (step: { params: { x?: number } }) => perKey(g.perShape, step.params.x!) } : {}),
      ...(g.when === null
        ? {}
        : { when: (s: { node: number }, step: { action: string; params: { x?: number } }) => bit(g.when![Number(step.action.slice(1))]![step.params.x!]!, s.node) }),
    })),
  })
}

/** The property under test, over P and Q. */
export function temporalOf(m: RandomModel): Temporal<{ node: number }> {
  const P = (s: { node: number }) => bit(m.p, s.node)
  const Q = (s: { node: number }) => bit(m.q, s.node)
  switch (m.kind) {
    case 'eventually':
      return eventually(P)
    case 'alwaysEventually':
      return alwaysEventually(P)
    case 'eventuallyAlways':
      return eventuallyAlways(P)
    case 'leadsTo':
      return leadsTo(P, Q)
  }
}

interface Inst {
  readonly action: number
  readonly x: number
  readonly fair: Fair
}

/** The reference's view of a model: instances with effective fairness, reachable nodes, edges. */
function explore(m: RandomModel) {
  const inside = (v: number) => m.constraint === null || bit(m.constraint, v)
  const insts: Inst[] = m.table.flatMap((rows, a) =>
    rows.map((_, x) => ({ action: a, x, fair: m.override[`A${a}`] ?? m.fairness[a]! })),
  )
  const next = (i: Inst, v: number) => m.table[i.action]![i.x]![v]!
  /** `ENABLED <<A>>_vars`: a step that changes the state, wherever it leads. */
  const enabled = (i: Inst, v: number) => next(i, v) >= 0 && next(i, v) !== v
  const edges = (v: number) =>
    insts.filter((i) => enabled(i, v) && inside(next(i, v))).map((i) => ({ inst: i, to: next(i, v) }))
  const reach = (from: readonly number[], through: (v: number) => boolean): Set<number> => {
    const seen = new Set(from.filter((v) => inside(v) && through(v)))
    const todo = [...seen]
    while (todo.length > 0) {
      for (const { to } of edges(todo.pop()!)) {
        if (!seen.has(to) && through(to)) {
          seen.add(to)
          todo.push(to)
        }
      }
    }
    return seen
  }
  const reachable = reach(m.init, () => true)
  return { insts, enabled, edges, reach, reachable, next, inside }
}

/**
 * The fairness conditions: one per instance of a fair action, and one per group (and x value, for
 * `perX`). `counts(i, v)`: a step of instance i from node v is a step of the condition.
 */
interface Condition {
  readonly kind: 'weak' | 'strong'
  readonly label: string
  readonly counts: (i: Inst, v: number) => boolean
}

function conditions(m: RandomModel): Condition[] {
  const { insts } = explore(m)
  const same = (i: Inst, j: Inst) => i.action === j.action && i.x === j.x
  const out: Condition[] = insts
    .filter((i) => i.fair !== 'none')
    .map((i) => ({ kind: i.fair as 'weak' | 'strong', label: `A${i.action}(x=${i.x})`, counts: (j: Inst) => same(i, j) }))
  m.groups.forEach((g, n) => {
    const members = insts.filter((i) => g.actions.includes(i.action))
    const xs = g.perX ? [...new Set(members.map((i) => i.x))] : [null]
    for (const x of xs) {
      const mine = members.filter((i) => x === null || i.x === x)
      out.push({
        kind: g.kind,
        label: `group ${n}${x === null ? '' : ` x=${x}`}`,
        counts: (j, v) => mine.some((i) => same(i, j)) && (g.when === null || bit(g.when[j.action]![j.x]!, v)),
      })
    }
  })
  return out
}

/** Whether condition c is enabled in node v: one of its steps from v changes the state. */
function conditionEnabled(m: RandomModel, c: Condition, v: number): boolean {
  const { insts, enabled } = explore(m)
  return insts.some((i) => c.counts(i, v) && enabled(i, v))
}

/** Whether a behaviour can visit exactly the states of S infinitely often and be fair. */
function fairSet(m: RandomModel, S: readonly number[]): boolean {
  const { edges, reach } = explore(m)
  const fair = conditions(m)
  if (S.length === 1) return fair.every((c) => !conditionEnabled(m, c, S[0]!)) // stuttering forever
  const inS = (v: number) => S.includes(v)
  for (const v of S) {
    const r = reach([v], inS)
    if (!S.every((w) => r.has(w))) return false
  }
  const steps = S.flatMap((v) => edges(v).filter((e) => inS(e.to)).map((e) => ({ from: v, inst: e.inst })))
  return fair.every((c) => {
    const on = S.map((v) => conditionEnabled(m, c, v))
    const due = c.kind === 'weak' ? on.every(Boolean) : on.some(Boolean)
    return !due || steps.some((st) => c.counts(st.inst, st.from))
  })
}

/** The sets of states a violating behaviour may end in, and where its watched part may start. */
function violatingSets(m: RandomModel): { sets: number[][]; watchStart: number[]; watched: Set<number> } {
  const { reachable, reach } = explore(m)
  const P = (v: number) => bit(m.p, v)
  const Q = (v: number) => bit(m.q, v)
  let watchStart: number[]
  let watched: Set<number>
  let ok: (S: number[]) => boolean = () => true
  switch (m.kind) {
    case 'eventually':
      watchStart = m.init.filter((v) => !P(v))
      watched = reach(watchStart, (v) => !P(v))
      break
    case 'alwaysEventually':
      watchStart = [...reachable].filter((v) => !P(v))
      watched = new Set(watchStart)
      break
    case 'eventuallyAlways':
      watchStart = [...m.init]
      watched = reachable
      ok = (S) => S.some((v) => !P(v))
      break
    case 'leadsTo':
      watchStart = [...reachable].filter((v) => P(v) && !Q(v))
      watched = reach(watchStart, (v) => !Q(v))
      break
  }
  const nodes = [...watched]
  const sets: number[][] = []
  for (let mask = 1; mask < 2 ** nodes.length; mask++) {
    const S = nodes.filter((_, i) => bit(mask, i))
    if (ok(S) && fairSet(m, S)) sets.push(S)
  }
  return { sets, watchStart, watched }
}

/** The reference verdict: whether some fair behaviour violates the property. */
export function referenceViolated(m: RandomModel): boolean {
  return violatingSets(m).sets.length > 0
}

/**
 * The length of a shortest prefix to a state where a violating lasso can close: a state of some
 * violating set (for <>[]P, a ~P state of one), reached through a free part and then the watched
 * part. -1 when there is none.
 */
export function referencePrefix(m: RandomModel): number {
  const { sets } = violatingSets(m)
  const { edges, inside } = explore(m)
  const P = (v: number) => bit(m.p, v)
  const Q = (v: number) => bit(m.q, v)
  const entries = new Set(sets.flat().filter((v) => m.kind !== 'eventuallyAlways' || !P(v)))
  const free = m.kind === 'alwaysEventually' || m.kind === 'leadsTo'
  const trigger = (v: number) =>
    m.kind === 'eventually' || m.kind === 'alwaysEventually' ? !P(v) : m.kind === 'leadsTo' ? P(v) && !Q(v) : true
  const allowed = (v: number) =>
    m.kind === 'eventually' || m.kind === 'alwaysEventually' ? !P(v) : m.kind === 'leadsTo' ? !Q(v) : true
  // Breadth first over (node, phase), by levels.
  let level = new Set<string>()
  const seen = new Set<string>()
  const add = (to: Set<string>, v: number, phase: number) => {
    const key = `${v}/${phase}`
    if (seen.has(key)) return
    seen.add(key)
    to.add(key)
    if (phase === 0 && trigger(v)) add(to, v, 1)
  }
  for (const v of m.init.filter(inside)) {
    if (free) add(level, v, 0)
    else if (trigger(v)) add(level, v, 1)
  }
  for (let d = 0; level.size > 0; d++) {
    for (const key of level) {
      const [v, phase] = key.split('/').map(Number) as [number, number]
      if (phase === 1 && entries.has(v)) return d
    }
    const nextLevel = new Set<string>()
    for (const key of level) {
      const [v, phase] = key.split('/').map(Number) as [number, number]
      for (const { to } of edges(v)) {
        if (phase === 0) add(nextLevel, to, 0)
        else if (allowed(to)) add(nextLevel, to, 1)
      }
    }
    level = nextLevel
  }
  return -1
}

/**
 * Checks a returned lasso on its own terms: real steps inside the constraint from an initial
 * state, a closing step back to `loopStart` (or stuttering allowed by fairness), a fair cycle, and
 * a behaviour that breaks the property. Returns what is wrong, or null.
 */
export function lassoProblem(
  m: RandomModel,
  trace: readonly TraceStep[],
  loopStart: number,
  loopAction: TraceStep['action'],
  stuttering: boolean,
  /** Whether the behaviour breaks the property, when it is not m.kind's (a composed formula). */
  breaksOther?: boolean,
): string | null {
  const { insts, next, inside } = explore(m)
  const node = (i: number) => (trace[i]!.state as { node: number }).node
  const instOf = (a: TraceStep['action']) =>
    insts.find((i) => a !== null && a.name === `A${i.action}` && a.params['x'] === i.x)
  if (trace.length === 0) return 'empty trace'
  if (!m.init.includes(node(0))) return 'does not start in an initial state'
  for (let i = 0; i < trace.length; i++) {
    if (!inside(node(i))) return `state ${i} is outside the constraint`
    if (i === 0) continue
    const inst = instOf(trace[i]!.action)
    if (inst === undefined || next(inst, node(i - 1)) !== node(i) || node(i) === node(i - 1)) return `step ${i} is not real`
  }
  if (loopStart < 0 || loopStart >= trace.length) return 'loopStart out of range'
  const cycleStates = trace.slice(loopStart).map((_, j) => node(loopStart + j))
  const fair = conditions(m)
  if (stuttering) {
    if (loopStart !== trace.length - 1 || loopAction !== null) return 'stuttering lasso of the wrong shape'
    const last = node(trace.length - 1)
    if (fair.some((c) => conditionEnabled(m, c, last))) return 'stutters where a fair condition is enabled'
  } else {
    const back = instOf(loopAction)
    if (back === undefined || next(back, node(trace.length - 1)) !== node(loopStart)) return 'no step back to loopStart'
    if (loopStart === trace.length - 1) return 'a cycle of one state is a stutter'
    const steps = [
      ...trace.slice(loopStart + 1).map((s, j) => ({ from: node(loopStart + j), inst: instOf(s.action)! })),
      { from: node(trace.length - 1), inst: back },
    ]
    for (const c of fair) {
      const on = cycleStates.map((v) => conditionEnabled(m, c, v))
      if ((c.kind === 'weak' ? on.every(Boolean) : on.some(Boolean)) && !steps.some((st) => c.counts(st.inst, st.from))) {
        return `the cycle is unfair to ${c.label} (${c.kind})`
      }
    }
  }
  const P = (v: number) => bit(m.p, v)
  const Q = (v: number) => bit(m.q, v)
  const all = trace.map((_, i) => node(i))
  const breaks =
    breaksOther ??
    (m.kind === 'eventually'
      ? all.every((v) => !P(v))
      : m.kind === 'alwaysEventually'
        ? cycleStates.every((v) => !P(v))
        : m.kind === 'eventuallyAlways'
          ? cycleStates.some((v) => !P(v))
          : all.some((v, i) => P(v) && !Q(v) && all.slice(Math.min(i, loopStart)).every((w) => !Q(w))))
  return breaks ? null : 'the behaviour does not break the property'
}

/** A random model with a composed formula instead of `kind` (its `kind` is ignored). */
export const randomComposed: fc.Arbitrary<{ m: RandomModel; kind: ComposedKind }> = fc.record({
  m: randomModel,
  kind: fc.constantFrom(...composedKinds),
})

const predicates = (m: RandomModel) => ({
  P: (v: number) => bit(m.p, v),
  Q: (v: number) => bit(m.q, v),
  R: (v: number) => bit(m.p ^ m.q, v),
})

/** The composed formula, built with the public constructors. */
export function composedOf(m: RandomModel, kind: ComposedKind): Temporal<{ node: number }> {
  const { P: p, Q: q, R: r } = predicates(m)
  const P = (s: { node: number }) => p(s.node)
  const Q = (s: { node: number }) => q(s.node)
  const R = (s: { node: number }) => r(s.node)
  switch (kind) {
    case 'always':
      return always(P)
    case 'P~>[]<>Q':
      return leadsTo(P, alwaysEventually(Q))
    case 'P~><>[]Q':
      return leadsTo(P, eventuallyAlways(Q))
    case '<>[]P~>Q':
      return leadsTo(eventuallyAlways(P), Q)
    case '<>[]P~>[]<>Q':
      return leadsTo(eventuallyAlways(P), alwaysEventually(Q))
    case '<>[]P~><>[]Q':
      return leadsTo(eventuallyAlways(P), eventuallyAlways(Q))
    case '[]<>P~>Q':
      return leadsTo(alwaysEventually(P), Q)
    case '[]<>P~><>[]Q':
      return leadsTo(alwaysEventually(P), eventuallyAlways(Q))
    case '[]<>P/\\[]<>R~>Q':
      return leadsTo(forAll(2, (i) => alwaysEventually(i === 0 ? P : R)), Q)
    case 'eventually(always P)':
      return eventually(always(P))
    case 'always(eventually P)':
      return always(eventually(P))
    case '(<>P)~>([]Q)':
      return leadsTo(eventually(P), always(Q))
  }
}

/**
 * Whether a behaviour whose whole sequence of nodes is `all` (a lasso: `cycle` repeats forever;
 * `prefixP`: P holds somewhere before or on the cycle) breaks the composed formula, from the
 * definitions: `inf` is the set of nodes visited infinitely often.
 */
function breaksComposed(m: RandomModel, kind: ComposedKind, everP: boolean, inf: readonly number[], all: readonly number[]): boolean {
  const { P, Q, R } = predicates(m)
  const some = (f: (v: number) => boolean) => inf.some(f)
  const every = (f: (v: number) => boolean) => inf.every(f)
  switch (kind) {
    case 'always':
      return all.some((v) => !P(v))
    case 'P~>[]<>Q':
      return everP && !some(Q)
    case 'P~><>[]Q':
    case '(<>P)~>([]Q)':
      return everP && some((v) => !Q(v))
    case '<>[]P~>Q':
    case '<>[]P~>[]<>Q':
    case 'eventually(always P)':
      return kind === 'eventually(always P)' ? some((v) => !P(v)) : every(P) && !some(Q)
    case '<>[]P~><>[]Q':
      return every(P) && some((v) => !Q(v))
    case '[]<>P~>Q':
      return some(P) && !some(Q)
    case '[]<>P~><>[]Q':
      return some(P) && some((v) => !Q(v))
    case '[]<>P/\\[]<>R~>Q':
      return some(P) && some(R) && !some(Q)
    case 'always(eventually P)':
      return !some(P)
  }
}

/**
 * The reference verdict for a composed formula: some reachable set S a fair behaviour can visit
 * exactly infinitely often breaks it, after a prefix that (for a premise P) passes a P node.
 */
export function referenceComposedViolated(m: RandomModel, kind: ComposedKind): boolean {
  const { reachable, reach } = explore(m)
  const { P } = predicates(m)
  const nodes = [...reachable]
  const pNodes = nodes.filter(P)
  for (let mask = 1; mask < 2 ** nodes.length; mask++) {
    const S = nodes.filter((_, i) => bit(mask, i))
    if (!fairSet(m, S)) continue
    // A P node from which S can be reached (S is strongly connected: one of its nodes is enough).
    const everP = pNodes.some((v) => reach([v], () => true).has(S[0]!))
    if (kind === 'always') {
      // Some reachable node where P fails, from which S is reachable.
      if (nodes.some((v) => !P(v) && reach([v], () => true).has(S[0]!))) return true
      continue
    }
    if (breaksComposed(m, kind, everP, S, S)) return true
  }
  return false
}

/** Whether the lasso breaks the composed formula (its realness and fairness: lassoProblem). */
export function lassoBreaksComposed(m: RandomModel, kind: ComposedKind, trace: readonly TraceStep[], loopStart: number): boolean {
  const all = trace.map((s) => (s.state as { node: number }).node)
  const inf = all.slice(loopStart)
  return breaksComposed(m, kind, all.some(predicates(m).P), inf, all)
}
