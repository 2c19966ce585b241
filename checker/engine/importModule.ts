/**
 * Imports a model's module by URL: JavaScript by plain import; a TypeScript file bundled by esbuild
 * with its local imports (packages such as mrcheck stay imports of the installed package), written
 * to a temporary .mjs file and imported from there. That costs a fraction of a second, where a
 * loader hook (tsx) would see every module the model loads. esbuild is an optional peer dependency
 * (tsx brings it), so a project with compiled models installs neither.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire, isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { CheckerError } from '../report/errors.js'

const isTypeScript = (url: string): boolean => /\.(c|m)?ts$/.test(url)

export async function importModule(url: string): Promise<Record<string, unknown>> {
  if (!isTypeScript(url)) return (await import(url)) as Record<string, unknown>
  const path = fileURLToPath(url)
  const code = await bundle(path)
  // Beside nothing of the user's: a folder of its own under the system's temporary directory.
  const dir = mkdtempSync(join(tmpdir(), 'mrcheck-model-'))
  const file = join(dir, `${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`)
  try {
    writeFileSync(file, code)
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The model file and its local imports as one ES module; packages are imported by absolute URL. */
async function bundle(path: string): Promise<string> {
  let esbuild: typeof import('esbuild')
  try {
    esbuild = await import('esbuild')
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND' || !/'esbuild'/.test(String(e))) throw e
    throw new CheckerError(
      'MODEL_LOAD',
      `${path} is a TypeScript file, and loading one needs esbuild, which is not installed. Install it beside mrcheck ` +
        '(npm install --save-dev esbuild; tsx brings it too), or compile the model and give its .js file.',
    )
  }
  const result = await esbuild.build({
    entryPoints: [path],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [
      {
        name: 'packages-stay-imports',
        setup(build) {
          // A package import resolves from the file that makes it, as Node would resolve it there.
          build.onResolve({ filter: /^[^./]/ }, (args) => {
            if (isBuiltin(args.path)) return { path: args.path, external: true }
            const resolved = createRequire(args.importer).resolve(args.path)
            return { path: isBuiltin(resolved) ? resolved : pathToFileURL(resolved).href, external: true }
          })
        },
      },
    ],
  })
  return result.outputFiles[0]!.text
}
