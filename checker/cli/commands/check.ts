/** `mrcheck check <model | file>`: exhaustive search of one model at given parameters. */
import { InvalidArgumentError, type Command } from 'commander'
import { availableParallelism } from 'node:os'
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import type { CheckpointOptions, ModelCode } from '../../longrun/checkpoint.js'
import { instantiate } from '../../compile/instantiate.js'
import { checkWorkerCount } from '../../search/WorkerPool.js'
import { check } from '../../run/check.js'
import { checkInThread, threadInfo } from '../searchThread.js'
import type { ThreadOptions } from '../searchThreadProtocol.js'
import type { Progress, StoreMode } from '../../search/bfs.js'
import type { ModelSource } from '../../search/workerProtocol.js'
import { resultDocument } from '../../report/json.js'
import { formatResult } from '../../report/text.js'
import type { CheckResult } from '../../result/result.js'
import { collect, onOff, untilInterrupted, positiveInt, positiveNumber, resultStream, reportFile, type CliContext } from '../context.js'
import { exitCodeOf } from '../exitCodes.js'
import { codeOf, loadModel, parseParams } from '../loadModel.js'
import { CheckerError } from '../../result/errors.js'
import type { FairnessOverride } from '../../liveness/resolveFairness.js'
import { writeHtmlReport, writeTraceFiles } from './reportFiles.js'
import { checkOnCluster, runName, type ClusterFlags } from './cluster.js'
import { progressLine, rerunCommand } from '../progressLine.js'
import type { CheckFlags } from './checkFlags.js'
export { progressLine, rerunCommand }

export const storeMode = (value: string): StoreMode => {
  if (value === 'exact' || value === 'fingerprint' || value === 'auto') return value
  throw new InvalidArgumentError(`--store expects exact, fingerprint or auto, not "${value}"`)
}

/** `--workers`: a positive integer, or `auto` for one per core this process may use (TLC's `-workers auto`). */
export const workerCount = (value: string): number => {
  if (value === 'auto') return availableParallelism()
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`--workers expects a positive integer or auto, not "${value}"`)
  try {
    checkWorkerCount(n)
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message)
  }
  return n
}

