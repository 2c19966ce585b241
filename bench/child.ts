/**
 * One benchmark run in a process of its own (so that peak RSS is its own): builds an instance of
 * bench/models.ts, checks it, and prints one JSON line with the counts, times and memory.
 * `instance: 'baseline'` only loads and builds, to measure what the process costs before the search.
 */
import { pathToFileURL } from 'node:url'
import { check, type CheckOptions } from '../checker/index.js'
import { instances } from './models.js'

export interface ChildJob {
  readonly instance: keyof typeof instances | 'baseline'
  readonly params: Record<string, unknown>
  readonly options: {
    readonly store?: 'exact' | 'fingerprint'
    readonly workers?: number
    readonly maxStates?: number
    readonly symmetry?: boolean
    readonly por?: boolean
  }
}

export interface ChildResult {
  readonly status: string
  readonly distinct: number
  readonly generated: number
  readonly depth: number
  readonly wallMs: number
  /** Of `wallMs`, the safety search's part; the rest is the liveness phase, if the run checks temporal properties. */
  readonly safetyMs: number
  /** CPU time of every thread of the process. */
  readonly cpuMs: number
  /** Peak resident set size, bytes. */
  readonly peakRss: number
  readonly store: string
  readonly collisionProbability?: number
}

const job = JSON.parse(process.argv[2]!) as ChildJob
const module = pathToFileURL(new URL('./models.js', import.meta.url).pathname).href
if (job.instance === 'baseline') {
  instances.pageMigration({ pages: 1, frames: 2, moves: 1, writes: 1 })
  const usage = process.resourceUsage()
  console.log(JSON.stringify({ peakRss: usage.maxRSS * 1024 }))
} else {
  const { spec, props } = (instances[job.instance] as (p: unknown) => ReturnType<typeof instances.twoPhase>)(job.params)
  const options: CheckOptions = {
    ...job.options,
    // Several workers build the spec again from its source, and so does the sample of partial-order reduction.
    ...((job.options.workers ?? 1) > 1 || job.options.por === true ? { source: { module, export: job.instance, params: job.params } } : {}),
  }
  const cpu0 = process.cpuUsage()
  const t0 = Date.now()
  const r = await check(spec, props, options)
  const wallMs = Date.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const out: ChildResult = {
    status: r.status,
    distinct: r.stats.distinct,
    generated: r.stats.generated,
    depth: r.stats.depth,
    wallMs,
    safetyMs: r.stats.durationMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRss: process.resourceUsage().maxRSS * 1024,
    store: r.store,
    ...(r.collisionProbability === undefined ? {} : { collisionProbability: r.collisionProbability }),
  }
  console.log(JSON.stringify(out))
}
