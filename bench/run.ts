/**
 * `npm run bench`: scaled-up instances of the models, each checked in a process of its own;
 * distinct states, time, peak RSS and bytes per state. The page-migration instance is also checked
 * by SPIN (bench/spin/page-migration.pml: same variables, actions and invariants), without and
 * with partial-order reduction on both sides, timed alike: whole processes, pinned to the same
 * core, each tool's own search time beside it, and pan's depth bound sized from the depth the
 * model reaches. device-removal is checked without and with partial-order reduction. The
 * page-migration and TwoPhase instances are checked once more with symmetry reduction; the
 * page-migration instance once more with every property, temporal ones included.
 *
 * The machine may be shared: every figure is measured in this run, and the ratios against anchors
 * of the same run (SPIN, one worker) are what to compare across runs.
 *
 *   node dist/bench/run.js              the default set (a few minutes)
 *   node dist/bench/run.js --quick      smaller instances (a smoke test)
 *   node dist/bench/run.js --at-2e7     adds fingerprint against exact storage on the first 2 x 10^7
 *                                       states of page-migration 5p/7f/4m/4w (about two minutes a run)
 *   node dist/bench/run.js --huge       adds a complete fingerprint run of 1.4 x 10^8 states (about ten
 *                                       minutes a run)
 *   node dist/bench/run.js --workers 1,2,4,8,16
 *                                       the worker counts of page-migration (default 1,2), for the
 *                                       speed-up and parallel efficiency per count
 *   node dist/bench/run.js --cluster    only the cluster search through Redis (bench/cluster.ts)
 *   node dist/bench/run.js --repeat 3   runs every measurement 3 times, the compared runs taking
 *                                       turns in rounds, and keeps the fastest; ratios are also
 *                                       printed per round, with their median
 */
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import type { ChildJob, ChildResult } from './child.js'
import { startupTimes } from './startup.js'
import { simulationRates } from './simulation.js'
import { clusterBench } from './cluster.js'

const usage = `usage: node dist/bench/run.js [--quick] [--at-2e7] [--huge] [--workers LIST] [--repeat N]   (npm run bench -- [options])
  --quick         smaller instances (a smoke test)
  --at-2e7        adds fingerprint against exact storage on the first 2 x 10^7 states of page-migration 5p/7f/4m/4w
  --huge          adds a complete fingerprint run of 1.4 x 10^8 states (about ten minutes a run)
  --workers LIST  worker counts of page-migration, comma-separated (default 1,2)
  --repeat N      runs every measurement N times, in rounds, and keeps the fastest
  --cluster       only page-migration through Redis with 1, 2, 4 worker processes against in-process workers, in at least 3 rounds`

