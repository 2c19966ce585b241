/**
 * Cluster mode on the command line: `mrcheck check MODEL --cluster URL` (the coordinator),
 * `mrcheck worker MODEL --cluster URL [--processes N]`, and `mrcheck resume DIR --cluster URL`.
 */
import { InvalidArgumentError, type Command } from 'commander'
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { checkCluster, clusterCheckpointModel, clusterWorker, type ClusterCheckOptions, type ClusterRun } from '../../run/cluster.js'
import { shownUrl } from '../../search/cluster/redis.js'
import { ClusterError } from '../../search/cluster/protocol.js'
import { FINGERPRINT_BITS } from '../../search/cluster/Partition.js'
import { instantiate } from '../../compile/instantiate.js'
import { resultDocument } from '../../report/json.js'
import { formatResult } from '../../report/text.js'
import { positiveInt, positiveNumber, resultStream, untilInterrupted, type CliContext } from '../context.js'
import { EXIT, exitCodeOf } from '../exitCodes.js'
import { codeOf, loadModel, parseParams } from '../loadModel.js'
import { progressLine, rerunCommand } from '../progressLine.js'
import { writeHtmlReport, writeTraceFiles } from './reportFiles.js'
import type { CheckFlags } from './checkFlags.js'

export interface ClusterFlags {
  cluster?: string
  partitions?: number
  run?: string
  heartbeat?: number
}

/** The check options cluster mode does not take, and why. */
const NOT_IN_CLUSTER: readonly [keyof CheckFlags, string][] = [
  ['workers', 'give the number of worker processes to wait for with --processes'],
  ['memory', 'each worker process has the memory of its machine'],
  ['strict', 'run --strict on one machine'],
  ['fairness', 'temporal properties are checked on one machine'],
  ['disk', 'each host writes its own checkpoint directory'],
  ['por', 'partial-order reduction searches on one machine, with one worker'],
]

/** `check --cluster`: the coordinator. */
export async function checkOnCluster(ref: string, flags: CheckFlags & ClusterFlags & { processes?: number }, ctx: CliContext, setExit: (code: number) => void): Promise<void> {
  for (const [flag, why] of NOT_IN_CLUSTER) {
    const v = flags[flag]
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) {
      throw new ClusterError(`--${flag.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} does not go with --cluster: ${why}.`)
    }
  }
  if (flags.store === 'auto') throw new ClusterError('--store auto does not go with --cluster: give --store exact (the default) or --store fingerprint (96-bit fingerprints).')
  const loaded = await loadModel(ref, ctx.builtins)
  const params = parseParams(flags.param)
  const only = [...flags.invariant, ...flags.property]
  const resolvedParams = instantiate(loaded.model, params).params
  const run = await untilInterrupted(ctx, 'stopping the cluster search at the next level', (signal) =>
    checkCluster(loaded.model, params, {
      ...clusterOptions(flags, ctx, signal),
      workers: flags.processes ?? 1,
      ...(only.length > 0 ? { only } : {}),
      ...(flags.symmetry === undefined ? {} : { symmetry: flags.symmetry }),
      ...(flags.view === undefined ? {} : { view: flags.view }),
      continue: flags.continue ?? false,
      ...(flags.store === 'fingerprint' ? { store: 'fingerprint' as const } : {}),
      ...(flags.maxDepth === undefined ? {} : { maxDepth: flags.maxDepth }),
      ...(flags.maxStates === undefined ? {} : { maxStates: flags.maxStates }),
      ...(flags.maxSeconds === undefined ? {} : { timeoutMs: flags.maxSeconds * 1000 }),
      ...(flags.checkpoint === undefined ? {} : { checkpoint: { dir: resolve(flags.checkpoint), ref: loaded.ref, ...(flags.every === undefined ? {} : { everyMs: flags.every * 1000 }) } }),
      codeHash: codeOf(loaded, ctx.version).hash,
      version: ctx.version,
    }),
  )
  printClusterRun(run, ctx, flags, rerunCommand(ref, resolvedParams), { loaded, params: resolvedParams })
  setExit(exitCodeOf(run.result))
}

