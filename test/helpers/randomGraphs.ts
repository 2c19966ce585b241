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
import { alwaysEventually, eventually, eventuallyAlways, leadsTo, t, vars } from '../../checker/index.js'
import type { Spec, Temporal, TraceStep } from '../../checker/index.js'

export type Fair = 'none' | 'weak' | 'strong'
export type Kind = 'eventually' | 'alwaysEventually' | 'eventuallyAlways' | 'leadsTo'

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

/** Whether a behaviour can visit exactly the states of S infinitely often and be fair. */
function fairSet(m: RandomModel, S: readonly number[]): boolean {
  const { insts, enabled, edges, reach } = explore(m)
  const fair = insts.filter((i) => i.fair !== 'none')
  if (S.length === 1) return fair.every((i) => !enabled(i, S[0]!)) // stuttering forever
  const inS = (v: number) => S.includes(v)
  for (const v of S) {
    const r = reach([v], inS)
    if (!S.every((w) => r.has(w))) return false
  }
  const taken = new Set(S.flatMap((v) => edges(v).filter((e) => inS(e.to)).map((e) => e.inst)))
  return fair.every((i) =>
    i.fair === 'weak' ? !S.every((v) => enabled(i, v)) || taken.has(i) : !S.some((v) => enabled(i, v)) || taken.has(i),
  )
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
): string | null {
  const { insts, enabled, next, inside } = explore(m)
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
  const fair = insts.filter((i) => i.fair !== 'none')
  if (stuttering) {
    if (loopStart !== trace.length - 1 || loopAction !== null) return 'stuttering lasso of the wrong shape'
    const last = node(trace.length - 1)
    if (fair.some((i) => enabled(i, last))) return 'stutters where a fair instance is enabled'
  } else {
    const back = instOf(loopAction)
    if (back === undefined || next(back, node(trace.length - 1)) !== node(loopStart)) return 'no step back to loopStart'
    if (loopStart === trace.length - 1) return 'a cycle of one state is a stutter'
    const taken = new Set([...trace.slice(loopStart + 1).map((s) => instOf(s.action)), back])
    for (const i of fair) {
      const everywhere = cycleStates.every((v) => enabled(i, v))
      const somewhere = cycleStates.some((v) => enabled(i, v))
      if ((i.fair === 'weak' ? everywhere : somewhere) && !taken.has(i)) {
        return `the cycle is unfair to A${i.action}(x=${i.x}) (${i.fair})`
      }
    }
  }
  const P = (v: number) => bit(m.p, v)
  const Q = (v: number) => bit(m.q, v)
  const all = trace.map((_, i) => node(i))
  const breaks =
    m.kind === 'eventually'
      ? all.every((v) => !P(v))
      : m.kind === 'alwaysEventually'
        ? cycleStates.every((v) => !P(v))
        : m.kind === 'eventuallyAlways'
          ? cycleStates.some((v) => !P(v))
          : all.some((v, i) => P(v) && !Q(v) && all.slice(Math.min(i, loopStart)).every((w) => !Q(w)))
  return breaks ? null : 'the behaviour does not break the property'
}
