/**
 * `mrcheck matrix`: the symmetry column beside each row's state count, parameters for every row,
 * sweeps, expected verdicts (exit 1 naming a cell that differs), the layout (120 columns), and
 * shards merged into what one run prints.
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const mrcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/bundle/mrcheck.js', ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
const tmp = mkdtempSync(join(tmpdir(), 'mrcheck-matrix-'))
test.after.always(() => rmSync(tmp, { recursive: true, force: true }))

interface Cell {
  property: string
  status: string
  expected: string
  unexpected: boolean
  violation?: { trace: unknown[] }
}
interface Row {
  index: number
  value: string
  sweep: Record<string, string>
  distinct: number
  symmetric?: { sets: string[]; distinct: number; complete: boolean }
  cells: Cell[]
}
interface Doc {
  command: string
  status: string
  models: { model: string; given: Record<string, unknown>; rowCount: number; rows: Row[] }[]
}

test('matrix --json: each row that declares symmetric sets has its reduced count beside the full one', (t) => {
  const r = mrcheck('matrix', 'device-removal', '--quick', '--param', 'cmdThreads=2', '--json')
  const doc = JSON.parse(r.stdout) as Doc
  t.is(doc.command, 'matrix')
  const m = doc.models[0]!
  t.deepEqual(m.given, { cmdThreads: 2 })
  const rows = new Map(m.rows.map((row) => [row.value, row]))
  const dis = rows.get('disassociate')!
  t.deepEqual(dis.symmetric?.sets, ['AsyncFd(2)', 'Thread(2)'])
  t.true(dis.symmetric!.complete)
  t.true(dis.symmetric!.distinct < dis.distinct)
  // The fatal event on the first fd only: the fds are not interchangeable there, the threads are.
  t.deepEqual(rows.get('disassociate-fatal-first-fd-only')!.symmetric?.sets, ['Thread(2)'])
  for (const row of m.rows) t.true(row.symmetric !== undefined && row.symmetric.distinct <= row.distinct, row.value)
  // With --json the tables go to stderr.
  t.regex(r.stderr, /^policy +states +sym +P1 /m)
  t.regex(r.stderr, /^disassociate +5,023 +2,652 /m)
  t.regex(r.stderr, /sym: with symmetry reduction over\s+AsyncFd\(2\)\s+Thread\(2\)/)
})

test('matrix --symmetry off: no symmetric runs and no column', (t) => {
  const r = mrcheck('matrix', 'device-removal', '--quick', '--symmetry', 'off', '--json')
  const doc = JSON.parse(r.stdout) as Doc
  t.true(doc.models[0]!.rows.every((row) => row.symmetric === undefined))
  t.notRegex(r.stderr, /sym/)
})

test('matrix with a parameter or sweep value the model does not have: exit 151, naming it', (t) => {
  const r = mrcheck('matrix', 'page-migration', '--param', 'pgaes=2')
  t.is(r.code, 151)
  t.regex(r.stderr, /pgaes/)
  const s = mrcheck('matrix', 'page-migration', '--sweep', 'transport=ib,tcp')
  t.is(s.code, 151)
  t.regex(s.stderr, /"tcp" is not one of "ib", "iwarp"/)
  const p = mrcheck('matrix', 'page-migration', '--sweep', 'policy=odp,odd')
  t.is(p.code, 151)
  t.regex(p.stderr, /"odd" not among its values/)
  t.is(mrcheck('matrix', 'page-migration', '--shard', '3/2').code, 2)
})

/** A model file: the report tests' toy with the given expected breaks per policy. */
function toyWith(name: string, breaks: Record<string, string[]>): string {
  const file = join(tmp, `${name}.mjs`)
  const toy = pathToFileURL(join(root, 'dist/test/report/fixtures/migrationToy.js')).href
  writeFileSync(file, `import toy from ${JSON.stringify(toy)}\nexport default { ...toy, expectedBreaks: ({ policy }) => (${JSON.stringify(breaks)})[policy] }\n`)
  return file
}

