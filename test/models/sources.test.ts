/**
 * Every policy of the RDMA models says what it is; every known-bug variant names its source (a
 * commit id, a CVE, a patch or thread title, or "model-derived" where the brief's bug has no fix
 * commit), in the model, in `mrcheck list` and in the HTML check report.
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { instantiate, type AnyModel } from '../../checker/index.js'
import deviceRemoval from '../../models/device-removal.js'
import mrLifecycle from '../../models/mr-lifecycle.js'
import pageMigration from '../../models/page-migration.js'
import pinnedMemory from '../../models/pinned-memory.js'
import implicitOdp from '../../models/implicit-odp.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const mrcheck = (...args: string[]) =>
  spawnSync(process.execPath, ['dist/bundle/mrcheck.js', ...args], { cwd: root, encoding: 'utf8' })

const MODELS: readonly AnyModel[] = [pageMigration, deviceRemoval, mrLifecycle, pinnedMemory, implicitOdp]
/** A brief bug tag (BA1..BD6) at the start of a value's doc marks a known-bug variant. */
const BUG = /^B[A-D]\d:/
const SOURCE = /\b[0-9a-f]{12}\b|CVE-\d{4}-\d+|"[^"]+"|model-derived/

for (const model of MODELS) {
  test(`${model.name}: every policy value says what it is, and every bug variant names its source`, (t) => {
    const decl = model.params.policy
    if (decl?.kind !== 'enum') return t.fail('no policy parameter')
    t.deepEqual(Object.keys(decl.valueDocs ?? {}).sort(), [...decl.values].sort())
    for (const value of decl.values) {
      const doc = decl.valueDocs![value]!
      if (BUG.test(doc)) t.regex(doc, SOURCE, value)
      t.is(instantiate(model, { policy: value }).spec.about, doc, value)
    }
    t.true(decl.values.some((value) => BUG.test(decl.valueDocs![value]!)))
  })
}

test('mrcheck list prints each policy with its source', (t) => {
  const r = mrcheck('list')
  t.is(r.status, 0)
  t.regex(r.stdout, /^ {6}odp-revoke-outside-lock: BB5: CVE-2025-21732, .*\(abb604a1a9c8\)$/m)
  t.regex(r.stdout, /^ {6}disassociate-fatal-first-fd-only: BA3: .*\(ccfdbaa5cf46, fixes d680e88e2013\)$/m)
  t.regex(r.stdout, /^ {6}odp-prefetch-count-before-sync: .*\(a6bc3875f176\), fixed by .*\(aa116b810ac9\)$/m)
})

test('the HTML check report of a bug variant names its source', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mrcheck-sources-'))
  try {
    const file = join(dir, 'report.html')
    const r = mrcheck('check', 'page-migration', '--param', 'policy=odp-snapshot-after-walk', '--html', file)
    t.is(r.status, 12)
    t.regex(readFileSync(file, 'utf8'), /<p class="about">BB2: &quot;IB\/hfi1: Remove user expected buffer invalidate race&quot;/)
    const prefetch = mrcheck('check', 'page-migration', '--param', 'policy=odp-prefetch-count-before-sync', '--param', 'prefetches=1', '--html', file)
    t.is(prefetch.status, 13)
    t.regex(readFileSync(file, 'utf8'), /<p class="about">prefetch racing dereg .*\(aa116b810ac9\)<\/p>/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
