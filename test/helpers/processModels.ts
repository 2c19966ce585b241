/**
 * Random models of processes for testing partial-order reduction: processes with local values
 * (cells `l[p]`), a few shared variables, and actions whose guards and effects are random tables
 * over (own local value, value of the shared variable read). Most steps touch only their own
 * process, so the reduction has something to cut; shared reads and writes make dependent pairs and
 * enablings; properties over some cells make visible steps. One action may take a process as a
 * parameter (an instance per process, the same table for each), as an index or inside a record.
 * The local values may be kept in a map (`l: t.map(Proc, ...)`, a process at 0 having no key),
 * which the reduction takes as one cell.
 *
 * `reference` explores a model's description directly (plain arrays, no mrcheck code) with the
 * search's semantics: invariants and goals on every state reached (those outside the constraint
 * too, which are not expanded), action properties on every edge, deadlock when no action is
 * enabled. `traceProblem` says whether a printed counterexample is a behaviour of the description
 * that breaks the property it is reported for.
 */
import fc from 'fast-check'
import { get as getKey, put, removeKey, t, vars, type PropertySet, type Spec, type TraceStep, type ViolationKind } from '../../checker/index.js'

export interface ProcAction {
  /** The process it belongs to; -1: the parameterised action, one instance per process. */
  readonly proc: number
  /** The shared variable its guard and effect read, and the one it writes (-1: none). */
  readonly reads: number
  readonly writes: number
  /** By local value * 2 + value read: enabled?, the next local value, the value written. */
  readonly guard: readonly boolean[]
  readonly nextLocal: readonly number[]
  readonly written: readonly number[]
}

/** A variable: a process's local value (0..procs-1) or a shared variable (procs + i). */
export type Prop =
  | { readonly kind: 'bad'; readonly v: number; readonly value: number }
  | { readonly kind: 'pair'; readonly v: number; readonly a: number; readonly w: number; readonly b: number }
  | { readonly kind: 'edge'; readonly v: number; readonly from: number; readonly to: number }
  | { readonly kind: 'after'; readonly action: number; readonly v: number; readonly value: number }

export interface ProcModel {
  readonly procs: number
  /** Local values are 0..locals-1; shared ones 0..1. */
  readonly locals: number
  readonly shared: number
  readonly actions: readonly ProcAction[]
  /** Invariants: `bad` (v is never value) and `pair` (never v = a and w = b at once). */
  readonly invariants: readonly Prop[]
  /** Action properties: `edge` (no step takes v from `from` to `to`, stutters included) and `after` (no step of an action leaves v = value). */
  readonly actionProperties: readonly Prop[]
  /** Goals: `bad` read as "v = value is reached". */
  readonly reachable: readonly Prop[]
  /** States with this variable at this value are outside the constraint. */
  readonly constraint: readonly [number, number] | null
  readonly checkDeadlock: boolean
  /** The parameterised action takes `{ q: { p } }` (a record parameter) rather than `{ p }`. */
  readonly recordParam: boolean
  /** The local values are a map from processes to 1..locals-1, a process at 0 having no key. */
  readonly mapLocals: boolean
}

export const processModel: fc.Arbitrary<ProcModel> = fc.noBias(
  fc
  .record({ procs: fc.integer({ min: 2, max: 4 }), locals: fc.integer({ min: 2, max: 4 }), shared: fc.integer({ min: 0, max: 2 }) })
  .chain(({ procs, locals, shared }) => {
    const varCount = procs + shared
    const keys = locals * 2
    const sharedVar = (none: number) => fc.oneof({ weight: none, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat({ max: Math.max(0, shared - 1) }) })
    const action = (proc: fc.Arbitrary<number>) =>
      fc.record({
        proc,
        reads: shared === 0 ? fc.constant(-1) : sharedVar(1),
        writes: shared === 0 ? fc.constant(-1) : sharedVar(3),
        guard: fc.array(fc.noBias(fc.nat({ max: 3 })).map((x) => x !== 0), { minLength: keys, maxLength: keys }),
        // Mostly a step forward (runs that commute), sometimes anywhere (cycles).
        nextLocal: fc
          .array(fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: locals - 1 })), { minLength: keys, maxLength: keys })
          .map((xs) => xs.map(([forward, to], k) => (forward > 0 ? Math.min(locals - 1, (k >> 1) + 1) : to))),
        written: fc.array(fc.noBias(fc.nat({ max: 1 })), { minLength: keys, maxLength: keys }),
      })
    const v = fc.nat({ max: varCount - 1 })
    const value = fc.nat({ max: locals - 1 })
    const bad = fc.record({ kind: fc.constant('bad' as const), v, value })
    const pair = fc.record({ kind: fc.constant('pair' as const), v, a: value, w: v, b: value })
    return fc.record({
      procs: fc.constant(procs),
      locals: fc.constant(locals),
      shared: fc.constant(shared),
      actions: fc
        .tuple(fc.array(action(fc.nat({ max: procs - 1 })), { minLength: 2, maxLength: 6 }), fc.option(action(fc.constant(-1))))
        .map(([own, param]) => (param === null ? own : [...own, param])),
      invariants: fc.array(fc.oneof(bad, pair), { maxLength: 2 }),
      actionProperties: fc.array(
        fc.oneof(
          fc.record({ kind: fc.constant('edge' as const), v, from: value, to: value }),
          fc.record({ kind: fc.constant('after' as const), action: fc.nat({ max: 1 }), v, value }),
        ),
        { maxLength: 2 },
      ),
      reachable: fc.array(bad, { maxLength: 1 }),
      constraint: fc.option(fc.tuple(v, value).filter(([, x]) => x !== 0), { freq: 2 }),
      checkDeadlock: fc.boolean(),
      recordParam: fc.boolean(),
      mapLocals: fc.nat({ max: 3 }).map((x) => x === 0),
    })
  }),
)

