/**
 * Going on from a checkpoint (longrun/checkpoint.ts): the manifest says which model, parameters
 * and options the search ran with; the spec is rebuilt from them, checked against the
 * checkpoint's shape and signature, and the search continues where the checkpoint left it,
 * writing further checkpoints to the same directory.
 *
 * A checkpoint never makes mrcheck load code by itself: a built-in model is looked up by name,
 * any other model is the one the caller gives (`--model FILE`), and when the checkpoint recorded
 * what that model's code was made of, the code given must be the same.
 */
import { resolve } from 'node:path'
import type { AnyModel } from '../model/model.js'
import type { CheckResult } from '../result/result.js'
import { CheckerError } from '../result/errors.js'
import type { ModelCode } from '../longrun/checkpoint.js'
import { readManifest, MANIFEST, type Manifest } from '../longrun/manifest.js'
import { check, type CheckOptions } from './check.js'
import { instantiate } from '../compile/instantiate.js'

export interface ResumeOptions {
  /** The model, when the checkpoint was written for a spec without a built-in model (or to override it). */
  readonly model?: AnyModel
  /** What the given model's code is made of (run/importModel.ts), to compare with what the checkpoint recorded. */
  readonly code?: ModelCode
  /** Models to look a built-in ref up in. */
  readonly builtins?: readonly AnyModel[]
  readonly signal?: AbortSignal
  readonly onProgress?: CheckOptions['onProgress']
  /** Overrides of the checkpoint's period and disk budget. */
  readonly everyMs?: number
  readonly diskMiB?: number
  /** Overrides the memory budget (MiB): a run stopped by its budget goes on with a larger one. */
  readonly memoryMiB?: number
  /**
   * Stop (incomplete, stopReason 'timeout') after this many milliseconds of this resumed run,
   * writing a final checkpoint that a further resume goes on from. Not saved in the checkpoint:
   * each resume gives its own, so that a long search can be run in time-limited slices.
   */
  readonly timeoutMs?: number
}

/** The model to resume with: the one given, or the built-in model the checkpoint names. */
export function checkpointModel(dir: string, options: ResumeOptions = {}): AnyModel {
  const m = readManifest(dir)
  const file = resolve(dir, MANIFEST)
  const ref = m.model.ref
  const model = options.model ?? options.builtins?.find((b) => b.name === ref)
  if (model === undefined) {
    throw new CheckerError(
      'USAGE',
      ref === undefined
        ? `Checkpoint file ${file} names no model file or built-in model; pass the model to resume().`
        : `Checkpoint file ${file} was written for the model file ${ref}: give it again (mrcheck resume ${dir} --model ${ref}, ` +
            'or resume(dir, { model })). A checkpoint never makes mrcheck load code by itself.',
    )
  }
  sameCode(file, m, options.code)
  return model
}

/** Refuses model code other than the code the checkpoint was written with, naming the files that differ. */
function sameCode(file: string, m: Manifest, code: ModelCode | undefined): void {
  const was = m.model.code
  if (was === undefined || code === undefined || was.hash === code.hash) return
  const paths = [...new Set([...Object.keys(was.files), ...Object.keys(code.files)])].sort()
  const changed = paths.map((p) =>
    !(p in code.files) ? `${p} (gone)` : !(p in was.files) ? `${p} (new)` : was.files[p] !== code.files[p] ? p : undefined,
  )
  const which = changed.filter((p) => p !== undefined)
  throw new CheckerError(
    'BAD_INPUT',
    `Checkpoint file ${file} was written for other model code: ${
      which.length > 0 ? `changed since: ${which.join(', ')}` : `it came with ${was.hash}, this is ${code.hash}`
    }. A resumed run must search the model it started with: start the check again.`,
  )
}

/** What resuming checkpoint `dir` runs: the model, its parameters, and the options of the search to go on with. */
export interface ResumePlan {
  readonly model: AnyModel
  readonly params: Readonly<Record<string, unknown>>
  /** Plain data, so that the search can run in a thread of its own (cli/searchThread.ts). */
  readonly options: Omit<CheckOptions, 'signal' | 'onProgress'>
}

/** The plan for resuming checkpoint `dir`: refuses a model or code other than the checkpoint's (checkpointModel). */
export function resumePlan(dir: string, options: ResumeOptions = {}): ResumePlan {
  const m = readManifest(dir)
  const model = checkpointModel(dir, options)
  const saved = {
    ...(m.options as CheckOptions),
    ...(options.memoryMiB !== undefined ? { memoryMiB: options.memoryMiB } : {}),
  }
  const everyMs = options.everyMs ?? m.everyMs
  const diskMiB = options.diskMiB ?? m.diskMiB
  return {
    model,
    params: m.model.params,
    options: {
      ...saved,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      resumeFrom: dir,
      checkpoint: {
        dir,
        everyMs,
        ...(diskMiB !== undefined ? { diskMiB } : {}),
        ...(m.model.ref !== undefined
          ? { model: { ref: m.model.ref, params: m.model.params, ...(m.model.code !== undefined ? { code: m.model.code } : {}) } }
          : {}),
        options: saved as Record<string, unknown>,
      },
    },
  }
}

/** Resumes the search saved in checkpoint directory `dir`; ends with the result of the whole run. */
export async function resume(dir: string, options: ResumeOptions = {}): Promise<CheckResult> {
  const plan = resumePlan(dir, options)
  const { spec, props } = instantiate(plan.model, plan.params)
  return check(spec, props, {
    ...plan.options,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  })
}
