/**
 * The engine against a naive reference on random finite models (test/helpers/randomModels.ts),
 * and the fast effect path against the strict one on every reachable state.
 *
 * The reference is breadth-first search over state numbers with a plain Set of JSON strings,
 * written from the rule the engine promises (TLC's order), not from its code:
 *
 * - initial states in `init` order: count each as generated; one inside the constraint is stored
 *   if new and then checked; one outside the constraint is checked (every time) but not stored;
 * - then stored states in discovery order, and for each the action instances in instance order
 *   (action key order, then parameter-domain order); for each enabled instance: count it as
 *   generated; store the successor if it is inside the constraint and new; check the invariants
 *   (in key order) on it if it was stored or is outside the constraint; then check the action
 *   properties (in key order) on the step, whether the successor is new or not;
 * - after all instances of a state: a deadlock if none was enabled (and deadlock is checked);
 * - the first violation found in that order is the result (with `continue`: the first violation
 *   of every property, in the order found); reachability goals are checked on the same states as
 *   invariants and reported, in key order, only after a complete search.
 *
 * The counterexample to a violation is the path of first discoveries, so the engine and the
 * reference must agree on it state by state; each engine trace must also replay with strictStep.
 *
 * A guard or effect that throws ends the search with an error where this order meets it: a guard
 * before its instance counts as generated, an effect after; the error names the instance and the
 * path to the state being expanded.
 */
import test from 'ava'
import { testProp, fc } from '@fast-check/ava'
import {
  check,
  compileCodec,
  compileSpec,
  enumerateInstances,
  frozen,
  instantiate,
  strictStep,
  type CheckResult,
  type Instance,
  type Spec,
} from '../../checker/index.js'
import dieHard from '../../models/examples/diehard.js'
import translationTable from '../../models/examples/translationTable.js'
import peterson from '../../models/examples/peterson.js'
import twoPhase from '../../models/examples/twophase.js'
import leases from '../encode/fixtures/leases.js'
import { paramValues, randomModel, randomSetModels, randomThrowingModel, type RandomModel } from '../helpers/randomModels.js'

interface RefViolation {
  readonly property: string
  readonly kind: string
  /** State numbers and the action names leading to them (null for the initial state). */
  readonly trace: readonly (readonly [number, string | null])[]
}

interface RefResult {
  readonly distinct: number
  readonly generated: number
  readonly depth: number
  readonly left: number
  readonly complete: boolean
  readonly violations: readonly RefViolation[]
  /** Stored states in discovery order. */
  readonly stored: readonly number[]
  /** The guard or effect that threw: its instance, and the path to the state it ran on. */
  readonly error: { readonly instance: number; readonly trace: readonly (readonly [number, string | null])[] } | null
}

/** Instance number -> action name, from the shape alone. */
function actionNames(m: RandomModel): string[] {
  return m.shape.actions.flatMap((params, a) => {
    const count = params.reduce((n, p) => n * paramValues(p).length, 1)
    return Array.from({ length: count }, () => `A${a}`)
  })
}

