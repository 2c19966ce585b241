/**
 * The three store modes end to end: exact and fingerprint against each other on the built-in
 * models and random models (the same counts, verdicts and traces; the collision estimate against
 * its formula), auto and exact under a memory budget, and the options the library refuses.
 */
import test from 'ava'
import { totalmem } from 'node:os'
import { testProp } from '@fast-check/ava'
import { check, checkModel, CheckerError, type CheckOptions } from '../../checker/index.js'
import twoPhase from '../../models/examples/twophase.js'
import peterson from '../../models/examples/peterson.js'
import dieHard from '../../models/examples/diehard.js'
import pageMigration from '../../models/page-migration.js'
import { randomModel } from '../helpers/randomModels.js'

const counts = (r: { stats: { distinct: number; generated: number; depth: number }; status: string }) => ({
  status: r.status,
  distinct: r.stats.distinct,
  generated: r.stats.generated,
  depth: r.stats.depth,
})

test('exact and fingerprint stores give the same counts and traces on the built-in models', async (t) => {
  const runs: [Parameters<typeof checkModel>[0], Record<string, unknown>][] = [
    [twoPhase, { rms: 5 }],
    [peterson, {}],
    [dieHard, {}],
    [pageMigration, { policy: 'odp' }],
    [pageMigration, { policy: 'odp-no-retry-check' }],
  ]
  for (const [model, params] of runs) {
    const exact = await checkModel(model, params, { store: 'exact', continue: true })
    const fp = await checkModel(model, params, { store: 'fingerprint', continue: true })
    t.deepEqual(counts(fp), counts(exact), model.name)
    t.is(fp.store, 'fingerprint')
    // TLC's optimistic estimate: n(n-1)/2 pairs of states, each colliding with probability 2^-64.
    const n = BigInt(fp.stats.distinct)
    const pairs = Number((n * (n - 1n)) / 2n)
    t.true(pairs > 0 && Math.abs(fp.collisionProbability! - pairs / 2 ** 64) <= 1e-12 * (pairs / 2 ** 64), model.name)
    t.is(exact.collisionProbability, undefined)
    t.deepEqual(
      fp.violations.map((v) => [v.property, v.trace.length]),
      exact.violations.map((v) => [v.property, v.trace.length]),
    )
  }
})

test('a store or memory budget the search cannot use is refused, naming the option', async (t) => {
  const bad: [CheckOptions, RegExp][] = [
    [{ store: 'bogus' as 'exact' }, /^store must be "exact", "fingerprint" or "auto", not "bogus"\.$/],
    [{ memoryMiB: -5 }, /^memoryMiB must be a positive number of MiB, not -5\.$/],
    [{ memoryMiB: 0 }, /not 0\.$/],
    [{ memoryMiB: Number.NaN }, /not NaN\.$/],
  ]
  for (const [options, message] of bad) {
    const e = await t.throwsAsync(checkModel(twoPhase, { rms: 3 }, options), { instanceOf: CheckerError, message })
    t.is(e?.code, 'BAD_PARAM')
  }
})

test('a memory budget past the machine\'s memory is taken, with a warning that it protects nothing', async (t) => {
  const machineMiB = totalmem() / 2 ** 20
  const r = await checkModel(twoPhase, { rms: 3 }, { memoryMiB: 2 * machineMiB })
  t.is(r.stats.distinct, 288)
  t.regex(r.warnings[0] ?? '', /^The memory budget \([\d,.]+ MiB\) is more than this machine's memory \([\d,]+ MiB\)/)
  t.deepEqual((await checkModel(twoPhase, { rms: 3 }, { memoryMiB: machineMiB / 4 })).warnings, [])
})

test('a memory budget stops an exact search incomplete, and switches auto (the default) to fingerprints', async (t) => {
  const full = await checkModel(twoPhase, { rms: 7 })
  t.is(full.store, 'exact')
  const stopped = await checkModel(twoPhase, { rms: 7 }, { store: 'exact', memoryMiB: 4 })
  t.is(stopped.status, 'incomplete')
  if (stopped.status === 'incomplete') t.is(stopped.stopReason, 'memory')
  t.true(stopped.stats.distinct < full.stats.distinct)
  t.deepEqual(
    stopped.warnings.filter((w) => /memory/.test(w)),
    [
      `The search ran out of memory at ${stopped.stats.distinct.toLocaleString('en-US')} distinct states: its visited set, ` +
        `queue and trace records hold ${stopped.warnings.join('').match(/hold (\d+\.\d) MiB/)?.[1]} MiB and could not grow ` +
        'within the budget of 4.0 MiB. Give it more (--memory, memoryMiB), or let it turn to fingerprints (--store auto).',
    ],
  )
  for (const auto of [
    await checkModel(twoPhase, { rms: 7 }, { store: 'auto', memoryMiB: 12 }),
    await checkModel(twoPhase, { rms: 7 }, { memoryMiB: 12 }),
  ]) {
    t.deepEqual(counts(auto), counts(full))
    t.is(auto.store, 'fingerprint')
    t.regex(auto.warnings.join('\n'), /Switched from exact states to fingerprints/)
  }
})

testProp(
  'on random models the fingerprint store finds what the exact store finds',
  [randomModel],
  async (t, m) => {
    const exact = await check(m.spec, m.props, { continue: true, store: 'exact' })
    const fp = await check(m.spec, m.props, { continue: true, store: 'fingerprint' })
    t.deepEqual(counts(fp), counts(exact), m.summary)
    t.deepEqual(
      fp.violations.map((v) => [v.property, v.trace.map((s) => s.state)]),
      exact.violations.map((v) => [v.property, v.trace.map((s) => s.state)]),
    )
  },
  { numRuns: 80 },
)

test('the liveness phase keeps to the memory budget: past it, temporal properties are reported unchecked', async (t) => {
  // 34,601 states; their behaviour graph needs about 4 MiB. At 3 MiB the graph the safety search
  // records gives way to the states, which stay exact: no switch to fingerprints.
  const params = { pages: 2, frames: 4, moves: 3, writes: 3 }
  const tight = await checkModel(pageMigration, params, { memoryMiB: 3 })
  if (tight.status !== 'incomplete') return t.fail(tight.status)
  t.is(tight.stopReason, 'memory')
  t.is(tight.stats.distinct, 34_601)
  t.is(tight.store, 'exact')
  t.deepEqual(tight.warnings, [
    'Temporal properties were not checked: their behaviour graph and its working arrays would pass the memory budget (3.0 MiB). Give it more (--memory, memoryMiB).',
  ])
  t.is(tight.stoppedIn, 'liveness')
  t.deepEqual(tight.checked.temporal, [])
  t.true(tight.unchecked?.includes('FaultResolves'), String(tight.unchecked))
  const roomy = await checkModel(pageMigration, params, { memoryMiB: 16 })
  // With room, every temporal property is checked (and holds: odp keeps them all).
  t.is(roomy.status, 'ok')
  t.deepEqual([roomy.checked.temporal, roomy.unchecked], [tight.unchecked, undefined])
})
