import test from 'ava'
import { testProp, fc } from '@fast-check/ava'
import {
  CheckerError,
  checkModel,
  compileSpec,
  decodeItfStates,
  instantiate,
  numberedPath,
  parseItf,
  replayTrace,
  t,
  traceToItf,
  type AnyType,
  type ItfTrace,
  type Violation,
} from '../../checker/index.js'
import { countValues } from '../../checker/model/types.js'
import { valuesOf } from '../../checker/model/values.js'
import dieHard from '../../models/examples/diehard.js'

const FILE = 'test.itf.json'

async function dieHardViolation(): Promise<Violation> {
  const r = await checkModel(dieHard)
  if (r.status !== 'violation') throw new Error(`expected a violation, got ${r.status}`)
  return r.violations[0]!
}
const { spec: dhSpec, props: dhProps, params: dhParams } = instantiate(dieHard)
const dhCompiled = compileSpec(dhSpec, dhProps)

test('a DieHard counterexample in ITF: meta, vars, #bigint integers, the step in each state\'s #meta', async (t) => {
  const v = await dieHardViolation()
  const itf = traceToItf(dhSpec, v, { source: 'diehard', params: dhParams })
  const meta = itf['#meta'] as Record<string, unknown>
  t.is(meta.format, 'ITF')
  t.is(meta.source, 'diehard')
  t.is(meta.status, 'violation')
  t.is(meta.property, 'NotSolved')
  t.deepEqual(meta.params, { small: 3, big: 5, goal: 4 })
  t.false('timestamp' in meta)
  t.deepEqual(itf.vars, ['small', 'big'])
  t.is(itf.states.length, 7)
  t.false('loop' in itf)
  t.deepEqual(itf.states[0], { '#meta': { index: 0 }, small: { '#bigint': '0' }, big: { '#bigint': '0' } })
  t.deepEqual(itf.states[6], {
    '#meta': { index: 6, action: 'BigToSmall', actionName: 'BigToSmall', params: {} },
    small: { '#bigint': '3' },
    big: { '#bigint': '4' },
  })
  // The object is what gets written: it survives JSON and reads back to the same states.
  const parsed = parseItf(JSON.stringify(itf), FILE)
  t.deepEqual(decodeItfStates(parsed, dhSpec), v.trace.map((s) => s.state))
  t.deepEqual(parsed.hints[6], { actionName: 'BigToSmall', label: 'BigToSmall', params: {} })
})

test('several counterexamples are numbered before the extension', (t) => {
  t.is(numberedPath('cex.itf.json', 1), 'cex.itf.json')
  t.is(numberedPath('cex.itf.json', 2), 'cex-2.itf.json')
  t.is(numberedPath('out/trace.json', 3), 'out/trace-3.json')
  t.is(numberedPath('trace', 2), 'trace-2')
  t.is(numberedPath('dir.v1/trace', 2), 'dir.v1/trace-2')
  t.is(numberedPath('.hidden', 2), '.hidden-2')
})

test('sets, options, records and arrays use the ITF forms and read back', (t) => {
  const { spec } = vars3()
  const state = { s: ['b', 'c'], o: null, p: 2, r: { a: true, n: [0, 1] } }
  const itf = traceToItf(spec, { property: 'P', kind: 'invariant', trace: [{ action: null, state }], shortest: true, message: 'm' }, {
    source: 'x',
    params: {},
  })
  const s0 = itf.states[0] as Record<string, unknown>
  t.deepEqual(s0.s, { '#set': ['b', 'c'] })
  t.deepEqual(s0.o, { tag: 'None', value: { '#tup': [] } })
  t.deepEqual(s0.p, { tag: 'Some', value: { '#bigint': '2' } })
  t.deepEqual(s0.r, { a: true, n: [{ '#bigint': '0' }, { '#bigint': '1' }] })
  // Readers get latitude: set members in any order, plain numbers, null options, #tup arrays.
  const loose = {
    vars: ['s', 'o', 'p', 'r'],
    states: [{ s: { '#set': ['c', 'b'] }, o: null, p: { tag: 'Some', value: 2 }, r: { n: { '#tup': [0, { '#bigint': '1' }] }, a: true } }],
  }
  t.deepEqual(decodeItfStates(parseItf(JSON.stringify(loose), FILE), spec), [state])
})