/** `mechanisms`: properties whose violation does not stop the search; listed after the others. */
function reference(m: RandomModel, keepGoing: boolean, mechanisms: ReadonlySet<string> = new Set()): RefResult {
  const { tables, states } = m
  const N = states.length
  const names = actionNames(m)
  const json = (i: number) => JSON.stringify(states[i])
  const inModel = (i: number) => tables.constraint === null || tables.constraint[i]!
  const seen = new Set<string>()
  const parent = new Map<string, readonly [number, number] | null>()
  const queue: number[] = []
  const level: number[] = []
  const violations: RefViolation[] = []
  const broken = new Set<string>()
  const reached = new Set<string>()
  let generated = 0
  let error: RefResult['error'] = null

  const path = (s: number): [number, string | null][] => {
    const out: [number, string | null][] = []
    for (let at: number | undefined = s; at !== undefined; ) {
      const p: readonly [number, number] | null = parent.get(json(at))!
      out.push([at, p === null ? null : names[p[1]]!])
      at = p === null ? undefined : p[0]
    }
    return out.reverse()
  }
  const report = (property: string, kind: string, trace: RefViolation['trace']): boolean => {
    if (broken.has(property)) return false
    broken.add(property)
    violations.push({ property, kind, trace })
    return !keepGoing && !mechanisms.has(property)
  }
  const checkState = (i: number, trace: () => RefViolation['trace']): boolean => {
    for (const [j, bad] of tables.invariants.entries()) {
      if (bad.includes(i) && report(`Inv${j}`, 'invariant', trace())) return true
    }
    tables.reachable.forEach((goal, j) => {
      if (goal.includes(i)) reached.add(`Goal${j}`)
    })
    return false
  }

  let stop = false
  for (const i of tables.init) {
    if (stop) break
    generated++
    if (!inModel(i)) {
      stop = checkState(i, () => [[i, null]])
    } else if (!seen.has(json(i))) {
      seen.add(json(i))
      parent.set(json(i), null)
      queue.push(i)
      level.push(1)
      stop = checkState(i, () => [[i, null]])
    }
  }
  let depth = queue.length > 0 ? 1 : 0
  let next = 0
  search: while (!stop && next < queue.length) {
    const s = queue[next]!
    depth = level[next]!
    next++
    let successors = 0
    for (let k = 0; k < names.length; k++) {
      const throws = tables.throws?.[k]![s] ?? 0
      if (throws === 1) {
        error = { instance: k, trace: path(s) }
        stop = true
        break search
      }
      if (!tables.guards[k]![s]) continue
      successors++
      generated++
      if (throws === 2) {
        error = { instance: k, trace: path(s) }
        stop = true
        break search
      }
      const n = tables.effects[k]![s]!
      const isNew = inModel(n) && !seen.has(json(n))
      if (isNew) {
        seen.add(json(n))
        parent.set(json(n), [s, k])
        queue.push(n)
        level.push(depth + 1)
      }
      const trace = () => [...path(s), [n, names[k]!] as const]
      if ((isNew || !inModel(n)) && checkState(n, trace)) {
        stop = true
        break search
      }
      for (const [j, bad] of tables.actionProperties.entries()) {
        if (bad.includes(s * N + n) && report(`Act${j}`, 'action', trace())) {
          stop = true
          break search
        }
      }
    }
    if (successors === 0 && tables.checkDeadlock && report('Deadlock', 'deadlock', path(s))) stop = true
  }
  const complete = !stop && next === queue.length
  if (complete) {
    tables.reachable.forEach((_, j) => {
      if (!reached.has(`Goal${j}`)) report(`Goal${j}`, 'reachable', [])
    })
  }
  const promisesFirst = [...violations.filter((v) => !mechanisms.has(v.property)), ...violations.filter((v) => mechanisms.has(v.property))]
  return { distinct: queue.length, generated, depth, left: queue.length - next, complete, violations: promisesFirst, stored: queue, error }
}

/** The engine's violations in the reference's terms: state numbers and action names. */
const asReference = (m: RandomModel, violations: CheckResult['violations']): RefViolation[] =>
  violations.map((v) => ({
    property: v.property,
    kind: v.kind,
    trace: v.trace.map((s) => [m.indexOf(s.state), s.action?.name ?? null] as const),
  }))

/** Replays an engine trace with strictStep, instance by label: every step must give the next state. */
function replays(spec: Spec, instances: readonly Instance[], trace: CheckResult['violations'][number]['trace']): string | undefined {
  const { canonical } = compileSpec(spec, {})
  const inits = (Array.isArray(spec.init) ? spec.init : [spec.init]).map((s) => JSON.stringify(canonical(s)))
  if (trace.length > 0 && !inits.includes(JSON.stringify(trace[0]!.state))) return 'the trace does not start in an initial state'
  for (let i = 1; i < trace.length; i++) {
    const inst = instances.find((x) => x.label === trace[i]!.action?.label)
    if (inst === undefined) return `step ${i}: unknown action ${trace[i]!.action?.label}`
    const next = strictStep(frozen(trace[i - 1]!.state), inst, canonical)
    if (next === null) return `step ${i}: ${inst.label} is not enabled`
    if (JSON.stringify(next) !== JSON.stringify(trace[i]!.state)) return `step ${i}: ${inst.label} gives ${JSON.stringify(next)}`
  }
  return undefined
}

testProp(
  'check agrees with a naive breadth-first reference on random models',
  [randomModel, fc.boolean(), fc.constantFrom('exact' as const, 'fingerprint' as const)],
  async (t, m, keepGoing, store) => {
    const ref = reference(m, keepGoing)
    const options = { continue: keepGoing, store }
    const r = await check(m.spec, m.props, options)
    const context = `${m.summary}, continue ${keepGoing}, store ${store}`
    t.is(r.store, store, context)
    t.is(r.status, ref.violations.length > 0 ? 'violation' : 'ok', context)
    t.is(r.complete, ref.complete, context)
    t.deepEqual(
      { distinct: r.stats.distinct, generated: r.stats.generated, depth: r.stats.depth, left: r.stats.left },
      { distinct: ref.distinct, generated: ref.generated, depth: ref.depth, left: ref.left },
      context,
    )
    t.deepEqual(asReference(m, r.violations), ref.violations, context)
    const instances = enumerateInstances(m.spec)
    for (const v of r.violations) {
      t.true(v.shortest)
      t.is(replays(m.spec, instances, v.trace), undefined, `${context}: ${v.property}`)
    }
  },
  { numRuns: 200 },
)

