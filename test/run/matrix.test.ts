/**
 * The matrix's cells for temporal properties that a row could not check: unknown, never holds.
 */
import test from 'ava'
import { defineModel, eventually, param, properties, t as types, vars } from '../../checker/index.js'
import { policyMatrix } from '../../checker/run/matrix.js'

const build = ({ mode }: { mode: 'a' | 'b' }) => {
  const { spec, action } = vars({ x: types.int(0, 3) })
  return spec({
    name: 'slow-liveness',
    constants: { mode },
    init: { x: 0 },
    actions: { Step: action({ guard: (s) => s.x < 3, effect: (d) => void d.x++ }) },
    checkDeadlock: false,
  })
}

const slowLiveness = defineModel({
  name: 'slow-liveness',
  summary: 'Its invariant breaks at x = 2; its temporal predicate passes the time limit the first time it runs.',
  params: { mode: param.enum(['a', 'b'], 'a', 'only there to make rows') },
  matrixParam: 'mode',
  build,
  properties: properties<ReturnType<typeof build>, { mode: 'a' | 'b' }>(() => {
    let first = true
    const slow = () => {
      if (first) for (const end = Date.now() + 300; Date.now() < end; );
      first = false
      return true
    }
    return { invariants: { Small: (s) => s.x < 2 }, temporal: { Ends: eventually(slow) } }
  }),
})

test('a row whose safety search is complete and whose liveness phase passed the time limit: the temporal cell is unknown', async (t) => {
  const m = await policyMatrix(slowLiveness, { timeoutMs: 200 })
  t.deepEqual(m.properties.map((p) => [p.name, p.group]), [['Small', 'promise'], ['Ends', 'liveness']])
  for (const row of m.rows) {
    t.true(row.complete, 'the safety search covered every state')
    t.deepEqual(
      row.cells.map((c) => [c.property, c.status]),
      [
        ['Small', 'fails'],
        ['Ends', 'unknown'],
      ],
      row.value,
    )
    t.deepEqual(row.result.unchecked, ['Ends'])
  }
})
