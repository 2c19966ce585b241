/** `mrcheck resume <dir>`: go on with a search from its last checkpoint (see `check --checkpoint`). */
import type { Command } from 'commander'
import { resolve } from 'node:path'
import type { Progress } from '../../search/bfs.js'
import { readManifest, type Manifest } from '../../longrun/manifest.js'
import { resumePlan } from '../../run/resume.js'
import { check } from '../../run/check.js'
import { instantiate } from '../../compile/instantiate.js'
import { checkInThread, threadInfo } from '../searchThread.js'
import { resultDocument } from '../../report/json.js'
import { formatResult } from '../../report/text.js'
import type { CheckResult } from '../../result/result.js'
import { positiveInt, positiveNumber, untilInterrupted, resultStream, type CliContext } from '../context.js'
import { exitCodeOf } from '../exitCodes.js'
import { codeOf, loadModel } from '../loadModel.js'
import { progressLine, threadSource } from './check.js'
import { resumeOnCluster, runName, type ClusterFlags } from './cluster.js'

interface ResumeFlags {
  json?: boolean
  progress?: boolean
  fullStates?: boolean
  every?: number
  disk?: number
  memory?: number
  maxSeconds?: number
  model?: string
}

export function resumeCommand(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('resume')
    .description('go on with a search from the last checkpoint in DIR; ends with the result of the whole run')
    .argument('<dir>', 'a checkpoint directory written by `mrcheck check --checkpoint DIR`')
    .option('--json', 'print only the result document (JSON) on stdout; human text goes to stderr')
    .option('--progress', 'print a progress line every few seconds even when stderr is not a terminal')
    .option('--full-states', 'print every state of a trace in full, not only what changed')
    .option('--every <s>', 'seconds between further checkpoints (default: as when the run started)', positiveNumber('--every'))
    .option('--disk <MiB>', 'disk budget of the checkpoint directory (default: as when the run started)', positiveInt('--disk'))
    .option('--max-seconds <s>', 'stop this run after this many seconds, with a final checkpoint to resume from again (not kept for later resumes)', positiveNumber('--max-seconds'))
    .option('--memory <MiB>', 'memory budget (default: as when the run started; raise it to go on after a memory stop)', positiveInt('--memory'))
    .option('--model <file>', 'the model file the run checked (a checkpoint never loads code by itself); it must be unchanged')
    .option('--cluster <url>', 'go on with a cluster search (check --cluster --checkpoint DIR) over this Redis; start the workers with their --checkpoint directories')
    .option('--run <name>', 'with --cluster: the resumed run\'s name in Redis (default: made up); workers given --run join only it', runName)
    .option('--heartbeat <s>', 'with --cluster: seconds without a heartbeat after which the coordinator counts as lost (default 10)', positiveNumber('--heartbeat'))
    .action(async (dirArg: string, flags: ResumeFlags & ClusterFlags) => {
      const dir = resolve(dirArg)
      if (flags.cluster !== undefined) return resumeOnCluster(dir, flags, ctx, setExit)
      const manifest = readManifest(dir)
      const ref = manifest.model.ref
      const builtin = ctx.builtins.find((b) => b.name === ref)
      const given = flags.model !== undefined ? await loadModel(flags.model, ctx.builtins) : builtin !== undefined ? { model: builtin, ref: builtin.name } : undefined
      const showProgress = flags.progress ?? ctx.interactive
      const plan = resumePlan(dir, {
        ...(given === undefined ? {} : { model: given.model, code: codeOf(given, ctx.version) }),
        builtins: ctx.builtins,
        ...(flags.every === undefined ? {} : { everyMs: flags.every * 1000 }),
        ...(flags.disk === undefined ? {} : { diskMiB: flags.disk }),
        ...(flags.memory === undefined ? {} : { memoryMiB: flags.memory }),
        ...(flags.maxSeconds === undefined ? {} : { timeoutMs: flags.maxSeconds * 1000 }),
      })
      const { spec, props } = instantiate(plan.model, plan.params)
      const onProgress = showProgress ? { onProgress: (p: Progress) => ctx.err(progressLine(p) + '\n') } : {}
      // As for check: the search runs in a thread of its own, so that a second Ctrl-C ends it even
      // in a model's endless loop (searchThread.ts).
      const thread = given === undefined ? undefined : threadSource(ctx, given.ref, { ...plan.params }, 'bundle' in given ? given.bundle : undefined)
      const result: CheckResult = await untilInterrupted(
        ctx,
        'writing a checkpoint and finishing with what was found',
        (signal, quit) =>
          thread === undefined
            ? check(spec, props, { ...plan.options, signal, ...onProgress })
            : checkInThread(thread, plan.options, {
                signal,
                quit,
                ...onProgress,
                from: checkpointProgress(manifest),
                info: () => threadInfo(spec, props, plan.options),
              }),
        { canQuit: thread !== undefined },
      )
      const text = formatResult(result, {
        rerun: `mrcheck resume ${dirArg}`,
        ...(props.docs === undefined ? {} : { meanings: props.docs }),
        ...(flags.fullStates ? { fullStates: true } : {}),
        ...(spec.alias ? { alias: spec.alias } : {}),
        vars: spec.vars,
      })
      resultStream(ctx, flags.json === true)(text + '\n')
      if (flags.json) {
        ctx.out(JSON.stringify({ ...resultDocument(result, { tool: 'mrcheck', version: ctx.version }, 'resume'), source: ref ?? manifest.model.name }, null, 2))
      }
      setExit(exitCodeOf(result))
    })
}

/** What a run had covered when its checkpoint was written. */
function checkpointProgress(m: Manifest): Progress {
  return { distinct: m.count, generated: m.generated, depth: m.loop.depth, left: m.count - m.loop.next, elapsedMs: 0, statesPerSecond: 0 }
}
