/**
 * `mrcheck matrix`: the symmetry column beside each row's state count (the rows that declare
 * symmetric sets are searched again with symmetry reduction), parameters for every row, and the
 * re-run commands that carry them.
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const mrcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/bin/mrcheck.js', ...args], { cwd: root, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

interface Row {
  value: string
  distinct: number
  symmetric?: { sets: string[]; distinct: number; complete: boolean }
  result: { violations: { property: string }[] }
}

test('matrix --json: each row that declares symmetric sets has its reduced count beside the full one', (t) => {
  const r = mrcheck('matrix', 'device-removal', '--param', 'cmdThreads=2', '--json')
  t.is(r.code, 0)
  const [m] = (JSON.parse(r.stdout) as { models: { rows: Row[] }[] }).models
  const rows = new Map(m!.rows.map((row) => [row.value, row]))
  const dis = rows.get('disassociate')!
  t.deepEqual(dis.symmetric?.sets, ['AsyncFd(2)', 'Thread(2)'])
  t.true(dis.symmetric!.complete)
  t.true(dis.symmetric!.distinct < dis.distinct)
  // The fatal event on the first fd only: the fds are not interchangeable there, the threads are.
  t.deepEqual(rows.get('disassociate-fatal-first-fd-only')!.symmetric?.sets, ['Thread(2)'])
  for (const row of m!.rows) t.true(row.symmetric !== undefined && row.symmetric.distinct <= row.distinct, row.value)
  t.regex(r.stderr, /^policy +states +symmetry +NoIoAfterRemoval/m)
  t.regex(r.stderr, /^disassociate +5,023 +2,652 AsyncFd\(2\) Thread\(2\) /m)
  t.regex(r.stderr, /unregister: mrcheck check device-removal --param cmdThreads=2 --param policy=unregister --continue/)
})

test('matrix --symmetry off: no symmetric runs and no column', (t) => {
  const r = mrcheck('matrix', 'device-removal', '--symmetry', 'off', '--json')
  t.is(r.code, 0)
  const [m] = (JSON.parse(r.stdout) as { models: { rows: Row[] }[] }).models
  t.true(m!.rows.every((row) => row.symmetric === undefined))
  t.notRegex(r.stderr, /symmetry/)
})

test('matrix with a parameter the model does not have: exit 151, naming it', (t) => {
  const r = mrcheck('matrix', 'page-migration', '--param', 'pgaes=2')
  t.is(r.code, 151)
  t.regex(r.stderr, /pgaes/)
})

test('matrix prints its tables on stdout, so that `mrcheck matrix > file` captures them', (t) => {
  const r = mrcheck('matrix', 'device-removal', '--symmetry', 'off')
  t.is(r.code, 0)
  t.regex(r.stdout, /^device-removal/m)
  t.is(r.stderr, '')
})
