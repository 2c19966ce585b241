import test from 'ava'
import { checkModel } from '../../checker/index.js'
import dieHard from '../../models/examples/diehard.js'

test('DieHard: 16 distinct states without the goal (published TLC count)', async (t) => {
  const r = await checkModel(dieHard, {}, { only: ['TypeOK'] })
  t.is(r.status, 'ok')
  t.is(r.stats.distinct, 16)
  t.is(r.stats.generated, 97)
  t.is(r.stats.depth, 8)
})

test('DieHard: the shortest way to measure 4 gallons has 7 states', async (t) => {
  const r = await checkModel(dieHard)
  if (r.status !== 'violation') return t.fail(`expected a violation, got ${r.status}`)
  const [v] = r.violations
  t.is(v?.property, 'NotSolved')
  t.is(v?.trace.length, 7)
  t.deepEqual(v?.trace.at(-1)?.state, { small: 3, big: 4 })
  t.is(v?.trace[0]?.action, null)
})
