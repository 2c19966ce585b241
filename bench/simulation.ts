/**
 * Simulation speed: `mrcheck simulate` on the page-migration bench instance, on one worker and on
 * every core, in rounds that alternate the two; steps per second from the result's own counts
 * and duration (start-up excluded). Used by run.ts.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../bin/mrcheck.js', import.meta.url))

export interface SimulationRate {
  readonly workers: number
  readonly steps: number
  readonly distinct: number
  readonly stepsPerSecond: number
}

/** One simulation of `runs` walks of 200 steps, seed 1, on `workers` workers (pinned by `pin`); its rate. */
function simulateOnce(params: Record<string, number>, runs: number, workers: number, pin: readonly string[]): SimulationRate {
  const args = [cli, 'simulate', 'page-migration', ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}=${v}`])]
  args.push('--runs', String(runs), '--steps', '200', '--seed', '1', '--workers', String(workers), '--json')
  const argv = [...pin, process.execPath, ...args]
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26 })
  if (r.status !== 0) throw new Error(`simulation failed (exit ${r.status}): ${argv.join(' ')}\n${r.stderr}`)
  const doc = JSON.parse(r.stdout) as { stats: { steps: number; distinct: number; durationMs: number } }
  return { workers, steps: doc.stats.steps, distinct: doc.stats.distinct, stepsPerSecond: (doc.stats.steps * 1000) / doc.stats.durationMs }
}

/** The fastest of `repeat` rounds for each worker count in `workers`, the counts taking turns within a round. */
export function simulationRates(
  params: Record<string, number>,
  runs: number,
  workers: readonly number[],
  repeat: number,
  pinned: (w: number) => string[],
): SimulationRate[] {
  const best = new Map<number, SimulationRate>()
  for (let round = 0; round < repeat; round++) {
    for (const w of workers) {
      const r = simulateOnce(params, runs, w, pinned(w))
      if ((best.get(w)?.stepsPerSecond ?? 0) < r.stepsPerSecond) best.set(w, r)
    }
  }
  return workers.map((w) => best.get(w)!)
}
