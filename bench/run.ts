/**
 * `npm run bench`: scaled-up instances of the models, each checked in a process of its own with
 * one and two workers, exact and fingerprint storage; distinct states, states per second (wall
 * clock and per CPU second), peak RSS and bytes per state. The page-migration instance is also
 * checked by SPIN (bench/spin/page-migration.pml: same variables, actions and invariants) in the
 * same run, and the two must agree on the state count; the ratios mrcheck/SPIN are printed.
 * The page-migration and TwoPhase instances are checked once more with symmetry reduction, and
 * the two state counts and times are printed side by side; the page-migration instance once more
 * with every property, its temporal ones included, on one worker and on two, with the time of
 * the liveness phase.
 *
 * The machine may be shared: every figure is measured in this run, and the ratios against anchors
 * of the same run (SPIN, one worker) are what to compare across runs.
 *
 *   node dist/bench/run.js            the default set (a few minutes)
 *   node dist/bench/run.js --quick    smaller instances (a smoke test)
 *   node dist/bench/run.js --huge     adds a complete fingerprint run of 1.4 x 10^8 states (about ten
 *                                     minutes a run)
 *   node dist/bench/run.js --repeat 3 runs every mrcheck and SPIN measurement 3 times and keeps the
 *                                     fastest, so that a burst of load elsewhere on the machine does
 *                                     not decide a ratio; the runs that are compared (SPIN, one and
 *                                     two workers) take turns, in rounds, and the ratios are also
 *                                     printed per round, with their median
 */
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import type { ChildJob, ChildResult } from './child.js'
import { startupTimes } from './startup.js'

const usage = `usage: node dist/bench/run.js [--quick] [--huge] [--repeat N]   (npm run bench -- [options])
  --quick      smaller instances (a smoke test)
  --huge       adds a complete fingerprint run of 1.4 x 10^8 states (about ten minutes a run)
  --repeat N   runs every measurement N times, in rounds, and keeps the fastest`

