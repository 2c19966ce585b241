/**
 * What esbuild made of a model file, kept between runs (importModule.ts), so that a model checked
 * again neither loads esbuild nor bundles (about 0.2 s of each start-up). It is kept in
 * node_modules/.cache/mrcheck/ of the nearest node_modules folder above the model (none: nothing is
 * kept), and used only while everything the bundling read is as it was: each local file's content,
 * the names in each of their folders (a new file could change what an import resolves to), each
 * tsconfig.json from their folders up, and what each package import resolves to.
 *
 * The bundles themselves are files named by their content's hash, which the threads of a run import
 * too (written again if gone); a model's new bundle replaces its previous one. Writing is best
 * effort: a cache that cannot be written is a run without one.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** Bumped when what importModule.ts makes of a file changes. */
const FORMAT = 1

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')

/** A package import of a local file, and the file it resolved to. */
export interface PackageImport {
  readonly importer: string
  readonly specifier: string
  readonly resolved: string
}

/** What a model file was made into: its code as bundled (for TypeScript), its local files' SHA-256s and its package imports. */
export interface Bundled {
  readonly code?: string
  readonly files: Readonly<Record<string, string>>
  readonly imports: readonly PackageImport[]
}

interface Entry extends Bundled {
  readonly format: number
  /** What the bundling read beyond the files' contents, as `surroundings` computes it. */
  readonly surroundings: string
}

/** The cache folder for a model file in `dir`, if a node_modules folder sits above it. */
export function cacheDir(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) return join(d, 'node_modules', '.cache', 'mrcheck')
    if (dirname(d) === d) return undefined
  }
}

/** Resolves a package import as Node would from `importer`. */
export const resolvePackage = (importer: string, specifier: string): string => createRequire(importer).resolve(specifier)

/** The names in each folder of the files, and each tsconfig.json from those folders up, as one hash. */
function surroundings(dir: string, files: Readonly<Record<string, string>>): string {
  const folders = [...new Set(Object.keys(files).map((f) => dirname(join(dir, f))))].sort()
  const configs = new Set<string>()
  for (const folder of folders) {
    for (let d = folder; ; d = dirname(d)) {
      configs.add(join(d, 'tsconfig.json'))
      if (dirname(d) === d) break
    }
  }
  const read = (file: string) => (existsSync(file) && statSync(file).isFile() ? sha256(readFileSync(file)) : null)
  return sha256(JSON.stringify([folders.map((f) => [f, readdirSync(f).sort()]), [...configs].sort().map((c) => [c, read(c)])]))
}

const entryFile = (cache: string, path: string) => join(cache, 'models', `${sha256(JSON.stringify([FORMAT, path]))}.json`)

/** What the model file at `path` (in `dir`) was made into, if it was and nothing it was made of changed since. */
export function cachedBundle(cache: string, path: string, dir: string): Bundled | undefined {
  let entry: Entry
  try {
    entry = JSON.parse(readFileSync(entryFile(cache, path), 'utf8')) as Entry
    if (entry.format !== FORMAT) return undefined
    for (const [file, hash] of Object.entries(entry.files)) if (sha256(readFileSync(join(dir, file))) !== hash) return undefined
    for (const i of entry.imports) if (resolvePackage(i.importer, i.specifier) !== i.resolved) return undefined
    if (surroundings(dir, entry.files) !== entry.surroundings) return undefined
  } catch {
    return undefined // not kept, or a file it names is gone
  }
  return { ...(entry.code === undefined ? {} : { code: entry.code }), files: entry.files, imports: entry.imports }
}

/** Keeps what the model file at `path` (in `dir`) was made into, in place of what it was made into before. */
export function keepBundle(cache: string, path: string, dir: string, bundled: Bundled): void {
  const file = entryFile(cache, path)
  let before: string | undefined
  try {
    before = (JSON.parse(readFileSync(file, 'utf8')) as Entry).code
  } catch {
    // nothing kept before
  }
  const entry: Entry = { format: FORMAT, ...bundled, surroundings: surroundings(dir, bundled.files) }
  if (!writeAtomically(file, JSON.stringify(entry)) || before === undefined || before === bundled.code) return
  try {
    rmSync(bundlePath(cache, before), { force: true })
  } catch {
    // best effort, as writing
  }
}

const bundlePath = (cache: string, code: string) => join(cache, 'bundles', `${sha256(code)}.mjs`)

/** The file holding `code`, named by its hash, written there if it is not yet: undefined if it cannot be. */
export function bundleFile(cache: string, code: string): string | undefined {
  const file = bundlePath(cache, code)
  if (existsSync(file)) return file
  return writeAtomically(file, code) ? file : undefined
}

/** Writes through a file of this process's own, renamed into place, so that no reader sees half a file. */
function writeAtomically(file: string, data: string): boolean {
  try {
    mkdirSync(dirname(file), { recursive: true })
    const part = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`
    writeFileSync(part, data)
    renameSync(part, file)
    return true
  } catch {
    return false
  }
}
