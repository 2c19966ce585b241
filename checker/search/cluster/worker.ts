/**
 * A worker process of a cluster search (`mrcheck worker`): it finds a run of the model it was
 * given, checks that the run's spec is the one it builds itself (clusterSpec.ts), joins, and then
 * serves the run as a ClusterWorker (ClusterWorker.ts) until the coordinator stops it. This is the
 * module the rest of mrcheck imports for a worker; its options and outcome are workerOptions.ts's.
 */
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { ClusterWorker } from './ClusterWorker.js'
import { joinSpec, type WorkerIdentity } from './clusterSpec.js'
import { connect, redisCall, shownUrl, type Redis } from './redis.js'
import { ClusterError, RUNS_KEY, keysOf, parseMeta, type Report, type RunMeta } from './protocol.js'
import type { ClusterWorkerOptions, ClusterWorkerOutcome } from './workerOptions.js'

export type { ClusterWorkerOptions, ClusterWorkerOutcome } from './workerOptions.js'

/** Joins one run and serves it until the coordinator stops it. */
export async function runClusterWorker(me: WorkerIdentity, options: ClusterWorkerOptions): Promise<ClusterWorkerOutcome> {
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const log = options.log ?? (() => {})
  const cmd = await connect(options.url, `mrcheck-worker-${id}`)
  const ctl = await connect(options.url, `mrcheck-worker-ctl-${id}`)
  const data = await connect(options.url, `mrcheck-worker-data-${id}`)
  try {
    const { run, meta } = await findRun(cmd, me, options, log)
    const keys = keysOf(run)
    let built
    try {
      built = joinSpec(meta, me)
    } catch (e) {
      await cmd.xadd(keys.rep, '*', 'm', JSON.stringify({ t: 'failed', worker: id, message: (e as Error).message, code: 'CLUSTER' } satisfies Report)).catch(() => {})
      throw e
    }
    const worker = new ClusterWorker(id, run, keys, meta, built.c, { cmd, ctl, data }, options, log)
    return await worker.serve()
  } finally {
    for (const c of [cmd, ctl, data]) c.disconnect()
  }
}

async function findRun(cmd: Redis, me: WorkerIdentity, options: ClusterWorkerOptions, log: (l: string) => void): Promise<{ run: string; meta: RunMeta }> {
  const started = Date.now()
  let said = false
  for (;;) {
    if (options.signal?.aborted) throw new ClusterError('Interrupted while waiting for a run to join.')
    const candidates = options.run !== undefined ? [options.run] : (await redisCall(options.url, 'listing runs', () => cmd.smembers(RUNS_KEY))).sort()
    for (const run of candidates) {
      if (!/^[\w-]{1,64}$/.test(run)) continue
      const keys = keysOf(run)
      const [text, alive] = await redisCall(options.url, 'reading a run', () => Promise.all([cmd.get(keys.meta), cmd.exists(keys.heartbeat('coordinator'))]))
      if (text === null) continue
      const meta = parseMeta(keys.meta, text)
      if (options.run === undefined && meta.model.name !== me.model.name) continue
      // The coordinator beats before it publishes the run: a run without its heartbeat was left by a coordinator that died.
      if (alive === 0) {
        if (options.run !== undefined) throw new ClusterError(`Run ${run} has no coordinator any more (its heartbeat expired: it was stopped or killed); it cannot be joined.`)
        continue
      }
      return { run, meta }
    }
    if (options.waitMs !== undefined && Date.now() - started > options.waitMs) {
      throw new ClusterError(`No run of model "${me.model.name}" waits for workers at ${shownUrl(options.url)}.`)
    }
    if (!said) log(`Waiting for a run of ${me.model.name} at ${shownUrl(options.url)}...`)
    said = true
    await sleep(50)
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
