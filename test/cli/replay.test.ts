import test from 'ava'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const toyModel = join(root, 'dist/test/report/fixtures/migrationToy.js')
const mrcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/bundle/mrcheck.js', ...args], { cwd: root, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
const tmp = () => mkdtempSync(join(tmpdir(), 'mrcheck-replay-'))

/** A DieHard counterexample written by `check --trace-out`. */
function dieHardTrace(): string {
  const file = join(tmp(), 'cex.itf.json')
  const r = mrcheck('check', 'diehard', '--trace-out', file)
  if (r.code !== 12) throw new Error(`check exited ${r.code}: ${r.stderr}`)
  return file
}

test('check --trace-out writes ITF; replay re-checks it and exits with the property\'s code', (t) => {
  const file = dieHardTrace()
  const doc = JSON.parse(readFileSync(file, 'utf8'))
  t.is(doc['#meta'].source, 'diehard')
  t.is(doc.states.length, 7)
  const r = mrcheck('replay', file)
  t.is(r.code, 12, r.stderr)
  t.regex(r.stdout, /Replaying .*cex\.itf\.json: 7 states against diehard \{"small":3,"big":5,"goal":4\}\./)
  t.regex(r.stdout, /State 7: <BigToSmall>\n {2}small: 2 -> 3\n {2}big: 5 -> 4/)
  t.regex(r.stdout, /Error: Invariant NotSolved is violated in state 7 of the trace\./)
  // With another goal the same behaviour breaks nothing.
  const other = mrcheck('replay', file, '--param', 'goal=3', '--json')
  t.is(other.code, 0)
  t.regex(other.stderr, /The trace is a behaviour of diehard and every property holds on it\./)
  t.like(JSON.parse(other.stdout), { valid: true, states: 7, violations: [] })
})

test('--trace-out - writes the trace on stdout; with --json it is a usage error', (t) => {
  const r = mrcheck('check', 'diehard', '--trace-out', '-')
  t.is(r.code, 12)
  const lines = r.stdout.trim().split('\n')
  t.is(lines.length, 1)
  t.is(JSON.parse(lines[0]!).states.length, 7)
  const both = mrcheck('check', 'diehard', '--trace-out', '-', '--json')
  t.is(both.code, 2)
  t.regex(both.stderr, /--trace-out - and --json both write to stdout/)
  t.like(JSON.parse(both.stdout), { status: 'error', code: 'USAGE', exitCode: 2 })
})

test('several counterexamples go to numbered files; a model file must be named to replay them', (t) => {
  const dir = tmp()
  const file = join(dir, 'toy.itf.json')
  const r = mrcheck('check', toyModel, '--param', 'policy=naive', '--continue', '--trace-out', file, '--html', join(dir, 'report.html'))
  t.is(r.code, 12)
  t.true(existsSync(file))
  t.true(existsSync(join(dir, 'toy-2.itf.json')))
  t.false(existsSync(join(dir, 'toy-3.itf.json')))
  t.regex(r.stderr, /Wrote 2 counterexamples \(ITF\) to .*toy\.itf\.json, .*toy-2\.itf\.json\./)
  t.regex(readFileSync(join(dir, 'report.html'), 'utf8'), /<section class="trace" id="trace-2">/)
  // A trace naming a model file does not load it on its own word.
  const refused = mrcheck('replay', file)
  t.is(refused.code, 152)
  t.regex(refused.stderr, /was written for the model file ".*migrationToy\.js", which is not a built-in model\. Model files are loaded only when named on the command line: mrcheck replay .* --model /)
  const replayed = mrcheck('replay', join(dir, 'toy-2.itf.json'), '--model', toyModel)
  t.is(replayed.code, 12)
  t.regex(replayed.stdout, /NoteHarmless is violated in state 5/)
  // Its recorded parameters (policy=naive) are used: under pin the first trace is no behaviour.
  // Printed through the model's alias, like check's traces.
  const first = mrcheck('replay', file, '--model', toyModel)
  t.is(first.code, 12, first.stderr)
  t.regex(first.stdout, /State 4: <DmaWrite>\n {2}writes: 0 -> 1\n {2}unsafe: false -> true\n/)
  const pinned = mrcheck('replay', file, '--model', toyModel, '--param', 'policy=pin')
  t.is(pinned.code, 4)
  t.regex(pinned.stdout, /state 3 is not a successor of state 2: the recorded step Migrate is not enabled here/)
})

