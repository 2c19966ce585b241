/**
 * Symmetry reduction and views in the whole check:
 * - on every built-in model (every row of its matrix), verdicts with and without symmetry agree
 *   and the reduced count is never larger; with every index type forced symmetric, either the
 *   audit refuses the model or the verdicts still agree;
 * - on random models that are symmetric by construction, the reduced count is the number of
 *   orbits of the reachable states, counted here by brute force on plain objects (all
 *   permutations), and every counterexample replays on the unreduced model and is as short as
 *   the unreduced one;
 * - asymmetric models and properties are refused with an error naming what is not symmetric;
 *   temporal properties are refused under symmetry and under a view;
 * - a view merges states by their view, warns, and keeps traces real.
 *
 * TwoPhase with 5 resource managers: 8,832 states, and 314 orbits. stateright's 2pc example
 * reports 665 with symmetry: its representative sorts the resource managers by their state
 * alone (ties keep their order), which is sound but not canonical (two states of one orbit can
 * get different representatives), and its count depends on the search order. 314 is the exact
 * number of orbits, checked below by brute force.
 */
import test from 'ava'
import { testProp, fc } from '@fast-check/ava'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  check,
  CheckerError,
  compileSpec,
  instantiate,
  t,
  vars,
  type AnyModel,
  type AnyType,
  type IndexType,
  type PropertySet,
  type Spec,
} from '../../checker/index.js'
import { matrixValues } from '../../checker/run/matrix.js'
import { builtinModels } from '../../models/registry.js'
import twoPhase from '../../models/examples/twophase.js'
import { workerModule } from '../helpers/workerModule.js'
import { orbits, reachable, replays, safety, symmetricTypesOf, verdict } from '../helpers/orbits.js'

// ---------------------------------------------------------------------------------------------
// Helpers.

/** The same spec with the named index types made symmetric (state types and parameter domains). */
function forceSymmetric(spec: Spec, names: readonly string[]): Spec {
  const twins = new Map<IndexType, IndexType>()
  const map = (type: AnyType): AnyType => {
    switch (type.kind) {
      case 'index': {
        if (!names.includes(type.name) || type.size < 2) return type
        let twin = twins.get(type)
        if (twin === undefined) twins.set(type, (twin = { ...type, symmetric: true }))
        return twin
      }
      case 'option':
        return { ...type, of: map(type.of) }
      case 'set':
        return { ...type, of: map(type.of) as typeof type.of }
      case 'array':
        return { ...type, index: type.index === undefined ? undefined : (map(type.index) as IndexType), of: map(type.of) }
      case 'record':
        return { ...type, fields: Object.fromEntries(Object.entries(type.fields).map(([k, f]) => [k, map(f)])) }
      case 'tuple':
        return { ...type, items: type.items.map(map) }
      case 'seq':
        return { ...type, of: map(type.of) }
      case 'map':
        return { ...type, key: map(type.key), of: map(type.of) }
      default:
        return type
    }
  }
  const vs = Object.fromEntries(Object.entries(spec.vars).map(([k, ty]) => [k, map(ty)]))
  const actions = Object.fromEntries(
    Object.entries(spec.actions).map(([n, a]) => [
      n,
      { ...a, params: Object.fromEntries(Object.entries(a.params).map(([p, d]) => [p, Array.isArray(d) ? d : map(d as AnyType)])) },
    ]),
  )
  return { ...spec, vars: vs, actions } as Spec
}

/** Names of all index types in a state type. */
function indexNames(vars: Readonly<Record<string, AnyType>>): string[] {
  const out = new Set<string>()
  const visit = (type: AnyType): void => {
    if (type.kind === 'index') out.add(type.name)
    if (type.kind === 'option' || type.kind === 'set' || type.kind === 'seq') visit(type.of)
    if (type.kind === 'array') {
      if (type.index !== undefined) visit(type.index)
      visit(type.of)
    }
    if (type.kind === 'record') Object.values(type.fields).forEach(visit)
    if (type.kind === 'tuple') type.items.forEach(visit)
    if (type.kind === 'map') {
      visit(type.key)
      visit(type.of)
    }
  }
  Object.values(vars).forEach(visit)
  return [...out]
}