/** A state of the description: the local values, then the shared ones. */
type State = readonly number[]

/** The instances of a model's actions, in the search's order: per action, per process where parameterised. */
function instancesOf(m: ProcModel): { readonly action: number; readonly proc: number; readonly name: string }[] {
  return m.actions.flatMap((a, i) =>
    a.proc >= 0 ? [{ action: i, proc: a.proc, name: `A${i}` }] : Array.from({ length: m.procs }, (_, p) => ({ action: i, proc: p, name: `A${i}` })),
  )
}

/** The successor of `s` by action `a` run by process `p`, or null where its guard is false. */
function stepOf(m: ProcModel, s: State, a: ProcAction, p: number): State | null {
  const key = s[p]! * 2 + (a.reads < 0 ? 0 : s[m.procs + a.reads]!)
  if (!a.guard[key]) return null
  const n = [...s]
  n[p] = a.nextLocal[key]!
  if (a.writes >= 0) n[m.procs + a.writes] = a.written[key]!
  return n
}

/**
 * The properties and the constraint over a state read through `get`, so that on mrcheck's states
 * they read only the cells they name (the reduction makes the cells they read visible).
 */
type Get = (v: number) => number
const holdsIn = (prop: Prop, s: Get): boolean =>
  prop.kind === 'bad' ? s(prop.v) !== prop.value : prop.kind === 'pair' ? !(s(prop.v) === prop.a && s(prop.w) === prop.b) : true
const stepHolds = (prop: Prop, s: Get, n: Get, action: number): boolean =>
  prop.kind === 'edge' ? !(s(prop.v) === prop.from && n(prop.v) === prop.to) : prop.kind === 'after' ? action !== prop.action || n(prop.v) !== prop.value : true
const inModel = (m: ProcModel, s: Get) => m.constraint === null || s(m.constraint[0]) !== m.constraint[1]
const at = (s: State): Get => (v) => s[v]!

/** The model as an mrcheck spec and property set. */
export function buildProcessModel(m: ProcModel): { spec: Spec; props: PropertySet<any, any> } {
  const Proc = t.index(m.procs, { name: 'Proc' })
  const sharedNames = Array.from({ length: m.shared }, (_, i) => `s${i}`)
  const locals = m.mapLocals ? t.map(Proc, t.int(1, m.locals - 1)) : t.array(Proc, t.int(0, m.locals - 1))
  const { spec, action } = vars({ l: locals as never, ...Object.fromEntries(sharedNames.map((n) => [n, t.int(0, 1)])) })
  const local = (s: any, p: number): number => (m.mapLocals ? (getKey(s.l, p) ?? 0) : s.l[p])
  const setLocal = (d: any, p: number, x: number) => {
    if (!m.mapLocals) d.l[p] = x
    else if (x === 0) removeKey(d.l, p)
    else put(d.l, p, x)
  }
  const get = (s: any, v: number): number => (v < m.procs ? local(s, v) : s[sharedNames[v - m.procs]!])
  const key = (s: any, a: ProcAction, p: number) => local(s, p) * 2 + (a.reads < 0 ? 0 : s[sharedNames[a.reads]!])
  const body = (a: ProcAction, p: (params: any) => number) => ({
    guard: (s: any, params: any) => a.guard[key(s, a, p(params))]!,
    effect: (d: any, params: any) => {
      const k = key(d, a, p(params))
      setLocal(d, p(params), a.nextLocal[k]!)
      if (a.writes >= 0) d[sharedNames[a.writes]!] = a.written[k]
    },
  })
  const parameterised = (a: ProcAction) =>
    m.recordParam ? action({ q: t.record({ p: Proc }) }, body(a, (params) => params.q.p) as never) : action({ p: Proc }, body(a, (params) => params.p) as never)
  const actions = Object.fromEntries(m.actions.map((a, i) => [`A${i}`, a.proc >= 0 ? action(body(a, () => a.proc) as never) : parameterised(a)]))
  const asState = (s: any): Get => (v) => get(s, v)
  const built = spec({
    name: 'processes',
    init: { l: m.mapLocals ? [] : Array(m.procs).fill(0), ...Object.fromEntries(sharedNames.map((n) => [n, 0])) } as never,
    actions: actions as never,
    checkDeadlock: m.checkDeadlock,
    ...(m.constraint === null ? {} : { constraint: (s: any) => inModel(m, asState(s)) }),
  })
  const props: PropertySet<any, any> = {
    invariants: Object.fromEntries(m.invariants.map((p, i) => [`Inv${i}`, (s: any) => holdsIn(p, asState(s))])),
    actionProperties: Object.fromEntries(
      m.actionProperties.map((p, i) => [
        `Act${i}`,
        p.kind === 'after'
          ? (_s: any, n: any, step: any) => step.action !== `A${p.action}` || get(n, p.v) !== p.value
          : (s: any, n: any) => stepHolds(p, asState(s), asState(n), -1),
      ]),
    ),
    reachable: Object.fromEntries(m.reachable.map((p, i) => [`Goal${i}`, (s: any) => !holdsIn(p, asState(s))])),
  }
  return { spec: built, props }
}

