/**
 * The cluster search (search/cluster/) against the one-worker search, through a real redis-server
 * on loopback and real worker processes: the same distinct and generated counts, depth and verdict,
 * and for every broken property a trace of the same (shortest) length, on every built-in model and
 * on random models. Then what a run does with bad input: a refused worker, a foreign batch, a
 * password in the URL, temporal properties.
 */
import test from 'ava'
import { testProp } from '@fast-check/ava'
import { check, checkCluster, checkModel, CheckerError, clusterWorker, type AnyModel, type CheckResult } from '../../checker/index.js'
import { compileSpec } from '../../checker/compile/compile.js'
import { instantiate } from '../../checker/compile/instantiate.js'
import { keysOf } from '../../checker/search/cluster/protocol.js'
import { builtinModels } from '../../models/registry.js'
import { randomModel } from '../helpers/randomModels.js'
import { startRedis, type RedisServer } from '../helpers/redisServer.js'
import { randomAsModel, workerPool, type WorkerPool } from '../helpers/clusterWorkers.js'

// One redis-server and three worker processes for the whole file; each test gives them its runs.
let redis: RedisServer
let pool: WorkerPool
test.before(async () => {
  redis = await startRedis()
  pool = workerPool(redis.url, 3)
})
test.after.always(async () => {
  await pool?.close()
  await redis?.stop()
})

const summary = (r: CheckResult) => ({
  status: r.status,
  complete: r.complete,
  distinct: r.stats.distinct,
  generated: r.stats.generated,
  depth: r.stats.depth,
  left: r.stats.left,
  violations: r.violations.map((v) => [v.property, v.kind, v.trace.length].join(' ')).sort(),
})

/** The safety properties of a model instance (a cluster search leaves temporal ones to one machine). */
function safetyOf(model: AnyModel, params: Record<string, unknown>): string[] {
  const { spec, props } = instantiate(model, params)
  const c = compileSpec(spec, props)
  return [...c.invariants, ...c.actionProperties, ...c.reachable].map(([n]) => n)
}

/** Every built-in model at its defaults, and a small known-bug instance of those whose defaults break nothing. */
const BUGS: Record<string, Record<string, unknown>> = {
  'mr-lifecycle': { policy: 'bd3-index-reuse-no-bump' },
  'page-migration': { policy: 'naive' },
  'device-removal': { policy: 'unregister' },
  'pinned-memory': { policy: 'bc2-fast-gup-no-longterm-check' },
  'implicit-odp': { policy: 'bb6-parent-freed-under-child-work' },
  peterson: { bug: 'ignore-turn' },
}
const cases: [AnyModel, Record<string, unknown>][] = builtinModels.flatMap((m) => [
  [m, {}] as [AnyModel, Record<string, unknown>],
  ...(BUGS[m.name] === undefined ? [] : [[m, BUGS[m.name]!] as [AnyModel, Record<string, unknown>]]),
])

let runs = 0
const runName = (what: string) => `t${runs++}-${what.replace(/[^\w-]/g, '')}`.slice(0, 60)

test.serial('three worker processes agree with one worker on every built-in model', async (t) => {
  const expected = cases.map(([model, params]) => {
    const only = safetyOf(model, params)
    return { only, one: checkModel(model, params, { continue: true, only }) }
  })
  // A few runs at a time share the worker processes, as runs sharing one Redis do.
  let next = 0
  const lane = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const [model, params] = cases[i]!
      const what = `${model.name} ${JSON.stringify(params)}`
      const run = runName(model.name)
      const served = pool.serve({ run, model: model.name })
      const { only, one } = expected[i]!
      // Every other case with 96-bit fingerprints instead of exact states.
      const store = i % 2 === 0 ? 'exact' : 'fingerprint'
      const { result, cluster } = await checkCluster(model, params, { url: redis.url, run, workers: 3, partitions: 4, continue: true, only, store, joinTimeoutMs: 60_000 })
      t.deepEqual(summary(result), summary(await one), `${what} ${store}`)
      t.is(result.store, store)
      const n = result.stats.distinct
      t.is(result.collisionProbability, store === 'exact' ? undefined : (n * (n - 1)) / 2 / 2 ** 96)
      t.is(result.workers, 3)
      t.true(cluster.bytesSent > 0 || result.stats.distinct < 3, what)
      t.is(await served, '', what)
    }
  }
  await Promise.all(Array.from({ length: 4 }, lane))
})