function vars3() {
  const spec = {
    name: 'three',
    vars: {
      s: t.set(t.enum('a', 'b', 'c')),
      o: t.option(t.int(0, 3)),
      p: t.option(t.int(0, 3)),
      r: t.record({ a: t.bool(), n: t.array(2, t.index(2)) }),
    } as Record<string, AnyType>,
  }
  return { spec }
}

// ---------------------------------------------------------------------------------------------
// Round trips over random types and values.

const scalarType: fc.Arbitrary<AnyType> = fc.oneof(
  fc.constant(t.bool() as AnyType),
  fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 40 })).map(([a, w]) => t.int(a, a + w) as AnyType),
  fc
    .uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 })
    .map((v) => t.enum(...(v as [string, ...string[]])) as AnyType),
  fc.integer({ min: 1, max: 5 }).map((n) => t.index(n) as AnyType),
)
const { type: typeArb } = fc.letrec<{
  type: AnyType
  option: AnyType
  array: AnyType
  tuple: AnyType
  record: AnyType
  set: AnyType
  setOf: AnyType
  seq: AnyType
  map: AnyType
}>((tie) => ({
  type: fc.oneof({ maxDepth: 3 }, scalarType, tie('option'), tie('array'), tie('tuple'), tie('record'), tie('set'), tie('setOf'), tie('seq'), tie('map')),
  option: tie('type')
    .filter((of) => (of as AnyType).kind !== 'option')
    .map((of) => t.option(of as never) as AnyType),
  array: fc.tuple(fc.integer({ min: 0, max: 3 }), tie('type')).map(([n, of]) => t.array(n, of as never) as AnyType),
  record: fc
    .uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), tie('type')), { selector: (x) => x[0], minLength: 1, maxLength: 3 })
    .map((fields) => t.record(Object.fromEntries(fields) as never) as AnyType),
  tuple: fc.array(tie('type'), { minLength: 1, maxLength: 3 }).map((items) => t.tuple(...(items as never[])) as AnyType),
  set: scalarType.map((of) => t.set(of as never) as AnyType),
  // A set of compound members (records, tuples, sets, ...) over a domain small enough to list.
  setOf: tie('type')
    .filter((of) => countValues(of) <= 64)
    .map((of) => t.set(of as never) as AnyType),
  seq: fc.tuple(fc.integer({ min: 0, max: 3 }), tie('type')).map(([n, of]) => t.seq(of as never, n) as AnyType),
  // Keys from a domain small enough to list (scalars, records, tuples, ...).
  map: fc
    .tuple(
      tie('type').filter((k) => countValues(k) <= 16),
      tie('type'),
    )
    .map(([key, of]) => t.map(key as never, of as never) as AnyType),
}))

function valueArb(type: AnyType): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'bool':
      return fc.boolean()
    case 'int':
      return fc.integer({ min: type.min, max: type.max })
    case 'enum':
      return fc.constantFrom(...type.values)
    case 'index':
      return fc.integer({ min: 0, max: type.size - 1 })
    case 'option':
      return fc.option(valueArb(type.of), { nil: null })
    case 'array':
      return fc.tuple(...Array.from({ length: type.length }, () => valueArb(type.of)))
    case 'tuple':
      return fc.tuple(...type.items.map(valueArb))
    case 'record':
      return fc.record(Object.fromEntries(Object.entries(type.fields).map(([k, f]) => [k, valueArb(f)])))
    case 'set':
      return fc.subarray([...valuesOf(type.of, 64)])
    case 'seq':
      return fc.array(valueArb(type.of), { maxLength: type.maxLength })
    case 'map':
      return fc.subarray([...valuesOf(type.key, 16)]).chain((keys) => fc.tuple(...keys.map((k) => valueArb(type.of).map((v) => [k, v]))))
  }
}

const typedStates = typeArb.chain((type) =>
  fc.tuple(fc.constant(type), fc.array(valueArb(type), { minLength: 1, maxLength: 4 })),
)

testProp('any typed value survives ITF: encode, JSON text, parse, decode', [typedStates], (t, [type, values]) => {
  const spec = { name: 'random', vars: { v: type } }
  const trace = values.map((v, i) => ({ action: i === 0 ? null : { name: 'A', params: { x: i }, label: `A(x=${i})` }, state: { v } }))
  const itf = traceToItf(spec, { property: 'P', kind: 'invariant', trace, shortest: true, message: 'm' }, { source: 'random', params: {} })
  const back = decodeItfStates(parseItf(JSON.stringify(itf), FILE), spec)
  t.deepEqual(back, trace.map((s) => s.state))
})

