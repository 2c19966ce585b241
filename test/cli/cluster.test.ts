/**
 * Cluster mode from the command line, with a real redis-server on loopback: three `mrcheck worker`
 * processes, each with a checkpoint directory of its own as on three hosts, and a coordinator
 * (`check --cluster --checkpoint`). Killing a worker mid-run ends the run as incomplete, naming the
 * lost partitions (never "No error has been found"); `resume --cluster` with three workers given
 * those directories then ends with exactly the counts of an uninterrupted run. The coordinators, the
 * resumed run's workers and the refusals run the CLI in this process (runCli), as bin/mrcheck.ts
 * does; only the workers of the run that loses one are processes of their own, to be killed.
 * Every `--json` document, errors included, validates against the shipped schema.
 */
import test from 'ava'
import { Ajv } from 'ajv'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkModel } from '../../checker/index.js'
import { runCli } from '../../checker/cli/main.js'
import { builtinModels } from '../../models/registry.js'
import { startRedis, type RedisServer } from '../helpers/redisServer.js'

const bin = fileURLToPath(new URL('../../bundle/mrcheck.js', import.meta.url))
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
const dir = mkdtempSync(join(tmpdir(), 'mrcheck-cluster-cli-'))
const schema = JSON.parse(readFileSync(new URL('../../../schema/result.schema.json', import.meta.url), 'utf8')) as object
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema)

/** The run's one `--json` document, asserted to validate against the shipped schema. */
function documentOf(t: import('ava').ExecutionContext, out: string) {
  const doc = JSON.parse(out) as Record<string, any>
  t.true(validate(doc), JSON.stringify(validate.errors, null, 2))
  return doc
}
let redis: RedisServer
test.before(async () => {
  redis = await startRedis()
})
test.after.always(async () => {
  await redis?.stop()
  rmSync(dir, { recursive: true, force: true })
})

interface Ran {
  readonly done: Promise<{ code: number | null; out: string; err: string }>
  /** Resolves once stderr matches `re`. */
  readonly saw: (re: RegExp) => Promise<void>
}

/** Watches stderr for the patterns `saw` waits for. */
function watcher() {
  let err = ''
  const waiters: [RegExp, () => void][] = []
  return {
    get err() {
      return err
    },
    add(s: string) {
      err += s
      for (const [re, go] of waiters) if (re.test(err)) go()
    },
    saw: (re: RegExp) => new Promise<void>((go) => (re.test(err) ? go() : waiters.push([re, go]))),
  }
}

/** `mrcheck ARGS` as a process of its own. */
function mrcheckProcess(args: readonly string[]): Ran & { readonly child: ChildProcess } {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const w = watcher()
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => w.add(d.toString()))
  const done = new Promise<{ code: number | null; out: string; err: string }>((r) => child.on('exit', (code) => r({ code, out, err: w.err })))
  return { child, done, saw: w.saw }
}

/** `mrcheck ARGS` in this process. */
function mrcheck(args: readonly string[]): Ran {
  let out = ''
  const w = watcher()
  const done = runCli(args, {
    builtins: builtinModels,
    version,
    out: (s) => void (out += s.endsWith('\n') ? s : s + '\n'),
    err: (s) => w.add(s),
    interactive: false,
  }).then((code) => ({ code, out, err: w.err }))
  return { done, saw: w.saw }
}

const model = 'mr-lifecycle'
const safety = ['--invariant', 'RnrForeverNeverDecremented', '--invariant', 'MwNeverOutlivesMr', '--property', 'RKeyNeverMisdirected']

test('a worker killed mid-run leaves the run incomplete, naming its partitions; resume reaches the uninterrupted counts', async (t) => {
  const m = builtinModels.find((x) => x.name === model)!
  const uninterrupted = await checkModel(m, {}, { only: ['RnrForeverNeverDecremented', 'MwNeverOutlivesMr', 'RKeyNeverMisdirected'] })
  t.is(uninterrupted.status, 'ok')
  const coordDir = join(dir, 'coordinator')
  const hostDirs = [1, 2, 3].map((i) => join(dir, `host${i}`))
  const workerArgs = (d: string) => ['worker', model, '--cluster', redis.url, '--checkpoint', d, '--heartbeat', '1']

  const first = hostDirs.map((d) => mrcheckProcess([...workerArgs(d), '--run', 'killed']))
  const coordinator = mrcheck(['check', model, ...safety, '--cluster', redis.url, '--run', 'killed', '--processes', '3', '--partitions', '6', '--checkpoint', coordDir, '--every', '0.01', '--store', 'fingerprint', '--json'])
  await coordinator.saw(/Checkpoint written at level 6 /)
  first[1]!.child.kill('SIGKILL')
  const lost = await coordinator.done
  t.is(lost.code, 3, lost.err)
  const doc = documentOf(t, lost.out)
  t.is(doc.status, 'incomplete')
  t.is(doc.stopReason, 'workerLost')
  t.notRegex(lost.out + lost.err, /No error has been found/)
  t.regex(lost.err, /stopped answering \(no heartbeat for 1 s\): partitions \d+, \d+ of 6 were lost/)
  t.true(doc.stats.distinct < uninterrupted.stats.distinct)
  for (const w of [first[0]!, first[2]!]) {
    const ended = await w.done
    t.is(ended.code, 3, ended.err)
    t.regex(ended.err, /\nRun killed stopped early \(workerLost\) at its coordinator, incomplete: nothing was proved\.\n$/)
  }

  const again = hostDirs.map((d) => mrcheck(workerArgs(d)))
  const resumed = mrcheck(['resume', coordDir, '--cluster', redis.url, '--json'])
  const r = await resumed.done
  t.is(r.code, 0, r.err)
  const end = documentOf(t, r.out)
  t.is(end.status, 'ok')
  t.is(end.store, 'fingerprint')
  t.regex(r.err, /Fingerprint collision probability \(optimistic estimate, 96-bit fingerprints\): \d\.\de-\d+\./)
  t.regex(r.err, /3 worker processes, 6 partitions, 96-bit fingerprints; /)
  t.deepEqual(
    [end.stats.distinct, end.stats.generated, end.stats.depth],
    [uninterrupted.stats.distinct, uninterrupted.stats.generated, uninterrupted.stats.depth],
  )
  for (const w of again) t.is((await w.done).code, 0)
})

