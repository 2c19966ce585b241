/**
 * Finds the model a command names: a built-in model by name, or a user's model file (TypeScript
 * files are loaded directly through tsx; JavaScript files by plain import).
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { AnyModel } from '../spec/model.js'
import { CheckerError, validNames } from '../report/errors.js'

export const isModel = (x: unknown): x is AnyModel =>
  typeof x === 'object' &&
  x !== null &&
  typeof (x as AnyModel).name === 'string' &&
  typeof (x as AnyModel).build === 'function' &&
  typeof (x as AnyModel).properties === 'function' &&
  typeof (x as AnyModel).params === 'object'

/** Where a model came from, so that another process (a worker, a re-run) can load it again. */
export interface ModelSource {
  readonly model: AnyModel
  /** The built-in name, or the absolute file path. */
  readonly ref: string
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
  let exports: Record<string, unknown>
  try {
    exports = /\.(c|m)?ts$/.test(path)
      ? await (await import('tsx/esm/api')).tsImport(pathToFileURL(path).href, import.meta.url)
      : await import(pathToFileURL(path).href)
  } catch (e) {
    throw new CheckerError('MODEL_LOAD', `Model file ${path} failed to load: ${(e as Error).message ?? String(e)}`)
  }
  // A file outside an ESM package is compiled as CommonJS: its exports then sit under `default`.
  if (!isModel(exports.default) && typeof exports.default === 'object' && exports.default !== null) {
    exports = { ...exports, ...(exports.default as Record<string, unknown>) }
  }
  const models = [...new Set(Object.values(exports).filter(isModel))]
  const chosen = isModel(exports.default) ? exports.default : models.length === 1 ? models[0] : undefined
  if (chosen === undefined) {
    throw new CheckerError(
      'MODEL_LOAD',
      models.length === 0
        ? `Model file ${path} exports no model. Export one made with defineModel({ name, params, build, properties }), ` +
            'preferably as the default export.'
        : `Model file ${path} exports several models (${validNames(models.map((m) => m.name))}) and no default export.`,
    )
  }
  return { model: chosen, ref: path }
}

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