testProp(
  'instances come in the order the reference numbers them: actions in key order, then parameter values, the first parameter slowest, each domain in its own order',
  [randomModel],
  (t, m) => {
    const product = (lists: readonly (readonly unknown[])[]): unknown[][] => lists.reduce<unknown[][]>((acc, l) => acc.flatMap((p) => l.map((v) => [...p, v])), [[]])
    const expected = m.shape.actions.flatMap((params, a) => product(params.map(paramValues)).map((vs) => `A${a}${JSON.stringify(vs)}`))
    t.deepEqual(enumerateInstances(m.spec).map((i) => `${i.name}${JSON.stringify(Object.values(i.params))}`), expected, m.summary)
  },
  { numRuns: 100 },
)

testProp(
  'a guard or effect that throws ends the search where the naive reference meets it, on random models',
  [randomThrowingModel, fc.boolean(), fc.constantFrom('exact' as const, 'fingerprint' as const)],
  async (t, m, keepGoing, store) => {
    const ref = reference(m, keepGoing)
    const r = await check(m.spec, m.props, { continue: keepGoing, store })
    const context = `${m.summary}, continue ${keepGoing}, store ${store}`
    t.is(r.status, ref.error !== null ? 'error' : ref.violations.length > 0 ? 'violation' : 'ok', context)
    t.deepEqual(
      [r.stats.distinct, r.stats.generated, r.stats.left],
      [ref.distinct, ref.generated, ref.left],
      context,
    )
    t.deepEqual(asReference(m, r.violations), ref.violations, context)
    if (r.status !== 'error' || ref.error === null) return
    const label = enumerateInstances(m.spec)[ref.error.instance]!.label
    t.true(r.error.message.startsWith(`Model "random": action ${label} threw Error: `), `${context}: ${r.error.message}`)
    t.deepEqual(
      r.error.trace.map((s) => [m.indexOf(s.state), s.action?.name ?? null] as const),
      ref.error.trace,
      context,
    )
  },
  { numRuns: 200 },
)

testProp(
  'mechanisms (violations that do not stop the search) agree with the naive reference on random models',
  [randomModel, fc.infiniteStream(fc.boolean())],
  async (t, m, picks) => {
    const safety = [...Object.keys(m.props.invariants ?? {}), ...Object.keys(m.props.actionProperties ?? {})]
    const mechanisms = safety.filter(() => picks.next().value as boolean)
    const ref = reference(m, false, new Set(mechanisms))
    const r = await check(m.spec, { ...m.props, mechanisms })
    const context = `${m.summary}, mechanisms ${mechanisms.join(', ')}`
    t.is(r.complete, ref.complete, context)
    t.deepEqual([r.stats.distinct, r.stats.generated, r.stats.left], [ref.distinct, ref.generated, ref.left], context)
    t.deepEqual(asReference(m, r.violations), ref.violations, context)
  },
  { numRuns: 200 },
)

/**
 * The fast paths and the strict path give the same successors: the same guard verdict and the
 * same packed successor. Fast as the search runs it: one reused parent object (`scratch`,
 * `decodeInto`) and one reused successor object (`successor`, `begin`, `pack`, which encodes only
 * what the effect touched); and the plain form (decode, effect, encode). Strict: an immer draft of
 * a frozen state. The successor the search's properties see, once packed, and the strict one are
 * the same value too: sets as the store keeps them.
 */
