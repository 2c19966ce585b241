/**
 * Parallel search (search/parallel.ts) against the one-worker search: on complete runs the same
 * distinct and generated counts, depth and verdicts, and for every broken property a
 * counterexample of the same (shortest) length; on runs stopped by the first violation, a
 * property the one-worker search also finds broken, with a shortest trace. Over every built-in
 * model at its defaults (and every policy of the RDMA models) and over random models.
 */
import test, { type ExecutionContext } from 'ava'
import { testProp, fc } from '@fast-check/ava'
import { availableParallelism } from 'node:os'
import { check, checkModel, CheckerError, type AnyModel, type CheckResult, type Progress } from '../../checker/index.js'
import { builtinModels } from '../../models/registry.js'
import twoPhase from '../../models/examples/twophase.js'
import { TypeViolation } from '../../checker/encode/TypeViolation.js'
import { PropertyThrew, StrictFailure } from '../../checker/compile/evaluation.js'
import { deserializeError, serializeError } from '../../checker/search/workerProtocol.js'
import { randomModel } from '../helpers/randomModels.js'
import { workerModule } from '../helpers/workerModule.js'

const registry = new URL('../../models/registry.js', import.meta.url).href

/** A module a worker can load: a function from a random model's tables to its spec. */
const randomModule = workerModule(
  'randomSpec.mjs',
  `import { buildRandomModel } from ${JSON.stringify(new URL('../helpers/randomModels.js', import.meta.url).href)}\n` +
    'export default ({ shape, tables }) => { const m = buildRandomModel(shape, tables); return { spec: m.spec, props: m.props } }\n',
)

const summary = (r: CheckResult) => ({
  status: r.status,
  complete: r.complete,
  distinct: r.stats.distinct,
  generated: r.stats.generated,
  depth: r.stats.depth,
  left: r.stats.left,
  violations: r.violations.map((v) => [v.property, v.kind, v.trace.length, v.shortest]),
})

/** Every built-in model at its defaults, and every value of its matrix parameter. */
const cases: [AnyModel, Record<string, unknown>][] = builtinModels.flatMap((m) => {
  const rows = m.matrixParam === undefined ? [] : (m.params[m.matrixParam] as { values?: readonly string[] }).values ?? []
  return [[m, {}] as [AnyModel, Record<string, unknown>], ...rows.map((v) => [m, { [m.matrixParam!]: v }] as [AnyModel, Record<string, unknown>])]
})

test('two workers agree with one on every built-in model and policy', async (t) => {
  for (const [model, params] of cases) {
    const what = `${model.name} ${JSON.stringify(params)}`
    const source = { module: registry, name: model.name }
    const one = await checkModel(model, params, { continue: true })
    const two = await checkModel(model, params, { continue: true, workers: 2, source })
    t.deepEqual(summary(two), summary(one), what)
    t.is(two.workers, 2)
    if (one.violations.every((v) => v.kind === 'temporal')) continue
    // Stopped at the first violation: a property one worker finds broken too, with a shortest trace.
    // (Temporal violations are lassos from the liveness phase, which is not parallel.)
    const first = await checkModel(model, params, { workers: 2, source })
    t.is(first.status, one.status, what)
    for (const v of first.violations.filter((v) => v.kind !== 'temporal')) {
      t.is(v.trace.length, one.violations.find((w) => w.property === v.property)?.trace.length ?? -1, `${what}: ${v.property}`)
      t.true(v.shortest)
    }
  }
})

test('fingerprint store, state limit and a missing source with workers', async (t) => {
  const source = { module: registry, name: 'twophase' }
  const one = await checkModel(twoPhase, { rms: 6 })
  const fp = await checkModel(twoPhase, { rms: 6 }, { workers: 2, store: 'fingerprint', source })
  t.deepEqual(summary(fp), summary(one))
  t.is(fp.store, 'fingerprint')
  t.true(fp.collisionProbability !== undefined)
  const limited = await checkModel(twoPhase, { rms: 6 }, { workers: 2, maxStates: 1000, source })
  if (limited.status !== 'incomplete') return t.fail(limited.status)
  t.is(limited.stopReason, 'maxStates')
  t.true(limited.stats.distinct >= 1000 && limited.stats.left > 0)
  const err = await t.throwsAsync(check(twoPhase.build({ rms: 2 }), {}, { workers: 2 }))
  t.true(err instanceof CheckerError)
  t.regex(err!.message, /options\.source/)
})

