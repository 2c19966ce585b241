/**
 * A module that search worker threads can load (options.source): written to a fresh temporary
 * folder, which is removed once the test file is done.
 */
import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The file URL of module `name` with text `source`. */
export function workerModule(name: string, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mrcheck-test-'))
  test.after.always(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, name)
  writeFileSync(file, source)
  return pathToFileURL(file).href
}
