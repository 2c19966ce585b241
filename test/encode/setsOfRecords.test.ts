/**
 * Sets of records and tuples end to end: members written as fresh records, out of order and twice
 * are seen by every property, in every mode (exact, fingerprints, strict, two workers), in
 * simulation, ITF and replay, as the one canonical value the store keeps: distinct members in domain
 * order. A member outside its type is an error naming the action
 * and the field, fast and strict; symmetry renames the members of a set of records holding
 * symmetric values (test/reduce/compoundSymmetry.test.ts checks it against brute force). The
 * counts are checked against a reference here, against the naive reference in
 * test/search/randomModels.test.ts (its random models have sets of records and tuples), and against
 * TLC's in test/models/examples.test.ts (TwoPhase's msgs).
 */
import test from 'ava'
import {
  check,
  checkModel,
  compileSpec,
  decodeItfStates,
  has,
  instantiate,
  parseItf,
  remove,
  replayTrace,
  simulate,
  t as types,
  traceToItf,
  vars,
  type CheckOptions,
} from '../../checker/index.js'
import { countValues } from '../../checker/model/types.js'
import { rankOf, valuesOf } from '../../checker/model/values.js'
import { orbits, reachable } from '../helpers/orbits.js'
import mailbox, { isCanonical, Message } from '../helpers/mailbox.js'

const source = { module: new URL('../helpers/mailbox.js', import.meta.url).href }

/** The mailbox's reachable states, counted on bitmasks: an independent reference. */
function mailboxReference(): number {
  const seen = new Set<string>(['0,0'])
  const queue: [number, number][] = [[0, 0]]
  while (queue.length > 0) {
    const [box, taken] = queue.shift()!
    for (let m = 0; m < 4; m++) {
      const next: [number, number] = box & (1 << m) ? [box & ~(1 << m), Math.min(3, taken + 1)] : [box | (1 << m), taken]
      if (!seen.has(next.join())) seen.add(next.join()), queue.push(next)
    }
  }
  return seen.size
}

const runs: [string, CheckOptions][] = [
  ['exact', {}],
  ['fingerprints', { store: 'fingerprint' }],
  ['strict', { strict: true }],
  ['two workers', { workers: 2, source }],
]

for (const [name, options] of runs) {
  test(`properties see canonical sets of records (${name}): the counts of the reference, the shortest violation fills the box`, async (t) => {
    const all = await checkModel(mailbox, {}, { ...options, only: ['Canonical', 'GrowsByOne'] })
    t.is(all.status, 'ok')
    t.is(all.stats.distinct, mailboxReference())
    const r = await checkModel(mailbox, {}, { ...options, only: ['AtMostThree', 'Canonical'] })
    if (r.status !== 'violation') return t.fail(r.status)
    t.deepEqual(r.violations.map((v) => [v.property, v.trace.length]), [['AtMostThree', 5]])
    const box = (r.violations[0]!.trace.at(-1)!.state as { box: unknown[] }).box
    t.deepEqual(box, [
      { from: 0, kind: 'ping' },
      { from: 0, kind: 'pong' },
      { from: 1, kind: 'ping' },
      { from: 1, kind: 'pong' },
    ])
    t.true(r.violations[0]!.trace.every((s: any) => isCanonical(s.state.box)))
  })
}

test('simulation, its ITF form and replay of a trace written out of order see canonical sets of records', async (t) => {
  const { spec, props } = instantiate(mailbox, {})
  const only = ['AtMostThree', 'Canonical', 'GrowsByOne']
  const r = await simulate(spec, props, { runs: 100, steps: 12, seed: 3, only })
  if (r.status !== 'violation') return t.fail(r.status)
  t.is(r.violation.property, 'AtMostThree')
  t.true(r.violation.trace.every((s: any) => isCanonical(s.state.box)))
  const itf = traceToItf(spec, r.violation, { source: 'mailbox', params: {} })
  t.deepEqual((itf.states.at(-1)!['box'] as { '#set': unknown[] })['#set'][0], { from: { '#bigint': '0' }, kind: 'ping' })
  const read = decodeItfStates(parseItf(JSON.stringify(itf), 'mailbox.itf.json'), spec)
  const messy = read.map((s: any) => ({ ...s, box: [...s.box].reverse().concat(s.box.slice(0, 1)) }))
  const replayed = replayTrace(compileSpec(spec, props, { only }), { states: messy })
  t.true(replayed.valid, JSON.stringify(replayed))
  t.deepEqual(replayed.trace.map((s) => s.state), r.violation.trace.map((s) => s.state))
})