// ---------------------------------------------------------------------------------------------
// Malformed and hostile files: always a CheckerError('BAD_INPUT') naming the file, never a crash.

/** Runs the whole read path: parse, read against DieHard's types, replay. */
function readAndReplay(text: string) {
  const parsed = parseItf(text, FILE)
  const states = decodeItfStates(parsed, dhSpec)
  return replayTrace(dhCompiled, { states, hints: parsed.hints, ...(parsed.loop === undefined ? {} : { loop: parsed.loop }) })
}

function expectBadInput(t: { true: (v: boolean, m?: string) => void; is: (a: unknown, b: unknown, m?: string) => void }, text: string) {
  try {
    readAndReplay(text)
  } catch (e) {
    t.true(e instanceof CheckerError, `not a CheckerError: ${String(e)}`)
    t.is((e as CheckerError).code, 'BAD_INPUT')
    t.true((e as Error).message.includes(FILE), `message does not name the file: ${(e as Error).message}`)
    return (e as Error).message
  }
  return undefined
}

test('hostile files get a clear BAD_INPUT error', async (t) => {
  const good = JSON.stringify(traceToItf(dhSpec, await dieHardViolation(), { source: 'diehard', params: dhParams }))
  const cases: [string, string, RegExp][] = [
    ['not JSON', 'State 1: small = 0', /not valid JSON/],
    ['an array', `[${good}]`, /top level is an array/],
    ['deep nesting', '['.repeat(100_000) + ']'.repeat(100_000), /nested deeper than 64/],
    ['__proto__ key', good.replace('"small":{"#bigint":"0"}', '"small":{"#bigint":"0"},"__proto__":{"polluted":true}'), /"__proto__" key/],
    ['nested __proto__', good.replace('"params":{}', '"params":{"__proto__":{"x":1}}'), /__proto__/],
    ['huge #bigint', good.replace('"#bigint":"5"', `"#bigint":"${'9'.repeat(400)}"`), /states\[1\]\.big: .* is not an integer/],
    ['huge number', good.replace('{"#bigint":"5"}', '1e400'), /states\[1\]\.big: .* is not an integer/],
    ['out of range', good.replace('{"#bigint":"5"}', '{"#bigint":"6"}'), /states\[1\]\.big: .* is not an integer in 0\.\.5/],
    ['fraction', good.replace('{"#bigint":"5"}', '4.5'), /is not an integer/],
    ['missing variable', good.replace('"small":{"#bigint":"0"},', ''), /states\[0\]: has no value for variable "small"/],
    ['unknown variable', good.replace('"vars":["small","big"]', '"vars":["small","big","huge"]'), /has no value for variable "huge"/],
    ['empty states', '{"vars":["small","big"],"states":[]}', /states: is empty/],
    ['bad loop', good.replace('"vars":', '"loop":99,"vars":'), /loop: 99 is not the index of a state/],
    ['vars not names', '{"vars":[1],"states":[{}]}', /vars: must be an array of variable names/],
    ['bad #meta', '{"#meta":3,"vars":[],"states":[{}]}', /#meta: must be an object/],
    ['huge file', ' '.repeat(64 * 1024 * 1024 + 1), /more than the/],
  ]
  for (const [what, text, pattern] of cases) {
    const message = expectBadInput(t, text)
    t.truthy(message, `${what}: no error`)
    t.regex(message ?? '', pattern, what)
  }
  t.is(({} as Record<string, unknown>).polluted, undefined)
})

test('a trace that is not a behaviour names the first bad step and why', async (t) => {
  const itf = traceToItf(dhSpec, await dieHardViolation(), { source: 'diehard', params: dhParams }) as unknown as {
    states: Record<string, unknown>[]
  }
  itf.states[3]!.big = { '#bigint': '1' }
  const r = readAndReplay(JSON.stringify(itf))
  if (r.valid) return t.fail('replay accepted a broken trace')
  t.is(r.step, 3)
  t.is(r.trace.length, 3)
  t.regex(r.reason, /^state 4 is not a successor of state 3: the recorded step EmptySmallJug gives a different state \(big = 2 where the trace has 1\)/)
  const notInit = JSON.parse(JSON.stringify(itf))
  notInit.states[0].small = { '#bigint': '1' }
  const r0 = readAndReplay(JSON.stringify(notInit))
  t.false(r0.valid)
  if (!r0.valid) t.regex(r0.reason, /state 1 is not an initial state of model "diehard" \(the nearest initial state differs at small = 0 where the trace has 1\)/)
})

/** Valid DieHard ITF text with one random part replaced by random JSON or a hostile value. */
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<unknown>({ '#bigint': '1'.repeat(60) }, { '#bigint': '-0' }, { '#bigint': 'x' }, 1e308, -1, 2 ** 53, { '#set': [] }, null),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(`{"__proto__": ${JSON.stringify(v)}}`) as unknown),
)

