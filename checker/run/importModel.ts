/**
 * Loads a model from a module file (compile/importModule.ts: TypeScript bundled into a strict ES
 * module, JavaScript by plain import). The default export is the model, or the only model the
 * file exports.
 */
import type { AnyModel } from '../model/model.js'
import { CheckerError, validNames } from '../result/errors.js'
import { importModuleFile } from '../compile/importModule.js'

export const isModel = (x: unknown): x is AnyModel =>
  typeof x === 'object' &&
  x !== null &&
  typeof (x as AnyModel).name === 'string' &&
  typeof (x as AnyModel).build === 'function' &&
  typeof (x as AnyModel).properties === 'function' &&
  typeof (x as AnyModel).params === 'object'

/** A model loaded from a file, with what identifies its code (compile/importModule.ts). */
export interface ModelFile {
  readonly model: AnyModel
  readonly hash: string
  readonly files: Readonly<Record<string, string>>
  /** A TypeScript file's code as bundled, for threads that load it again (ModelSource.bundle). */
  readonly bundle?: string
}

/** The model exported by the file at absolute `path`; `what` names it in errors ("Model file X"). */
export async function importModelFile(path: string, what = `Model file ${path}`): Promise<ModelFile> {
  let loaded: Awaited<ReturnType<typeof importModuleFile>>
  try {
    loaded = await importModuleFile(path)
  } catch (e) {
    if (e instanceof CheckerError) throw e
    throw new CheckerError('MODEL_LOAD', `${what} failed to load: ${(e as Error).message ?? String(e)}`)
  }
  let exports = loaded.exports
  // A JavaScript file outside an ESM package is CommonJS: its exports then sit under `default`.
  if (!isModel(exports.default) && typeof exports.default === 'object' && exports.default !== null) {
    exports = { ...exports, ...(exports.default as Record<string, unknown>) }
  }
  const models = [...new Set(Object.values(exports).filter(isModel))]
  const chosen = isModel(exports.default) ? exports.default : models.length === 1 ? models[0] : undefined
  if (chosen === undefined) {
    throw new CheckerError(
      'MODEL_LOAD',
      models.length === 0
        ? `${what} exports no model. Export one made with defineModel({ name, params, build, properties }), ` +
            'preferably as the default export.'
        : `${what} exports several models (${validNames(models.map((m) => m.name))}) and no default export.`,
    )
  }
  return { model: chosen, hash: loaded.hash, files: loaded.files, ...(loaded.bundle === undefined ? {} : { bundle: loaded.bundle }) }
}