test('a member outside its type is an error naming the action and the field, fast and strict', async (t) => {
  const Rm = types.index(2, { name: 'RM' })
  const { spec, action } = vars({ msgs: types.set(types.record({ type: types.enum('Prepared', 'Commit'), rm: types.option(Rm) })) })
  const bad = spec({
    name: 'bad',
    init: { msgs: [] },
    actions: { Send: action({ rm: Rm }, { effect: (d, { rm }) => void d.msgs.push({ type: 'Prepared', rm: rm + 1 }) }) },
  })
  for (const strict of [false, true]) {
    const r = await check(bad, {}, { strict })
    if (r.status !== 'error') return t.fail(r.status)
    t.regex(r.error.message, /action Send\(rm=1\) produced msgs\[\]\.rm = 2, outside its type \(expected null or an integer in 0\.\.1 \(RM\)\)/)
  }
})

test('symmetry renames the members of a set of records holding symmetric values, and re-sorts the set', async (t) => {
  const P = types.index(2, { name: 'Proc', symmetric: true })
  const w = vars({ msgs: types.set(types.record({ from: P, n: types.int(0, 1) })), owner: types.option(P) })
  const post = w.action({ p: P, n: types.int(0, 1) }, { guard: (s, { p }) => s.owner !== p, effect: (d, { p, n }) => void (d.msgs.push({ from: p, n }), (d.owner = p)) })
  const s = w.spec({ name: 'post', init: { msgs: [], owner: null }, actions: { post }, checkDeadlock: false })
  const c = compileSpec(s, {})
  const all = reachable(c)
  t.is((await check(s, {})).stats.distinct, all.length)
  t.is((await check(s, {}, { symmetry: true })).stats.distinct, orbits(c, all))
  t.true(orbits(c, all) < all.length)
  const r = await check(s, { invariants: { OneSender: (x) => x.msgs.every((m: { from: number }) => m.from === x.msgs[0]!.from) } }, { symmetry: true })
  if (r.status !== 'violation') return t.fail(r.status)
  t.deepEqual(r.violations[0]!.trace.map((x) => x.action?.label ?? null), [null, 'post(p=0, n=0)', 'post(p=1, n=0)'])
})

test('tuples: a set of pairs, its members ranked in domain order, in ITF as #tup', async (t) => {
  const Pair = types.tuple(types.index(2), types.enum('x', 'y'))
  const { spec, action } = vars({ pairs: types.set(Pair), last: types.option(Pair) })
  const pairs = spec({
    name: 'pairs',
    init: { pairs: [], last: null },
    actions: {
      Add: action({ i: types.index(2), v: types.enum('x', 'y') }, { effect: (d, { i, v }) => {
        d.pairs.unshift([i, v])
        d.last = [i, v]
      } }),
    },
    checkDeadlock: false,
  })
  const r = await check(pairs, {}, { continue: true })
  // Every subset of the four pairs (the empty one with last = null only), each with its possible last pair.
  t.is(r.stats.distinct, 1 + 4 * 8)
  const full = await check(pairs, { invariants: { Few: (s) => s.pairs.length < 4 } })
  if (full.status !== 'violation') return t.fail(full.status)
  t.deepEqual((full.violations[0]!.trace.at(-1)!.state as { pairs: unknown }).pairs, [[0, 'x'], [0, 'y'], [1, 'x'], [1, 'y']])
  const itf = traceToItf(pairs, full.violations[0]!, { source: 'pairs', params: {} })
  t.deepEqual((itf.states.at(-1)!['pairs'] as { '#set': unknown[] })['#set'][1], { '#tup': [{ '#bigint': '0' }, 'y'] })
})

test('has and remove compare members by value', (t) => {
  const box = [{ from: 0, kind: 'ping' }, { from: 1, kind: 'pong' }]
  t.true(has(box, { from: 1, kind: 'pong' }))
  t.false(has(box, { from: 1, kind: 'ping' }))
  t.false(remove(box, { from: 1, kind: 'ping' }))
  t.true(remove(box, { from: 0, kind: 'ping' }))
  t.deepEqual(box, [{ from: 1, kind: 'pong' }])
  t.true(has([[0, 'x']], [0, 'x']))
  t.false(has([[0, 'x']], [0, 'x', 1] as never))
})

test('rankOf is the position in valuesOf, for every value of a few compound types', (t) => {
  for (const type of [
    Message,
    types.tuple(types.bool(), types.option(types.enum('a', 'b'))),
    types.set(types.record({ a: types.int(-1, 1), b: types.bool() })),
    types.seq(types.index(2), 2),
    types.array(2, types.set(types.bool())),
  ] as never[]) {
    const values = valuesOf(type, 1000)
    t.is(values.length, countValues(type))
    const rank = rankOf(type)
    t.deepEqual(values.map(rank), values.map((_, i) => i))
  }
  t.is(rankOf(Message as never)({ from: 2, kind: 'ping' }), -1)
  t.is(rankOf(Message as never)({ from: 0, kind: 'ping', extra: 1 }), -1)
  t.throws(() => types.set(types.array(17, types.bool())), { message: /more than the 65,536 a domain may have/ })
})