/** The options, or a message on stderr and exit 2 for anything else. */
function options() {
  const refuse = (why: string): never => {
    console.error(`bench: ${why}\n${usage}`)
    process.exit(2)
  }
  let parsed
  try {
    parsed = parseArgs({
      options: { quick: { type: 'boolean' }, huge: { type: 'boolean' }, repeat: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }).values
  } catch (e) {
    return refuse((e as Error).message)
  }
  if (parsed.help) {
    console.log(usage)
    process.exit(0)
  }
  const repeat = Number(parsed.repeat ?? 1)
  if (!(Number.isInteger(repeat) && repeat >= 1)) refuse(`--repeat needs a whole number of runs, 1 or more, not ${parsed.repeat}`)
  return { quick: parsed.quick === true, huge: parsed.huge === true, repeat }
}
const { quick, huge, repeat } = options()
const child = fileURLToPath(new URL('./child.js', import.meta.url))
const pml = fileURLToPath(new URL('../../bench/spin/page-migration.pml', import.meta.url))

const n = (x: number) => Math.round(x).toLocaleString('en-US')
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`

function run(job: ChildJob): ChildResult {
  const r = spawnSync(process.execPath, [child, JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 1 << 24 })
  return resultOf(job, r.status, r.stdout, r.stderr)
}

function resultOf(job: ChildJob, status: number | null, stdout: string, stderr: string): ChildResult {
  const line = stdout.trim().split('\n').at(-1) ?? ''
  if (status !== 0 || !line.startsWith('{')) throw new Error(`benchmark run failed: ${JSON.stringify(job)}\n${stderr}`)
  return JSON.parse(line) as ChildResult
}

/**
 * Two runs of `job` at once, each in a process of its own: what the two cores give two searches
 * that share nothing, the most a two-worker search could get from them. (The two virtual cores
 * of the machine in bench/README.md were not always equally fast.)
 */
async function sideBySide(job: ChildJob): Promise<[ChildResult, ChildResult]> {
  const once = () =>
    new Promise<ChildResult>((resolve, reject) => {
      const p = spawn(process.execPath, [child, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      p.stdout.on('data', (d: Buffer) => (stdout += d))
      p.stderr.on('data', (d: Buffer) => (stderr += d))
      p.on('error', reject)
      p.on('close', (status) => {
        try {
          resolve(resultOf(job, status, stdout, stderr))
        } catch (e) {
          reject(e)
        }
      })
    })
  return Promise.all([once(), once()])
}

/** The fastest (by wall clock) of some results. */
const fastest = <R extends { wallMs: number }>(results: readonly R[]): R => results.reduce((a, b) => (b.wallMs < a.wallMs ? b : a))

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const m = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2
}

/**
 * Runs each of `runs` `repeat` times in rounds, every run once a round in the same order, so that
 * the runs compared with each other are measured a few minutes apart at most, under much the same
 * load from elsewhere. Returns each run's results, in round order.
 */
async function inRounds<T>(runs: readonly (() => T | Promise<T>)[]): Promise<T[][]> {
  const results = runs.map((): T[] => [])
  for (let round = 0; round < repeat; round++) for (const [i, once] of runs.entries()) results[i]!.push(await once())
  return results
}

/**
 * A ratio between runs, formatted: that of the fastest runs, and after several rounds also the
 * ratio within each round and the median of those.
 */
function ratio(of: (round: number | 'fastest') => number, unit = ''): string {
  const show = (x: number) => `${x.toFixed(2)}${unit}`
  if (repeat === 1) return show(of('fastest'))
  const each = Array.from({ length: repeat }, (_, i) => of(i))
  return `${show(of('fastest'))} (rounds ${each.map(show).join(', ')}; median ${show(median(each))})`
}

const baseline = (run({ instance: 'baseline', params: {}, options: {} }) as unknown as { peakRss: number }).peakRss

interface Row {
  readonly what: string
  readonly r: ChildResult
}
const rows: Row[] = []
/** Prints the fastest of a run's results as a row of the table. */
function report(what: string, results: readonly ChildResult[]): ChildResult {
  const r = fastest(results)
  rows.push({ what, r })
  const perS = (r.distinct * 1000) / r.wallMs
  const perCpuS = (r.distinct * 1000) / r.cpuMs
  const net = (r.peakRss - baseline) / r.distinct
  console.log(
    `${what.padEnd(52)} ${n(r.distinct).padStart(12)} states ${n(perS).padStart(10)}/s ${n(perCpuS).padStart(10)}/cpu-s ` +
      `RSS ${mib(r.peakRss).padStart(9)} ${net.toFixed(1).padStart(6)} B/state (above the ${mib(baseline)} baseline)`,
  )
  return r
}

/** Runs and reports jobs, in rounds; returns each one's results, in round order. */
async function measure(jobs: readonly (readonly [string, ChildJob])[]): Promise<ChildResult[][]> {
  const results = await inRounds(jobs.map(([, job]) => () => run(job)))
  jobs.forEach(([what], i) => report(what, results[i]!))
  return results
}

interface Spin {
  readonly stored: number
  readonly transitions: number
  readonly wallMs: number
  readonly cpuMs: number
  readonly peakRss: number
  readonly stateBytes: number
}

/**
 * Builds SPIN's verifier for the Promela page-migration at these sizes, in a temporary directory
 * that `close` removes, and returns how to run it once (`expected`: the state count, for its hash
 * table); undefined when SPIN is missing.
 */
function spin(
  p: { pages: number; frames: number; moves: number; writes: number },
  expected: () => number,
): { once: () => Spin; close: () => void } | undefined {
  const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0
  if (!which('spin') || !which('gcc')) {
    console.log('SPIN or gcc is not installed; skipping the SPIN anchor. Install them with: apt-get install -y spin gcc')
    return undefined
  }
  const dir = mkdtempSync(join(tmpdir(), 'mrcheck-spin-'))
  const close = () => rmSync(dir, { recursive: true, force: true })
  try {
    copyFileSync(pml, join(dir, 'model.pml'))
    const defs = [`-DPAGES=${p.pages}`, `-DFRAMES=${p.frames}`, `-DMOVES=${p.moves}`, `-DWRITES=${p.writes}`]
    const sh = (cmd: string, argv: string[]) => {
      const r = spawnSync(cmd, argv, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 })
      if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed:\n${r.stdout}\n${r.stderr}`)
      return r.stdout + r.stderr
    }
    sh('spin', [...defs, '-a', 'model.pml'])
    sh('gcc', ['-O2', '-DNOREDUCE', '-DSAFETY', '-DMEMLIM=16384', '-o', 'pan', 'pan.c'])
    const timed = existsSync('/usr/bin/time')
    const once = (): Spin => {
      // A hash table with about two slots per state, and a large depth bound.
      const w = Math.max(18, Math.ceil(Math.log2(expected() * 2)))
      const t0 = Date.now()
      const out = timed
        ? sh('/usr/bin/time', ['-f', 'RUSAGE %e %U %S %M', './pan', '-m10000000', `-w${w}`])
        : sh('./pan', ['-m10000000', `-w${w}`])
      const wallMs = Date.now() - t0
      const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN)
      const rusage = /RUSAGE (\S+) (\S+) (\S+) (\S+)/.exec(out)
      return {
        stored: num(/(\d+) states, stored/),
        transitions: num(/(\d+) transitions/),
        wallMs,
        cpuMs: rusage ? (Number(rusage[2]) + Number(rusage[3])) * 1000 : wallMs,
        peakRss: rusage ? Number(rusage[4]) * 1024 : num(/([\d.]+)\s+total actual memory usage/) * 2 ** 20,
        stateBytes: num(/([\d.]+)\s+actual memory usage for states/) * 2 ** 20,
      }
    }
    return { once, close }
  } catch (e) {
    close()
    throw e
  }
}

