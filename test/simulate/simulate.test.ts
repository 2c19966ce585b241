import test from 'ava'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { instantiate, simulate, t as types, vars } from '../../checker/index.js'
import dieHard from '../../models/examples/diehard.js'
import translationTable from '../../models/examples/translationTable.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
/** Runs the real binary without blocking the other tests. */
const mrcheck = (...args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['dist/bundle/mrcheck.js', ...args], { cwd: root, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
    )
  })

test('simulation finds the DieHard solution, and the same seed finds the same behaviour', async (t) => {
  const { spec, props } = instantiate(dieHard)
  const a = await simulate(spec, props, { runs: 500, steps: 50, seed: 11 })
  const b = await simulate(spec, props, { runs: 500, steps: 50, seed: 11 })
  if (a.status !== 'violation' || b.status !== 'violation') return t.fail(`expected violations, got ${a.status}, ${b.status}`)
  t.is(a.seed, 11)
  t.is(a.violation.property, 'NotSolved')
  t.is(a.violation.kind, 'invariant')
  t.false(a.violation.shortest)
  t.is((a.violation.trace.at(-1)!.state as { big: number }).big, 4)
  t.is(a.run, b.run)
  t.deepEqual(a.violation.trace, b.violation.trace)
  t.regex(a.violation.message, new RegExp(`^Invariant NotSolved is violated after ${a.violation.trace.length} states \\(simulation run ${a.run} of seed 11`))
})

test('a simulation trace is a behaviour without cycles', async (t) => {
  const { spec, props } = instantiate(dieHard)
  const r = await simulate(spec, props, { runs: 200, steps: 200, seed: 3 })
  if (r.status !== 'violation') return t.fail(r.status)
  const keys = r.violation.trace.map((s) => JSON.stringify(s.state))
  t.is(new Set(keys).size, keys.length)
})

test('no violation in a correct model: status ok, not exhaustive, with statistics', async (t) => {
  const { spec, props } = instantiate(translationTable)
  const r = await simulate(spec, props, { runs: 50, steps: 40, seed: 1 })
  t.is(r.status, 'ok')
  if (r.status !== 'ok') return
  t.false(r.exhaustive)
  t.is(r.stats.runs, 50)
  t.is(r.stats.steps, 50 * 40)
  t.true(r.stats.distinct > 1 && r.stats.distinct <= 1416)
  t.deepEqual(r.checked.invariants, ['Coherent', 'FramesExclusive'])
  t.deepEqual(r.unreached, [])
})

test('action properties, deadlocks and failing model code are reported', async (t) => {
  const tt = instantiate(translationTable, { checkSequence: false })
  const a = await simulate(tt.spec, tt.props, { runs: 500, steps: 30, seed: 2, only: ['CommitInstallsCurrentFrame'] })
  t.is(a.status, 'violation')
  if (a.status === 'violation') t.is(a.violation.kind, 'action')

  const { spec, action } = vars({ n: types.int(0, 2) })
  const counter = spec({
    name: 'counter',
    init: { n: 0 },
    actions: { Inc: action({ guard: (s) => s.n < 2, effect: (d) => void d.n++ }) },
  })
  const d = await simulate(counter, {}, { runs: 1, steps: 10, seed: 0 })
  t.is(d.status, 'violation')
  if (d.status === 'violation') t.is(d.violation.trace.length, 3)
  const ended = await simulate({ ...counter, checkDeadlock: false }, {}, { runs: 3, steps: 10, seed: 0 })
  t.is(ended.status, 'ok')
  t.is(ended.stats.terminal, 3)

  const bad = spec({ ...counter, actions: { Inc: action({ effect: (d) => void (d.n += 2) }) } })
  const e = await simulate(bad, {}, { runs: 1, steps: 10, seed: 0 })
  if (e.status !== 'error') return t.fail(e.status)
  t.is(
    e.error.message,
    'Model "counter": action Inc produced n = 4, outside its type (expected an integer in 0..2), in the state reached after 3 states (simulation run 0 of seed 0).',
  )
})

test('mrcheck simulate: exit 12 with the seed and a re-run line', async (t) => {
  const r = await mrcheck('simulate', 'diehard', '--runs', '300', '--steps', '40', '--seed', '9')
  t.is(r.code, 12)
  t.regex(r.stdout, /Error: Invariant NotSolved is violated after \d+ states \(simulation run \d+ of seed 9/)
  t.regex(r.stdout, /Re-run: mrcheck simulate diehard --param small=3 --param big=5 --param goal=4 --runs 300 --steps 40 --seed 9\n/)
  t.regex(r.stdout, /^Seed 9: /m)
  t.is(r.stderr, '')
})

test('mrcheck simulate: exit 0 says the search was not exhaustive; --json has the seed', async (t) => {
  const r = await mrcheck('simulate', 'dist/models/examples/translationTable.js', '--runs', '20', '--steps', '30', '--json')
  t.is(r.code, 0)
  t.regex(r.stderr, /no violation found in 20 runs of up to 30 steps \(not exhaustive/)
  const doc = JSON.parse(r.stdout)
  t.is(doc.command, 'simulate')
  t.is(doc.status, 'ok')
  t.is(doc.exhaustive, false)
  t.true(Number.isInteger(doc.seed))
  t.regex(r.stderr, new RegExp(`^Seed ${doc.seed}: 20 runs, 600 steps`, 'm'))
})

test('mrcheck simulate: an action property violation exits 13, a bad seed exits 2', async (t) => {
  const r = await mrcheck('simulate', 'dist/models/examples/translationTable.js', '--param', 'checkSequence=false', '--property', 'CommitInstallsCurrentFrame', '--seed', '4', '--runs', '500', '--json')
  t.is(r.code, 13)
  const doc = JSON.parse(r.stdout)
  t.is(doc.violations[0].kind, 'action')
  t.is(doc.violations[0].trace[0].index, 0)
  t.is((await mrcheck('simulate', 'diehard', '--seed', 'x')).code, 2)
})

test('mrcheck simulate --trace-out and --html keep the violating walk: the ITF replays to the same violation', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mrcheck-simulate-'))
  const itf = join(dir, 'walk.itf.json')
  const html = join(dir, 'walk.html')
  const r = await mrcheck('simulate', 'diehard', '--runs', '200', '--seed', '7', '--trace-out', itf, '--html', html)
  t.is(r.code, 12)
  t.regex(r.stderr, /Wrote the counterexample \(ITF\) to .*walk\.itf\.json\.\nWrote the HTML report to .*walk\.html\./)
  const trace = JSON.parse(readFileSync(itf, 'utf8'))
  t.is(trace['#meta'].property, 'NotSolved')
  const replayed = await mrcheck('replay', itf)
  t.is(replayed.code, 12)
  t.regex(replayed.stdout, new RegExp(`Invariant NotSolved is violated in state ${trace.states.length} of the trace`))
  const page = readFileSync(html, 'utf8')
  t.regex(page, /property violated in walk \d+/)
  t.regex(page, /<section class="trace" id="trace-1">/)
  t.regex(page, /Re-run: <code>mrcheck simulate diehard .*--seed 7<\/code>/)
  // Nothing to keep when no walk breaks a property; --trace-out - cannot share stdout with --json.
  const ok = await mrcheck('simulate', 'twophase', '--runs', '5', '--seed', '1', '--trace-out', join(dir, 'none.itf.json'))
  t.is(ok.code, 0)
  t.regex(ok.stderr, /nothing written to .*none\.itf\.json/)
  t.is((await mrcheck('simulate', 'diehard', '--trace-out', '-', '--json')).code, 2)
})