test('a tampered file is not a behaviour (exit 4); a malformed or hostile one exits 152; each says what is wrong', (t) => {
  const file = dieHardTrace()
  const doc = JSON.parse(readFileSync(file, 'utf8'))
  doc.states[3].big = { '#bigint': '1' }
  const dir = tmp()
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text)
    return join(dir, name)
  }
  const tampered = mrcheck('replay', write('tampered.itf.json', JSON.stringify(doc)))
  t.is(tampered.code, 4, tampered.stderr)
  t.regex(tampered.stdout, /State 3: <BigToSmall>/)
  t.regex(tampered.stdout, /Error: the trace is not a behaviour of the model: state 4 is not a successor of state 3: the recorded step EmptySmallJug gives a different state \(big = 2 where the trace has 1\)/)
  const cases: [string, string, RegExp][] = [
    ['not.json', 'hello', /Trace file .*not\.json: not valid JSON/],
    ['proto.json', '{"__proto__": {"x": 1}, "vars": [], "states": [{}]}', /__proto__: a "__proto__" key is not allowed/],
    ['deep.json', '['.repeat(10_000), /nested deeper than 64 levels/],
    ['nometa.json', '{"vars": ["small", "big"], "states": [{"small": 0, "big": 0}]}', /does not say which model it belongs to; give it with --model/],
    ['badparam.json', JSON.stringify({ ...doc, '#meta': { ...doc['#meta'], params: { small: 99 } } }), /#meta\.params: Model "diehard", parameter "small": 99 is not an integer in 1\.\.20/],
  ]
  for (const [name, text, pattern] of cases) {
    const r = mrcheck('replay', write(name, text))
    t.is(r.code, 152, `${name}: ${r.stderr}`)
    t.regex(r.stderr, pattern, name)
    t.notRegex(r.stderr, /\n\s+at /, `${name}: a stack trace`)
  }
  t.is(mrcheck('replay', join(dir, 'missing.json')).code, 152)
})

test('a trace from another tool replays with --model; #meta is not needed', (t) => {
  const dir = tmp()
  const file = join(dir, 'foreign.itf.json')
  const b = (n: number) => ({ '#bigint': String(n) })
  writeFileSync(file, JSON.stringify({ vars: ['small', 'big'], states: [{ small: b(0), big: b(0) }, { small: b(3), big: b(0) }, { small: b(0), big: b(3) }] }))
  const r = mrcheck('replay', file, '--model', 'diehard')
  t.is(r.code, 0, r.stderr)
  t.regex(r.stdout, /State 2: <FillSmallJug>\n {2}small: 0 -> 3\nState 3: <SmallToBig>/)
})

test('graph writes DOT and JSON, refuses graphs above --max-nodes, needs an output', (t) => {
  const dir = tmp()
  const r = mrcheck('graph', 'diehard', '--dot', join(dir, 'g.dot'), '--json', join(dir, 'g.json'))
  t.is(r.code, 0)
  t.regex(r.stdout, /diehard: 16 states, 96 steps\. First violation: NotSolved after 7 states \(drawn bold\)\./)
  t.true(readFileSync(join(dir, 'g.dot'), 'utf8').startsWith('digraph "diehard" {'))
  const doc = JSON.parse(readFileSync(join(dir, 'g.json'), 'utf8'))
  t.is(doc.nodes.length, 16)
  t.is(doc.edges.length, 96)
  const big = mrcheck('graph', 'diehard', '--dot', join(dir, 'big.dot'), '--max-nodes', '5')
  t.is(big.code, 3)
  t.regex(big.stderr, /more than 5 states .* nothing was written\. Raise --max-nodes/)
  t.false(existsSync(join(dir, 'big.dot')))
  t.is(mrcheck('graph', 'diehard').code, 2)
  const stdout = mrcheck('graph', 'diehard', '--json', '-')
  t.is(JSON.parse(stdout.stdout).nodes.length, 16)
})