test('matrix exits 0 when every cell is as its model expects, 1 naming each cell that is not', (t) => {
  const good = mrcheck('matrix', toyWith('good', { pin: ['NoteHarmless'], naive: ['NoDmaDuringMigration', 'NoteHarmless'] }))
  t.is(good.code, 0, good.stderr)
  t.regex(good.stdout, /^naive +24 +x4 +x5$/m)
  // pin is now expected to keep NoteHarmless, which it breaks.
  const flipped = mrcheck('matrix', toyWith('flipped', { pin: [], naive: ['NoDmaDuringMigration', 'NoteHarmless'] }), '--json')
  t.is(flipped.code, 1)
  t.regex(flipped.stderr, /1 cell differs from what the models expect:\n {2}migration-toy policy=pin: NoteHarmless fails \(5 states\); the model expects it to hold\./)
  t.is((JSON.parse(flipped.stdout) as Doc).status, 'violation')
  const cells = (JSON.parse(flipped.stdout) as Doc).models[0]!.rows.flatMap((row) => row.cells.map((c) => [row.value, c.property, c.expected, c.unexpected]))
  t.deepEqual(cells, [
    ['pin', 'NoDmaDuringMigration', 'holds', false],
    ['pin', 'NoteHarmless', 'holds', true],
    ['naive', 'NoDmaDuringMigration', 'fails', false],
    ['naive', 'NoteHarmless', 'fails', false],
  ])
  t.regex(flipped.stderr, /^pin +\d+ +\. +x5!$/m)
  // A bug variant no longer caught is unexpected too.
  const missed = mrcheck('matrix', toyWith('missed', { pin: ['NoteHarmless', 'NoDmaDuringMigration'], naive: ['NoDmaDuringMigration', 'NoteHarmless'] }))
  t.is(missed.code, 1)
  t.regex(missed.stderr, /migration-toy policy=pin: NoDmaDuringMigration holds; the model expects it to fail\./)
  // An expectation naming no property of the model is the model's error.
  const typo = mrcheck('matrix', toyWith('typo', { pin: ['NoteHarmles'], naive: [] }))
  t.is(typo.code, 150)
  t.regex(typo.stderr, /expectedBreaks names "NoteHarmles", which is not one of its properties/)
})

test('--sweep makes one row per combination; a swept parameter given with --param is not swept', (t) => {
  const r = mrcheck('matrix', 'mr-lifecycle', '--symmetry', 'off', '--sweep', 'policy=correct,bd1-decrement-at-7', '--sweep', 'rnr_retry=2,7', '--json')
  t.is(r.code, 0, r.stderr)
  const m = (JSON.parse(r.stdout) as Doc).models[0]!
  t.deepEqual(
    m.rows.map((row) => [row.value, row.sweep]),
    [
      ['correct', { transport: 'ib', rnr_retry: '2' }],
      ['correct', { transport: 'ib', rnr_retry: '7' }],
      ['correct', { transport: 'iwarp', rnr_retry: '2' }],
      ['correct', { transport: 'iwarp', rnr_retry: '7' }],
      ['bd1-decrement-at-7', { transport: 'ib', rnr_retry: '2' }],
      ['bd1-decrement-at-7', { transport: 'ib', rnr_retry: '7' }],
      ['bd1-decrement-at-7', { transport: 'iwarp', rnr_retry: '2' }],
      ['bd1-decrement-at-7', { transport: 'iwarp', rnr_retry: '7' }],
    ],
  )
  t.regex(r.stderr, /bd1-decrement-at-7 breaks RnrForeverNeverDecremented, RnrForeverNeverExceeded on ib 7\./)
  const fixed = mrcheck('matrix', 'mr-lifecycle', '--symmetry', 'off', '--sweep', 'policy=correct', '--param', 'transport=iwarp', '--json')
  t.deepEqual((JSON.parse(fixed.stdout) as Doc).models[0]!.rows.map((row) => row.sweep), [{}])
})