test("with store 'auto', two workers turn to fingerprints when the exact set would pass the budget", async (t) => {
  // 174,172 states of 2 words: the exact set (12 bytes a slot) cannot double past 131,072 slots
  // within 3 MiB, a fingerprint set twice that size (8 bytes a slot) fits once the trace records
  // are on disk; one worker switches too, and completes.
  const model = builtinModels.find((m) => m.name === 'translation-table')!
  const params = { pages: 3, keys: 2 }
  const one = await checkModel(model, params)
  const budget = { store: 'auto', memoryMiB: 3 } as const
  t.is((await checkModel(model, params, budget)).store, 'fingerprint')
  const two = await checkModel(model, params, { ...budget, workers: 2, source: { module: registry, name: model.name } })
  t.deepEqual(summary(two), summary(one))
  t.is(two.store, 'fingerprint')
  t.regex(two.warnings.join('\n'), /^Switched from exact states to fingerprints at [\d,]+ distinct states \(memory budget 3 MiB\)\.$/m)
})

test('when the budget forbids a bigger shared set, two workers fill the one they have before they stop', async (t) => {
  // 2.6 MiB: the fingerprint set cannot double past 131,072 slots; the workers pause at 0.75 of
  // them (98,304 states), then go on to 0.85 (111,411, and the few inserted before all stop).
  const model = builtinModels.find((m) => m.name === 'translation-table')!
  const budget = { store: 'auto', memoryMiB: 2.6, workers: 2, source: { module: registry, name: model.name } } as const
  const r = await checkModel(model, { pages: 3, keys: 2 }, budget)
  if (r.status !== 'incomplete') return t.fail(r.status)
  t.is(r.stopReason, 'memory')
  t.true(r.stats.distinct >= Math.floor(0.85 * 131_072) && r.stats.distinct < 0.9 * 131_072, String(r.stats.distinct))
  t.regex(r.warnings.join('\n'), /^The search ran out of memory at [\d,]+ distinct states: .* within the budget of 2\.6 MiB\./m)
})

test('a budget too small for the smallest set two workers can share stops the search at once', async (t) => {
  // 65,536 slots of 3 words and one chunk of trace records: 1.1 MiB.
  const model = builtinModels.find((m) => m.name === 'translation-table')!
  const r = await checkModel(model, { pages: 3, keys: 2 }, { memoryMiB: 1, workers: 2, source: { module: registry, name: model.name } })
  if (r.status !== 'incomplete') return t.fail(r.status)
  t.is(r.stopReason, 'memory')
  t.deepEqual([r.stats.distinct, r.stats.left], [1, 1])
  t.deepEqual(r.warnings, [
    'The memory budget (1.0 MiB) is smaller than the smallest visited set 2 workers share with their trace records ' +
      '(1.1 MiB): give it more, or search with one worker.',
  ])
})

/** twophase at rms=7 (296,448 states) on two workers, twophase built by `module`: exact and fingerprint, the counts of one worker. */
async function twoPhase7AsOneWorker(t: ExecutionContext, module: string): Promise<void> {
  const one = await checkModel(twoPhase, { rms: 7 })
  for (const store of ['exact', 'fingerprint'] as const) {
    const two = await checkModel(twoPhase, { rms: 7 }, { workers: 2, store, source: { module, name: 'twophase' } })
    t.deepEqual(summary(two), summary(one), store)
  }
}

test('the shared set grows several times, each time its partitions moved by both workers', async (t) => {
  // The set starts at 65,536 slots and doubles three times, the workers sharing its 64
  // partitions each time.
  await twoPhase7AsOneWorker(t, registry)
})

