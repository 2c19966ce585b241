/**
 * A worker process for the cluster tests: `node clusterWorkers.js URL JOBS.json` serves the runs
 * listed in JOBS.json one after another, each a built-in model by name or a random model by its
 * tables (test/helpers/randomModels.ts), through the library's `clusterWorker`.
 */
import { readFileSync } from 'node:fs'
import { clusterWorker, defineModel, type AnyModel } from '../../checker/index.js'
import { builtinModels } from '../../models/registry.js'
import { buildRandomModel, type Shape, type Tables } from './randomModels.js'

export type Job = { readonly run: string; readonly heartbeatMs?: number } & (
  | { readonly model: string }
  | { readonly random: { readonly shape: Shape; readonly tables: Tables } }
)

/** A random model as a model of no parameters (the coordinator builds it the same way). */
export function randomAsModel(shape: Shape, tables: Tables): AnyModel {
  const m = buildRandomModel(shape, tables)
  return defineModel({ name: m.spec.name, summary: 'random', params: {}, build: () => m.spec, properties: () => m.props }) as AnyModel
}

if (process.argv[1]?.endsWith('clusterWorkers.js') && process.argv.length === 4) {
  const [url, jobsFile] = process.argv.slice(2) as [string, string]
  const jobs = JSON.parse(readFileSync(jobsFile, 'utf8')) as Job[]
  for (const job of jobs) {
    const model = 'model' in job ? builtinModels.find((m) => m.name === job.model)! : randomAsModel(job.random.shape, job.random.tables)
    try {
      await clusterWorker(model, { url, run: job.run, waitMs: 60_000, ...(job.heartbeatMs === undefined ? {} : { heartbeatMs: job.heartbeatMs }) })
    } catch (e) {
      process.stderr.write(`run ${job.run}: ${(e as Error).message}\n`)
    }
  }
}