export function checkCommand(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('check')
    .description('explore every reachable state of a model and check its properties')
    .argument('<model>', 'a built-in model name (see `mrcheck list`) or a path to a model file (.ts or .js)')
    .option('-p, --param <name=value>', 'set a model parameter (repeatable)', collect, [])
    .option('-i, --invariant <name>', 'check only these invariants (repeatable)', collect, [])
    .option('--property <name>', 'check only these properties of any kind (repeatable)', collect, [])
    .option('--max-states <n>', 'stop after this many distinct states', positiveInt('--max-states'))
    .option('--max-depth <n>', 'do not explore beyond this depth', positiveInt('--max-depth'))
    .option('--max-seconds <s>', 'stop after this many seconds', positiveNumber('--max-seconds'))
    .option('--continue', 'keep going after a violation; report the first of every violated property')
    .option('--json', 'print only the result document (JSON) on stdout; human text goes to stderr')
    .option('--progress', 'print a progress line every few seconds even when stderr is not a terminal')
    .option('--full-states', 'print every state of a trace in full, not only what changed')
    .option('--fairness <action=weak|strong|none>', "override an action's fairness for temporal properties (repeatable)", collect, [])
    .option('--trace-out <file>', 'write each counterexample as an ITF trace: FILE, then FILE-2, ... before the extension; - for stdout')
    .option('--html <file>', 'write a self-contained HTML report: statistics, coverage, counterexamples with a sequence view', reportFile('--html'))
    .option('--symmetry <on|off>', 'store one state per orbit of the symmetric index types (default off; not with temporal properties)', onOff('--symmetry'))
    .option('--view <on|off>', "merge states with equal views (the model's view, like TLC's VIEW; default on when it has one)", onOff('--view'))
    .option('--por <on|off>', 'partial-order reduction for safety properties: explore only some orders of independent steps (default off; traces may not be shortest; not with temporal properties)', onOff('--por'))
    .option('--store <exact|fingerprint|auto>', 'keep whole states (exact), 64-bit fingerprints (about 10-12 bytes a state), or exact until --memory would be passed, then fingerprints (auto, default)', storeMode)
    .option('--memory <MiB>', 'memory budget of the search; past it --store auto (the default) switches to fingerprints, --store exact stops the run incomplete', positiveInt('--memory'))
    .option('--workers <n|auto>', 'search on n worker threads, level by level (counterexamples stay shortest); auto: one per core', workerCount)
    .option('--checkpoint <dir>', 'write the search state to DIR every --every seconds and on Ctrl-C; go on with `mrcheck resume DIR`')
    .option('--every <s>', 'seconds between checkpoints (default 60)', positiveNumber('--every'))
    .option('--disk <MiB>', 'disk budget of the checkpoint directory; a checkpoint that would pass it stops the run incomplete', positiveInt('--disk'))
    .option('--strict', 'debug mode (much slower): run guards, effects and properties twice more on frozen states, and report one that is not deterministic or changes what it is given')
    .option('--cluster <url>', 'coordinate a search by worker processes on any machines over Redis (redis://[user:password@]host:port or rediss://); start them with `mrcheck worker MODEL --cluster URL`')
    .option('--processes <n>', 'with --cluster: worker processes to wait for before the search starts (default 1)', positiveInt('--processes'))
    .option('--partitions <n>', 'with --cluster: partitions of the state space (default 4 per worker process)', positiveInt('--partitions'))
    .option('--run <name>', 'with --cluster: the run\'s name in Redis (default: made up); workers given --run join only it', runName)
    .option('--heartbeat <s>', 'with --cluster: seconds without a heartbeat after which the coordinator counts as lost (default 10)', positiveNumber('--heartbeat'))
    .action(async (ref: string, flags: CheckFlags & ClusterFlags & { processes?: number }, cmd: Command) => {
      if (flags.cluster !== undefined) return checkOnCluster(ref, flags, ctx, setExit)
      for (const f of ['processes', 'partitions', 'run', 'heartbeat'] as const) {
        if (flags[f] !== undefined) cmd.error(`error: --${f} needs --cluster <url>`, { exitCode: 2 })
      }
      if (flags.checkpoint !== undefined && (flags.workers ?? 1) > 1) {
        cmd.error('error: --checkpoint works with one worker only; drop --workers or --checkpoint', { exitCode: 2 })
      }
      if (flags.checkpoint === undefined && (flags.every !== undefined || flags.disk !== undefined)) {
        cmd.error('error: --every and --disk need --checkpoint <dir>', { exitCode: 2 })
      }
      if (flags.traceOut === '-' && flags.json) {
        cmd.error('error: --trace-out - and --json both write to stdout; give --trace-out a file', { exitCode: 2 })
      }
      const loaded = await loadModel(ref, ctx.builtins)
      const { model, ref: source } = loaded
      const { params, spec, props } = instantiate(model, parseParams(flags.param))
      const only = [...flags.invariant, ...flags.property]
      const showProgress = flags.progress ?? ctx.interactive
      const options: ThreadOptions = {
        ...(only.length > 0 ? { only } : {}),
        ...(flags.maxStates === undefined ? {} : { maxStates: flags.maxStates }),
        ...(flags.maxDepth === undefined ? {} : { maxDepth: flags.maxDepth }),
        ...(flags.maxSeconds === undefined ? {} : { timeoutMs: flags.maxSeconds * 1000 }),
        continue: flags.continue ?? false,
        ...(flags.fairness.length > 0 ? { fairness: parseFairness(flags.fairness) } : {}),
        ...(flags.symmetry === undefined ? {} : { symmetry: flags.symmetry }),
        ...(flags.view === undefined ? {} : { view: flags.view }),
        ...(flags.por === undefined ? {} : { por: flags.por }),
        ...(flags.store === undefined ? {} : { store: flags.store }),
        ...(flags.memory === undefined ? {} : { memoryMiB: flags.memory }),
        ...((flags.workers ?? 1) > 1 ? { workers: flags.workers!, source: workerSource(ctx, source, params, loaded.bundle) } : {}),
        // The sample of partial-order reduction is recorded in a thread that builds the spec from its source.
        ...(flags.por === true && (flags.workers ?? 1) <= 1 ? { source: workerSource(ctx, source, params, loaded.bundle) } : {}),
        ...(flags.checkpoint === undefined ? {} : { checkpoint: checkpointOptions(flags, source, params, codeOf(loaded, ctx.version)) }),
        ...(flags.strict ? { strict: true } : {}),
      }
      const onProgress = showProgress ? { onProgress: (p: Progress) => ctx.err(progressLine(p) + '\n') } : {}
      // The search runs in a thread of its own when the model can be loaded there, so that the
      // time limit and a second Ctrl-C end it even in a model's endless loop (searchThread.ts).
      const thread = threadSource(ctx, source, params, loaded.bundle)
      const result: CheckResult = await untilInterrupted(
        ctx,
        'finishing with what was found',
        (signal, quit) =>
          thread === undefined
            ? check(spec, props, { ...options, signal, ...onProgress })
            : checkInThread(thread, options, {
                signal,
                quit,
                ...onProgress,
                info: () => threadInfo(spec, props, options),
              }),
        { canQuit: thread !== undefined },
      )
      const text = formatResult(result, {
        rerun: rerunCommand(ref, params),
        ...(props.docs === undefined ? {} : { meanings: props.docs }),
        ...(flags.fullStates ? { fullStates: true } : {}),
        ...(spec.alias ? { alias: spec.alias } : {}),
        vars: spec.vars,
      })
      const say = resultStream(ctx, flags.json === true || flags.traceOut === '-')
      say(text + '\n')
      if (result.collisionProbability !== undefined) {
        say(`Fingerprint collision probability (optimistic estimate): ${result.collisionProbability.toExponential(1)}.\n`)
      }
      const sym = result.reduction?.symmetry ?? []
      if (sym.length > 0) {
        const types = sym.map((s) => `${s.name} (${s.size} members)`).join(', ')
        say(`Symmetry reduction over ${types}: distinct states are orbits; traces are concrete behaviours.\n`)
      }
      // Files first: a file that cannot be written ends the command with an error document instead.
      if (flags.traceOut !== undefined) writeTraceFiles(result.violations, spec, flags.traceOut, { source, params }, ctx)
      if (flags.html !== undefined) writeHtmlReport(result, spec, flags.html, { source, params, rerun: rerunCommand(ref, params), ...(props.docs === undefined ? {} : { docs: props.docs }) }, ctx)
      if (flags.json) {
        ctx.out(JSON.stringify({ ...resultDocument(result, { tool: 'mrcheck', version: ctx.version }), source }, null, 2))
      }
      setExit(exitCodeOf(result))
    })
}