// ---------------------------------------------------------------------------------------------
// Built-in models.

const rows = builtinModels.flatMap((model: AnyModel) => {
  const { param, values } = matrixValues(model)
  return values.map((value) => ({ model, given: param === '(defaults)' ? {} : { [param]: value } }))
})

for (const { model, given } of rows) {
  const label = `${model.name} ${JSON.stringify(given)}`
  test(`${label}: the same verdicts with symmetry, never more states`, async (tt) => {
    const { spec, props } = instantiate(model, given)
    const only = safety(props)
    const options = { continue: true, only, maxStates: 200_000 }
    const plain = await check(spec, props, options)
    const reduced = await check(spec, props, { ...options, symmetry: true })
    tt.deepEqual(verdict(reduced), verdict(plain))
    tt.true(reduced.stats.distinct <= plain.stats.distinct)
    const c = compileSpec(spec, props, { only })
    for (const v of reduced.violations) tt.is(replays(c, v.trace), null, v.property)
    tt.log(`${plain.stats.distinct} states, ${reduced.stats.distinct} with symmetry`)
  })

  test(`${label}: every index type forced symmetric: refused by the audit, or the same verdicts`, async (tt) => {
    const built = instantiate(model, given)
    const names = indexNames(built.spec.vars)
    if (names.length === 0) return tt.pass()
    const spec = forceSymmetric(built.spec, names)
    const only = safety(built.props)
    const options = { continue: true, only, maxStates: 200_000 }
    const plain = await check(spec, built.props, options)
    try {
      const reduced = await check(spec, built.props, { ...options, symmetry: true })
      tt.deepEqual(verdict(reduced), verdict(plain))
      tt.true(reduced.stats.distinct <= plain.stats.distinct)
      const c = compileSpec(spec, built.props, { only })
      for (const v of reduced.violations) tt.is(replays(c, v.trace), null, v.property)
      tt.log(`symmetric ${names.join(', ')}: ${plain.stats.distinct} states, ${reduced.stats.distinct} with symmetry`)
    } catch (e) {
      if (!(e instanceof CheckerError) || e.code !== 'MODEL_DEFINITION') throw e
      tt.regex(e.message, /is not symmetric in|which symmetry reduction does not rename yet/)
      tt.log(`symmetric ${names.join(', ')}: refused: ${e.message.split('\n')[0]}`)
    }
  })
}

// ---------------------------------------------------------------------------------------------
// TwoPhase: pinned counts and an independent orbit count.

for (const [rms, states, orbitCount] of [
  [3, 288, 80],
  [4, 1_568, 166],
  [5, 8_832, 314],
] as const) {
  test(`TwoPhase with ${rms} resource managers: ${states} states, ${orbitCount} orbits with symmetry`, async (tt) => {
    const { spec, props } = instantiate(twoPhase, { rms })
    const plain = await check(spec, props)
    tt.is(plain.stats.distinct, states)
    tt.is(plain.reduction, undefined)
    for (const symmetryStrategy of ['full', 'sorted', undefined] as const) {
      const reduced = await check(spec, props, { symmetry: true, ...(symmetryStrategy ? { symmetryStrategy } : {}) })
      tt.is(reduced.status, 'ok')
      tt.is(reduced.stats.distinct, orbitCount)
      tt.deepEqual(reduced.reduction?.symmetry, [{ name: 'RM', size: rms }])
      tt.is(reduced.reduction?.inexact, 0)
    }
    const c = compileSpec(spec, props)
    tt.is(orbits(c, reachable(c)), orbitCount)
  })
}

