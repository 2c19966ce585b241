/**
 * A .ts model's bundle is kept between runs (compile/bundleCache.ts) and used only while what the
 * bundling read is unchanged. The kept code is replaced here by a marker, so that a load that
 * uses it shows, and each change of what the bundling read must bring the model's own code back.
 */
import test from 'ava'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importModuleFile } from '../../checker/compile/importModule.js'

const tmp = mkdtempSync(join(tmpdir(), 'mrcheck-bundle-cache-'))
test.after.always(() => rmSync(tmp, { recursive: true, force: true }))

/** A project folder with a node_modules folder (where the cache goes) and a model made of two files. */
function project(name: string): { dir: string; model: string; entries: () => string[] } {
  const dir = join(tmp, name)
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  mkdirSync(join(dir, 'models'))
  writeFileSync(join(dir, 'models', 'value.ts'), `export const value: string = 'first'\n`)
  writeFileSync(join(dir, 'models', 'model.ts'), `import { value } from './value.js'\nexport const seen: string = value\n`)
  const kept = join(dir, 'node_modules', '.cache', 'mrcheck', 'models')
  return { dir, model: join(dir, 'models', 'model.ts'), entries: () => readdirSync(kept).map((f) => join(kept, f)) }
}

/** Replaces the code of every kept bundle by one that exports `seen = 'kept'`. */
function mark(entries: readonly string[]): void {
  for (const file of entries) {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { code: string }
    writeFileSync(file, JSON.stringify({ ...entry, code: `export const seen = 'kept'\n` }))
  }
}

const seen = async (model: string) => (await importModuleFile(model)).exports.seen

test('a kept bundle is used while the files, their folders and tsconfig.json are unchanged', async (t) => {
  const { dir, model, entries } = project('kept')
  t.is(await seen(model), 'first')
  const first = await importModuleFile(model)
  t.deepEqual(Object.keys(first.files), ['model.ts', 'value.ts'])
  t.is(entries().length, 1)
  mark(entries())
  t.is(await seen(model), 'kept')
  const kept = await importModuleFile(model)
  t.is(kept.hash, first.hash, 'the files and their hash come from the kept entry')

  writeFileSync(join(dir, 'models', 'value.ts'), `export const value: string = 'second'\n`)
  t.is(await seen(model), 'second', 'an imported file changed')
  mark(entries())
  writeFileSync(join(dir, 'models', 'other.ts'), `export const other = 1\n`)
  t.is(await seen(model), 'second', 'a file appeared beside them')
  mark(entries())
  writeFileSync(join(dir, 'tsconfig.json'), `{}\n`)
  t.is(await seen(model), 'second', 'a tsconfig.json appeared above them')
  mark(entries())
  t.is(await seen(model), 'kept')
})

test("a model's new bundle replaces its previous one", async (t) => {
  const { dir, model } = project('replaced')
  t.is(await seen(model), 'first')
  writeFileSync(join(dir, 'models', 'value.ts'), `export const value: string = 'second'\n`)
  t.is(await seen(model), 'second')
  t.is(readdirSync(join(dir, 'node_modules', '.cache', 'mrcheck', 'bundles')).length, 1)
})

test('without a node_modules folder above the model nothing is kept', async (t) => {
  const dir = join(tmp, 'bare')
  mkdirSync(dir)
  writeFileSync(join(dir, 'model.ts'), `export const seen: string = 'bare'\n`)
  t.is(await seen(join(dir, 'model.ts')), 'bare')
  t.deepEqual(readdirSync(dir), ['model.ts'])
})