console.log(
  `mrcheck benchmark (node ${process.version}); process baseline RSS ${mib(baseline)}` +
    `${repeat > 1 ? `; each figure the fastest of ${repeat} runs` : ''}\n`,
)

// 0. Start-up of `mrcheck check` on a small model: built in, and a user's .ts file.
const startup = startupTimes(Math.max(5, repeat))
console.log(
  `Start-up (mrcheck check on a small model, fastest of ${Math.max(5, repeat)}): built-in ${startup.builtin.toFixed(2)} s, ` +
    `.ts model file ${startup.typescript.toFixed(2)} s (target: under 0.4 s)\n`,
)

// 1. page-migration, odp, the instance SPIN checks too (invariants only on both sides).
const pm = quick ? { pages: 3, frames: 5, moves: 3, writes: 3 } : { pages: 4, frames: 6, moves: 3, writes: 3 }
const pmJob = (options: ChildJob['options'], check: 'invariants' | 'all' = 'invariants'): ChildJob => ({
  instance: 'pageMigration',
  params: { ...pm, check },
  options,
})
const label = `page-migration odp ${pm.pages}p/${pm.frames}f/${pm.moves}m/${pm.writes}w`
// The four mrcheck runs, two one-worker runs side by side, and SPIN take turns, in rounds. SPIN
// sizes its table by the state count of the first run.
const pmJobs = [
  [`${label} exact 1 worker`, pmJob({ store: 'exact' })],
  [`${label} exact 2 workers`, pmJob({ store: 'exact', workers: 2 })],
  [`${label} fingerprint 1 worker`, pmJob({ store: 'fingerprint' })],
  [`${label} fingerprint 2 workers`, pmJob({ store: 'fingerprint', workers: 2 })],
] as const
let pmDistinct = 0
const pan = spin(pm, () => pmDistinct)
let pmRuns: ChildResult[][]
let pairs: [ChildResult, ChildResult][]
let spinRuns: Spin[] = []
try {
  const all = await inRounds<ChildResult | [ChildResult, ChildResult] | Spin>([
    ...pmJobs.map(([, job]) => () => {
      const r = run(job)
      pmDistinct = r.distinct
      return r
    }),
    () => sideBySide(pmJobs[2][1]),
    ...(pan === undefined ? [] : [pan.once]),
  ])
  pmRuns = all.slice(0, pmJobs.length) as ChildResult[][]
  pairs = all[pmJobs.length] as [ChildResult, ChildResult][]
  spinRuns = (all[pmJobs.length + 1] ?? []) as Spin[]
} finally {
  pan?.close()
}
pmJobs.forEach(([what], i) => report(what, pmRuns[i]!))
const pmExact1 = fastest(pmRuns[0]!)
/** Run `i` of the page-migration jobs in a round, or its fastest. */
const pmIn = (i: number, round: number | 'fastest') => (round === 'fastest' ? fastest(pmRuns[i]!) : pmRuns[i]![round]!)
if (spinRuns.length > 0) {
  const s = fastest(spinRuns)
  const spinIn = (round: number | 'fastest') => (round === 'fastest' ? s : spinRuns[round]!)
  console.log(
    `${'SPIN 6 (pan -DNOREDUCE, full state storage)'.padEnd(52)} ${n(s.stored).padStart(12)} states ` +
      `${n((s.stored * 1000) / s.wallMs).padStart(10)}/s ${n((s.stored * 1000) / s.cpuMs).padStart(10)}/cpu-s ` +
      `RSS ${mib(s.peakRss).padStart(9)} ${(s.peakRss / s.stored).toFixed(1).padStart(6)} B/state ` +
      `(${(s.stateBytes / s.stored).toFixed(1)} B/state in its state store)`,
  )
  // SPIN stores one more state and runs one more transition: its init process before the d_step
  // that sets up the initial state.
  const agree = spinRuns.every((r) => r.stored === pmExact1.distinct + 1 && r.transitions === pmExact1.generated + 1)
  console.log(
    `  state counts ${agree ? 'agree' : 'DIFFER'}: SPIN ${n(s.stored)} stored / ${n(s.transitions)} transitions, ` +
      `mrcheck ${n(pmExact1.distinct)} distinct + 1 / ${n(pmExact1.generated)} generated + 1`,
  )
  const against = (i: number) => {
    const mine = pmIn(i, 'fastest')
    const wall = ratio((round) => (pmIn(i, round).distinct / pmIn(i, round).wallMs) / (spinIn(round).stored / spinIn(round).wallMs))
    const cpu = ratio((round) => (pmIn(i, round).distinct / pmIn(i, round).cpuMs) / (spinIn(round).stored / spinIn(round).cpuMs))
    return (
      `states/s by wall clock ${wall}, by CPU ${cpu}; ` +
      `bytes/state (net RSS) ${((mine.peakRss - baseline) / mine.distinct / (s.peakRss / s.stored)).toFixed(2)}`
    )
  }
  console.log(`  mrcheck/SPIN, exact, 1 worker:        ${against(0)}`)
  console.log(`  mrcheck/SPIN, exact, 2 workers:       ${against(1)}`)
  console.log(`  mrcheck/SPIN, fingerprint, 1 worker:  ${against(2)}`)
  console.log(`  mrcheck/SPIN, fingerprint, 2 workers: ${against(3)}`)
  if (!agree) process.exitCode = 1
}
/** Wall-clock speed-up of two workers over one, from each one's results. */
const speedup = (one: readonly ChildResult[], two: readonly ChildResult[]) =>
  ratio((round) => (round === 'fastest' ? fastest(one).wallMs / fastest(two).wallMs : one[round]!.wallMs / two[round]!.wallMs), 'x')
