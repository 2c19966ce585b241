/**
 * Imports a model's module by URL: TypeScript files through tsx (an optional peer dependency, so
 * a project with compiled models does not install it), anything else by plain import.
 */
import { CheckerError } from '../report/errors.js'

const isTypeScript = (url: string): boolean => /\.(c|m)?ts$/.test(url)

export async function importModule(url: string): Promise<Record<string, unknown>> {
  if (!isTypeScript(url)) return (await import(url)) as Record<string, unknown>
  let tsx: typeof import('tsx/esm/api')
  try {
    tsx = await import('tsx/esm/api')
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND' || !/'tsx'/.test(String(e))) throw e
    throw new CheckerError(
      'MODEL_LOAD',
      `${decodeURI(new URL(url).pathname)} is a TypeScript file, and loading one needs tsx, which is not installed. ` +
        'Install it beside mrcheck (npm install --save-dev tsx), or compile the model and give its .js file.',
    )
  }
  return (await tsx.tsImport(url, import.meta.url)) as Record<string, unknown>
}
