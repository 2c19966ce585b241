/**
 * `npm run bench -- --cluster`: page-migration 4p/6f/3m/3w (safety properties) searched by 1, 2
 * and 4 worker processes through a redis-server started on loopback, against 1 and 2 in-process
 * workers (threads) on the same instance, in rounds that take turns (`--repeat N`, at least 3).
 * For each run the rate from the first level on and the CPU time per distinct state (in-process:
 * the whole process's, threads included; through Redis: the worker processes' less a bare process's
 * start-up, measured first, the coordinator's and redis-server's), the figure that a shared
 * machine's load changes least;
 * the ratios of 1 and 2 processes to as many in-process workers per round and their median (target
 * for two: 0.7 of the rate); bytes of states sent through Redis per distinct state, batches, and
 * Redis's memory peak. `--quick` takes 3p/5f/2m/2w.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { checkCluster, checkModel } from '../checker/index.js'
import { compileSpec } from '../checker/compile/compile.js'
import { instantiate } from '../checker/compile/instantiate.js'
import { builtinModels } from '../models/registry.js'
import { startRedis, type RedisServer } from '../test/helpers/redisServer.js'

const bin = fileURLToPath(new URL('../bundle/mrcheck.js', import.meta.url))
const cpuOnExit = new URL('./cpuOnExit.js', import.meta.url).href
const registry = new URL('../models/registry.js', import.meta.url).href

interface Run {
  readonly distinct: number
  /** States per second from the first level on. */
  readonly rate: number
  /** CPU microseconds per distinct state. */
  readonly cpuPerState: number
  readonly note: string
}

const n = (x: number) => Math.round(x).toLocaleString('en-US')
const cpuUs = () => {
  const u = process.cpuUsage()
  return u.user + u.system
}
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

/** Runs `mrcheck worker page-migration --cluster URL ARGS`; resolves with the CPU microseconds it used. */
function workerCpu(url: string, args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, ['--import', cpuOnExit, bin, 'worker', 'page-migration', '--cluster', url, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  return new Promise<number>((done, fail) =>
    child.on('exit', () => {
      const m = /^cpu-us (\d+)$/m.exec(err)
      if (m === null) fail(new Error(`A worker process of the bench ended without its CPU time:\n${err}`))
      else done(Number(m[1]))
    }),
  )
}

export async function clusterBench(quick: boolean, repeat: number): Promise<void> {
  const model = builtinModels.find((m) => m.name === 'page-migration')!
  const params = quick ? { pages: 3, frames: 5, moves: 2, writes: 2 } : { pages: 4, frames: 6, moves: 3, writes: 3 }
  const { spec, props } = instantiate(model, params)
  const c = compileSpec(spec, props)
  // MrContract, the refinement mapping added after the target was set, doubles the model's work per
  // state, which would hide what the processes' own path costs: left out, as the earlier figures had it.
  const only = [...c.invariants, ...c.actionProperties].map(([name]) => name).filter((name) => name !== 'MrContract')
  const rounds = Math.max(3, repeat)
  console.log(`page-migration ${JSON.stringify(params)}, safety properties but MrContract, exact states; ${rounds} rounds taking turns`)
  const redis = await startRedis()
  const start = median(await Promise.all([0, 1, 2].map(() => workerCpu(redis.url, ['--run', 'none', '--wait', '0.01']))))
  console.log(`a worker process's start-up (loading mrcheck and the model, giving up at once): ${(start / 1000).toFixed(0)} ms CPU, left out below`)

  const inProcess = async (workers: number): Promise<Run> => {
    const cpu0 = cpuUs()
    const r = await checkModel(model, params, { only, store: 'exact', ...(workers > 1 ? { workers, source: { module: registry, name: model.name } } : {}) })
    const cpu = cpuUs() - cpu0
    return { distinct: r.stats.distinct, rate: (r.stats.distinct * 1000) / r.stats.durationMs, cpuPerState: cpu / r.stats.distinct, note: '' }
  }

  const throughRedis = async (processes: number, server: RedisServer): Promise<Run> => {
    const run = `bench-${processes}-${Date.now()}`
    const workers = Array.from({ length: processes }, () => workerCpu(server.url, ['--run', run]))
    const cpu0 = cpuUs()
    const redis0 = server.cpuUs()
    // Timed from the first level: the processes' start-up is not the search's.
    let first = 0
    const { result, cluster } = await checkCluster(model, params, {
      url: server.url,
      run,
      workers: processes,
      only,
      onProgress: (p) => {
        if (first === 0) first = Date.now() - p.elapsedMs
      },
    })
    const ms = Date.now() - first
    const cpus = await Promise.all(workers)
    const parts = [cpus.reduce((a, b) => a + b - start, 0), cpuUs() - cpu0, server.cpuUs() - redis0]
    const cpu = parts.reduce((a, b) => a + b, 0)
    const d = result.stats.distinct
    return {
      distinct: d,
      rate: (d * 1000) / ms,
      cpuPerState: cpu / d,
      note:
        ` (workers ${(parts[0]! / d).toFixed(2)}, coordinator ${(parts[1]! / d).toFixed(2)}, redis-server ${(parts[2]! / d).toFixed(2)})` +
        `; ${(cluster.bytesSent / Math.max(1, d)).toFixed(1)} bytes sent a state in ${n(cluster.batches)} batches; ` +
        `Redis peak +${(cluster.redisPeakBytes / 2 ** 20).toFixed(2)} MiB`,
    }
  }

  const configs: readonly (readonly [string, () => Promise<Run>])[] = [
    ['1 in-process worker', () => inProcess(1)],
    ['1 worker process through Redis', () => throughRedis(1, redis)],
    ['2 in-process workers', () => inProcess(2)],
    ['2 worker processes through Redis', () => throughRedis(2, redis)],
    ['4 worker processes through Redis', () => throughRedis(4, redis)],
  ]
  const runs: Run[][] = configs.map(() => [])
  try {
    for (let round = 1; round <= rounds; round++) {
      console.log(`round ${round}:`)
      for (const [i, [what, once]] of configs.entries()) {
        const r = await once()
        runs[i]!.push(r)
        console.log(`  ${what}: ${n(r.distinct)} states, ${n(r.rate)} states/s, ${r.cpuPerState.toFixed(2)} CPU µs a state${r.note}`)
      }
    }
  } finally {
    await redis.stop()
  }
  for (const [procs, threads, proc] of [[1, 0, 1], [2, 2, 3]] as const) {
    const rate = runs[proc]!.map((r, k) => r.rate / runs[threads]![k]!.rate)
    const cpu = runs[threads]!.map((r, k) => r.cpuPerState / runs[proc]![k]!.cpuPerState)
    const fmt = (xs: number[]) => `${xs.map((x) => x.toFixed(2)).join(', ')} (median ${median(xs).toFixed(2)})`
    console.log(
      `${procs} process${procs > 1 ? 'es' : ''} over ${procs} in-process worker${procs > 1 ? 's' : ''}, per round: rate ${fmt(rate)}; ` +
        `CPU per state, in-process over processes, ${fmt(cpu)}${procs === 2 ? '; target for the rate: 0.7' : ''}`,
    )
  }
}
