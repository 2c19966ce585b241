/**
 * One simulation in a process of its own (bench/simulation.ts): page-migration as `mrcheck
 * simulate page-migration -p ...` builds it (every property), walked through the library, and one
 * JSON line with the counts, the simulation's own duration and the CPU time of every thread of the
 * process over it. On a shared machine steps per CPU second is the figure load changes least.
 */
import { instantiate, simulate } from '../checker/index.js'
import { builtinModels } from '../models/registry.js'

export interface SimulationJob {
  readonly params: Record<string, number>
  readonly runs: number
  readonly steps: number
  readonly seed: number
  readonly workers: number
}

export interface SimulationRun {
  readonly status: string
  readonly steps: number
  readonly distinct: number
  readonly durationMs: number
  readonly cpuMs: number
}

const job = JSON.parse(process.argv[2]!) as SimulationJob
const registry = new URL('../models/registry.js', import.meta.url).href
const { spec, props } = instantiate(builtinModels.find((m) => m.name === 'page-migration')!, job.params)
const { runs, steps, seed, workers } = job
const cpu0 = process.cpuUsage()
const r = await simulate(spec, props, { runs, steps, seed, workers, ...(workers > 1 ? { source: { module: registry, name: 'page-migration', params: job.params } } : {}) })
const cpu = process.cpuUsage(cpu0)
const out: SimulationRun = { status: r.status, steps: r.stats.steps, distinct: r.stats.distinct, durationMs: r.stats.durationMs, cpuMs: (cpu.user + cpu.system) / 1000 }
console.log(JSON.stringify(out))