function clusterOptions(flags: ClusterFlags & { progress?: boolean }, ctx: CliContext, signal: AbortSignal): ClusterCheckOptions {
  return {
    url: flags.cluster!,
    ...(flags.partitions === undefined ? {} : { partitions: flags.partitions }),
    ...(flags.run === undefined ? {} : { run: flags.run }),
    ...(flags.heartbeat === undefined ? {} : { heartbeatMs: flags.heartbeat * 1000 }),
    signal,
    log: (line) => ctx.err(line + '\n'),
    ...((flags.progress ?? ctx.interactive) ? { onProgress: (p) => ctx.err(progressLine(p) + '\n') } : {}),
  }
}

/** The result as `check` prints it, then what the cluster cost (on stderr: it is about the run, not the model). */
function printClusterRun(
  { result, cluster }: ClusterRun,
  ctx: CliContext,
  flags: { json?: boolean; fullStates?: boolean; traceOut?: string; html?: string },
  rerun: string,
  source?: { loaded: Awaited<ReturnType<typeof loadModel>>; params: Record<string, unknown> },
): void {
  const say = resultStream(ctx, flags.json === true || flags.traceOut === '-')
  const built = source === undefined ? undefined : instantiate(source.loaded.model, source.params)
  const docs = built?.props.docs
  const shownAs = built === undefined ? {} : { vars: built.spec.vars, ...(built.spec.alias ? { alias: built.spec.alias } : {}) }
  say(formatResult(result, { rerun, ...(docs === undefined ? {} : { meanings: docs }), ...(flags.fullStates ? { fullStates: true } : {}), ...shownAs }) + '\n')
  if (result.collisionProbability !== undefined) {
    say(`Fingerprint collision probability (optimistic estimate, ${FINGERPRINT_BITS}-bit fingerprints): ${result.collisionProbability.toExponential(1)}.\n`)
  }
  if (source !== undefined) {
    const { spec } = built!
    if (flags.traceOut !== undefined) writeTraceFiles(result.violations, spec, flags.traceOut, { source: source.loaded.ref, params: source.params }, ctx)
    if (flags.html !== undefined) writeHtmlReport(result, spec, flags.html, { source: source.loaded.ref, params: source.params, rerun }, ctx)
  }
  const perState = result.stats.distinct > 0 ? cluster.bytesSent / result.stats.distinct : 0
  ctx.err(
    `Cluster run ${cluster.run}: ${cluster.workers} worker process${cluster.workers === 1 ? '' : 'es'}, ${cluster.partitions} partitions, ` +
      `${result.store === 'exact' ? 'exact states' : `${FINGERPRINT_BITS}-bit fingerprints`}; ` +
      `${cluster.batches.toLocaleString('en-US')} batches, ${(cluster.bytesSent / 2 ** 20).toFixed(1)} MiB of states through Redis ` +
      `(${perState.toFixed(1)} bytes a distinct state); Redis memory peak ${(cluster.redisPeakBytes / 2 ** 20).toFixed(2)} MiB above its start.\n`,
  )
  if (flags.json) ctx.out(JSON.stringify({ ...resultDocument(result, { tool: 'mrcheck', version: ctx.version }), ...(source === undefined ? {} : { source: source.loaded.ref }) }, null, 2))
}

interface WorkerFlags extends ClusterFlags {
  processes: number
  checkpoint?: string
  wait?: number
}