console.log(`  2 workers / 1 worker (wall): exact ${speedup(pmRuns[0]!, pmRuns[1]!)}, fingerprint ${speedup(pmRuns[2]!, pmRuns[3]!)}`)
// What the two cores gave two independent fingerprint searches in each round, as a multiple of one
// search alone in the same round (the sum of the two rates: each core kept busy).
const rate = (r: ChildResult) => r.distinct / r.wallMs
const pairRate = ([a, b]: readonly [ChildResult, ChildResult]) => rate(a) + rate(b)
const bestPair = pairs.reduce((a, b) => (pairRate(b) > pairRate(a) ? b : a))
const ceiling = ratio((round) => (round === 'fastest' ? pairRate(bestPair) : pairRate(pairs[round]!)) / rate(pmIn(2, round)), 'x')
const seconds = bestPair.map((r) => `${(r.wallMs / 1000).toFixed(1)} s`).join(' and ')
console.log(`  two fingerprint 1-worker runs side by side (${seconds}) / one alone: ${ceiling}, the most two workers could reach on these two cores now`)
// How much of that the parallel search gets: its rate over the two independent searches' summed rate.
const share = ratio((round) => (round === 'fastest' ? rate(pmIn(3, 'fastest')) / pairRate(bestPair) : rate(pmIn(3, round)) / pairRate(pairs[round]!)))
console.log(`  fingerprint 2 workers / the two runs side by side: ${share}\n`)