test('TwoPhase with a broken invariant: the counterexample under symmetry is concrete and shortest', async (tt) => {
  const { spec } = instantiate(twoPhase, { rms: 4 })
  const props = { invariants: { NoneCommits: (s: any) => !s.rmState.includes('committed') } }
  for (const store of ['exact', 'fingerprint'] as const) {
    const plain = await check(spec, props, { store })
    const reduced = await check(spec, props, { store, symmetry: true })
    if (plain.status !== 'violation' || reduced.status !== 'violation') return tt.fail()
    const trace = reduced.violations[0]!.trace
    tt.is(trace.length, plain.violations[0]!.trace.length)
    tt.is(replays(compileSpec(spec, props), trace), null)
    tt.true((trace.at(-1)!.state as any).rmState.includes('committed'))
  }
})

// ---------------------------------------------------------------------------------------------
// Random models, symmetric by construction.

/**
 * N interchangeable processes, each with a local state; a lock `owner`, a set `bag` and a flag.
 * Every action has a parameter p and reads only p's view of the state (its local state, whether
 * it owns the lock or someone else does, whether it is in the bag, the flag); it writes p's local
 * state, the lock (take, release, keep), p's bag membership and the flag. Such rules cannot tell
 * processes apart, so the model is symmetric whatever the tables say. Invariants count.
 */
interface Rules {
  readonly n: number
  readonly locals: number
  /** Per action, per view (local, owner relation, in bag, flag): [enabled, new local, lock op, bag op, flip flag]. */
  readonly actions: readonly (readonly (readonly [boolean, number, number, number, boolean])[])[]
  /** Invariant: at most `max` processes in local state `local`. */
  readonly atMost: { readonly local: number; readonly max: number }
  /** Invariant: the owner is never in local state `local`. */
  readonly ownerNot: number
  readonly init: readonly number[]
  readonly deadlock: boolean
}

const rulesArb: fc.Arbitrary<Rules> = fc
  .record({ n: fc.integer({ min: 2, max: 4 }), locals: fc.integer({ min: 2, max: 3 }), count: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, locals, count }) => {
    const views = locals * 3 * 2 * 2
    const entry = fc.tuple(
      fc.boolean(),
      fc.integer({ min: 0, max: locals - 1 }),
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 2 }),
      fc.boolean(),
    )
    return fc.record({
      n: fc.constant(n),
      locals: fc.constant(locals),
      actions: fc.array(fc.array(entry, { minLength: views, maxLength: views }), { minLength: count, maxLength: count }),
      atMost: fc.record({ local: fc.integer({ min: 0, max: locals - 1 }), max: fc.integer({ min: 1, max: n }) }),
      ownerNot: fc.integer({ min: 0, max: locals - 1 }),
      init: fc.array(fc.integer({ min: 0, max: locals - 1 }), { minLength: n, maxLength: n }),
      deadlock: fc.boolean(),
    })
  })

function randomSpec(r: Rules) {
  const P = t.index(r.n, { name: 'P', symmetric: true })
  const Local = t.int(0, r.locals - 1)
  const { spec, action } = vars({ local: t.array(P, Local), owner: t.option(P), bag: t.set(P), flag: t.bool() })
  type S = { local: number[]; owner: number | null; bag: number[]; flag: boolean }
  const view = (s: S, p: number) =>
    ((s.local[p]! * 3 + (s.owner === null ? 0 : s.owner === p ? 1 : 2)) * 2 + (s.bag.includes(p) ? 1 : 0)) * 2 + (s.flag ? 1 : 0)
  const actions = Object.fromEntries(
    r.actions.map((table, a) => [
      `A${a}`,
      action(
        { p: P },
        {
          guard: (s, { p }) => table[view(s, p)]![0],
          effect: (d, { p }) => {
            const [, local, lock, bag, flip] = table[view(d, p)]!
            d.local[p] = local
            if (lock === 1) d.owner = p
            else if (lock === 2 && d.owner === p) d.owner = null
            if (bag === 1 && !d.bag.includes(p)) d.bag = [...d.bag, p]
            else if (bag === 2) d.bag = d.bag.filter((x) => x !== p)
            if (flip) d.flag = !d.flag
          },
        },
      ),
    ]),
  )
  const built = spec({
    name: 'RandomSymmetric',
    init: { local: [...r.init], owner: null, bag: [], flag: false },
    actions,
    checkDeadlock: r.deadlock,
  })
  const props: PropertySet<S, any> = {
    invariants: {
      AtMost: (s) => s.local.filter((x) => x === r.atMost.local).length <= r.atMost.max,
      OwnerNot: (s) => s.owner === null || s.local[s.owner] !== r.ownerNot,
    },
  }
  return { spec: built, props }
}