export function workerCommand(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('worker')
    .description('join a cluster search of MODEL over Redis (started by `mrcheck check MODEL --cluster URL`) and serve it to its end')
    .argument('<model>', 'the model the run checks: a built-in model name or the same model file as the coordinator (nothing else is ever loaded)')
    .requiredOption('--cluster <url>', 'the Redis server: redis://[user:password@]host:port or rediss://... (TLS)')
    .option('--processes <n>', 'worker processes to start on this machine (default 1)', positiveInt('--processes'), 1)
    .option('--run <name>', 'join only the run of this name (default: the oldest run of MODEL waiting for workers)', runName)
    .option('--checkpoint <dir>', "write this host's partitions to DIR when the coordinator asks (check --checkpoint); read them on resume")
    .option('--heartbeat <s>', 'seconds without a heartbeat after which a process counts as lost (default 10)', positiveNumber('--heartbeat'))
    .option('--wait <s>', 'give up when no run has started after this many seconds (default: wait)', positiveNumber('--wait'))
    .action(async (ref: string, flags: WorkerFlags) => {
      if (flags.processes > 1) return setExit(await forkWorkers(flags.processes, ctx))
      const loaded = await loadModel(ref, ctx.builtins)
      const outcome = await untilInterrupted(ctx, 'leaving the run (the coordinator stops it as incomplete)', (signal) =>
        clusterWorker(loaded.model, {
          url: flags.cluster!,
          ...(flags.run === undefined ? {} : { run: flags.run }),
          ...(flags.checkpoint === undefined ? {} : { checkpointDir: resolve(flags.checkpoint) }),
          ...(flags.heartbeat === undefined ? {} : { heartbeatMs: flags.heartbeat * 1000 }),
          ...(flags.wait === undefined ? {} : { waitMs: flags.wait * 1000 }),
          signal,
          log: (line) => ctx.err(line + '\n'),
          codeHash: codeOf(loaded, ctx.version).hash,
          version: ctx.version,
        }),
      )
      // 0 once the run has its verdict (the coordinator prints it); 3 when it stopped without one, as `check` does. A failed run threw (5).
      if (outcome.end === 'verdict') return ctx.err(`Run ${outcome.run} ended: ${outcome.ended}.\n`)
      ctx.err(
        outcome.end === 'left'
          ? `Interrupted: this worker left run ${outcome.run}, which stops incomplete; nothing was proved.\n`
          : `Run ${outcome.run} ${outcome.ended} at its coordinator, incomplete: nothing was proved.\n`,
      )
      setExit(EXIT.incomplete)
    })
}

/** `--processes N`: N copies of this command, each one worker process; the worst exit status (5 over 3 over 0). */
async function forkWorkers(n: number, ctx: CliContext): Promise<number> {
  const args = process.argv.slice(1).flatMap((a, i, all) => (a === '--processes' ? [] : all[i - 1] === '--processes' ? [] : a.startsWith('--processes=') ? [] : [a]))
  const codes = await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const child = spawn(process.execPath, [...process.execArgv, ...args], { stdio: ['ignore', 'inherit', 'pipe'] })
      child.stderr.on('data', (d: Buffer) => ctx.err(d.toString('utf8').replace(/^(?=.)/gm, `[${i + 1}] `)))
      return new Promise<number>((done) => child.on('exit', (code) => done(code ?? 1)))
    }),
  )
  return Math.max(...codes)
}

export const runName = (value: string): string => {
  if (!/^[\w-]{1,64}$/.test(value)) throw new InvalidArgumentError(`--run expects letters, digits, _ and - (64 at most), not "${value}"`)
  return value
}

/** `resume DIR --cluster URL`: the coordinator goes on from its record of the run. */
export async function resumeOnCluster(
  dir: string,
  flags: ClusterFlags & { json?: boolean; fullStates?: boolean; progress?: boolean; model?: string; every?: number; maxSeconds?: number },
  ctx: CliContext,
  setExit: (code: number) => void,
): Promise<void> {
  const named = clusterCheckpointModel(dir)
  const builtin = ctx.builtins.find((b) => b.name === named.ref)
  if (flags.model === undefined && builtin === undefined) {
    throw new ClusterError(`The run in ${dir} checked the model file ${named.ref}: give it again with --model FILE (a checkpoint never loads code by itself).`)
  }
  const loaded = flags.model !== undefined ? await loadModel(flags.model, ctx.builtins) : { model: builtin!, ref: builtin!.name }
  if (loaded.model.name !== named.name) throw new ClusterError(`The run in ${dir} checked model "${named.name}", not "${loaded.model.name}".`)
  const run = await untilInterrupted(ctx, 'stopping the cluster search at the next level', (signal) =>
    checkCluster(loaded.model, {}, {
      ...clusterOptions(flags, ctx, signal),
      resumeFrom: dir,
      ...(flags.maxSeconds === undefined ? {} : { timeoutMs: flags.maxSeconds * 1000 }),
      checkpoint: { dir, ref: loaded.ref, ...(flags.every === undefined ? {} : { everyMs: flags.every * 1000 }) },
      codeHash: codeOf(loaded, ctx.version).hash,
      version: ctx.version,
    }),
  )
  ctx.err(`Resumed from ${dir} at ${shownUrl(flags.cluster!)}.\n`)
  printClusterRun(run, ctx, flags, `mrcheck resume ${dir} --cluster URL`)
  setExit(exitCodeOf(run.result))
}
