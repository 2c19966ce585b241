/**
 * `mrcheck replay FILE`: loads an ITF trace and checks that it is a behaviour of the model (each
 * state a real successor of the one before), then re-evaluates the model's properties on it and
 * prints it. Traces written by `mrcheck check --trace-out` name their model and parameters; a
 * trace from elsewhere needs `--model` (and uses the model's variable names).
 *
 * Exit status: 0 when the trace is a behaviour and every property holds on it; 11, 12 or 13 when
 * it shows a deadlock, breaks an invariant, or breaks an action or temporal property; 152 when
 * the file is malformed or the trace is not a behaviour of the model.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import type { Command } from 'commander'
import { instantiate } from '../../compile/instantiate.js'
import { compileSpec } from '../../compile/compile.js'
import { replayTrace, type ReplayResult } from '../../trace/replayTrace.js'
import { CheckerError, validNames } from '../../result/errors.js'
import { badTrace, decodeItfStates, MAX_ITF_BYTES, parseItf, type ParsedItf } from '../../report/readItf.js'
import { formatTrace, meaningLine } from '../../report/text.js'
import type { AnyModel } from '../../model/model.js'
import { collect, resultStream, type CliContext } from '../context.js'
import { EXIT } from '../exitCodes.js'
import { envelope } from '../../report/envelope.js'
import { loadModel, parseParams } from '../loadModel.js'

interface ReplayFlags {
  model?: string
  param: string[]
  fullStates?: boolean
  json?: boolean
}

/**
 * Reads a trace file (or stdin for `-`) up to MAX_ITF_BYTES, counted as it is read, so that the
 * limit holds for streams (a device, a pipe) as for files. A FIFO, a socket or a directory is
 * refused without waiting on it. Unreadable files are BAD_INPUT.
 */
export function readTraceFile(file: string): string {
  let fd: number
  try {
    fd = file === '-' ? 0 : openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (e) {
    throw badTrace(file, '', `cannot be read: ${(e as Error).message}`)
  }
  try {
    if (file !== '-') {
      const stats = fstatSync(fd)
      const kind = stats.isFIFO() ? 'a FIFO' : stats.isSocket() ? 'a socket' : stats.isDirectory() ? 'a directory' : undefined
      if (kind !== undefined) throw badTrace(file, '', `is ${kind}, not a file; to read a trace from a pipe, give - and pipe it to stdin`)
    }
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const chunk = Buffer.alloc(1 << 20)
      const n = readSync(fd, chunk, 0, chunk.byteLength, null)
      if (n === 0) break
      total += n
      if (total > MAX_ITF_BYTES) throw badTrace(file, '', `more than the ${MAX_ITF_BYTES} bytes accepted for a trace`)
      chunks.push(chunk.subarray(0, n))
    }
    return Buffer.concat(chunks, total).toString('utf8')
  } catch (e) {
    if (e instanceof CheckerError) throw e
    throw badTrace(file, '', `cannot be read: ${(e as Error).message}`)
  } finally {
    if (file !== '-') closeSync(fd)
  }
}

/** The model and parameters a trace is replayed against: `--model`, else the trace's own `#meta`. */
async function modelFor(parsed: ParsedItf, flags: ReplayFlags, ctx: CliContext): Promise<{ model: AnyModel; ref: string; given: Record<string, unknown> }> {
  const { meta, file } = parsed
  let ref = flags.model
  if (ref === undefined) {
    const source = meta.source
    if (typeof source !== 'string' || source === '') {
      throw badTrace(file, '#meta.source', 'the trace does not say which model it belongs to; give it with --model <model>')
    }
    // A path recorded in a file is not loaded on the file's word: loading a model runs its code.
    if (!ctx.builtins.some((m) => m.name === source)) {
      throw new CheckerError(
        'BAD_INPUT',
        `Trace file ${file} was written for the model file ${JSON.stringify(source)}, which is not a built-in model. ` +
          `Model files are loaded only when named on the command line: mrcheck replay ${file} --model ${source}`,
      )
    }
    ref = source
  }
  const { model, ref: resolved } = await loadModel(ref, ctx.builtins)
  const given: Record<string, unknown> = {}
  const recorded = meta.params
  if (meta.model === undefined || meta.model === model.name) {
    if (recorded !== undefined && (typeof recorded !== 'object' || recorded === null || Array.isArray(recorded))) {
      throw badTrace(file, '#meta.params', 'must be an object of model parameters')
    }
    for (const [k, v] of Object.entries((recorded ?? {}) as Record<string, unknown>)) {
      if (!Object.hasOwn(model.params, k)) {
        throw badTrace(file, `#meta.params.${k}`, `model "${model.name}" has no such parameter (parameters: ${validNames(Object.keys(model.params))})`)
      }
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw badTrace(file, `#meta.params.${k}`, 'must be a string, number or boolean')
      }
      given[k] = v
    }
  }
  return { model, ref: resolved, given: { ...given, ...parseParams(flags.param) } }
}