testProp(
  'fuzz: random changes to a valid trace read as a behaviour, a non-behaviour, or BAD_INPUT; nothing else',
  [fc.array(fc.tuple(fc.nat(), fc.nat(), hostileValue), { minLength: 1, maxLength: 3 })],
  async (t, edits) => {
    const doc = JSON.parse(JSON.stringify(traceToItf(dhSpec, await dieHardViolation(), { source: 'diehard', params: dhParams })))
    for (const [a, b, value] of edits) {
      // Mostly inside a state (where the values are), sometimes anywhere; replace one member
      // found along a random path. The value is copied so that no edit makes a cycle.
      const states = Array.isArray(doc.states) && doc.states.length > 0 ? doc.states : undefined
      let at: any = a % 5 === 0 || states === undefined ? doc : states[b % states.length]
      if (typeof at !== 'object' || at === null) at = doc
      const depthWanted = a % 4
      for (let depth = 0; ; depth++) {
        const keys = Object.keys(at)
        if (keys.length === 0) break
        const k = keys[(a + b * (depth + 1)) % keys.length]!
        if (depth === depthWanted || typeof at[k] !== 'object' || at[k] === null) {
          at[k] = JSON.parse(JSON.stringify(value ?? null))
          break
        }
        at = at[k]
      }
    }
    try {
      const r = readAndReplay(JSON.stringify(doc))
      t.true(typeof r.valid === 'boolean')
    } catch (e) {
      t.true(e instanceof CheckerError && e.code === 'BAD_INPUT', `unexpected ${String(e)}`)
    }
  },
)

testProp('fuzz: arbitrary text never crashes the reader', [fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ vars: ['small', 'big'], states: [v] })))], (t, text) => {
  try {
    readAndReplay(text)
    t.pass()
  } catch (e) {
    t.true(e instanceof CheckerError && e.code === 'BAD_INPUT', `unexpected ${String(e)}`)
  }
})

// ---------------------------------------------------------------------------------------------
// Replay semantics.

/** A random walk through DieHard: initial state, then random enabled steps. */
const walk = fc.array(fc.nat({ max: 5 }), { maxLength: 12 }).map((choices) => {
  const { instances, init } = dhCompiled
  let state = init[0] as { small: number; big: number }
  const states = [state]
  for (const c of choices) {
    const next = structuredClone(state)
    instances[c]!.def.effect(next, instances[c]!.params)
    states.push(next)
    state = next
  }
  return states
})

testProp('every random walk replays as a behaviour; changing one state breaks it at that state or the next', [walk, fc.nat(), fc.nat({ max: 3 }), fc.nat({ max: 5 })], (t, states, at, small, big) => {
  const ok = replayTrace(dhCompiled, { states })
  t.true(ok.valid)
  if (ok.valid) t.is(ok.trace.length, states.length)
  const j = at % states.length
  const changed = states.map((s, i) => (i === j ? { small, big } : s))
  const r = replayTrace(dhCompiled, { states: changed })
  if (!r.valid) t.true(r.step === j || r.step === j + 1, `broke at ${r.step}, changed ${j}`)
})

test('a wrong action hint is a note, not an error, when another action gives the state', (t) => {
  const states = [{ small: 0, big: 0 }, { small: 3, big: 0 }]
  const r = replayTrace(dhCompiled, { states, hints: [undefined, { actionName: 'FillBigJug' }] })
  if (!r.valid) return t.fail(r.reason)
  t.is(r.trace[1]!.action!.name, 'FillSmallJug')
  t.is(r.notes.length, 1)
  t.regex(r.notes[0]!, /the recorded step FillBigJug gives a different state .*; FillSmallJug gives it/)
})