testProp(
  'random symmetric models: same verdicts, reduced count = orbits (brute force), traces replay and are shortest',
  [rulesArb],
  async (tt, r) => {
    const { spec, props } = randomSpec(r)
    const c = compileSpec(spec, props)
    const plain = await check(spec, props, { continue: true })
    const all = reachable(c)
    tt.is(plain.stats.distinct, all.length)
    const expected = orbits(c, all)
    for (const symmetryStrategy of ['full', 'sorted'] as const) {
      const reduced = await check(spec, props, { continue: true, symmetry: true, symmetryStrategy })
      tt.deepEqual(verdict(reduced), verdict(plain))
      tt.is(reduced.stats.distinct, expected)
      for (const v of reduced.violations) {
        tt.is(replays(c, v.trace), null, v.property)
        const same = plain.violations.find((x) => x.property === v.property)!
        tt.is(v.trace.length, same.trace.length, `${v.property} is as short as without symmetry`)
      }
    }
  },
  { numRuns: Number(process.env["SYMMETRY_RUNS"] ?? 40) },
)

/** Clients connect to servers of bounded load: symmetric in clients and in servers at once. */
function clientsAndServers(clients: number, servers: number) {
  const C = t.index(clients, { name: 'Client', symmetric: true })
  const S = t.index(servers, { name: 'Server', symmetric: true })
  const { spec, action } = vars({ conn: t.array(C, t.option(S)), load: t.array(S, t.int(0, 2)), busy: t.set(S) })
  return spec({
    name: 'ClientsServers',
    init: { conn: Array(clients).fill(null), load: Array(servers).fill(0), busy: [] },
    checkDeadlock: false,
    actions: {
      Connect: action(
        { c: C, s: S },
        {
          guard: (st, { c, s }) => st.conn[c] === null && st.load[s]! < 2,
          effect: (d, { c, s }) => {
            d.conn[c] = s
            d.load[s] = d.load[s]! + 1
            if (d.load[s] === 2 && !d.busy.includes(s)) d.busy = [...d.busy, s]
          },
        },
      ),
      Disconnect: action(
        { c: C },
        {
          guard: (st, { c }) => st.conn[c] !== null,
          effect: (d, { c }) => {
            const s = d.conn[c]!
            d.conn[c] = null
            d.load[s] = d.load[s]! - 1
            d.busy = d.busy.filter((x) => x !== s)
          },
        },
      ),
    },
  })
}

test('two symmetric types at once (clients and servers): reduced count = orbits under the product group', async (tt) => {
  const spec = clientsAndServers(4, 3)
  const props = { invariants: { LoadMatches: (s: any) => s.load.every((l: number, i: number) => l === s.conn.filter((x: any) => x === i).length) } }
  const c = compileSpec(spec, props)
  const all = reachable(c)
  const expected = orbits(c, all)
  tt.true(expected < all.length)
  for (const symmetryStrategy of ['full', 'sorted'] as const) {
    const r = await check(spec, props, { symmetry: true, symmetryStrategy })
    tt.is(r.status, 'ok')
    tt.is(r.stats.distinct, expected, symmetryStrategy)
    tt.deepEqual(r.reduction?.symmetry, [{ name: 'Client', size: 4 }, { name: 'Server', size: 3 }])
  }
  const broken = { invariants: { NeverTwoOnOne: (s: any) => s.busy.length === 0 } }
  const plain = await check(spec, broken)
  const reduced = await check(spec, broken, { symmetry: true })
  if (plain.status !== 'violation' || reduced.status !== 'violation') return tt.fail()
  tt.is(reduced.violations[0]!.trace.length, plain.violations[0]!.trace.length)
  tt.is(replays(c, reduced.violations[0]!.trace), null)
  tt.log(`${all.length} states, ${expected} orbits`)
})