/** The properties the full state space breaks, as `kind:name`, sorted, and how many states are in the model. */
export function reference(m: ProcModel): { readonly violated: string[]; readonly states: number } {
  const violated = new Set<string>()
  const reached = new Set<number>()
  const check = (s: State) => {
    m.invariants.forEach((p, i) => holdsIn(p, at(s)) || violated.add(`invariant:Inv${i}`))
    m.reachable.forEach((p, i) => holdsIn(p, at(s)) || reached.add(i))
  }
  const init: State = Array(m.procs + m.shared).fill(0)
  const seen = new Set<string>()
  const queue: State[] = []
  check(init)
  if (inModel(m, at(init))) seen.add(init.join()), queue.push(init)
  const instances = instancesOf(m)
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head]!
    let enabled = 0
    for (const { action, proc } of instances) {
      const n = stepOf(m, s, m.actions[action]!, proc)
      if (n === null) continue
      enabled++
      m.actionProperties.forEach((p, i) => stepHolds(p, at(s), at(n), action) || violated.add(`action:Act${i}`))
      if (!inModel(m, at(n))) check(n)
      else if (!seen.has(n.join())) seen.add(n.join()), queue.push(n), check(n)
    }
    if (enabled === 0 && m.checkDeadlock) violated.add('deadlock:Deadlock')
  }
  m.reachable.forEach((_, i) => reached.has(i) || violated.add(`reachable:Goal${i}`))
  return { violated: [...violated].sort(), states: queue.length }
}

/**
 * Why `trace`, printed for property `property` of kind `kind`, is not a behaviour of the model
 * that breaks it (null: it is one): the initial state, then enabled steps, every state but the
 * last inside the constraint, and the last state or step breaking the property.
 */
export function traceProblem(m: ProcModel, kind: ViolationKind, property: string, trace: readonly TraceStep[]): string | null {
  const states = trace.map((x) => {
    const s = x.state as any
    const l = m.mapLocals ? Array.from({ length: m.procs }, (_, p) => (s.l as [number, number][]).find(([q]) => q === p)?.[1] ?? 0) : s.l
    return [...l, ...Array.from({ length: m.shared }, (_, i) => s[`s${i}`])] as State
  })
  if (states.length === 0) return 'an empty trace'
  if (states[0]!.some((x) => x !== 0)) return 'the first state is not the initial state'
  let lastAction = -1
  for (let k = 1; k < states.length; k++) {
    const step = trace[k]!.action
    if (!inModel(m, at(states[k - 1]!))) return `state ${k - 1} is outside the constraint, and was not expanded`
    const action = Number(step?.name.slice(1))
    const a = m.actions[action]
    if (a === undefined) return `step ${k}: no action ${step?.name}`
    const p = m.recordParam ? (step!.params['q'] as { p: number } | undefined)?.p : step!.params['p']
    const n = stepOf(m, states[k - 1]!, a, a.proc >= 0 ? a.proc : (p as number))
    if (n === null || n.join() !== states[k]!.join()) return `step ${k}: ${step!.label} does not lead to the printed state`
    lastAction = action
  }
  const last = states[states.length - 1]!
  const index = Number(property.replace(/^\D+/, ''))
  if (kind === 'invariant') return holdsIn(m.invariants[index]!, at(last)) ? `the last state does not break ${property}` : null
  if (kind === 'deadlock') {
    const stuck = instancesOf(m).every(({ action, proc }) => stepOf(m, last, m.actions[action]!, proc) === null)
    return stuck ? null : 'the last state has an enabled step'
  }
  if (kind === 'action') {
    if (states.length < 2) return 'no step'
    return stepHolds(m.actionProperties[index]!, at(states[states.length - 2]!), at(last), lastAction) ? `the last step does not break ${property}` : null
  }
  return null
}
