/**
 * Initial states stated as a predicate (`init: { where }`) or a generator (`init: { generate }`):
 * on random models, the predicate that admits exactly the states of an explicit init list gives
 * the same search as the list (test/helpers/randomModels.ts enumerates the state type on its own,
 * so the predicate's candidates are checked against an independent enumeration); `stats.initial`
 * counts the distinct initial states.
 */
import test from 'ava'
import { testProp } from '@fast-check/ava'
import { check, CheckerError, compileSpec, t as types, vars, type CheckResult, type Spec } from '../../checker/index.js'
import { MAX_INITIAL_CANDIDATES } from '../../checker/compile/initialStates.js'
import { randomModel, type RandomModel } from '../helpers/randomModels.js'

const summary = (r: CheckResult) => ({
  status: r.status,
  initial: r.stats.initial,
  distinct: r.stats.distinct,
  generated: r.stats.generated,
  depth: r.stats.depth,
  violations: r.violations.map((v) => [v.property, v.kind, v.trace.length]),
})

const withInit = (m: RandomModel, init: Spec['init']): Spec => ({ ...m.spec, init })

testProp(
  'a where-predicate admitting the states of an init list checks as the list does (duplicates removed)',
  [randomModel],
  async (t, m) => {
    const distinct = [...new Set(m.tables.init)].sort((a, b) => a - b)
    // The list in the predicate's enumeration order (the helper's order is the engine's: first variable slowest).
    const list = await check(withInit(m, distinct.map((i) => structuredClone(m.states[i]!))), m.props)
    const where = await check(withInit(m, { where: (s: unknown) => distinct.includes(m.indexOf(s)) }), m.props)
    t.deepEqual(summary(where), summary(list), m.summary)
    t.is(where.stats.initial, distinct.length)
    const strict = await check(withInit(m, { where: (s: unknown) => distinct.includes(m.indexOf(s)) }), m.props, { strict: true })
    t.deepEqual(summary(strict), summary(list), `${m.summary} (strict)`)
  },
  { numRuns: 60 },
)

testProp(
  'a generator yields the init list, repeats included: counted generated each time, initial once',
  [randomModel],
  async (t, m) => {
    const list = await check(m.spec, m.props)
    const init = m.tables.init
    const generated = await check(
      withInit(m, {
        generate: function* () {
          for (const i of init) yield structuredClone(m.states[i]!)
        },
      }),
      m.props,
    )
    t.deepEqual(summary(generated), summary(list), m.summary)
    t.is(list.stats.initial, new Set(init).size)
  },
  { numRuns: 40 },
)

const { spec, action } = vars({ x: types.int(0, 3), y: types.bool(), s: types.set(types.enum('a', 'b')) })
const step = action({ guard: (s) => s.x < 3, effect: (d) => void (d.x += 1) })
const model = (init: unknown) => spec({ name: 'inits', init: init as never, actions: { step }, checkDeadlock: false })

test('a predicate sees every state of the declared types, sets canonical, and the states it admits start the search', async (t) => {
  const seen: unknown[] = []
  const r = await check(
    model({
      where: (s: { x: number; y: boolean; s: string[] }) => {
        seen.push(s)
        return s.x === 0 && (s.y || s.s.length === 2)
      },
    }),
  )
  t.is(seen.length, 4 * 2 * 4)
  t.deepEqual(
    seen.filter((s: any) => s.x === 0 && !s.y).map((s: any) => s.s),
    [[], ['a'], ['b'], ['a', 'b']],
  )
  t.true(seen.every((s) => Object.isFrozen(s)))
  t.is(r.status, 'ok')
  t.is(r.stats.initial, 5)
  t.is(r.stats.distinct, 5 * 4)
})

test('an init predicate that admits nothing, throws, returns a non-boolean, or ranges too far is refused, naming the model', (t) => {
  const refused = (init: unknown, pattern: RegExp) => {
    const e = t.throws(() => compileSpec(model(init), {}), { instanceOf: CheckerError })
    t.is((e as CheckerError).code, 'MODEL_DEFINITION')
    t.regex(e!.message, /Model "inits"/)
    t.regex(e!.message, pattern)
  }
  refused({ where: () => false }, /no state satisfies its init predicate/)
  refused(
    {
      where: (s: { x: number }) => {
        if (s.x === 2) throw new Error('boom')
        return true
      },
    },
    /init predicate \(where\) threw on \{"x":2,"y":false,"s":\[\]\}: boom/,
  )
  refused({ where: () => 1 }, /returned 1 on .*not a boolean/)
  refused({ generate: () => [{ x: 9, y: false, s: [] }] }, /generated initial state 0: x = 9 is outside its type/)
  const big = vars({ a: types.array(12, types.int(0, 9)) })
  const e = t.throws(() => compileSpec(big.spec({ name: 'big', init: { where: () => true }, actions: {} }), {}))
  t.regex(e!.message, new RegExp(`Model "big": its init predicate \\(where\\) ranges over 1,000,000,000,000 states .*more than the ${MAX_INITIAL_CANDIDATES.toLocaleString('en-US')}`))
})

test('a state with fields named where or generate is a state, not a predicate', async (t) => {
  const w = vars({ where: types.bool(), generate: types.int(0, 1) })
  const r = await check(w.spec({ name: 'fields', init: { where: true, generate: 1 }, actions: {} }))
  t.is(r.status, 'violation')
  t.is(r.stats.initial, 1)
})