// ---------------------------------------------------------------------------------------------
// The RDMA models' declared symmetric sets.

const declared: [string, Record<string, unknown>][] = [
  ['page-migration', { policy: 'odp', pages: 2, frames: 3, moves: 2, writes: 1 }],
  ['page-migration', { policy: 'odp-no-retry-check', pages: 2, frames: 3, moves: 1, writes: 1 }],
  ['page-migration', { policy: 'pin', pages: 2, frames: 3, moves: 1, writes: 2 }],
  ['device-removal', { policy: 'disassociate', asyncFds: 2, cmdThreads: 2 }],
  ['device-removal', { policy: 'disassociate-no-grace-period', asyncFds: 2, cmdThreads: 2 }],
]

for (const [name, given] of declared) {
  test(`${name} ${JSON.stringify(given)}: its declared symmetry gives the orbit count (brute force) and the same verdicts`, async (tt) => {
    const model = builtinModels.find((m: AnyModel) => m.name === name)!
    const { spec, props } = instantiate(model, given)
    const only = safety(props)
    const c = compileSpec(spec, props, { only })
    tt.true(symmetricTypesOf(spec.vars).length > 0, 'the model declares a symmetric set')
    const all = reachable(c)
    const plain = await check(spec, props, { continue: true, only })
    const reduced = await check(spec, props, { continue: true, only, symmetry: true })
    tt.is(plain.stats.distinct, all.length)
    tt.is(reduced.stats.distinct, orbits(c, all))
    tt.deepEqual(verdict(reduced), verdict(plain))
    for (const v of reduced.violations) {
      tt.is(replays(c, v.trace), null, v.property)
      tt.is(v.trace.length, plain.violations.find((p) => p.property === v.property)!.trace.length, v.property)
    }
    tt.log(`${all.length} states, ${reduced.stats.distinct} orbits`)
  })
}

// ---------------------------------------------------------------------------------------------
// Refusals.

/** Processes on a ring: each hands a token to p + 1, which is not symmetric under all renamings. */
function ring(n: number) {
  const P = t.index(n, { name: 'P', symmetric: true })
  const { spec, action } = vars({ token: P, count: t.array(P, t.int(0, 2)) })
  return spec({
    name: 'Ring',
    init: { token: 0, count: Array(n).fill(0) },
    actions: {
      Pass: action(
        { p: P },
        {
          guard: (s, { p }) => s.token === p && s.count[p]! < 2,
          effect: (d, { p }) => {
            d.count[p] = d.count[p]! + 1
            d.token = (p + 1) % n
          },
        },
      ),
    },
    checkDeadlock: false,
  })
}

test('arithmetic on members ((p + 1) % N) is caught by the audit, naming the transition relation', async (tt) => {
  const e = await tt.throwsAsync(check(ring(3), {}, { symmetry: true }), { instanceOf: CheckerError })
  tt.is(e?.code, 'MODEL_DEFINITION')
  tt.regex(e?.message ?? '', /transition relation \(guards and effects\) is not symmetric in P/)
  tt.regex(e?.message ?? '', /renamed state/)
})

/** ring(n) again, in a module that worker threads can load. */
const ringModule = workerModule(
  'ring.mjs',
  `import { t, vars } from ${JSON.stringify(new URL('../../checker/index.js', import.meta.url).href)}\n` +
    `export default ({ n }) => {
  const P = t.index(n, { name: 'P', symmetric: true })
  const { spec, action } = vars({ token: P, count: t.array(P, t.int(0, 2)) })
  const Pass = action({ p: P }, {
    guard: (s, { p }) => s.token === p && s.count[p] < 2,
    effect: (d, { p }) => { d.count[p] = d.count[p] + 1; d.token = (p + 1) % n },
  })
  return { props: {}, spec: spec({ name: 'Ring', init: { token: 0, count: Array(n).fill(0) }, actions: { Pass }, checkDeadlock: false }) }
}\n`,
)

