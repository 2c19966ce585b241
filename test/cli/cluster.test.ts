/**
 * Cluster mode from the command line, with a real redis-server on loopback: a coordinator
 * (`check --cluster --checkpoint`) and three `mrcheck worker` processes, each with a checkpoint
 * directory of its own as on three hosts. Killing a worker mid-run ends the run as incomplete,
 * naming the lost partitions (never "No error has been found"); `resume --cluster` with the same
 * workers then ends with exactly the counts of an uninterrupted run.
 */
import test from 'ava'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkModel } from '../../checker/index.js'
import { builtinModels } from '../../models/registry.js'
import { startRedis, type RedisServer } from '../helpers/redisServer.js'

const bin = fileURLToPath(new URL('../../bin/mrcheck.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'mrcheck-cluster-cli-'))
let redis: RedisServer
test.before(async () => {
  redis = await startRedis()
})
test.after.always(async () => {
  await redis?.stop()
  rmSync(dir, { recursive: true, force: true })
})

interface Ran {
  readonly child: ChildProcess
  readonly done: Promise<{ code: number | null; out: string; err: string }>
  /** Resolves once stderr matches `re`. */
  readonly saw: (re: RegExp) => Promise<void>
}

function mrcheck(args: readonly string[]): Ran {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  const waiters: [RegExp, () => void][] = []
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString()
    for (const [re, go] of waiters) if (re.test(err)) go()
  })
  const done = new Promise<{ code: number | null; out: string; err: string }>((r) => child.on('exit', (code) => r({ code, out, err })))
  return {
    child,
    done,
    saw: (re) => new Promise<void>((go) => (re.test(err) ? go() : waiters.push([re, go]))),
  }
}

const model = 'mr-lifecycle'
const safety = ['--invariant', 'RnrForeverNeverDecremented', '--invariant', 'MwNeverOutlivesMr', '--property', 'RKeyNeverMisdirected']

test('a worker killed mid-run leaves the run incomplete, naming its partitions; resume reaches the uninterrupted counts', async (t) => {
  const m = builtinModels.find((x) => x.name === model)!
  const uninterrupted = await checkModel(m, {}, { only: ['RnrForeverNeverDecremented', 'MwNeverOutlivesMr', 'RKeyNeverMisdirected'] })
  t.is(uninterrupted.status, 'ok')
  const coordDir = join(dir, 'coordinator')
  const hostDirs = [1, 2, 3].map((i) => join(dir, `host${i}`))
  const workers = (extra: string[] = []) =>
    hostDirs.map((d) => mrcheck(['worker', model, '--cluster', redis.url, '--checkpoint', d, '--heartbeat', '1', ...extra]))

  const first = workers(['--run', 'killed'])
  const coordinator = mrcheck(['check', model, ...safety, '--cluster', redis.url, '--run', 'killed', '--processes', '3', '--partitions', '6', '--checkpoint', coordDir, '--every', '0.01', '--json'])
  await coordinator.saw(/Checkpoint written at level 6 /)
  first[1]!.child.kill('SIGKILL')
  const lost = await coordinator.done
  t.is(lost.code, 3, lost.err)
  const doc = JSON.parse(lost.out)
  t.is(doc.status, 'incomplete')
  t.is(doc.stopReason, 'workerLost')
  t.notRegex(lost.out + lost.err, /No error has been found/)
  t.regex(lost.err, /stopped answering \(no heartbeat for 1 s\): partitions \d+, \d+ of 6 were lost/)
  t.true(doc.stats.distinct < uninterrupted.stats.distinct)
  for (const w of [first[0]!, first[2]!]) t.is((await w.done).code, 0)

  const again = workers()
  const resumed = mrcheck(['resume', coordDir, '--cluster', redis.url, '--json'])
  const r = await resumed.done
  t.is(r.code, 0, r.err)
  const end = JSON.parse(r.out)
  t.is(end.status, 'ok')
  t.deepEqual(
    [end.stats.distinct, end.stats.generated, end.stats.depth],
    [uninterrupted.stats.distinct, uninterrupted.stats.generated, uninterrupted.stats.depth],
  )
  for (const w of again) t.is((await w.done).code, 0)
})

test('cluster mode refuses options it cannot honour, and a worker without a run to join gives up when told', async (t) => {
  const store = await mrcheck(['check', 'twophase', '--cluster', redis.url, '--store', 'fingerprint']).done
  t.is(store.code, 5)
  t.regex(store.err, /--store does not go with --cluster: a cluster search keeps exact states/)
  const bad = await mrcheck(['check', 'twophase', '--cluster', 'http://127.0.0.1:1']).done
  t.is(bad.code, 5)
  t.regex(bad.err, /--cluster expects a redis:\/\/ or rediss:\/\/ URL/)
  const lonely = await mrcheck(['worker', 'twophase', '--cluster', redis.url, '--wait', '0.3']).done
  t.is(lonely.code, 5)
  t.regex(lonely.err, /No run of model "twophase" waits for workers at redis:\/\/127\.0\.0\.1:\d+/)
  const noCluster = await mrcheck(['check', 'twophase', '--partitions', '3']).done
  t.is(noCluster.code, 2)
  t.regex(noCluster.err, /--partitions needs --cluster <url>/)
})