/**
 * The exit status: the property the trace was recorded for decides when it fails here too;
 * otherwise the property that fails first along the trace.
 */
function exitOf(r: ReplayResult, recorded: unknown): number {
  if (!r.valid) return EXIT.notABehaviour
  const first = r.violations.find((v) => v.property === recorded) ?? r.violations[0]
  if (first === undefined) return EXIT.ok
  return first.kind === 'deadlock' ? EXIT.deadlock : first.kind === 'invariant' || first.kind === 'reachable' ? EXIT.invariant : EXIT.property
}

/** Registers `mrcheck replay`. */
export function replayCommand(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('replay')
    .description('check that an ITF trace is a behaviour of the model, re-check its properties on it, and print it')
    .argument('<file>', 'an ITF trace (.itf.json) as written by `check --trace-out`, or - for stdin')
    .option('-m, --model <model>', 'the model (built-in name or file); default: the one the trace names')
    .option('-p, --param <name=value>', 'set a model parameter, over the trace\'s own (repeatable)', collect, [])
    .option('--full-states', 'print every state in full, not only what changed')
    .option('--json', 'print the verdict as JSON on stdout')
    .action(async (file: string, flags: ReplayFlags) => {
      const parsed = parseItf(readTraceFile(file), file)
      const { model, ref, given } = await modelFor(parsed, flags, ctx)
      let inst: ReturnType<typeof instantiate>
      try {
        inst = instantiate(model, given)
      } catch (e) {
        // Parameters that came from the file are the file's fault.
        if (e instanceof CheckerError && e.code === 'BAD_PARAM' && flags.param.length === 0) {
          throw badTrace(file, '#meta.params', e.message)
        }
        throw e
      }
      const { spec, props, params } = inst
      const c = compileSpec(spec, props)
      const states = decodeItfStates(parsed, spec)
      const r = replayTrace(c, {
        states,
        hints: parsed.hints,
        ...(parsed.loop === undefined ? {} : { loop: parsed.loop }),
        ...(parsed.loopHint === undefined ? {} : { loopHint: parsed.loopHint }),
      })
      const recorded = parsed.meta.property
      const textOptions = { ...(flags.fullStates ? { fullStates: true } : {}), ...(spec.alias ? { alias: spec.alias } : {}), vars: spec.vars }
      const name = `${model.name}${Object.keys(params).length ? ' ' + JSON.stringify(params) : ''}`
      const out: string[] = [`Replaying ${file}: ${parsed.states.length} states against ${name}.`]
      if (!r.valid) {
        if (r.trace.length > 0) out.push(formatTrace(r.trace, textOptions))
        out.push(`Error: the trace is not a behaviour of the model: ${r.reason}.`)
      } else {
        const loop = r.loopStart === undefined ? undefined : { start: r.loopStart, action: r.closing ?? null }
        out.push(formatTrace(r.trace, textOptions, loop))
        for (const note of r.notes) out.push(`Warning: ${note}`)
        // Along the trace: the property that fails first comes first.
        const found = [...r.violations].sort((a, b) => a.trace.length - b.trace.length)
        for (const v of found) out.push(`Error: ${v.message}`, ...meaningLine(v.property, props.docs))
        if (found.length === 0) {
          out.push(`The trace is a behaviour of ${model.name} and every property holds on it.`)
        } else if (typeof recorded === 'string' && !found.some((v) => v.property === recorded)) {
          out.push(`Note: the trace was recorded as a counterexample to ${recorded}, which holds on it now.`)
        }
      }
      resultStream(ctx, flags.json === true)(out.join('\n') + '\n')
      if (flags.json) {
        const status = !r.valid ? 'error' : r.violations.length > 0 ? 'violation' : 'ok'
        ctx.out(
          JSON.stringify(
            {
              ...envelope('replay', status, { name: 'mrcheck', version: ctx.version }),
              ...(r.valid ? {} : { code: 'NOT_A_BEHAVIOUR', message: `the trace is not a behaviour of the model: ${r.reason}`, exitCode: EXIT.notABehaviour }),
              file,
              model: model.name,
              source: ref,
              params,
              valid: r.valid,
              ...(r.valid
                ? {
                    states: r.trace.length,
                    ...(r.loopStart === undefined ? {} : { loop: r.loopStart }),
                    notes: r.notes,
                    violations: r.violations.map((v) => ({ property: v.property, kind: v.kind, message: v.message, at: v.trace.length })),
                  }
                : { step: r.step, reason: r.reason }),
            },
            null,
            2,
          ),
        )
      }
      setExit(exitOf(r, recorded))
    })
}
