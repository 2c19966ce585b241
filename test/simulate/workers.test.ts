/**
 * Simulation on several walker threads: each walker walks its share of the runs with a seed of its
 * own, the violation reported is one walker's and repeats alone from its seed, the states met are
 * counted once over all walkers; and the stop conditions of a long simulation (time limit, Ctrl-C)
 * end it with a summary of what was covered.
 */
import test from 'ava'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { compileSpec, instantiate, simulate, CheckerError, type SimulationProgress } from '../../checker/index.js'
import { FastWalker } from '../../checker/simulate/fastWalk.js'
import { runSeed, walkerRuns, walkerSeed } from '../../checker/simulate/seeds.js'
import { builtinModels } from '../../models/registry.js'
import { workerModule } from '../helpers/workerModule.js'

const registry = new URL('../../models/registry.js', import.meta.url).href
const root = fileURLToPath(new URL('../../../', import.meta.url))
const model = (name: string) => builtinModels.find((m) => m.name === name)!

test('two walkers: the violation names its walker, whose seed and runs repeat it on one worker', async (t) => {
  const params = { policy: 'naive' }
  const { spec, props } = instantiate(model('page-migration'), params)
  const source = { module: registry, name: 'page-migration', params }
  const two = await simulate(spec, props, { runs: 400, steps: 100, seed: 3, workers: 2, source })
  if (two.status !== 'violation') return t.fail(two.status)
  t.is(two.options.workers, 2)
  const { index, seed, runs } = two.walker
  t.is(seed, walkerSeed(3, index))
  t.is(runs, 200)
  t.regex(two.violation.message, new RegExp(`\\(simulation run ${two.run} of seed ${seed}`))
  const alone = await simulate(spec, props, { runs, steps: 100, seed })
  if (alone.status !== 'violation') return t.fail(alone.status)
  t.is(alone.run, two.run)
  t.deepEqual(alone.violation, two.violation)
  t.deepEqual(alone.walker, { index: 0, seed, runs })
})

test('one walker in a thread of its own (options.thread) walks as the walks in this thread do', async (t) => {
  const params = { policy: 'naive' }
  const { spec, props } = instantiate(model('page-migration'), params)
  const source = { module: registry, name: 'page-migration', params }
  const here = await simulate(spec, props, { runs: 300, steps: 100, seed: 5 })
  const threaded = await simulate(spec, props, { runs: 300, steps: 100, seed: 5, thread: true, source })
  if (here.status !== 'violation' || threaded.status !== 'violation') return t.fail(`${here.status}, ${threaded.status}`)
  t.deepEqual(threaded.violation, here.violation)
  t.deepEqual([threaded.run, threaded.walker, threaded.options], [here.run, here.walker, here.options])
  t.deepEqual({ ...threaded.stats, durationMs: 0 }, { ...here.stats, durationMs: 0 })
  const e = await t.throwsAsync(simulate(spec, props, { runs: 3, thread: true }), { instanceOf: CheckerError })
  t.regex(e!.message, /options\.thread\) needs options\.source/)
})

test('two walkers: every run and step is counted, and the states met over both once each', async (t) => {
  const { spec, props } = instantiate(model('translation-table'), {})
  const source = { module: registry, name: 'translation-table' }
  const two = await simulate(spec, props, { runs: 61, steps: 30, seed: 9, workers: 2, source })
  if (two.status !== 'ok') return t.fail(two.status)
  t.is(two.stats.runs, 61)
  // The reference: each walker's walks taken here, their states' fingerprints in one JavaScript Set.
  const c = compileSpec(spec, props)
  const union = new Set<string>()
  let steps = 0
  for (let w = 0; w < 2; w++) {
    const walker = new FastWalker(c)
    walker.fresh.keep = true
    for (let r = 0; r < walkerRuns(61, 2, w); r++) walker.walk(runSeed(walkerSeed(9, w), r), 30)
    steps += walker.steps
    const lanes = walker.fresh.take()
    for (let i = 0; i < lanes.length; i += 2) union.add(`${lanes[i]},${lanes[i + 1]}`)
  }
  t.is(two.stats.steps, steps)
  t.is(two.stats.distinct, union.size)
  t.true(union.size > 100)
})

test('several workers need a source, and no more workers than cores', async (t) => {
  const { spec, props } = instantiate(model('diehard'), {})
  await t.throwsAsync(simulate(spec, props, { workers: 2 }), { instanceOf: CheckerError, message: /needs options.source/ })
  await t.throwsAsync(simulate(spec, props, { workers: 100_000 }), { instanceOf: CheckerError, message: /more than the \d+ cores?/ })
})

