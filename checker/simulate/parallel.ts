/**
 * A simulation on several walker threads (SPIN's swarm on one machine): walker w walks its share of
 * the walks (seeds.ts walkerRuns) with a seed of its own (walkerSeed), in a thread of its own
 * (walkerThread.ts), so that the walkers share nothing while they walk. Each reports what it
 * covered, with the fingerprints of the states it met first, and this thread counts the states met
 * over all walkers once each. The first walker to find a violation or an error stops the others;
 * its walk is walked again here by the strict walker for the report, which names that walker's
 * seed: a one-worker simulation with that seed repeats it alone.
 */
import { Worker } from 'node:worker_threads'
import type { CompiledSpec } from '../compile/compile.js'
import { specSignature } from '../compile/specSignature.js'
import { CheckerError } from '../result/errors.js'
import { FingerprintSet } from '../store/FingerprintSet.js'
import { endedFromOutsideWarning, graceMs } from '../search/endedFromOutside.js'
import { progressOf, type Settled, type SimulateOptions } from './options.js'
import { rebuildWalk, simulationInfo, simulationResult, type SimulationResult, type WalkerOf } from './result.js'
import { walkerRuns, walkerSeed } from './seeds.js'
import type { Covered, FromWalker, WalkerSetup } from './walkerProtocol.js'

/** The longest delay a timer takes (about 24.8 days); a longer time limit is left to the walkers alone. */
const MAX_TIMER_MS = 2 ** 31 - 1

export async function simulateParallel(c: CompiledSpec, options: SimulateOptions, s: Settled): Promise<SimulationResult> {
  const stopBuffer = new SharedArrayBuffer(4)
  const stop = new Int32Array(stopBuffer)
  const signature = specSignature(c)
  const met = new FingerprintSet()
  const reached = new Set<string>()
  const walkers: WalkerOf[] = Array.from({ length: s.workers }, (_, w) => ({ index: w, seed: walkerSeed(s.seed, w), runs: walkerRuns(s.runs, s.workers, w) }))
  const last: Omit<Covered, 'fresh' | 'reached'>[] = walkers.map(() => ({ runs: 0, steps: 0, terminal: 0, constrained: 0 }))
  let first: { walker: WalkerOf; run: number; stepsBefore: number } | undefined
  let failed: Error | undefined

  const take = (w: number, m: Covered) => {
    last[w] = { runs: m.runs, steps: m.steps, terminal: m.terminal, constrained: m.constrained }
    for (let i = 0; i < m.fresh.length; i += 2) met.add(m.fresh[i]!, m.fresh[i + 1]!)
    for (const g of m.reached) reached.add(g)
  }
  const sum = (k: keyof (typeof last)[number]) => last.reduce((t, x) => t + x[k], 0)
  const stopAll = () => Atomics.store(stop, 0, 1)
  // Walking threads stop themselves at the deadline or on the stop word, within a walk too; those
  // still building the spec are ended, so that their start-up counts in the time limit.
  const threads: Worker[] = []
  const ready = walkers.map(() => false)
  const endAll = () => {
    stopAll()
    threads.forEach((thread, w) => {
      if (!ready[w]) void thread.terminate()
    })
  }
  // A walker stuck in the model's code (an endless loop) never looks at the stop word: past the
  // grace period, or on `quit`, every thread is ended, and the result keeps what they reported.
  let endedFromOutside: string | undefined
  const endNow = (why: string) => {
    endedFromOutside ??= why
    stopAll()
    for (const thread of threads) void thread.terminate()
  }
  const quit = () => endNow('it was ended by a second Ctrl-C')
  options.signal?.addEventListener('abort', endAll)
  options.quit?.addEventListener('abort', quit)
  const timeLimit = s.deadline - Date.now() < MAX_TIMER_MS ? setTimeout(endAll, Math.max(0, s.deadline - Date.now())) : undefined
  const grace = options.timeoutMs === undefined ? 0 : graceMs(options.timeoutMs)
  const hardLimit =
    s.deadline + grace - Date.now() < MAX_TIMER_MS
      ? setTimeout(() => endNow(`it did not stop within ${grace / 1000} s of its time limit`), Math.max(0, s.deadline + grace - Date.now()))
      : undefined
  const progress =
    options.onProgress === undefined
      ? undefined
      : setInterval(() => options.onProgress!(progressOf(sum('runs'), sum('steps'), met.count, Date.now() - s.started)), s.progressIntervalMs)

  const exits = walkers.map(
    (walker) =>
      new Promise<void>((resolve) => {
        const setup: WalkerSetup = {
          kind: 'mrcheck-simulate-walker',
          source: options.source!,
          only: options.only,
          signature,
          strict: options.strict === true,
          seed: walker.seed,
          runs: walker.runs,
          maxSteps: s.maxSteps,
          deadline: s.deadline,
          stop: stopBuffer,
        }
        const thread = new Worker(new URL('./walkerThread.js', import.meta.url), { workerData: setup })
        threads.push(thread)
        const fail = (e: Error) => {
          failed ??= e
          stopAll()
        }
        thread.on('message', (m: FromWalker) => {
          if (m.type === 'fatal') fail(new CheckerError('MODEL_LOAD', `A walker thread could not build the spec from ${options.source!.module}: ${m.message}`))
          else if (m.type === 'ready') ready[walker.index] = true
          else {
            take(walker.index, m)
            if (m.type === 'done' && m.found !== undefined && first === undefined) {
              first = { walker, run: m.found.run, stepsBefore: m.found.stepsBefore }
              stopAll()
            }
          }
        })
        thread.on('error', (e) => fail(new CheckerError('MODEL_LOAD', `A walker thread failed: ${e.message}`)))
        thread.once('exit', () => resolve())
      }),
  )
  try {
    await Promise.all(exits)
  } finally {
    if (progress !== undefined) clearInterval(progress)
    if (timeLimit !== undefined) clearTimeout(timeLimit)
    if (hardLimit !== undefined) clearTimeout(hardLimit)
    options.signal?.removeEventListener('abort', endAll)
    options.quit?.removeEventListener('abort', quit)
  }
  if (failed !== undefined) throw failed
  const found = first === undefined ? undefined : rebuildWalk(c, first.walker, first.run, s.maxSteps)
  let steps = sum('steps')
  if (first !== undefined) steps += first.stepsBefore + found!.steps - last[first.walker.index]!.steps
  const runs = sum('runs')
  const stopped = found !== undefined || runs === s.runs ? undefined : options.signal?.aborted ? 'interrupted' : 'timeout'
  const covered = { runs, steps, distinct: met.count, terminal: sum('terminal'), constrained: sum('constrained') }
  const info = simulationInfo(c, s, covered, reached, stopped)
  const warned =
    endedFromOutside === undefined
      ? info
      : {
          ...info,
          warnings: [
            endedFromOutsideWarning('simulation', endedFromOutside) + " The counts are those of the walkers' last reports.",
            ...info.warnings,
          ],
        }
  return simulationResult(c, warned, found)
}
