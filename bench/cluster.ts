/**
 * `npm run bench -- --cluster`: page-migration 4p/6f/3m/3w (safety properties) searched by 1, 2
 * and 4 worker processes through a redis-server started on loopback, against 1 and 2 in-process
 * workers (threads) on the same instance; the rate of each, the ratio of two processes to two
 * threads (target 0.7), the bytes of states sent through Redis per distinct state, and Redis's
 * memory peak. `--quick` takes 3p/5f/2m/2w.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { checkCluster, checkModel } from '../checker/index.js'
import { compileSpec } from '../checker/compile/compile.js'
import { instantiate } from '../checker/compile/instantiate.js'
import { builtinModels } from '../models/registry.js'
import { startRedis } from '../test/helpers/redisServer.js'

const bin = fileURLToPath(new URL('../bundle/mrcheck.js', import.meta.url))
const registry = new URL('../models/registry.js', import.meta.url).href

export async function clusterBench(quick: boolean): Promise<void> {
  const model = builtinModels.find((m) => m.name === 'page-migration')!
  const params = quick ? { pages: 3, frames: 5, moves: 2, writes: 2 } : { pages: 4, frames: 6, moves: 3, writes: 3 }
  const { spec, props } = instantiate(model, params)
  const c = compileSpec(spec, props)
  const only = [...c.invariants, ...c.actionProperties].map(([name]) => name)
  const redis = await startRedis()
  const rate = (distinct: number, ms: number) => Math.round((distinct * 1000) / ms)
  const n = (x: number) => x.toLocaleString('en-US')
  console.log(`page-migration ${JSON.stringify(params)}, safety properties, exact states`)
  try {
    const threads = new Map<number, number>()
    for (const workers of [1, 2]) {
      const r = await checkModel(model, params, { only, store: 'exact', ...(workers > 1 ? { workers, source: { module: registry, name: model.name } } : {}) })
      threads.set(workers, rate(r.stats.distinct, r.stats.durationMs))
      console.log(`  ${workers} in-process worker${workers > 1 ? 's' : ''}: ${n(r.stats.distinct)} states in ${(r.stats.durationMs / 1000).toFixed(2)} s, ${n(threads.get(workers)!)} states/s`)
    }
    for (const processes of [1, 2, 4]) {
      const run = `bench-${processes}-${Date.now()}`
      const workers = Array.from({ length: processes }, () => {
        const child = spawn(process.execPath, [bin, 'worker', model.name, '--cluster', redis.url, '--run', run], { stdio: 'ignore' })
        return new Promise<void>((done) => child.on('exit', () => done()))
      })
      // Timed from the first level: the processes' start-up is not the search's.
      let first = 0
      const { result, cluster } = await checkCluster(model, params, {
        url: redis.url,
        run,
        workers: processes,
        only,
        onProgress: (p) => {
          if (first === 0) first = Date.now() - p.elapsedMs
        },
      })
      const ms = Date.now() - first
      await Promise.all(workers)
      const r = rate(result.stats.distinct, ms)
      const vs = threads.get(processes)
      console.log(
        `  ${processes} worker process${processes > 1 ? 'es' : ''} through Redis: ${n(result.stats.distinct)} states in ${(ms / 1000).toFixed(2)} s, ${n(r)} states/s` +
          (vs === undefined ? '' : ` (${(r / vs).toFixed(2)} of ${processes} in-process)`) +
          `; ${(cluster.bytesSent / Math.max(1, result.stats.distinct)).toFixed(1)} bytes sent a state in ${n(cluster.batches)} batches; ` +
          `Redis peak +${(cluster.redisPeakBytes / 2 ** 20).toFixed(2)} MiB`,
      )
    }
  } finally {
    await redis.stop()
  }
}
