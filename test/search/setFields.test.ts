/**
 * A set field holds a set: whatever order and duplicates an effect or an initial state writes its
 * members in, every property, the constraint and every trace see the one canonical value the store
 * keeps (distinct members in domain order), in the search (one or two workers, exact states or
 * fingerprints), in strict mode, in simulation, in ITF traces and in replay.
 */
import test from 'ava'
import { checkModel, compileSpec, instantiate, replayTrace, simulate, traceToItf, type CheckOptions } from '../../checker/index.js'
import holders, { isCanonical } from '../helpers/holders.js'

const source = { module: new URL('../helpers/holders.js', import.meta.url).href }
const checking = (...names: string[]) => ({ only: names })

const runs: [string, CheckOptions][] = [
  ['exact', {}],
  ['fingerprints', { store: 'fingerprint' }],
  ['strict', { strict: true }],
  ['two workers', { workers: 2, source }],
]

for (const [name, options] of runs) {
  test(`the search's properties see canonical sets (${name}): the shortest violation has all three holders`, async (t) => {
    const r = await checkModel(holders, { init: 'empty' }, { ...options, ...checking('AtMostTwo', 'Canonical', 'GrowsByOne'), continue: true })
    t.is(r.status, 'violation')
    t.deepEqual(
      r.violations.map((v) => [v.property, v.trace.length]),
      [['AtMostTwo', 4]],
    )
    const trace = r.violations[0]!.trace
    t.deepEqual(trace.at(-1)!.state, { holders: [0, 1, 2], grabs: 3 })
    t.true(trace.every((s: any) => isCanonical(s.state.holders)))
  })
}

test('with every property checked to the end, the counts are those of the canonical model', async (t) => {
  const r = await checkModel(holders, { init: 'empty' }, checking('Canonical', 'GrowsByOne'))
  t.is(r.status, 'ok')
  // Each set of holders with the grab counts it can have: {} 0-3, one holder 1-3, two 2-3, three 3.
  t.is(r.stats.distinct, 4 + 3 * 3 + 3 * 2 + 1)
})

test('an initial state written with duplicates and out of order is seen as the canonical set', async (t) => {
  for (const strict of [false, true]) {
    const r = await checkModel(holders, { init: 'messy' }, { ...checking('Canonical', 'NotZeroAndTwo'), strict })
    t.is(r.status, 'violation')
    t.deepEqual(
      r.violations.map((v) => [v.property, v.trace.map((s) => s.state)]),
      [['NotZeroAndTwo', [{ holders: [0, 2], grabs: 0 }]]],
    )
  }
})

test('simulation, its traces, their ITF form and their replay see canonical sets', async (t) => {
  const { spec, props } = instantiate(holders, { init: 'empty' })
  const r = await simulate(spec, props, { runs: 50, steps: 10, seed: 7, ...checking('AtMostTwo', 'Canonical', 'GrowsByOne') })
  t.is(r.status, 'violation')
  if (r.status !== 'violation') return
  t.is(r.violation.property, 'AtMostTwo')
  t.true(r.violation.trace.every((s: any) => isCanonical(s.state.holders)))
  const itf = traceToItf(spec, r.violation, { source: 'holders', params: {} })
  t.deepEqual(itf.states.at(-1)!['holders'], { '#set': [{ '#bigint': '0' }, { '#bigint': '1' }, { '#bigint': '2' }] })
  // A trace written by hand with sets out of order and with duplicates replays as the canonical one.
  const states = r.violation.trace.map((s: any) => ({ ...s.state, holders: [...s.state.holders].reverse().concat(s.state.holders.slice(0, 1)) }))
  const replayed = replayTrace(compileSpec(spec, props, checking('AtMostTwo', 'Canonical', 'GrowsByOne')), { states })
  t.true(replayed.valid, JSON.stringify(replayed))
  t.deepEqual(replayed.trace.map((s) => s.state), r.violation.trace.map((s) => s.state))
  if (replayed.valid) t.deepEqual(replayed.violations.map((v) => v.property), ['AtMostTwo'])
})