test('a worker count that is not a positive integer, or is past the cores, is refused before anything starts', async (t) => {
  const most = Math.max(2, availableParallelism())
  for (const workers of [0, -1, 1.5, Number.NaN, most + 1]) {
    const e = await t.throwsAsync(checkModel(twoPhase, { rms: 3 }, { workers, source: { module: registry, name: 'twophase' } }), {
      instanceOf: CheckerError,
    })
    t.is(e?.code, 'BAD_PARAM', String(workers))
    t.regex(e?.message ?? '', workers === most + 1 ? /more than the \d+ cores? this process may use/ : /workers must be a positive integer/)
  }
  t.is((await checkModel(twoPhase, { rms: 3 }, { workers: most, source: { module: registry, name: 'twophase' } })).stats.distinct, 288)
})

test('a worker that cannot build the spec ends the search with an error that says where it looked', async (t) => {
  const missing = { module: registry, name: 'nosuch' }
  const e = await t.throwsAsync(checkModel(twoPhase, { rms: 3 }, { workers: 2, source: missing }), { instanceOf: CheckerError })
  t.is(e?.code, 'MODEL_LOAD')
  t.regex(e?.message ?? '', /could not build the spec from .*registry\.js: .*no model named "nosuch"/)
})

/** A module that takes `ms` to load, then exports the built-in models, or throws if `fails`. */
const slowRegistry = (name: string, ms: number, fails: boolean) =>
  workerModule(
    name,
    `await new Promise((resolve) => setTimeout(resolve, ${ms}))\n` +
      (fails ? "throw new Error('the module failed after loading for a while')\n" : '') +
      `export { builtinModels } from ${JSON.stringify(registry)}\n`,
  )
const lateRegistry = slowRegistry('lateRegistry.mjs', 400, false)
const failingRegistry = slowRegistry('failingRegistry.mjs', 300, true)

test('a thread that starts late joins the search under way, and the counts are those of one worker', async (t) => {
  // The worker in this thread searches the first levels alone.
  await twoPhase7AsOneWorker(t, lateRegistry)
})

test('a thread that cannot build the spec is reported, even when the search ended before it was ready', async (t) => {
  // 288 states: searched by the worker in this thread in milliseconds.
  const source = { module: failingRegistry, name: 'twophase' }
  const e = await t.throwsAsync(checkModel(twoPhase, { rms: 3 }, { workers: 2, source }), { instanceOf: CheckerError })
  t.is(e?.code, 'MODEL_LOAD')
  t.regex(e?.message ?? '', /could not build the spec from .*failingRegistry\.mjs: the module failed after loading for a while/)
})

test('what a worker caught crosses to the coordinator as the same kind of error, with what it says', (t) => {
  const across = (e: unknown) => deserializeError(structuredClone(serializeError(e)))
  const type = across(new TypeViolation('frames[2].use', 'gone', 'one of "free", "page"'))
  t.true(type instanceof TypeViolation)
  t.like(type, { path: 'frames[2].use', value: 'gone', expected: 'one of "free", "page"' })
  const threw = across(new PropertyThrew('NoLostWrite', new RangeError('index 9')))
  t.true(threw instanceof PropertyThrew)
  t.is((threw as PropertyThrew).property, 'NoLostWrite')
  t.like((threw as PropertyThrew).cause, { name: 'RangeError', message: 'index 9' })
  const strict = across(new StrictFailure('effect', '', 'wrote outside its draft'))
  t.true(strict instanceof StrictFailure)
  t.like(strict, { part: 'effect', property: '', what: 'wrote outside its draft' })
  // The symmetry audit refusing the model: check() throws it, as with one worker.
  const refused = across(new CheckerError('MODEL_DEFINITION', 'Model "Ring": not symmetric in P'))
  t.true(refused instanceof CheckerError)
  t.like(refused, { code: 'MODEL_DEFINITION', message: 'Model "Ring": not symmetric in P' })
  t.like(across('a string thrown'), { name: 'Error', message: 'a string thrown' })
})