testProp(
  'on random models three worker processes agree with one worker',
  [randomModel],
  async (t, m) => {
    const model = randomAsModel(m.shape, m.tables)
    const random = { shape: m.shape, tables: m.tables }
    const one = await check(m.spec, m.props, { continue: true })
    const run = runName('random')
    const served = pool.serve({ run, random })
    const all = await checkCluster(model, {}, { url: redis.url, run, workers: 3, partitions: 5, continue: true, joinTimeoutMs: 60_000 })
    t.deepEqual(summary(all.result), summary(one), m.summary)
    t.is(await served, '')
    // Stopped at the first violation: a property one worker finds broken too, with a trace as short.
    const firstRun = runName('random-first')
    const firstServed = pool.serve({ run: firstRun, random })
    const first = await checkCluster(model, {}, { url: redis.url, run: firstRun, workers: 3, partitions: 5, store: 'fingerprint', joinTimeoutMs: 60_000 })
    t.is(first.result.status, one.status)
    for (const v of first.result.violations) {
      t.is(v.trace.length, one.violations.find((w) => w.property === v.property)?.trace.length ?? -1, `${m.summary}: ${v.property}`)
    }
    t.is(await firstServed, '')
  },
  { numRuns: 2 },
)

test.serial('a worker given another model, or other code, is refused and the run goes on without it', async (t) => {
  const twophase = builtinModels.find((m) => m.name === 'twophase')!
  const diehard = builtinModels.find((m) => m.name === 'diehard')!
  const run = runName('refuse')
  // The run waits for its one worker; the refused ones meet it first, so that none can miss it.
  const coordinated = checkCluster(twophase, { rms: 3 }, { url: redis.url, run, joinTimeoutMs: 20_000 })
  coordinated.catch(() => {}) // awaited below
  const e1 = await t.throwsAsync(clusterWorker(diehard, { url: redis.url, run, waitMs: 20_000 }), { instanceOf: CheckerError })
  t.regex(e1!.message, /the run checks model "twophase", this worker was given "diehard"/)
  const e2 = await t.throwsAsync(clusterWorker(twophase, { url: redis.url, run, waitMs: 20_000, codeHash: 'another' }), { instanceOf: CheckerError })
  t.regex(e2!.message, /the model's code differs/)
  const good = clusterWorker(twophase, { url: redis.url, run, waitMs: 20_000 })
  const { result } = await coordinated
  t.is(result.status, 'ok')
  t.is(result.stats.distinct, 288)
  t.like(await good, { run, end: 'verdict', ended: 'the search is complete' })
})

test.serial('a worker that joined and died before the run started is passed over, and the run waits for another', async (t) => {
  const twophase = builtinModels.find((m) => m.name === 'twophase')!
  const run = runName('ghost')
  const said: string[] = []
  const coordinated = checkCluster(twophase, { rms: 3 }, { url: redis.url, run, joinTimeoutMs: 20_000, log: (line) => void said.push(line) })
  coordinated.catch(() => {}) // awaited below
  const { Redis } = await import('ioredis')
  const client = new Redis(redis.url)
  for (let i = 0; i < 400 && (await client.exists(keysOf(run).meta)) === 0; i++) await new Promise((r) => setTimeout(r, 10))
  // A join with no heartbeat behind it: a worker killed right after it joined.
  await client.xadd(keysOf(run).join, '*', 'm', JSON.stringify({ worker: 'ghost', host: 'nowhere', pid: 1, heartbeatMs: 1000, holds: [] }))
  client.disconnect()
  const good = clusterWorker(twophase, { url: redis.url, run, waitMs: 20_000 })
  const { result } = await coordinated
  t.is(result.status, 'ok')
  t.is(result.stats.distinct, 288)
  t.true(said.some((line) => /^Worker ghost joined but stopped beating before the run started \([01] of 1\)\.$/.test(line)), said.join('\n'))
  t.like(await good, { run, end: 'verdict' })
})

test.serial('a second coordinator of a run name in use is refused and leaves that run alone', async (t) => {
  const twophase = builtinModels.find((m) => m.name === 'twophase')!
  const run = runName('taken')
  const first = checkCluster(twophase, { rms: 3 }, { url: redis.url, run, joinTimeoutMs: 20_000 })
  const { Redis } = await import('ioredis')
  const client = new Redis(redis.url)
  for (let i = 0; i < 400 && (await client.exists(`mrcheck:run:${run}:meta`)) === 0; i++) await new Promise((r) => setTimeout(r, 10))
  client.disconnect()
  const e = await t.throwsAsync(checkCluster(twophase, { rms: 3 }, { url: redis.url, run }), { instanceOf: CheckerError })
  t.regex(e!.message, /A run named \S+ already exists in this Redis/)
  const worker = clusterWorker(twophase, { url: redis.url, run, waitMs: 20_000 })
  t.is((await first).result.stats.distinct, 288)
  t.like(await worker, { end: 'verdict' })
})

test.serial('a batch of another run, or of another size, on a partition stream stops the run with an error, not a count', async (t) => {
  const twophase = builtinModels.find((m) => m.name === 'twophase')!
  const { Redis } = await import('ioredis')
  const client = new Redis(redis.url)
  for (const bad of [
    ['run', 'someone-else', 'level', '1', 'n', '1', 'd', Buffer.alloc(40)],
    ['run', '', 'level', '1', 'n', '3', 'd', Buffer.alloc(7)],
  ]) {
    const run = runName('foreign')
    if (bad[1] === '') bad[1] = run
    const worker = clusterWorker(twophase, { url: redis.url, run, waitMs: 20_000 })
    // The batch goes in as soon as the partition streams exist, before the initial states.
    const planted = (async () => {
      for (let i = 0; i < 400 && (await client.exists(`mrcheck:run:${run}:p:0`)) === 0; i++) await new Promise((r) => setTimeout(r, 10))
      await client.xadd(`mrcheck:run:${run}:p:0`, '*', ...(bad as [string]))
    })()
    const e = await t.throwsAsync(checkCluster(twophase, { rms: 3 }, { url: redis.url, run, partitions: 1, joinTimeoutMs: 20_000 }), { instanceOf: CheckerError })
    t.regex(e!.message, /failed: A batch on mrcheck:run:\S+:p:0 (belongs to run "someone-else"|holds 7 bytes for 3 states)/)
    await planted
    await t.throwsAsync(worker)
  }
  client.disconnect()
})

const mrLifecycle = builtinModels.find((m) => m.name === 'mr-lifecycle')!

test.serial('a worker that joins while the run goes on is given partitions, and the counts stay those of one worker', async (t) => {
  const only = safetyOf(mrLifecycle, {})
  const one = await checkModel(mrLifecycle, {}, { continue: true, only })
  const { Redis } = await import('ioredis')
  const client = new Redis(redis.url)
  // With fingerprints, a handover carries the next level's states too (exact partitions hand over as they checkpoint).
  for (const store of ['fingerprint'] as const) {
    const run = runName('late')
    const early = [0, 1].map(() => clusterWorker(mrLifecycle, { url: redis.url, run, waitMs: 60_000 }))
    let late: ReturnType<typeof clusterWorker> | undefined
    let ghost: Promise<unknown> | undefined
    const said: string[] = []
    const { result } = await checkCluster(mrLifecycle, {}, {
      url: redis.url,
      run,
      workers: 2,
      partitions: 6,
      continue: true,
      only,
      store,
      joinTimeoutMs: 60_000,
      log: (line) => void said.push(line),
      onProgress: (p) => {
        if (p.depth < 5 || late !== undefined) return
        late = clusterWorker(mrLifecycle, { url: redis.url, run, waitMs: 60_000 })
        // And one that joined and died at once: it has no heartbeat, and is passed over.
        ghost = client.xadd(keysOf(run).join, '*', 'm', JSON.stringify({ worker: 'ghost', host: 'nowhere', pid: 1, heartbeatMs: 1000, holds: [] }))
      },
    })
    t.deepEqual(summary(result), summary(one), store)
    t.is((await late!).partitions.length, 2, store)
    await ghost
    t.true(said.some((line) => /^Worker \S+ joined at depth \d+: partitions \d+, \d+ moved to it\.$/.test(line)), said.join('\n'))
    t.true(said.includes('Worker ghost joined but stopped beating before it was given partitions: passed over.'), said.join('\n'))
    for (const w of await Promise.all(early)) t.is(w.partitions.length, 2)
  }
  client.disconnect()
})

test.serial('Redis restarting mid-run ends the run with an error saying the connection was lost, never with a verdict', async (t) => {
  const own = await startRedis()
  try {
    const run = runName('restart')
    const served = pool.serve({ run, model: mrLifecycle.name, url: own.url })
    let restarted: Promise<void> | undefined
    const e = await t.throwsAsync(
      checkCluster(mrLifecycle, {}, {
        only: safetyOf(mrLifecycle, {}),
        url: own.url,
        run,
        workers: 3,
        partitions: 4,
        joinTimeoutMs: 60_000,
        onProgress: (p) => void (p.depth >= 4 && (restarted ??= own.restart())),
      }),
      { instanceOf: CheckerError },
    )
    t.regex(e!.message, /^Redis at redis:\/\/127\.0\.0\.1:\d+\/? failed while [a-z ]+: .*\(the connection was lost: Redis stopped or restarted, or the network dropped it\)\. The run cannot go on; nothing was proved\.$/)
    await restarted
    const said = (await served).split('\n')
    t.is(said.length, 3, said.join('\n'))
    for (const line of said) t.regex(line, /the connection was lost/)
  } finally {
    await own.stop()
  }
})

test.serial('a connection the network drops (CLIENT KILL) fails the run with an error naming it, never a verdict', async (t) => {
  const { Redis } = await import('ioredis')
  const admin = new Redis(redis.url)
  const drop = async (prefix: string) => {
    const clients = String(await admin.client('LIST')).split('\n')
    const victim = clients.find((line) => / name=(\S+)/.exec(line)?.[1]?.startsWith(prefix))
    await admin.client('KILL', 'ID', /id=(\d+)/.exec(victim ?? '')![1]!)
  }
  // Every worker fails: the one that lost its connection with its own error, the others with the coordinator's.
  const cases: [string, RegExp, number][] = [
    ['mrcheck-worker-data-', /^Worker \S+ failed: Redis at \S+ failed while (reading|sending) states: .*\(the connection was lost/, 2],
    ['mrcheck-coordinator-reader-', /^Redis at \S+ failed while reading reports: .*\(the connection was lost/, 3],
  ]
  for (const [prefix, message, toldByCoordinator] of cases) {
    const run = runName('drop')
    const served = pool.serve({ run, model: mrLifecycle.name })
    let dropped: Promise<void> | undefined
    const e = await t.throwsAsync(
      checkCluster(mrLifecycle, {}, {
        only: safetyOf(mrLifecycle, {}),
        url: redis.url,
        run,
        workers: 3,
        partitions: 4,
        joinTimeoutMs: 60_000,
        onProgress: (p) => void (p.depth >= 4 && (dropped ??= drop(prefix))),
      }),
      { instanceOf: CheckerError },
    )
    t.regex(e!.message, message, prefix)
    await dropped
    const said = (await served).split('\n')
    t.is(said.length, 3, said.join('\n'))
    for (const line of said) t.regex(line, /the connection was lost/)
    t.is(said.filter((line) => /^run \S+: The coordinator of run \S+ failed: /.test(line)).length, toldByCoordinator, said.join('\n'))
  }
  admin.disconnect()
})

test('a password in the URL is never printed, and temporal properties are refused with the way to check them', async (t) => {
  const twophase = builtinModels.find((m) => m.name === 'twophase')!
  const url = `redis://someone:s3cret-pw@127.0.0.1:${redis.port}`
  const e = await t.throwsAsync(checkCluster(twophase, { rms: 3 }, { url }), { instanceOf: CheckerError })
  t.notRegex(e!.message, /s3cret-pw/)
  t.regex(e!.message, /redis:\/\/someone:\*\*\*@127\.0\.0\.1/)
  const peterson = builtinModels.find((m) => m.name === 'peterson')!
  const temporal = await t.throwsAsync(checkCluster(peterson, {}, { url: redis.url }), { instanceOf: CheckerError })
  t.regex(temporal!.message, /cannot be checked by a cluster search yet: check them on one machine \(mrcheck check peterson/)
})