function compareModes(spec: Spec, states: readonly unknown[]): string | undefined {
  const codec = compileCodec(spec.vars)
  const { canonical } = compileSpec(spec, {})
  const instances = enumerateInstances(spec)
  const words = new Uint32Array(codec.words)
  const plain = new Uint32Array(codec.words)
  const fast = new Uint32Array(codec.words)
  const strict = new Uint32Array(codec.words)
  const parent = codec.scratch()
  const successor = codec.successor()
  const differs = (a: Uint32Array, b: Uint32Array) => a.some((w, i) => w !== b[i])
  for (const s of states) {
    codec.encode(s, words, 0)
    codec.decodeInto(parent, words, 0)
    const frozenState = frozen(codec.decode(words, 0))
    for (const inst of instances) {
      const enabled = inst.def.guard === undefined || inst.def.guard(parent.state, inst.params)
      const next = strictStep(frozenState, inst, canonical)
      const where = `${inst.label} in ${JSON.stringify(s)}`
      if (enabled !== (next !== null)) return `${where}: the guard differs`
      if (next === null) continue
      codec.encode(next, strict, 0)
      codec.begin(successor, words, 0)
      inst.def.effect(successor, inst.params)
      codec.pack(successor, fast, 0)
      if (differs(fast, strict)) return `${where}: search path ${JSON.stringify(successor)}, strict ${JSON.stringify(next)}`
      if (JSON.stringify(successor) !== JSON.stringify(next)) {
        return `${where}: the search's properties would see ${JSON.stringify(successor)}, strict ${JSON.stringify(next)}`
      }
      const input = codec.decode(words, 0)
      inst.def.effect(input, inst.params)
      codec.encode(input, plain, 0)
      if (differs(plain, strict)) return `${where}: decode/encode ${JSON.stringify(input)}, strict ${JSON.stringify(next)}`
    }
    if (JSON.stringify(parent.state) !== JSON.stringify(codec.decode(words, 0))) return `effects changed the parent of ${JSON.stringify(s)}`
  }
  return undefined
}

/**
 * Every reachable state of a spec (within its constraint), by plain breadth-first search in
 * strict mode. States are told apart by their encoding: a set may be built in another member
 * order (`[...new Set([...s, x])]`) and still be the same value.
 */
function reachable(spec: Spec): unknown[] {
  const codec = compileCodec(spec.vars)
  const { canonical } = compileSpec(spec, {})
  const words = new Uint32Array(codec.words)
  const instances = enumerateInstances(spec)
  const seen = new Set<string>()
  const out: unknown[] = []
  const push = (s: unknown) => {
    codec.encode(s, words, 0)
    const k = words.join(',')
    if (seen.has(k)) return
    seen.add(k)
    out.push(s)
  }
  for (const s of Array.isArray(spec.init) ? spec.init : [spec.init]) push(frozen(s))
  for (let i = 0; i < out.length; i++) {
    const s = out[i]
    if (spec.constraint !== undefined && !spec.constraint(s as never)) continue
    for (const inst of instances) {
      const n = strictStep(s, inst, canonical)
      if (n !== null) push(n)
    }
  }
  return out
}

testProp(
  'models that write sets with duplicates and out of order give the verdicts, counts and traces of the same models writing canonical sets',
  [randomSetModels, fc.boolean(), fc.constantFrom('exact' as const, 'fingerprint' as const), fc.boolean()],
  async (t, [canonical, messy], keepGoing, store, strict) => {
    const options = { continue: keepGoing, store, strict }
    const [a, b] = [await check(canonical.spec, canonical.props, options), await check(messy.spec, messy.props, options)]
    const context = `${messy.summary}, continue ${keepGoing}, store ${store}, strict ${strict}`
    t.is(b.status, a.status, `${context}: ${b.status === 'error' ? b.error.message : ''}`)
    t.deepEqual(
      [b.stats.distinct, b.stats.generated, b.stats.depth, b.stats.left],
      [a.stats.distinct, a.stats.generated, a.stats.depth, a.stats.left],
      context,
    )
    t.deepEqual(asReference(messy, b.violations), asReference(canonical, a.violations), context)
    t.deepEqual(asReference(canonical, a.violations), reference(canonical, keepGoing).violations, context)
  },
  { numRuns: 150 },
)

testProp(
  'fast and strict effects give the same successors on every state of random models',
  [randomModel],
  (t, m) => {
    t.is(compareModes(m.spec, m.states), undefined, m.summary)
  },
  { numRuns: 100 },
)

for (const [model, params, distinct] of [
  [dieHard, {}, 16],
  [translationTable, {}, 1416],
  [translationTable, { checkSequence: false, keys: 2 }, undefined],
  [peterson, {}, undefined],
  [twoPhase, {}, 288],
  [leases, {}, 9],
] as const) {
  test(`fast and strict effects give the same successors on every reachable state of ${model.name} ${JSON.stringify(params)}`, (t) => {
    const { spec } = instantiate(model, params)
    const states = reachable(spec)
    if (distinct !== undefined) t.is(states.length, distinct)
    t.is(compareModes(spec, states), undefined)
  })
}