test('lassos: the last state must step back to the loop state; temporal properties are evaluated on them', async (t) => {
  const { eventually } = await import('../../checker/index.js')
  const c = compileSpec(dhSpec, { temporal: { BigEventuallyFour: eventually((s: { big: number }) => s.big === 4) } })
  // Fill and empty the small jug forever: never measures 4.
  const states = [{ small: 0, big: 0 }, { small: 3, big: 0 }]
  const r = replayTrace(c, { states, loop: 0 })
  if (!r.valid) return t.fail(r.reason)
  t.is(r.closing?.label, 'EmptySmallJug')
  t.deepEqual(r.violations.map((v) => [v.property, v.kind, v.loopStart]), [['BigEventuallyFour', 'temporal', 0]])
  // Not a lasso: no single step empties both jugs.
  const broken = replayTrace(c, { states: [{ small: 0, big: 0 }, { small: 3, big: 0 }, { small: 3, big: 5 }], loop: 0 })
  t.false(broken.valid)
  if (!broken.valid) t.regex(broken.reason, /the lasso does not close: state 1 is not a successor of the last state \(3\)/)
  // A lasso whose last state is its loop state stutters there.
  const stutter = replayTrace(c, { states: [{ small: 0, big: 0 }], loop: 0 })
  t.true(stutter.valid && stutter.closing === null)
})

test('a trace of another tool (no #meta, Quint bookkeeping variables) replays with the model named', (t) => {
  const quint: ItfTrace = {
    vars: ['small', 'big', 'mbt::actionTaken'],
    states: [
      { small: { '#bigint': '0' }, big: { '#bigint': '0' }, 'mbt::actionTaken': 'init' },
      { small: { '#bigint': '0' }, big: { '#bigint': '5' }, 'mbt::actionTaken': 'FillBigJug' },
    ],
  }
  const parsed = parseItf(JSON.stringify(quint), FILE)
  t.deepEqual(parsed.hints[1], { actionName: 'FillBigJug', params: {} })
  const r = replayTrace(dhCompiled, { states: decodeItfStates(parsed, dhSpec), hints: parsed.hints })
  t.true(r.valid)
  t.deepEqual(r.valid ? r.notes : [], [])
})

test('a lasso keeps its loop index and closing step through ITF, and replay takes that step', (t) => {
  const step = (name: string) => ({ name, params: {}, label: name })
  const lasso = {
    property: 'Live',
    kind: 'temporal' as const,
    shortest: false,
    message: 'Temporal property Live is violated.',
    loopStart: 0,
    loopAction: step('EmptySmallJug'),
    trace: [
      { action: null, state: { small: 0, big: 0 } },
      { action: step('FillSmallJug'), state: { small: 3, big: 0 } },
    ],
  }
  const itf = traceToItf(dhSpec, lasso, { source: 'diehard', params: dhParams })
  t.is(itf.loop, 0)
  t.deepEqual((itf['#meta'] as Record<string, unknown>).loopAction, { action: 'EmptySmallJug', actionName: 'EmptySmallJug', params: {} })
  const parsed = parseItf(JSON.stringify(itf), FILE)
  t.is(parsed.loop, 0)
  t.deepEqual(parsed.loopHint, { actionName: 'EmptySmallJug', label: 'EmptySmallJug', params: {} })
  const input = { states: decodeItfStates(parsed, dhSpec), hints: parsed.hints, loop: 0 }
  const r = replayTrace(dhCompiled, { ...input, loopHint: parsed.loopHint! })
  if (!r.valid) return t.fail(r.reason)
  t.is(r.closing?.label, 'EmptySmallJug')
  t.deepEqual(r.notes, [])
  // A wrong closing step is a note when another step closes the loop.
  const wrong = replayTrace(dhCompiled, { ...input, loopHint: { actionName: 'FillBigJug' } })
  if (!wrong.valid) return t.fail(wrong.reason)
  t.deepEqual(wrong.notes, [
    'The step back to state 1: the recorded step FillBigJug gives a different state (small = 3 where the trace has 0, big = 5 where the trace has 0); EmptySmallJug gives it.',
  ])
  // Writers that repeat the loop state at the end close the loop by equality.
  const repeated = replayTrace(dhCompiled, { states: [...input.states, { small: 0, big: 0 }], loop: 0 })
  t.true(repeated.valid && repeated.closing === null)
})
