/**
 * PropertySet.mechanisms: a property named there must be a safety property of the model (random
 * models check the search semantics against a naive reference in randomModels.test.ts).
 */
import test from 'ava'
import { check, CheckerError, t as ty, vars } from '../../checker/index.js'

const counter = () => {
  const { spec, action } = vars({ x: ty.int(0, 3) })
  return spec({
    name: 'counter',
    init: { x: 0 },
    checkDeadlock: false,
    actions: { Inc: action({ guard: (s) => s.x < 3, effect: (d) => void (d.x += 1) }) },
  })
}

test('a mechanism that is not a safety property of the model is refused, naming it and the valid ones', async (t) => {
  const e = await t.throwsAsync(
    check(counter(), { invariants: { Small: (s) => s.x < 3 }, mechanisms: ['Smal'] }),
    { instanceOf: CheckerError },
  )
  t.is(e?.code, 'MODEL_DEFINITION')
  t.is(
    e?.message,
    'Model "counter": its mechanisms name "Smal", which is not one of its invariants, action properties or reachability goals. Those are: "Small".',
  )
})

test('a broken mechanism is reported after the broken promise it led to', async (t) => {
  const props = { invariants: { BelowTwo: (s: any) => s.x < 2, BelowThree: (s: any) => s.x < 3 }, mechanisms: ['BelowTwo'] }
  const r = await check(counter(), props)
  t.deepEqual(
    r.violations.map((v) => [v.property, v.trace.length]),
    [
      ['BelowThree', 4],
      ['BelowTwo', 3],
    ],
  )
})
