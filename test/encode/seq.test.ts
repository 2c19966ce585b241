/**
 * `t.seq(T, maxLength)` end to end: a queue of records written with push and shift on every path
 * (fast and strict search, workers' codec, simulation, ITF and replay), growth past the bound as a
 * type error naming the action and the field, and symmetry's refusal of a sequence of symmetric
 * values. The counts are checked against the naive reference in test/search/randomModels.test.ts
 * (its random models have sequence variables) and against TLC's in test/models/examples.test.ts.
 */
import test from 'ava'
import {
  check,
  compileSpec,
  decodeItfStates,
  parseItf,
  replayTrace,
  simulate,
  t as types,
  traceToItf,
  vars,
  CheckerError,
} from '../../checker/index.js'
import { countValues } from '../../checker/model/types.js'
import { valuesOf } from '../../checker/model/values.js'

const Msg = types.enum('a', 'b')
const { spec, action } = vars({
  q: types.seq(types.record({ msg: Msg, tags: types.set(types.int(0, 1)) }), 3),
  last: types.option(Msg),
})
const queue = spec({
  name: 'queue',
  init: { q: [], last: null },
  actions: {
    Put: action(
      { msg: Msg },
      {
        guard: (s) => s.q.length < 3,
        // Tags written out of order and twice: a set inside a sequence is kept canonical too.
        effect: (d, { msg }) => void d.q.push({ msg, tags: msg === 'a' ? [1, 0, 1] : [] }),
      },
    ),
    Take: action({
      guard: (s) => s.q.length > 0,
      effect: (d) => void (d.last = d.q.shift()!.msg),
    }),
  },
})
const props = {
  invariants: {
    /** Fails once three b's are queued: a trace with a full sequence. */
    NotThreeB: (s: any) => !(s.q.length === 3 && s.q.every((x: any) => x.msg === 'b')),
    TagsCanonical: (s: any) => s.q.every((x: any) => x.tags.length === 0 || (x.tags[0] === 0 && x.tags[1] === 1)),
  },
}

test('a queue of records: every sequence of up to 3 messages, the same counts fast and strict', async (t) => {
  const fast = await check(queue, { invariants: { TagsCanonical: props.invariants.TagsCanonical } })
  const strict = await check(queue, { invariants: { TagsCanonical: props.invariants.TagsCanonical } }, { strict: true })
  // (1 + 2 + 4 + 8 sequences of messages) x (last: null, a, b), every one reachable.
  t.is(fast.status, 'ok')
  t.is(fast.stats.distinct, 15 * 3)
  t.deepEqual([strict.status, strict.stats.distinct, strict.stats.generated], [fast.status, fast.stats.distinct, fast.stats.generated])
})

test('the shortest trace to a full queue, through ITF and replay', async (t) => {
  const r = await check(queue, props)
  if (r.status !== 'violation') return t.fail(r.status)
  const v = r.violations[0]!
  t.is(v.property, 'NotThreeB')
  t.is(v.trace.length, 4)
  t.deepEqual(v.trace.at(-1)!.state, { q: [{ msg: 'b', tags: [] }, { msg: 'b', tags: [] }, { msg: 'b', tags: [] }], last: null })
  const itf = traceToItf(queue, v, { source: 'queue', params: {} })
  t.deepEqual((itf.states[1] as any).q, [{ msg: 'b', tags: { '#set': [] } }])
  const states = decodeItfStates(parseItf(JSON.stringify(itf), 'queue.itf.json'), queue)
  t.deepEqual(states, v.trace.map((s) => s.state))
  const replayed = replayTrace(compileSpec(queue, props), { states })
  t.true(replayed.valid)
  if (replayed.valid) t.deepEqual(replayed.violations.map((x) => x.property), ['NotThreeB'])
})

test('simulation walks the queue and finds the full one', async (t) => {
  const r = await simulate(queue, props, { runs: 200, steps: 20, seed: 5 })
  if (r.status !== 'violation') return t.fail(r.status)
  t.is(r.violation.property, 'NotThreeB')
})

test('growing past maxLength is a type error naming the action and the field, fast and strict', async (t) => {
  const grow = spec({ name: 'grow', init: { q: [], last: null }, actions: { Put: action({ effect: (d) => void d.q.push({ msg: 'a', tags: [] }) }) } })
  for (const strict of [false, true]) {
    const r = await check(grow, {}, { strict })
    if (r.status !== 'error') return t.fail(r.status)
    t.regex(r.error.message, /action Put produced q = \[.*, outside its type \(expected a sequence \(an array\) of at most 3 elements\)/)
    t.is(r.error.trace.length, 4, 'the trace to the state it grew from, and that state')
  }
})

test('symmetry is refused for a sequence of symmetric values, naming the field', async (t) => {
  const P = types.index(2, { name: 'Proc', symmetric: true })
  const w = vars({ waiting: types.seq(P, 2), owner: types.option(P) })
  const s = w.spec({ name: 'lockQueue', init: { waiting: [], owner: null }, actions: {} , checkDeadlock: false })
  const e = await t.throwsAsync(check(s, {}, { symmetry: true }), { instanceOf: CheckerError })
  t.regex(e!.message, /Model "lockQueue": symmetry: its state has a sequence \(waiting\) of values of the symmetric index type "Proc"/)
  // Inside a map keyed by the symmetric type: the path says where, * for the key.
  const m = vars({ inbox: types.map(P, types.seq(P, 2)) })
  const inboxes = m.spec({ name: 'inboxes', init: { inbox: [] }, actions: {}, checkDeadlock: false })
  const e2 = await t.throwsAsync(check(inboxes, {}, { symmetry: true }), { instanceOf: CheckerError })
  t.regex(e2!.message, /its state has a sequence \(inbox\[\*\], \* standing for a member of a symmetric index type\) of values/)
})

test('sequences are enumerable for init predicates: lengths 0..max, each a product', (t) => {
  const type = types.seq(types.bool(), 2) as never
  t.is(countValues(type), 7)
  t.deepEqual(valuesOf(type, 100), [[], [false], [true], [false, false], [false, true], [true, false], [true, true]])
})
