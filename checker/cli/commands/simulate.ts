/** `mrcheck simulate <model | file>`: random walks that check properties on every state and step. */
import { InvalidArgumentError, type Command } from 'commander'
import { instantiate } from '../../compile/instantiate.js'
import { simulate, type SimulationProgress, type SimulationResult } from '../../simulate/simulate.js'
import { envelope } from '../../report/envelope.js'
import { formatViolation, formatTrace, type TextOptions } from '../../report/text.js'
import { collect, untilInterrupted, positiveInt, positiveNumber, reportFile, resultStream, type CliContext } from '../context.js'
import { EXIT } from '../exitCodes.js'
import { loadModel, parseParams } from '../loadModel.js'
import { writeSimulationReport, writeTraceFiles } from './reportFiles.js'
import { threadSource, workerCount, workerSource } from './check.js'

export interface SimulateFlags {
  param: string[]
  invariant: string[]
  property: string[]
  runs: number
  steps: number
  seed?: number
  maxSeconds?: number
  workers?: number
  strict?: boolean
  progress?: boolean
  json?: boolean
  fullStates?: boolean
  traceOut?: string
  html?: string
}

const seedArg = (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError(`--seed expects an integer in 0..4294967295, not "${value}"`)
  return n
}

/**
 * How to repeat a simulation exactly: the walks of the walker that found a violation or an error,
 * on one worker (its own seed and share of the runs); otherwise the whole simulation.
 */
export function rerunSimulation(ref: string, params: Record<string, unknown>, r: SimulationResult): string {
  const args = Object.entries(params).map(([k, v]) => ` --param ${k}=${String(v)}`)
  const { runs, seed, workers } = r.status === 'ok' ? { ...r.options, seed: r.seed } : { ...r.walker, workers: 1 }
  return `mrcheck simulate ${ref}${args.join('')} --runs ${runs} --steps ${r.options.steps} --seed ${seed}${workers > 1 ? ` --workers ${workers}` : ''}`
}

/** The progress line of a simulation (stderr). */
export function simulationProgressLine(p: SimulationProgress): string {
  const n = (x: number) => x.toLocaleString('en-US')
  return (
    `Simulation at ${(p.elapsedMs / 1000).toFixed(0)}s: ${n(p.runs)} runs, ${n(p.steps)} steps, ` +
    `${n(p.distinct)} distinct states met (${n(p.stepsPerSecond)} steps/s)`
  )
}

/** The exit status of a simulation: as `check`'s, with 0 meaning only "no violation found". */
export function exitCodeOfSimulation(r: SimulationResult): number {
  switch (r.status) {
    case 'ok':
      return EXIT.ok
    case 'error':
      return EXIT.evaluation
    case 'violation': {
      const kind = r.violation.kind
      return kind === 'deadlock' ? EXIT.deadlock : kind === 'invariant' ? EXIT.invariant : EXIT.property
    }
  }
}

/** A simulation result as text: the verdict (never "holds"), the trace, the seed, the statistics. */
export function formatSimulation(r: SimulationResult, options: TextOptions = {}): string {
  const n = (x: number) => x.toLocaleString('en-US')
  const name = `${r.model}${Object.keys(r.constants).length ? ' ' + JSON.stringify(r.constants) : ''}`
  const out: string[] = r.warnings.map((w) => `Warning: ${w}`)
  switch (r.status) {
    case 'ok': {
      const cut = r.stopped === undefined ? '' : ` (stopped early: ${r.stopped})`
      out.push(
        `Simulation of ${name}: no violation found in ${n(r.stats.runs)} runs of up to ${n(r.options.steps)} steps${cut} ` +
          '(not exhaustive: random walks sample the state space; run `mrcheck check` for a proof).',
      )
      if (r.unreached.length > 0) out.push(`Goals no run reached: ${r.unreached.join(', ')}.`)
      break
    }
    case 'violation':
      out.push(formatViolation(r.violation, options))
      break
    case 'error':
      out.push(`Error: ${r.error.message}`)
      if (r.error.trace.length > 0) out.push(formatTrace(r.error.trace, options))
      break
  }
  if (r.status !== 'ok' && r.options.workers > 1) {
    out.push(`Found by walker ${r.walker.index} of ${r.options.workers} (seed ${r.walker.seed}, ${n(r.walker.runs)} runs); the re-run repeats its walks on one worker.`)
  }
  if (r.status !== 'ok' && options.rerun) out.push(`Re-run: ${options.rerun}`)
  const on = r.options.workers > 1 ? ` on ${r.options.workers} workers` : ''
  out.push(
    `Seed ${r.seed}${on}: ${n(r.stats.runs)} runs, ${n(r.stats.steps)} steps, ${n(r.stats.distinct)} distinct states met ` +
      `(${n(r.stats.terminal)} runs ended without successors, ${n(r.stats.constrained)} outside the constraint), ` +
      `${(r.stats.durationMs / 1000).toFixed(2)}s.`,
  )
  return out.join('\n')
}