test('workers whose source builds another spec than the one given refuse to search it, and say what differs', async (t) => {
  // Either would search the spec the source builds and answer for it: ok, where the spec given is broken.
  const source = { module: registry, name: 'twophase', params: { rms: 3 } }
  const broken = { invariants: { NoCommitYet: (s: any) => s.tmState !== 'done' } }
  t.is((await check(twoPhase.build({ rms: 3 }), broken)).status, 'violation')
  const props = await t.throwsAsync(check(twoPhase.build({ rms: 3 }), broken, { workers: 2, source }), { instanceOf: CheckerError })
  t.regex(props?.message ?? '', /differs from the one being checked in its properties/)
  const params = await t.throwsAsync(checkModel(twoPhase, { rms: 4 }, { workers: 2, source }), { instanceOf: CheckerError })
  t.regex(params?.message ?? '', /differs from the one being checked in its name and constants/)
  t.is((await checkModel(twoPhase, { rms: 3 }, { workers: 2, source })).stats.distinct, 288)
})

test('progress with two workers counts up to the final counts', async (t) => {
  const reports: Progress[] = []
  const r = await checkModel(twoPhase, { rms: 7 }, {
    workers: 2,
    source: { module: registry, name: 'twophase' },
    progressIntervalMs: 1,
    onProgress: (p) => reports.push(p),
  })
  t.true(reports.length >= 2, `${reports.length} reports`)
  reports.forEach((p, i) => {
    const before = reports[i - 1] ?? { distinct: 0, generated: 0, depth: 0 }
    t.true(p.distinct >= before.distinct && p.generated >= before.generated && p.depth >= before.depth, `report ${i} went back`)
    t.true(p.distinct <= r.stats.distinct && p.generated <= r.stats.generated && p.depth <= r.stats.depth, `report ${i} past the end`)
    t.true(p.left >= 0 && p.left <= p.distinct, `report ${i}: ${p.left} left of ${p.distinct}`)
  })
  // Counts published by the workers while the search runs, not only when a level ends.
  t.true(reports.some((p) => p.generated > 0 && p.generated < r.stats.generated))
})

test('a shared set that moves to a new buffer on the way (twophase rms=8) ends with the one-worker counts', async (t) => {
  // 1,745,408 states: the set doubles in place four times from 65,536 slots, filling the 16 times
  // their first size that its partitions' buffers reserve, moves every partition to a new buffer
  // as it grows by 1.25x to 1,310,720 slots, and grows in place three more times. The counts are those of one worker (also pinned by test/cli/resume.test.ts).
  const r = await checkModel(twoPhase, { rms: 8 }, { workers: 2, source: { module: registry, name: 'twophase' } })
  t.is(r.status, 'ok')
  t.deepEqual([r.stats.distinct, r.stats.generated, r.stats.depth, r.stats.left], [1_745_408, 18_507_778, 26, 0])
})

testProp(
  'on random models two workers agree with one',
  // Without waiting, a small model is searched by the worker in this thread alone, the other
  // still starting: waiting has both threads search it.
  [randomModel, fc.constantFrom<'exact' | 'fingerprint'>('exact', 'fingerprint'), fc.boolean()],
  async (t, m, store, waitForWorkers) => {
    const source = { module: randomModule, params: { shape: m.shape, tables: m.tables } }
    const one = await check(m.spec, m.props, { continue: true })
    const two = await check(m.spec, m.props, { continue: true, workers: 2, store, source, waitForWorkers })
    t.deepEqual(summary(two), summary(one), m.summary)
    const first = await check(m.spec, m.props, { workers: 2, store, source, waitForWorkers })
    t.is(first.status, one.status)
    for (const v of first.violations) {
      t.is(v.trace.length, one.violations.find((w) => w.property === v.property)?.trace.length ?? -1, `${m.summary}: ${v.property}`)
    }
  },
  { numRuns: 12 },
)