test('with two workers the audit refuses the model as with one', async (tt) => {
  const source = { module: ringModule, params: { n: 3 } }
  for (const waitForWorkers of [false, true]) {
    const e = await tt.throwsAsync(check(ring(3), {}, { symmetry: true, workers: 2, source, waitForWorkers }), { instanceOf: CheckerError })
    tt.is(e?.code, 'MODEL_DEFINITION')
    tt.regex(e?.message ?? '', /transition relation \(guards and effects\) is not symmetric in P/)
  }
})

test('an invariant that names a member is caught by the audit, naming the invariant', async (tt) => {
  const { spec } = instantiate(twoPhase, { rms: 3 })
  const props = { invariants: { FirstNotAborted: (s: any) => s.rmState[0] !== 'aborted' || s.rmState[1] === 'aborted' || true } }
  // Symmetric in effect (always true): accepted.
  tt.is((await check(spec, props, { symmetry: true })).status, 'ok')
  // Violated in the unreduced model too, so the search may report it first; going on, the audit objects.
  const bad = { invariants: { FirstIsWorking: (s: any) => s.rmState[0] === 'working' || s.rmState[1] !== 'working' } }
  const e = await tt.throwsAsync(check(spec, bad, { symmetry: true, continue: true }), { instanceOf: CheckerError })
  tt.is(e?.code, 'MODEL_DEFINITION')
  tt.regex(e?.message ?? '', /Invariant FirstIsWorking is not symmetric in RM/)
})

/** Process 0 starts elsewhere and never moves; the others may go from 0 to 2. */
function oneSpecial() {
  const P = t.index(3, { name: 'P', symmetric: true })
  const { spec, action } = vars({ local: t.array(P, t.int(0, 2)) })
  return spec({
    name: 'OneSpecial',
    init: { local: [1, 0, 0] },
    actions: { Go: action({ p: P }, { guard: (s, { p }) => s.local[p] === 0, effect: (d, { p }) => void (d.local[p] = 2) }) },
    checkDeadlock: false,
  })
}

test('an asymmetric invariant that holds on the model is never reported violated: the search refuses it', async (tt) => {
  const props = { invariants: { ZeroNeverDone: (s: any) => s.local[0] !== 2 } }
  tt.is((await check(oneSpecial(), props)).status, 'ok')
  const e = await tt.throwsAsync(check(oneSpecial(), props, { symmetry: true }), { instanceOf: CheckerError })
  tt.is(e?.code, 'MODEL_DEFINITION')
  tt.regex(e?.message ?? '', /Invariant ZeroNeverDone is not symmetric in P/)
  // A symmetric invariant on the same model (asymmetric initial state) is fine: 3 orbits of 4 states.
  const fine = { invariants: { NotAllDone: (s: any) => s.local.filter((x: number) => x === 2).length < 3 } }
  const r = await check(oneSpecial(), fine, { symmetry: true })
  tt.is(r.status, 'ok')
  tt.is(r.stats.distinct, 3)
})

test('temporal properties are refused under symmetry, with the reason', async (tt) => {
  const { spec } = instantiate(twoPhase, { rms: 3 })
  const props = {
    temporal: { Decides: { kind: 'eventually', p: (s: any) => s.tmState === 'done' } as any },
  }
  const e = await tt.throwsAsync(check(spec, props, { symmetry: true }), { instanceOf: CheckerError })
  tt.regex(e?.message ?? '', /cannot check temporal properties \(Decides\).*permutation-tracking product/s)
})