// 2. Two classics.
const tp = { rms: quick ? 6 : 8 }
const [tp1, tp2] = (await measure([
  [`twophase rms=${tp.rms} exact 1 worker`, { instance: 'twoPhase', params: tp, options: { store: 'exact' } }],
  [`twophase rms=${tp.rms} exact 2 workers`, { instance: 'twoPhase', params: tp, options: { store: 'exact', workers: 2 } }],
])) as [ChildResult[], ChildResult[]]
console.log(`  2 workers / 1 worker (wall): ${speedup(tp1, tp2)}\n`)
const fl = { n: quick ? 6 : 7 }
const [fl1, fl2] = (await measure([
  [`filter-lock n=${fl.n} exact 1 worker`, { instance: 'filterLock', params: fl, options: { store: 'exact' } }],
  [`filter-lock n=${fl.n} exact 2 workers`, { instance: 'filterLock', params: fl, options: { store: 'exact', workers: 2 } }],
])) as [ChildResult[], ChildResult[]]
console.log(`  2 workers / 1 worker (wall): ${speedup(fl1, fl2)}\n`)

// 3. Symmetry reduction: the same instances, one state per orbit of their symmetric sets.
const [pmSym, tpSym] = (
  await measure([
    [`${label} exact 1 worker, symmetry`, pmJob({ store: 'exact', symmetry: true })],
    [`twophase rms=${tp.rms} exact 1 worker, symmetry`, { instance: 'twoPhase', params: tp, options: { store: 'exact', symmetry: true } }],
  ])
).map(fastest) as [ChildResult, ChildResult]
const side = (what: string, plain: ChildResult, reduced: ChildResult) =>
  console.log(
    `  ${what.padEnd(34)} without ${n(plain.distinct).padStart(10)} states ${(plain.wallMs / 1000).toFixed(1).padStart(6)} s, ` +
      `with ${n(reduced.distinct).padStart(8)} states ${(reduced.wallMs / 1000).toFixed(1).padStart(5)} s: ` +
      `${(plain.distinct / reduced.distinct).toFixed(1)}x fewer states, ${(plain.wallMs / reduced.wallMs).toFixed(1)}x less time`,
  )
side(label, pmExact1, pmSym)
side(`twophase rms=${tp.rms}`, fastest(tp1), tpSym)
console.log('')

// 4. Fingerprint storage at 10^7 states (stopped there): resident bytes per state.
const at = quick ? 1_000_000 : 10_000_000
const bigJob = (moves: number, maxStates?: number): ChildJob => ({
  instance: 'pageMigration',
  params: { pages: 5, frames: 7, moves, writes: moves },
  options: { store: 'fingerprint', ...(maxStates === undefined ? {} : { maxStates }) },
})
const fpBig = fastest((await measure([[`page-migration 5p/7f/4m/4w fingerprint, first ${n(at)}`, bigJob(4, at)]]))[0]!)
console.log(`  fingerprint store at ${n(fpBig.distinct)} states: ${((fpBig.peakRss - baseline) / fpBig.distinct).toFixed(1)} bytes/state above the baseline\n`)

// 5. Every property of the page-migration instance, its temporal ones included: the safety search
// records the behaviour graph, and the liveness phase searches it for fair cycles.
const lives = await measure([
  [`${label} exact 1 worker, every property`, pmJob({ store: 'exact' }, 'all')],
  [`${label} exact 2 workers, every property`, pmJob({ store: 'exact', workers: 2 }, 'all')],
])
lives.map(fastest).forEach((live, i) =>
  console.log(
    `  ${i + 1} worker${i === 0 ? ': ' : 's:'} ${(live.wallMs / 1000).toFixed(1)} s in all, the safety search ${(live.safetyMs / 1000).toFixed(1)} s, ` +
      `the liveness phase ${((live.wallMs - live.safetyMs) / 1000).toFixed(1)} s (${(live.wallMs / live.safetyMs - 1).toFixed(2)}x the safety search)`,
  ),
)
console.log('')

if (huge) {
  // The whole of an instance past 10^8 states. One worker: its fingerprint set is the compact one
  // (the shared set doubles).
  const r = fastest((await measure([['page-migration 5p/7f/5m/5w fingerprint, complete', bigJob(5)]]))[0]!)
  console.log(`  ${r.status}, collision probability ${r.collisionProbability?.toExponential(1)}\n`)
}

