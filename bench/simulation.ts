/**
 * Simulation speed: page-migration walked as `mrcheck simulate` walks it (bench/simulationChild.ts,
 * a process per run), on one worker and on every core, in rounds that alternate the two; steps
 * per second from the result's own counts and duration (start-up excluded), and steps per CPU
 * second (every thread's). Used by run.ts.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { SimulationJob, SimulationRun } from './simulationChild.js'

const child = fileURLToPath(new URL('./simulationChild.js', import.meta.url))

export interface SimulationRate {
  readonly workers: number
  readonly steps: number
  readonly distinct: number
  readonly stepsPerSecond: number
  readonly stepsPerCpuSecond: number
}

/** One simulation of `runs` walks of 200 steps, seed 1, on `workers` workers (pinned by `pin`); its rate. */
function simulateOnce(params: Record<string, number>, runs: number, workers: number, pin: readonly string[]): SimulationRate {
  const job: SimulationJob = { params, runs, steps: 200, seed: 1, workers }
  const argv = [...pin, process.execPath, child, JSON.stringify(job)]
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26 })
  if (r.status !== 0) throw new Error(`simulation failed (exit ${r.status}): ${argv.join(' ')}\n${r.stderr}`)
  const run = JSON.parse(r.stdout) as SimulationRun
  if (run.status !== 'ok') throw new Error(`simulation found ${run.status}: ${argv.join(' ')}`)
  return {
    workers,
    steps: run.steps,
    distinct: run.distinct,
    stepsPerSecond: (run.steps * 1000) / run.durationMs,
    stepsPerCpuSecond: (run.steps * 1000) / run.cpuMs,
  }
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