test('symmetry on a model without symmetric types explores everything and says so', async (tt) => {
  const { spec, props } = instantiate(builtinModels.find((m) => m.name === 'peterson')!)
  const r = await check(spec, props, { symmetry: true })
  tt.is(r.stats.distinct, 20)
  tt.is(r.reduction, undefined)
  tt.regex(r.warnings.join('\n'), /declares no symmetric index type/)
})

// ---------------------------------------------------------------------------------------------
// Views.

/** A counter that the view ignores: states differing only in `ticks` count as one. */
function counter(withView: boolean) {
  const { spec, action } = vars({ x: t.int(0, 3), ticks: t.int(0, 5) })
  return spec({
    name: 'Counter',
    init: { x: 0, ticks: 0 },
    actions: {
      Inc: action({ guard: (s) => s.x < 3, effect: (d) => void ((d.x += 1), (d.ticks = Math.min(5, d.ticks + 1))) }),
      Tick: action({ guard: (s) => s.ticks < 5, effect: (d) => void (d.ticks += 1) }),
    },
    checkDeadlock: false,
    ...(withView ? { view: (s: { x: number; ticks: number }) => ({ x: s.x }) } : {}),
  })
}

test('a view counts states with equal views once, warns, and keeps traces real', async (tt) => {
  const plain = await check(counter(false), {})
  tt.is(plain.stats.distinct, 4 * 6 - 6)
  const viewed = await check(counter(true), {})
  tt.is(viewed.stats.distinct, 4)
  tt.deepEqual(viewed.reduction, { symmetry: [], view: true })
  tt.regex(viewed.warnings.join('\n'), /A view is in force.*sound only if/s)
  tt.is((await check(counter(true), {}, { view: false })).stats.distinct, plain.stats.distinct)
  const props = { invariants: { Below3: (s: any) => s.x < 3 } }
  const r = await check(counter(true), props)
  if (r.status !== 'violation') return tt.fail()
  tt.is(r.violations[0]!.trace.length, 4)
  tt.is(replays(compileSpec(counter(false), props), r.violations[0]!.trace), null)
  const e = await tt.throwsAsync(check(counter(true), { temporal: { X: { kind: 'eventually', p: () => true } as any } }), {
    instanceOf: CheckerError,
  })
  tt.regex(e?.message ?? '', /view cannot be used to check temporal properties/)
  const w = await tt.throwsAsync(check(counter(true), {}, { workers: 2 }), { instanceOf: CheckerError })
  tt.regex(w?.message ?? '', /view needs a search with one worker/)
})

// ---------------------------------------------------------------------------------------------
// The command line.

const root = fileURLToPath(new URL('../../../', import.meta.url))
const mrcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/bundle/mrcheck.js', ...args], { cwd: root, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('mrcheck check --symmetry on: orbits counted, the reduction in the JSON document; bad values are usage errors', (tt) => {
  const r = mrcheck('check', 'twophase', '--param', 'rms=5', '--symmetry', 'on', '--json')
  tt.is(r.code, 0)
  const doc = JSON.parse(r.stdout)
  tt.is(doc.stats.distinct, 314)
  tt.deepEqual(doc.reduction, { symmetry: [{ name: 'RM', size: 5 }], strategy: 'sorted', inexact: 0, view: false })
  tt.regex(r.stderr, /Symmetry reduction over RM \(5 members\): distinct states are orbits/)
  const off = mrcheck('check', 'twophase', '--param', 'rms=5', '--symmetry', 'off', '--json')
  tt.is(JSON.parse(off.stdout).stats.distinct, 8_832)
  tt.is(JSON.parse(off.stdout).reduction, undefined)
  const bad = mrcheck('check', 'twophase', '--symmetry', 'yes')
  tt.is(bad.code, 2)
  tt.regex(bad.stderr, /--symmetry expects on or off/)
  const live = mrcheck('check', 'philosophers', '--symmetry', 'on')
  tt.is(live.code, 0, 'no symmetric type: nothing to refuse, a warning')
  tt.regex(live.stdout, /declares no symmetric index type/)
})
