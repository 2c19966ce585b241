/**
 * Imports a model's module, and says what its code is made of.
 *
 * JavaScript is imported as Node loads it (a JavaScript file's module type is its own choice). A
 * TypeScript file is bundled by esbuild with its local imports (packages such as mrcheck stay
 * imports of the installed package) into one ES module, written to a temporary .mjs file and
 * imported from there. So a model is strict code wherever it sits: without a `"type": "module"`
 * package.json above it, a loader that follows Node's rules would compile it as CommonJS, in sloppy
 * mode, where a write the checker forbids (adding a field to a sealed state, writing to a frozen
 * one) is silently dropped instead of throwing. It also costs a fraction of a second, where a loader
 * hook (tsx) would see every module the model loads. esbuild is an optional peer dependency (tsx
 * brings it), so a project with compiled models installs neither.
 *
 * The bundling names every local file a model is made of: `hash` is a SHA-256 over their contents,
 * which a checkpoint records so that a run is never resumed with changed model code. What it made
 * of a file is kept between runs while nothing it read changes (bundleCache.ts), and a bundle is
 * imported from the cache's file of it; where nothing can be kept, from a temporary file.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { CheckerError } from '../result/errors.js'
import { bundleFile, cacheDir, cachedBundle, keepBundle, resolvePackage, type Bundled, type PackageImport } from './bundleCache.js'

export interface ModuleFile {
  readonly exports: Record<string, unknown>
  /** A TypeScript file's code as bundled (for importModule's `bundle`). */
  readonly bundle?: string
  /** SHA-256 over the files below, in path order ('' for a JavaScript file where esbuild is not installed). */
  readonly hash: string
  /** Each local file the module is made of (relative to the module's folder): its SHA-256. */
  readonly files: Readonly<Record<string, string>>
}

const isTypeScript = (url: string): boolean => /\.(c|m)?ts$/.test(url)

/**
 * Imports the module at `url`: a TypeScript file as importModuleFile does (or from `bundle`, its code
 * as importModuleFile bundled it before), anything else as Node does.
 */
export async function importModule(url: string, bundle?: string): Promise<Record<string, unknown>> {
  if (!isTypeScript(url)) return (await import(url)) as Record<string, unknown>
  if (bundle !== undefined) return importBundle(bundle, cacheDir(dirname(fileURLToPath(url))))
  return (await importModuleFile(fileURLToPath(url))).exports
}

/** Imports the module file at absolute `path` (a TypeScript file bundled, strict) and says what it is made of. */
export async function importModuleFile(path: string): Promise<ModuleFile> {
  const dir = dirname(path)
  const cache = cacheDir(dir)
  let bundled = cache === undefined ? undefined : cachedBundle(cache, path, dir)
  if (bundled === undefined) {
    const esbuild = await loadEsbuild(path)
    if (esbuild === undefined) return { exports: (await import(pathToFileURL(path).href)) as Record<string, unknown>, hash: '', files: {} }
    const { code, ...made } = await bundle(esbuild, path)
    bundled = isTypeScript(path) ? { code, ...made } : made
    if (cache !== undefined) keepBundle(cache, path, dir, bundled)
  }
  const { code, files } = bundled
  const hash = createHash('sha256').update(JSON.stringify(files)).digest('hex')
  if (code === undefined) return { exports: (await import(pathToFileURL(path).href)) as Record<string, unknown>, hash, files }
  return { exports: await importBundle(code, cache), bundle: code, hash, files }
}

/** Imports bundled code from the cache's file of it, or else from a temporary .mjs file. */
async function importBundle(code: string, cache: string | undefined): Promise<Record<string, unknown>> {
  const kept = cache === undefined ? undefined : bundleFile(cache, code)
  if (kept !== undefined) return (await import(pathToFileURL(kept).href)) as Record<string, unknown>
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

/**
 * esbuild; for a JavaScript file where it is not installed, undefined (such a file then loads
 * without the list of what it is made of). A TypeScript file needs it: an error says what to install.
 */
async function loadEsbuild(path: string): Promise<typeof import('esbuild') | undefined> {
  try {
    return await import('esbuild')
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND' || !/'esbuild'/.test(String(e))) throw e
    if (!isTypeScript(path)) return undefined
    throw new CheckerError(
      'MODEL_LOAD',
      `${path} is a TypeScript file, and loading one needs esbuild, which is not installed. Install it beside mrcheck ` +
        '(npm install --save-dev esbuild; tsx brings it too), or compile the model and give its .js file.',
    )
  }
}

/** The model file and its local imports as one ES module (packages imported by absolute URL), each local file's SHA-256 and the package imports. */
async function bundle(esbuild: typeof import('esbuild'), path: string): Promise<Bundled & { code: string }> {
  const dir = dirname(path)
  const imports: PackageImport[] = []
  const result = await esbuild.build({
    entryPoints: [path],
    absWorkingDir: dir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    metafile: true,
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [
      {
        name: 'packages-stay-imports',
        setup(build) {
          // A package import resolves from the file that makes it, as Node would resolve it there.
          build.onResolve({ filter: /^[^./]/ }, (args) => {
            // A builtin, or a URL (file:, node:, data:) that names its module already.
            if (isBuiltin(args.path) || /^[a-z][a-z\d+.-]*:/i.test(args.path)) return { path: args.path, external: true }
            const resolved = resolvePackage(args.importer, args.path)
            imports.push({ importer: args.importer, specifier: args.path, resolved })
            return { path: isBuiltin(resolved) ? resolved : pathToFileURL(resolved).href, external: true }
          })
        },
      },
    ],
  })
  const files: Record<string, string> = {}
  for (const input of Object.keys(result.metafile.inputs).sort()) {
    files[input] = createHash('sha256').update(readFileSync(join(dir, input))).digest('hex')
  }
  return { code: result.outputFiles[0]!.text, files, imports }
}