test.serial('a run in time-limited slices checkpoints where each slice stops, and the last slice ends with the uninterrupted counts', async (t) => {
  const m = builtinModels.find((x) => x.name === model)!
  const uninterrupted = await checkModel(m, {}, { only: ['RnrForeverNeverDecremented', 'MwNeverOutlivesMr', 'RKeyNeverMisdirected'] })
  const coordDir = join(dir, 'sliced')
  const hostDirs = [1, 2].map((i) => join(dir, `sliced-host${i}`))
  // The run's own name keeps these workers out of the other tests' runs; no checkpoint falls due by
  // time (--every 3600), so each slice goes on only from the one its predecessor wrote at its limit.
  const workers = () => hostDirs.map((d) => mrcheck(['worker', model, '--cluster', redis.url, '--checkpoint', d, '--run', 'sliced']))
  const slice = async (args: readonly string[]) => {
    const ws = workers()
    const ran = await mrcheck([...args, '--json']).done
    for (const w of ws) await w.done
    return { ...ran, doc: documentOf(t, ran.out) }
  }
  const first = await slice(['check', model, ...safety, '--cluster', redis.url, '--run', 'sliced', '--processes', '2', '--partitions', '4', '--checkpoint', coordDir, '--every', '3600', '--max-seconds', '0.001'])
  t.is(first.code, 3, first.err)
  t.is(first.doc.stopReason, 'timeout')
  t.regex(first.err, /Checkpoint written at level 1 /)
  const second = await slice(['resume', coordDir, '--cluster', redis.url, '--run', 'sliced', '--max-seconds', '0.001'])
  t.is(second.code, 3, second.err)
  t.is(second.doc.stopReason, 'timeout')
  t.regex(second.err, /Checkpoint written at level 2 /)
  t.true(second.doc.stats.distinct > first.doc.stats.distinct)
  const last = await slice(['resume', coordDir, '--cluster', redis.url, '--run', 'sliced'])
  t.is(last.code, 0, last.err)
  t.deepEqual(
    [last.doc.stats.distinct, last.doc.stats.generated, last.doc.stats.depth],
    [uninterrupted.stats.distinct, uninterrupted.stats.generated, uninterrupted.stats.depth],
  )
})

