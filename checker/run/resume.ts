/**
 * Going on from a checkpoint (engine/checkpoint.ts): the manifest says which model, parameters
 * and options the search ran with; the spec is rebuilt from them, checked against the
 * checkpoint's shape, and the search continues where the checkpoint left it, writing further
 * checkpoints to the same directory.
 */
import { resolve } from 'node:path'
import type { AnyModel } from '../spec/model.js'
import type { CheckResult } from '../report/result.js'
import { CheckerError } from '../report/errors.js'
import { readManifest, MANIFEST } from '../engine/checkpoint.js'
import { check, type CheckOptions } from './check.js'
import { instantiate } from '../engine/instantiate.js'
import { importModelFile } from './importModel.js'

export interface ResumeOptions {
  /** The model, when the checkpoint was written for a spec without a model ref (or to override it). */
  readonly model?: AnyModel
  /** Models to look a built-in ref up in. */
  readonly builtins?: readonly AnyModel[]
  readonly signal?: AbortSignal
  readonly onProgress?: CheckOptions['onProgress']
  /** Overrides of the checkpoint's period and disk budget. */
  readonly everyMs?: number
  readonly diskMiB?: number
  /** Overrides the memory budget (MiB): a run stopped by its budget goes on with a larger one. */
  readonly memoryMiB?: number
}

/** Finds the model a checkpoint names. */
export async function checkpointModel(dir: string, options: ResumeOptions = {}): Promise<AnyModel> {
  if (options.model !== undefined) return options.model
  const m = readManifest(dir)
  const ref = m.model.ref
  const file = resolve(dir, MANIFEST)
  if (ref === undefined) {
    throw new CheckerError('BAD_INPUT', `Checkpoint file ${file} names no model file or built-in model; pass the model to resume().`)
  }
  const builtin = options.builtins?.find((b) => b.name === ref)
  if (builtin !== undefined) return builtin
  return importModelFile(ref, `Model ${ref}, named by checkpoint ${file},`)
}

/** Resumes the search saved in checkpoint directory `dir`; ends with the result of the whole run. */
export async function resume(dir: string, options: ResumeOptions = {}): Promise<CheckResult> {
  const m = readManifest(dir)
  const model = await checkpointModel(dir, options)
  const { spec, props } = instantiate(model, m.model.params)
  const saved = {
    ...(m.options as CheckOptions),
    ...(options.memoryMiB !== undefined ? { memoryMiB: options.memoryMiB } : {}),
  }
  const everyMs = options.everyMs ?? m.everyMs
  const diskMiB = options.diskMiB ?? m.diskMiB
  return check(spec, props, {
    ...saved,
    resumeFrom: dir,
    checkpoint: {
      dir,
      everyMs,
      ...(diskMiB !== undefined ? { diskMiB } : {}),
      ...(m.model.ref !== undefined ? { model: { ref: m.model.ref, params: m.model.params } } : {}),
      options: saved as Record<string, unknown>,
    },
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  })
}
