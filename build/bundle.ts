/**
 * Bundles what the package runs (the `mrcheck` executable, the library and each export of
 * package.json) into dist/bundle/: a few ES modules instead of the two hundred that tsc writes, which
 * Node loads in a fraction of the time (a check starts in about half the time). Code split: the
 * entries share their chunks, so the library a model imports is the CLI's own. Packages stay imports
 * of what is installed (fast-check arbitraries must be the user's fast-check's). tsc's output keeps the
 * types (.d.ts) the exports name, and the tests.
 *
 * Every entry and chunk sits in dist/bundle/ itself, named as its source file: a module that starts
 * a thread names the thread's entry beside itself (`new URL('./worker.js', import.meta.url)`), which
 * holds both in tsc's layout and here. The build fails if code that names a file by its own URL
 * ends up in an entry of a sub-folder. Source maps name the sources, which the package ships.
 *
 * Run by `npm run build` after tsc: `node dist/build/bundle.js`.
 */
import { build } from 'esbuild'
import { readFileSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const outdir = join(root, 'dist', 'bundle')

/** The executable, and the threads' entries by the name their starters give them. */
const own = {
  mrcheck: 'bin/mrcheck.ts',
  searchThreadEntry: 'checker/cli/searchThreadEntry.ts',
  worker: 'checker/search/worker.ts',
  walkerThread: 'checker/simulate/walkerThread.ts',
  sampleThread: 'checker/run/sampleThread.ts',
}

interface Manifest {
  readonly exports: Record<string, string | { readonly types?: string; readonly default: string }>
}

/** Each export that package.json points into dist/bundle/, by its name there, with its source (from the export's types). */
function exportEntries(manifest: Manifest): Record<string, string> {
  const entries: Record<string, string> = {}
  for (const [name, target] of Object.entries(manifest.exports)) {
    if (typeof target === 'string' || !target.default.startsWith('./dist/bundle/')) continue
    if (target.types === undefined) throw new Error(`package.json: export ${name} has no types to name its source`)
    const out = target.default.slice('./dist/bundle/'.length).replace(/\.js$/, '')
    entries[out] = target.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts')
  }
  return entries
}

export async function bundle(): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest
  const entries: Record<string, string> = { ...own, ...exportEntries(manifest) }
  rmSync(outdir, { recursive: true, force: true })
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.entries(entries).map(([out, source]) => ({ in: source, out })),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
  })
  for (const file of Object.keys(result.metafile.outputs)) {
    const nested = relative('dist/bundle', file).includes('/') && file.endsWith('.js')
    if (nested && readFileSync(join(root, file), 'utf8').includes('import.meta.url')) {
      throw new Error(`${file} names a file by its own URL but is not in dist/bundle/ itself`)
    }
  }
}

await bundle()