test('cluster mode refuses options it cannot honour, naming them, and a worker without a run to join gives up when told', async (t) => {
  const store = await mrcheck(['check', 'twophase', '--cluster', redis.url, '--store', 'auto']).done
  t.is(store.code, 5)
  t.regex(store.err, /--store auto does not go with --cluster: give --store exact \(the default\) or --store fingerprint/)
  const memory = await mrcheck(['check', 'twophase', '--cluster', redis.url, '--memory', '100']).done
  t.is(memory.code, 5)
  t.regex(memory.err, /--memory does not go with --cluster: each worker process has the memory of its machine/)
  const por = await mrcheck(['check', 'twophase', '--cluster', redis.url, '--por', 'on']).done
  t.is(por.code, 5)
  t.regex(por.err, /--por does not go with --cluster: partial-order reduction searches on one machine, with one worker/)
  // --max-states stops at the first level boundary past it, and the worker exits 3 as the coordinator does; a worker given another model is refused (5).
  // The refused worker meets the waiting run before the one it keeps joins, so that it cannot miss it.
  const coordinator = mrcheck(['check', 'twophase', '--cluster', redis.url, '--run', 'limited', '--max-states', '50', '--json'])
  await coordinator.saw(/waiting for 1 worker process/)
  const refused = await mrcheck(['worker', 'diehard', '--cluster', redis.url, '--run', 'limited']).done
  t.is(refused.code, 5, refused.err)
  t.regex(refused.err, /(^|\n)Error: This worker cannot join the run: the run checks model "twophase", this worker was given "diehard"\.\n$/)
  const worker = mrcheck(['worker', 'twophase', '--cluster', redis.url, '--run', 'limited'])
  const limited = await coordinator.done
  t.is(limited.code, 3, limited.err)
  const doc = documentOf(t, limited.out)
  t.deepEqual([doc.status, doc.stopReason], ['incomplete', 'maxStates'])
  t.true(doc.stats.distinct >= 50 && doc.stats.distinct < 288)
  const served = await worker.done
  t.is(served.code, 3, served.err)
  t.regex(served.err, /\nRun limited stopped early \(maxStates\) at its coordinator, incomplete: nothing was proved\.\n$/)
  const complete = mrcheck(['worker', 'twophase', '--cluster', redis.url, '--run', 'whole'])
  t.is((await mrcheck(['check', 'twophase', '--cluster', redis.url, '--run', 'whole']).done).code, 0)
  const whole = await complete.done
  t.is(whole.code, 0, whole.err)
  t.regex(whole.err, /\nRun whole ended: the search is complete\.\n$/)
  const bad = await mrcheck(['check', 'twophase', '--cluster', 'http://127.0.0.1:1']).done
  t.is(bad.code, 5)
  t.regex(bad.err, /--cluster expects a redis:\/\/ or rediss:\/\/ URL/)
  const unreachable = await mrcheck(['check', 'twophase', '--cluster', 'redis://127.0.0.1:1', '--json']).done
  t.is(unreachable.code, 5)
  t.like(documentOf(t, unreachable.out), { status: 'error', code: 'CLUSTER' })
  const lonely = await mrcheck(['worker', 'twophase', '--cluster', redis.url, '--wait', '0.3']).done
  t.is(lonely.code, 5)
  t.regex(lonely.err, /No run of model "twophase" waits for workers at redis:\/\/127\.0\.0\.1:\d+/)
  const noCluster = await mrcheck(['check', 'twophase', '--partitions', '3']).done
  t.is(noCluster.code, 2)
  t.regex(noCluster.err, /--partitions needs --cluster <url>/)
})

const bigger = ['page-migration', '--param', 'pages=3', '--param', 'frames=5', '--param', 'moves=2', '--param', 'writes=2', '--invariant', 'NoStaleTranslation']

test('a worker whose coordinator is killed mid-run exits 5 saying so, and a run left without its coordinator is not joined', async (t) => {
  const workers = [1, 2].map(() => mrcheck(['worker', 'page-migration', '--cluster', redis.url, '--run', 'orphaned', '--heartbeat', '1']))
  const coordinator = mrcheckProcess(['check', ...bigger, '--cluster', redis.url, '--run', 'orphaned', '--processes', '2', '--heartbeat', '1', '--progress'])
  await coordinator.saw(/Progress\(3\) at /)
  coordinator.child.kill('SIGKILL')
  t.is((await coordinator.done).code, null)
  for (const w of workers) {
    const ended = await w.done
    t.is(ended.code, 5, ended.err)
    t.regex(ended.err, /\nError: The coordinator of run orphaned stopped answering \(its heartbeat expired: it was stopped or killed\); nothing was proved\.\n$/)
  }
  // Its keys are still in Redis: named, the run is refused; unnamed, it is passed over.
  const late = await mrcheck(['worker', 'page-migration', '--cluster', redis.url, '--run', 'orphaned']).done
  t.is(late.code, 5)
  t.regex(late.err, /^Error: Run orphaned has no coordinator any more \(its heartbeat expired: it was stopped or killed\); it cannot be joined\.\n$/)
  const any = await mrcheck(['worker', 'page-migration', '--cluster', redis.url, '--wait', '0.3']).done
  t.is(any.code, 5)
  t.regex(any.err, /No run of model "page-migration" waits for workers/)
})

test('a worker interrupted mid-run leaves it (exit 3), and the coordinator stops the run incomplete, naming it', async (t) => {
  const leaving = mrcheckProcess(['worker', 'page-migration', '--cluster', redis.url, '--run', 'interrupted'])
  const staying = mrcheck(['worker', 'page-migration', '--cluster', redis.url, '--run', 'interrupted'])
  const coordinator = mrcheck(['check', ...bigger, '--cluster', redis.url, '--run', 'interrupted', '--processes', '2', '--progress', '--json'])
  await coordinator.saw(/Progress\(3\) at /)
  leaving.child.kill('SIGINT')
  const stopped = await coordinator.done
  t.is(stopped.code, 3, stopped.err)
  const doc = documentOf(t, stopped.out)
  t.deepEqual([doc.status, doc.stopReason], ['incomplete', 'workerLost'])
  t.regex(stopped.out + stopped.err, /Worker \S+ left the run \(interrupted\): partitions (0, 2, 4, 6|1, 3, 5, 7) of 8 were lost\./)
  const left = await leaving.done
  t.is(left.code, 3, left.err)
  t.regex(left.err, /\nInterrupted: this worker left run interrupted, which stops incomplete; nothing was proved\.\n$/)
  const other = await staying.done
  t.is(other.code, 3, other.err)
  t.regex(other.err, /\nRun interrupted stopped early \(workerLost\) at its coordinator, incomplete: nothing was proved\.\n$/)
})