test('matrix --shard i/n then merge: the same JSON as one run, byte for byte, and the same tables', (t) => {
  const args = ['matrix', 'mr-lifecycle', 'device-removal', '--quick', '--symmetry', 'off']
  const whole = mrcheck(...args, '--json')
  t.is(whole.code, 0, whole.stderr)
  const files = [1, 2, 3].map((i) => {
    const r = mrcheck(...args, '--shard', `${i}/3`, '--json')
    t.is(r.code, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as Doc & { shard: unknown }
    t.deepEqual(doc.shard, { index: i, count: 3 })
    const file = join(tmp, `shard-${i}.json`)
    writeFileSync(file, r.stdout)
    return file
  })
  const total = (JSON.parse(whole.stdout) as Doc).models.reduce((n, m) => n + m.rowCount, 0)
  const rows = files.map((f) => (JSON.parse(readFileSync(f, 'utf8')) as Doc).models.reduce((n, m) => n + m.rows.length, 0))
  t.deepEqual(rows, [0, 1, 2].map((i) => Math.ceil((total - i) / 3)), 'the rows dealt in turn')
  const merged = mrcheck('merge', ...[...files].reverse(), '--json')
  t.is(merged.code, 0, merged.stderr)
  t.is(merged.stdout, whole.stdout)
  t.is(mrcheck('merge', ...files).stdout, mrcheck(...args).stdout)
  const short = mrcheck('merge', files[0]!, files[2]!)
  t.is(short.code, 152)
  // The first model's rows 1, 4, 7, ... are the second shard's.
  const n = (JSON.parse(whole.stdout) as Doc).models[0]!.rowCount
  const dealt = (first: number) => Array.from({ length: n }, (_, k) => k).filter((k) => k % 3 === first).join(', ')
  t.true(short.stderr.includes(`merge: the matrix of mr-lifecycle has ${n} rows; rows ${dealt(1)} are in no document.`), short.stderr)
  const twice = mrcheck('merge', files[0]!, files[0]!, files[1]!, files[2]!)
  t.true(twice.stderr.includes(`rows ${dealt(0)} are in two`), twice.stderr)
  writeFileSync(join(tmp, 'other.json'), '{"command": "check"}')
  t.regex(mrcheck('merge', join(tmp, 'other.json')).stderr, /other\.json is not a matrix document/)
})

test('matrix prints its tables on stdout, so that `mrcheck matrix > file` captures them; progress on stderr', (t) => {
  const r = mrcheck('matrix', 'device-removal', '--quick', '--symmetry', 'off', '--progress')
  t.is(r.code, 0)
  t.regex(r.stdout, /^device-removal: parameter defaults$/m)
  t.regex(r.stdout, /^disassociate breaks no promise\.$/m)
  t.notRegex(r.stderr, /^policy/m)
  t.regex(r.stderr, /^\[9\] device-removal disassociate-vma-dup-not-zapped: [\d,]+ states, \d+ ms$/m)
})

test('matrix says on stderr why rows are incomplete: a row alone by its name, several saying the same in one line', (t) => {
  const r = mrcheck('matrix', 'device-removal', '--quick', '--symmetry', 'off', '--max-states', '5')
  t.is(r.code, 3)
  const rows = (r.stdout.match(/^\S+ +\d+\+ /gm) ?? []).length
  t.true(rows > 1, r.stdout)
  t.regex(r.stderr, new RegExp(`^device-removal \\(${rows} rows\\): Temporal properties were not checked: the safety search did not cover every state\\.$`, 'm'))
  t.notRegex(r.stdout, /Temporal properties were not checked/)
})

test('the default matrix (npm start): every cell as its model expects, tables within 120 columns, IB and iWARP side by side', (t) => {
  const started = Date.now()
  const r = mrcheck('matrix')
  t.log(`mrcheck matrix took ${((Date.now() - started) / 1000).toFixed(1)}s`)
  t.is(r.code, 0, r.stderr)
  const wide = r.stdout.split('\n').filter((line) => line.length > 120)
  t.deepEqual(wide, [])
  t.regex(r.stdout, /^page-migration: pages=3 frames=4 moves=3 writes=3; swept: transport=ib,iwarp$/m)
  t.regex(r.stdout, /^suspend-resume breaks RKeyHonoured on iwarp\.$/m)
  t.regex(r.stdout, /^eliminate breaks RKeyHonoured\.$/m)
  t.regex(r.stdout, /^suspend-resume +ib +[\d,]+ /m)
  t.regex(r.stdout, /^suspend-resume +iwarp +[\d,]+ /m)
  t.regex(r.stdout, /^device-removal: asyncFds=2 cmdThreads=2 coreDump=true$/m)
})