/** The `--json` document of a simulation. */
export function simulationDocument(r: SimulationResult, extra: { readonly tool: string; readonly version: string }) {
  const base = {
    ...envelope('simulate', r.status, { name: extra.tool, version: extra.version }),
    model: r.model,
    params: r.constants,
    exhaustive: false,
    seed: r.seed,
    options: r.options,
    ...(r.stopped === undefined ? {} : { stopped: r.stopped }),
    checked: r.checked,
    unreached: r.unreached,
    warnings: r.warnings,
    stats: r.stats,
  }
  const trace = (t: SimulationResult & { status: 'violation' | 'error' }) =>
    (t.status === 'violation' ? t.violation.trace : t.error.trace).map((step, index) => ({ index, ...step }))
  switch (r.status) {
    case 'ok':
      return base
    case 'violation': {
      const { property, kind, message, shortest } = r.violation
      return { ...base, run: r.run, walker: r.walker, violations: [{ property, kind, message, shortest, trace: trace(r) }] }
    }
    case 'error':
      return { ...base, code: r.error.code, message: r.error.message, run: r.run, walker: r.walker, error: { code: r.error.code, message: r.error.message, trace: trace(r) } }
  }
}

export function simulateCommand(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('simulate')
    .description('random walks through a model, checking invariants and action properties on every step (not exhaustive)')
    .argument('<model>', 'a built-in model name (see `mrcheck list`) or a path to a model file (.ts or .js)')
    .option('-p, --param <name=value>', 'set a model parameter (repeatable)', collect, [])
    .option('-i, --invariant <name>', 'check only these invariants (repeatable)', collect, [])
    .option('--property <name>', 'check only these properties of any kind (repeatable)', collect, [])
    .option('--runs <n>', 'number of random walks', positiveInt('--runs'), 100)
    .option('--steps <k>', 'the most steps per walk', positiveInt('--steps'), 100)
    .option('--seed <s>', 'seed of the walks (printed on every run; default: from the clock)', seedArg)
    .option('--max-seconds <s>', 'stop after this many seconds, with a summary of what was covered', positiveNumber('--max-seconds'))
    .option('--workers <n|auto>', 'walk on n worker threads, each its share of the runs with a seed derived from --seed; auto: one per core', workerCount)
    .option('--strict', 'walk on immer drafts of frozen states, so that model code which changes what it should only read throws (slower; the same walks)')
    .option('--progress', 'print a progress line every few seconds even when stderr is not a terminal')
    .option('--json', 'print only the result document (JSON) on stdout; human text goes to stderr')
    .option('--full-states', 'print every state of a trace in full, not only what changed')
    .option('--trace-out <file>', 'write the violating walk as an ITF trace (- for stdout)')
    .option('--html <file>', 'write a self-contained HTML report (statistics, the violating walk)', reportFile('--html'))
    .action(async (ref: string, flags: SimulateFlags, cmd: Command) => {
      if (flags.traceOut === '-' && flags.json) {
        cmd.error('error: --trace-out - and --json both write to stdout; give --trace-out a file', { exitCode: EXIT.usage })
      }
      const loaded = await loadModel(ref, ctx.builtins)
      const { model, ref: source } = loaded
      const { params, spec, props } = instantiate(model, parseParams(flags.param))
      const only = [...flags.invariant, ...flags.property]
      const workers = flags.workers ?? 1
      const showProgress = flags.progress ?? ctx.interactive
      // Walkers run in threads of their own where the model can be loaded there, even on one worker
      // (the same walks), so that the time limit and a second Ctrl-C end a walk stuck in the model's code.
      const thread = threadSource(ctx, source, params, loaded.bundle)
      const result: SimulationResult = await untilInterrupted(
        ctx,
        'stopping the walks where they are',
        (signal, quit) =>
          simulate(spec, props, {
            ...(only.length > 0 ? { only } : {}),
            runs: flags.runs,
            steps: flags.steps,
            ...(flags.seed === undefined ? {} : { seed: flags.seed }),
            ...(flags.maxSeconds === undefined ? {} : { timeoutMs: flags.maxSeconds * 1000 }),
            ...(flags.strict ? { strict: true } : {}),
            ...(workers > 1 ? { workers, source: workerSource(ctx, source, params, loaded.bundle) } : thread === undefined ? {} : { thread: true, source: thread }),
            ...(showProgress ? { onProgress: (p: SimulationProgress) => ctx.err(simulationProgressLine(p) + '\n') } : {}),
            signal,
            quit,
          }),
        { canQuit: workers > 1 || thread !== undefined },
      )
      const text = formatSimulation(result, {
        rerun: rerunSimulation(ref, params, result),
        ...(props.docs === undefined ? {} : { meanings: props.docs }),
        ...(flags.fullStates ? { fullStates: true } : {}),
        ...(spec.alias ? { alias: spec.alias } : {}),
        vars: spec.vars,
      })
      resultStream(ctx, flags.json === true || flags.traceOut === '-')(text + '\n')
      const rerun = rerunSimulation(ref, params, result)
      if (flags.traceOut !== undefined) {
        const violations = result.status === 'violation' ? [result.violation] : []
        writeTraceFiles(violations, spec, flags.traceOut, { source, params }, ctx)
      }
      if (flags.html !== undefined) writeSimulationReport(result, spec, flags.html, { source, params, rerun, ...(props.docs === undefined ? {} : { docs: props.docs }) }, ctx)
      if (flags.json) {
        ctx.out(JSON.stringify({ ...simulationDocument(result, { tool: 'mrcheck', version: ctx.version }), source }, null, 2))
      }
      setExit(exitCodeOfSimulation(result))
    })
}