/** The options, or a message on stderr and exit 2 for anything else. */
function options() {
  const refuse = (why: string): never => {
    console.error(`bench: ${why}\n${usage}`)
    process.exit(2)
  }
  let parsed
  try {
    parsed = parseArgs({
      options: {
        quick: { type: 'boolean' },
        'at-2e7': { type: 'boolean' },
        huge: { type: 'boolean' },
        workers: { type: 'string' },
        repeat: { type: 'string' },
        cluster: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
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
  const workers = (parsed.workers ?? '1,2').split(',').map(Number)
  if (!workers.every((w) => Number.isInteger(w) && w >= 1) || workers[0] !== 1) {
    refuse(`--workers needs whole numbers of workers starting with 1 (1,2,4), not ${parsed.workers}`)
  }
  return { quick: parsed.quick === true, at2e7: parsed['at-2e7'] === true, huge: parsed.huge === true, repeat, workers, cluster: parsed.cluster === true }
}
const { quick, at2e7, huge, repeat, workers, cluster } = options()
if (cluster) {
  await clusterBench(quick, repeat)
  process.exit(0)
}
const child = fileURLToPath(new URL('./child.js', import.meta.url))
const pml = fileURLToPath(new URL('../../bench/spin/page-migration.pml', import.meta.url))

const n = (x: number) => Math.round(x).toLocaleString('en-US')
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`

/**
 * The cores a run is pinned to: one-worker runs and SPIN share the last core, a run of w workers
 * takes the first w. Without taskset (or with fewer cores) runs are not pinned.
 */
const cores = availableParallelism()
const hasTaskset = spawnSync('sh', ['-c', 'command -v taskset']).status === 0
const pinned = (w: number): string[] =>
  !hasTaskset || w > cores ? [] : ['taskset', '-c', w === 1 ? String(cores - 1) : `0-${w - 1}`]

/** A benchmark run's result, with the wall time of its whole process (start-up included). */
interface Timed extends ChildResult {
  readonly processMs: number
}

function run(job: ChildJob): Timed {
  const argv = [...pinned(job.options.workers ?? 1), process.execPath, child, JSON.stringify(job)]
  const t0 = performance.now()
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 24 })
  const processMs = performance.now() - t0
  return { ...resultOf(job, r.status, r.stdout, r.stderr), processMs }
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

/** Prints the fastest of a run's results as a row of the table. */
function report(what: string, results: readonly Timed[]): Timed {
  const r = fastest(results)
  const perS = (r.distinct * 1000) / r.wallMs
  const net = (r.peakRss - baseline) / r.distinct
  console.log(
    `${what.padEnd(50)} ${n(r.distinct).padStart(11)} states  process ${sec(r.processMs).padStart(8)}  search ${sec(r.wallMs).padStart(8)} ` +
      `${n(perS).padStart(10)}/s  RSS ${mib(r.peakRss).padStart(9)} ${net.toFixed(1).padStart(6)} B/state (above the ${mib(baseline)} baseline)`,
  )
  return r
}

/** Runs and reports jobs, in rounds; returns each one's results, in round order. */
async function measure(jobs: readonly (readonly [string, ChildJob])[]): Promise<Timed[][]> {
  const results = await inRounds(jobs.map(([, job]) => () => run(job)))
  jobs.forEach(([what], i) => report(what, results[i]!))
  return results
}

interface Spin {
  readonly stored: number
  readonly transitions: number
  readonly depth: number
  /** The whole process, and pan's own "elapsed time" (its search). */
  readonly processMs: number
  readonly wallMs: number
  readonly peakRss: number
  readonly stateBytes: number
}

/**
 * Builds SPIN's verifier for the Promela page-migration at these sizes, in a temporary directory
 * that `close` removes, without partial-order reduction (-DNOREDUCE) and with SPIN's default one;
 * `once(reduce)` runs one of them, with a hash table of about two slots per state of `expected()`
 * and a depth bound of twice `depth()` plus 100 (pan's search stack is allocated for the whole
 * bound: ten million cost it about 460 MB and over a second). Undefined when SPIN is missing.
 */
function spin(
  p: { pages: number; frames: number; moves: number; writes: number },
  expected: () => number,
  depth: () => number,
): { once: (reduce: boolean) => Spin; close: () => void } | undefined {
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
    sh('gcc', ['-O2', '-DNOREDUCE', '-DSAFETY', '-DMEMLIM=16384', '-o', 'pan-full', 'pan.c'])
    sh('gcc', ['-O2', '-DSAFETY', '-DMEMLIM=16384', '-o', 'pan-reduced', 'pan.c'])
    const timed = existsSync('/usr/bin/time')
    const once = (reduce: boolean): Spin => {
      const w = Math.max(18, Math.ceil(Math.log2(expected() * 2)))
      const pan = [reduce ? './pan-reduced' : './pan-full', `-m${2 * depth() + 100}`, `-w${w}`]
      const argv = [...pinned(1), ...(timed ? ['/usr/bin/time', '-f', 'RUSAGE %e %U %S %M'] : []), ...pan]
      const t0 = performance.now()
      const out = sh(argv[0]!, argv.slice(1))
      const processMs = performance.now() - t0
      if (/max search depth too small/.test(out)) throw new Error(`pan's depth bound was too small:\n${out}`)
      const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN)
      const rusage = /RUSAGE (\S+) (\S+) (\S+) (\S+)/.exec(out)
      return {
        stored: num(/(\d+) states, stored/),
        transitions: num(/(\d+) transitions/),
        depth: num(/depth reached (\d+)/),
        processMs,
        wallMs: num(/elapsed time ([\d.e+-]+) seconds/) * 1000,
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
    `${repeat > 1 ? `; each figure the fastest of ${repeat} runs` : ''}; ` +
    (hasTaskset ? `one-worker runs and SPIN pinned to core ${cores - 1}, w workers to cores 0 to w-1\n` : 'no taskset: runs are not pinned\n'),
)

// 0. Start-up of `mrcheck check` on a small model: built in, and a user's .ts file.
const startup = startupTimes(Math.max(5, repeat))
console.log(
  `Start-up (mrcheck check on a small model, fastest of ${Math.max(5, repeat)}): built-in ${startup.builtin.toFixed(2)} s, ` +
    `.ts model file ${startup.typescript.toFixed(2)} s (target: under 0.4 s; ${startup.typescriptFirst.toFixed(2)} s on its first check, bundled by esbuild)\n`,
)

// 1. page-migration, odp, the instance SPIN checks too (invariants only on both sides).
const pm = quick ? { pages: 3, frames: 5, moves: 3, writes: 3 } : { pages: 4, frames: 6, moves: 3, writes: 3 }

const plural = (w: number) => `${w} worker${w === 1 ? '' : 's'}`

// 0b. Simulation of the same instance (every property it checks): steps per second, 1 worker and every core.
const simRuns = quick ? 2000 : 20000
const simWorkers = [...new Set([1, Math.max(2, cores)])]
for (const r of simulationRates(pm, simRuns, simWorkers, repeat, pinned)) {
  console.log(
    `Simulation of page-migration ${pm.pages}p/${pm.frames}f/${pm.moves}m/${pm.writes}w, ${n(simRuns)} walks of 200 steps, seed 1, ` +
      `${plural(r.workers)}: ${n(r.stepsPerSecond)} steps/s, ${n(r.stepsPerCpuSecond)} per CPU second, ${n(r.distinct)} distinct states met ` +
      '(target on one core: 1,000,000 steps/s)',
  )
}
console.log('')
const pmJob = (options: ChildJob['options'], check: 'invariants' | 'all' = 'invariants'): ChildJob => ({
  instance: 'pageMigration',
  params: { ...pm, check },
  options,
})
const label = `page-migration odp ${pm.pages}p/${pm.frames}f/${pm.moves}m/${pm.writes}w`
// The mrcheck runs, two one-worker runs side by side, and SPIN take turns, in rounds. SPIN sizes
// its table and depth bound by the first run.
const pmJobs = [
  ...workers.map((w) => [`${label} exact ${plural(w)}`, pmJob({ store: 'exact', workers: w })] as const),
  ...workers.map((w) => [`${label} fingerprint ${plural(w)}`, pmJob({ store: 'fingerprint', workers: w })] as const),
  [`${label} exact 1 worker, partial-order reduction`, pmJob({ store: 'exact', por: true })] as const,
] as const
const EXACT = 0
const FINGERPRINT = workers.length
const POR = 2 * workers.length
let pmFirst: ChildResult | undefined
const pan = spin(pm, () => pmFirst?.distinct ?? 0, () => pmFirst?.depth ?? 1000)
let pmRuns: Timed[][]
let pairs: [ChildResult, ChildResult][]
let spinFull: Spin[] = []
let spinReduced: Spin[] = []
try {
  const all = await inRounds<Timed | [ChildResult, ChildResult] | Spin>([
    ...pmJobs.map(([, job]) => () => {
      const r = run(job)
      pmFirst ??= r
      return r
    }),
    () => sideBySide(pmJobs[FINGERPRINT]![1]),
    ...(pan === undefined ? [] : [() => pan.once(false), () => pan.once(true)]),
  ])
  pmRuns = all.slice(0, pmJobs.length) as Timed[][]
  pairs = all[pmJobs.length] as [ChildResult, ChildResult][]
  spinFull = (all[pmJobs.length + 1] ?? []) as Spin[]
  spinReduced = (all[pmJobs.length + 2] ?? []) as Spin[]
} finally {
  pan?.close()
}
pmJobs.forEach(([what], i) => report(what, pmRuns[i]!))
const pmExact1 = fastest(pmRuns[EXACT]!)
/** Run `i` of the page-migration jobs in a round, or its fastest. */
const pmIn = (i: number, round: number | 'fastest') => (round === 'fastest' ? fastest(pmRuns[i]!) : pmRuns[i]![round]!)
if (spinFull.length > 0) {
  const spinRow = (what: string, runs: readonly Spin[]) => {
    const s = fastest(runs)
    console.log(
      `${what.padEnd(50)} ${n(s.stored).padStart(11)} states  process ${sec(s.processMs).padStart(8)}  search ${sec(s.wallMs).padStart(8)} ` +
        `${n((s.stored * 1000) / s.wallMs).padStart(10)}/s  RSS ${mib(s.peakRss).padStart(9)} ${(s.peakRss / s.stored).toFixed(1).padStart(6)} B/state ` +
        `(${(s.stateBytes / s.stored).toFixed(1)} in its state store; depth ${s.depth}, -m${2 * pmExact1.depth + 100})`,
    )
    return s
  }
  const s = spinRow('SPIN 6, no reduction (-DNOREDUCE)', spinFull)
  spinRow('SPIN 6, its partial-order reduction', spinReduced)
  // SPIN stores one more state and runs one more transition: its init process before the d_step
  // that sets up the initial state.
  const agree = spinFull.every((r) => r.stored === pmExact1.distinct + 1 && r.transitions === pmExact1.generated + 1)
  console.log(
    `  state counts ${agree ? 'agree' : 'DIFFER'}: SPIN ${n(s.stored)} stored / ${n(s.transitions)} transitions, ` +
      `mrcheck ${n(pmExact1.distinct)} distinct + 1 / ${n(pmExact1.generated)} generated + 1`,
  )
  /** SPIN's time over mrcheck's run `i`, whole processes and searches: above 1, mrcheck reaches its verdict first. */
  const against = (i: number, spins: readonly Spin[]) => {
    const spinIn = (round: number | 'fastest') => (round === 'fastest' ? fastest(spins) : spins[round]!)
    const whole = ratio((round) => spinIn(round).processMs / pmIn(i, round).processMs)
    const search = ratio((round) => spinIn(round).wallMs / pmIn(i, round).wallMs)
    const mine = pmIn(i, 'fastest')
    const bytes = (mine.peakRss - baseline) / mine.distinct / (s.peakRss / s.stored)
    return `time to verdict ${whole} (searches ${search}); bytes/state (net RSS) ${bytes.toFixed(2)}`
  }
  console.log('  SPIN time / mrcheck time (above 1: mrcheck first), same core:')
  console.log(`    exact, 1 worker, against SPIN without reduction:        ${against(EXACT, spinFull)}`)
  console.log(`    fingerprint, 1 worker, against SPIN without reduction:  ${against(FINGERPRINT, spinFull)}`)
  console.log(`    exact, 1 worker, partial-order reduction, against SPIN's: ${against(POR, spinReduced)}`)
  if (!agree) process.exitCode = 1
}
const pmPor = fastest(pmRuns[POR]!)
console.log(
  `  partial-order reduction: ${n(pmExact1.distinct)} states without, ${n(pmPor.distinct)} with ` +
    `(${(pmExact1.distinct / pmPor.distinct).toFixed(2)}x fewer)` +
    (spinFull.length > 0 ? `; SPIN ${n(fastest(spinFull).stored)} without, ${n(fastest(spinReduced).stored)} with its own` : ''),
)
// Speed-up and parallel efficiency per worker count, by search time.
for (const [store, base] of [['exact', EXACT], ['fingerprint', FINGERPRINT]] as const) {
  for (let k = 1; k < workers.length; k++) {
    const w = workers[k]!
    const speedup = (round: number | 'fastest') => pmIn(base, round).wallMs / pmIn(base + k, round).wallMs
    console.log(`  ${store} ${plural(w)} / 1 worker: speed-up ${ratio(speedup, 'x')}, efficiency ${ratio((r) => speedup(r) / w)}`)
  }
}
// What the two cores gave two independent fingerprint searches in each round, as a multiple of one
// search alone in the same round (the sum of the two rates: each core kept busy).
const rate = (r: ChildResult) => r.distinct / r.wallMs
const pairRate = ([a, b]: readonly [ChildResult, ChildResult]) => rate(a) + rate(b)
const bestPair = pairs.reduce((a, b) => (pairRate(b) > pairRate(a) ? b : a))
const ceiling = ratio((round) => (round === 'fastest' ? pairRate(bestPair) : pairRate(pairs[round]!)) / rate(pmIn(FINGERPRINT, round)), 'x')
const seconds = bestPair.map((r) => `${(r.wallMs / 1000).toFixed(1)} s`).join(' and ')
console.log(`  two fingerprint 1-worker runs side by side, unpinned (${seconds}) / one alone: ${ceiling}, the most two workers could reach now`)
if (workers.includes(2)) {
  const two = FINGERPRINT + workers.indexOf(2)
  const share = ratio((round) => (round === 'fastest' ? rate(pmIn(two, 'fastest')) / pairRate(bestPair) : rate(pmIn(two, round)) / pairRate(pairs[round]!)))
  console.log(`  fingerprint 2 workers / the two runs side by side: ${share}`)
}
console.log('')

// device-removal (no Promela model of it): without and with partial-order reduction.
{
  const dr = (por: boolean): ChildJob => ({ instance: 'deviceRemoval', params: {}, options: { store: 'exact', ...(por ? { por } : {}) } })
  const [plain, reduced] = (await measure([
    ['device-removal disassociate exact 1 worker', dr(false)],
    ['device-removal disassociate exact 1 worker, partial-order reduction', dr(true)],
  ])).map(fastest) as [Timed, Timed]
  console.log(
    `  partial-order reduction: ${n(plain.distinct)} states without, ${n(reduced.distinct)} with ` +
      `(${(plain.distinct / reduced.distinct).toFixed(2)}x fewer), time to verdict ${sec(plain.processMs)} and ${sec(reduced.processMs)}\n`,
  )
}

/** Wall-clock speed-up of two workers over one, from each one's results, and the parallel efficiency. */
const speedup = (one: readonly ChildResult[], two: readonly ChildResult[]) => {
  const of = (round: number | 'fastest') =>
    round === 'fastest' ? fastest(one).wallMs / fastest(two).wallMs : one[round]!.wallMs / two[round]!.wallMs
  return `${ratio(of, 'x')}, efficiency ${ratio((round) => of(round) / 2)}`
}

// 2. Two classics.
const tp = { rms: quick ? 6 : 8 }
const [tp1, tp2] = (await measure([
  [`twophase rms=${tp.rms} exact 1 worker`, { instance: 'twoPhase', params: tp, options: { store: 'exact' } }],
  [`twophase rms=${tp.rms} exact 2 workers`, { instance: 'twoPhase', params: tp, options: { store: 'exact', workers: 2 } }],
])) as [Timed[], Timed[]]
console.log(`  2 workers / 1 worker (wall): ${speedup(tp1, tp2)}\n`)
const fl = { n: quick ? 6 : 7 }
const [fl1, fl2] = (await measure([
  [`filter-lock n=${fl.n} exact 1 worker`, { instance: 'filterLock', params: fl, options: { store: 'exact' } }],
  [`filter-lock n=${fl.n} exact 2 workers`, { instance: 'filterLock', params: fl, options: { store: 'exact', workers: 2 } }],
])) as [Timed[], Timed[]]
console.log(`  2 workers / 1 worker (wall): ${speedup(fl1, fl2)}\n`)

// 3. Symmetry reduction: the same instances, one state per orbit of their symmetric sets.
const [pmSym, tpSym] = (
  await measure([
    [`${label} exact 1 worker, symmetry`, pmJob({ store: 'exact', symmetry: true })],
    [`twophase rms=${tp.rms} exact 1 worker, symmetry`, { instance: 'twoPhase', params: tp, options: { store: 'exact', symmetry: true } }],
  ])
).map(fastest) as [Timed, Timed]
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

if (at2e7) {
  // Fingerprints against exact states where the fingerprint store keeps its queue and trace
  // records on disk: the first 2 x 10^7 states, one worker each, pinned, taking turns.
  const limit = quick ? 2_000_000 : 20_000_000
  const [exact, fp] = (
    await measure([
      [`page-migration 5p/7f/4m/4w exact, first ${n(limit)}`, { ...bigJob(4, limit), options: { store: 'exact', maxStates: limit } }],
      [`page-migration 5p/7f/4m/4w fingerprint, first ${n(limit)}`, bigJob(4, limit)],
    ])
  ) as [Timed[], Timed[]]
  const of = (round: number | 'fastest') =>
    round === 'fastest' ? fastest(exact).wallMs / fastest(fp).wallMs : exact[round]!.wallMs / fp[round]!.wallMs
  console.log(`  exact search time / fingerprint search time: ${ratio(of)} (at least 1: fingerprints not slower)\n`)
}

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