test('a time limit ends the walks with what they covered, and progress is reported on the way', async (t) => {
  const { spec, props } = instantiate(model('twophase'), {})
  const seen: SimulationProgress[] = []
  for (const workers of [1, 2]) {
    seen.length = 0
    const source = { module: registry, name: 'twophase' }
    const r = await simulate(spec, props, { runs: 1e9, steps: 50, seed: 1, timeoutMs: 4000, workers, source, onProgress: (p) => seen.push(p), progressIntervalMs: 300 })
    t.is(r.status, 'ok')
    t.is(r.stopped, 'timeout')
    // Walker threads build the spec first, which can take the whole limit on a loaded machine.
    t.true((workers === 1 ? r.stats.runs > 0 : true) && r.stats.runs < 1e9, JSON.stringify(r.stats))
    t.true(r.stats.durationMs < 15_000, JSON.stringify(r.stats))
    t.true(seen.length > 0, `progress with ${workers} workers`)
    t.true(seen.at(-1)!.steps <= r.stats.steps)
  }
})

/** A module that takes a minute to load in a walker thread (and no time here), then exports the built-in models. */
const slowToStart = workerModule(
  'slowToStart.mjs',
  "import { isMainThread } from 'node:worker_threads'\n" +
    'if (!isMainThread) await new Promise((resolve) => setTimeout(resolve, 60_000))\n' +
    `export { builtinModels } from ${JSON.stringify(registry)}\n`,
)

test('a time limit stops within a walk, on one worker and on two, and counts the walker threads\' start-up', async (t) => {
  // twophase walks on forever: a walk of 10^9 steps would take minutes, even remembered.
  const { spec, props } = instantiate(model('twophase'), {})
  for (const [workers, module] of [[1, registry], [2, registry], [2, slowToStart]] as const) {
    const what = `${workers} worker(s) from ${module.slice(module.lastIndexOf('/') + 1)}`
    // Walker threads from the registry are likely to start walking in 2 s, even on a loaded machine.
    const timeoutMs = module === registry ? 2000 : 300
    const r = await simulate(spec, props, { runs: 2, steps: 1e9, seed: 1, timeoutMs, workers, source: { module, name: 'twophase' } })
    t.is(r.stopped, 'timeout', what)
    t.is(r.stats.runs, 0, what)
    t.true(r.stats.durationMs < timeoutMs + 8000, `${what}: ${JSON.stringify(r.stats)}`)
    if (workers === 1) t.true(r.stats.steps > 0, what)
    if (module === slowToStart) t.is(r.stats.steps, 0, what)
  }
})

test('Ctrl-C (the signal) stops within a walk, on one worker and on two, and ends walker threads still starting', async (t) => {
  const { spec, props } = instantiate(model('twophase'), {})
  for (const [workers, module] of [[1, registry], [2, registry], [2, slowToStart]] as const) {
    const what = `${workers} worker(s) from ${module.slice(module.lastIndexOf('/') + 1)}`
    const stop = new AbortController()
    setTimeout(() => stop.abort(), 300)
    const r = await simulate(spec, props, { runs: 2, steps: 1e9, seed: 1, signal: stop.signal, workers, source: { module, name: 'twophase' } })
    t.is(r.stopped, 'interrupted', what)
    t.is(r.stats.runs, 0, what)
    t.true(r.stats.durationMs < 10_000, `${what}: ${JSON.stringify(r.stats)}`)
  }
})

/** Runs the CLI, sends it SIGINT once it has printed a progress line with steps; its exit code and output. */
const interrupted = (...args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['dist/bundle/mrcheck.js', ...args], { cwd: root })
    let stdout = ''
    let stderr = ''
    let sent = false
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => {
      stderr += d
      // Once some steps were taken: walker threads may still be building the spec at the first line.
      if (!sent && /Simulation at \d+s: [\d,]+ runs, [1-9]/.test(stderr)) sent = child.kill('SIGINT')
    })
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })

test('mrcheck simulate: Ctrl-C ends the walks with a summary of what they covered, on one worker and on two', async (t) => {
  for (const workers of ['1', '2']) {
    const r = await interrupted('simulate', 'twophase', '--runs', '1000000000', '--seed', '2', '--workers', workers, '--progress', '--json')
    t.is(r.code, 0, r.stderr)
    t.regex(r.stderr, /Interrupted: stopping the walks where they are/)
    t.regex(r.stderr, /no violation found in [\d,]+ runs of up to 100 steps \(stopped early: interrupted\)/)
    const doc = JSON.parse(r.stdout)
    t.is(doc.stopped, 'interrupted')
    t.is(doc.options.workers, Number(workers))
    t.true(doc.stats.steps > 0)
  }
})
