/**
 * Finds the model a command names: a built-in model by name, or a user's model file (loaded as
 * run/importModel.ts says).
 */
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ModelCode } from '../longrun/checkpoint.js'
import type { AnyModel } from '../model/model.js'
import { CheckerError, validNames } from '../result/errors.js'
import { importModelFile } from '../run/importModel.js'


/** Where a model came from, so that another process (a worker, a re-run) can load it again. */
export interface ModelSource {
  readonly model: AnyModel
  /** The built-in name, or the absolute file path. */
  readonly ref: string
  /** For a file: what its code is made of (compile/importModule.ts). */
  readonly code?: { readonly hash: string; readonly files: Readonly<Record<string, string>> }
  /** For a TypeScript file: its code as bundled, so that threads do not bundle it again (ModelSource.bundle). */
  readonly bundle?: string
}

export async function loadModel(ref: string, builtins: readonly AnyModel[]): Promise<ModelSource> {
  const builtin = builtins.find((m) => m.name === ref)
  if (builtin !== undefined) return { model: builtin, ref }
  const looksLikeFile = /[./\\]/.test(ref)
  if (!looksLikeFile) {
    throw new CheckerError(
      'MODEL_LOAD',
      `No built-in model "${ref}". Built-in models: ${validNames(builtins.map((m) => m.name))}; or give a path to a model file.`,
    )
  }
  const path = resolve(ref)
  if (!existsSync(path)) throw new CheckerError('MODEL_LOAD', `Model file ${path} does not exist.`)
  if (!statSync(path).isFile()) throw new CheckerError('MODEL_LOAD', `Model file ${path} is not a file (a directory?): give the path of a .ts or .js model file.`)
  const { model, hash, files, bundle } = await importModelFile(path)
  return { model, ref: path, code: { hash, files }, ...(bundle === undefined ? {} : { bundle }) }
}

/** What identifies a model's code in a checkpoint: its files, or for a built-in model this mrcheck's release. */
export const codeOf = (source: ModelSource, version: string): ModelCode => source.code ?? { hash: `mrcheck@${version}`, files: {} }

/** Parses repeated `--param name=value` options. */
export function parseParams(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of list) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw new CheckerError('BAD_PARAM', `--param ${item}: expected name=value.`)
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim()
  }
  return out
}