/** Where and how often to write checkpoints, and what `mrcheck resume` needs to rebuild the run. */
function checkpointOptions(flags: CheckFlags, ref: string, params: Record<string, unknown>, code: ModelCode): CheckpointOptions {
  return {
    dir: resolve(flags.checkpoint!),
    everyMs: (flags.every ?? 60) * 1000,
    ...(flags.disk === undefined ? {} : { diskMiB: flags.disk }),
    model: { ref, params, code },
  }
}

/** Where the search thread loads the model from, when it can (a CLI that names the module of its built-in models). */
export function threadSource(ctx: CliContext, ref: string, params: Record<string, unknown>, bundle?: string): ModelSource | undefined {
  return ctx.builtins.some((m) => m.name === ref) && ctx.builtinsModule === undefined ? undefined : workerSource(ctx, ref, params, bundle)
}

/** Where worker threads load the model from: the model file, or the module of the built-in models. */
export function workerSource(ctx: CliContext, ref: string, params: Record<string, unknown>, bundle?: string): ModelSource {
  if (ctx.builtins.some((m) => m.name === ref)) {
    if (ctx.builtinsModule === undefined) {
      throw new CheckerError('MODEL_LOAD', `--workers: this CLI does not say which module holds the built-in model "${ref}".`)
    }
    return { module: ctx.builtinsModule, name: ref, params }
  }
  return { module: pathToFileURL(ref).href, params, ...(bundle === undefined ? {} : { bundle }) }
}

/** Parses repeated `--fairness Action=weak|strong|none`; the liveness phase validates the names. */
function parseFairness(list: readonly string[]): Record<string, FairnessOverride> {
  const out: Record<string, FairnessOverride> = {}
  for (const [name, value] of Object.entries(parseParams(list))) {
    if (value !== 'weak' && value !== 'strong' && value !== 'none') {
      throw new CheckerError('BAD_PARAM', `--fairness ${name}=${value}: expected weak, strong or none.`)
    }
    out[name] = value
  }
  return out
}
