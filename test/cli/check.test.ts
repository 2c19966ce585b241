import test from 'ava'
import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const mrcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/bundle/mrcheck.js', ...args], { cwd: root, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('check diehard.ts (a TypeScript model file) prints the 7-state solution and exits 12', (t) => {
  const r = mrcheck('check', 'models/examples/diehard.ts')
  t.is(r.code, 12)
  t.regex(r.stdout, /Invariant NotSolved is violated after 7 states/)
  t.regex(r.stdout, /State 7: <BigToSmall>\n {2}small: 2 -> 3\n {2}big: 5 -> 4/)
  t.is(r.stderr, '', 'results on stdout, nothing else to say')
})

test('check page-migration odp-no-retry-check: the race ends with the device translating to a frame the kernel took back', (t) => {
  const r = mrcheck('check', 'page-migration', '--param', 'policy=odp-no-retry-check')
  t.is(r.code, 12)
  const stale = r.stdout.indexOf('Error: Invariant NoStaleTranslation is violated after 8 states.')
  const commit = r.stdout.indexOf('Error: Action property CommitMatchesSnapshot is violated after 7 states.')
  t.true(stale >= 0 && commit > stale, 'the broken promise first, then the mechanism that led to it')
  // Each violation gives its property's meaning under its message.
  t.regex(r.stdout, /violated after 8 states\.\n {2}NoStaleTranslation: B1\/C2: the device never translates a page through a frame other than the one the kernel maps it to/)
  t.regex(r.stdout, /State 7: <FaultCommit>\n {2}dev\[0\]: null -> 0\n/)
  t.regex(r.stdout, /State 8: <OsMutate\(to=1\)>\n {2}cpu\[0\]: 0 -> 1\n {2}frames\[0\]\.use: "page" -> "kernel"\n/)
})

test('--json puts only the result document on stdout', (t) => {
  const r = mrcheck('check', 'diehard', '--json')
  t.is(r.code, 12)
  const doc = JSON.parse(r.stdout)
  t.is(doc.schemaVersion, 1)
  t.is(doc.status, 'violation')
  t.is(doc.violations[0].property, 'NotSolved')
  t.is(doc.violations[0].kind, 'invariant')
  t.is(doc.violations[0].trace.length, 7)
  t.deepEqual(doc.violations[0].trace[6].state, { small: 3, big: 4 })
  t.is(doc.violations[0].trace[6].action.name, 'BigToSmall')
  t.true(doc.stats.distinct > 0 && doc.stats.generated >= doc.stats.distinct && doc.stats.depth > 0)
})

test('a model that holds exits 0 with TLC-like statistics', (t) => {
  const r = mrcheck('check', 'twophase', '--json')
  t.is(r.code, 0)
  const doc = JSON.parse(r.stdout)
  t.is(doc.status, 'ok')
  t.is(doc.stats.distinct, 288)
  t.regex(r.stderr, /288 distinct states found/)
})

test('--workers auto searches on one worker per core, and the result says how many searched', (t) => {
  const cores = availableParallelism()
  const auto = mrcheck('check', 'twophase', '--workers', 'auto', '--json')
  t.is(auto.code, 0, auto.stderr)
  const doc = JSON.parse(auto.stdout)
  t.deepEqual([doc.workers, doc.stats.distinct], [cores, 288])
  t.regex(auto.stderr, cores > 1 ? new RegExp(`store: exact, ${cores} workers\\)\\.`) : /store: exact\)\./)
  t.is(JSON.parse(mrcheck('check', 'twophase', '--json').stdout).workers, 1)
  const bad = mrcheck('check', 'twophase', '--workers', 'many')
  t.is(bad.code, 2)
  t.regex(bad.stderr, /--workers expects a positive integer or auto, not "many"/)
  // More workers than cores would only take turns on them, each with the spec built again: refused at once.
  const most = Math.max(2, cores)
  const many = mrcheck('check', 'twophase', '--workers', String(most + 1))
  t.is(many.code, 2)
  t.regex(many.stderr, new RegExp(`${most + 1} workers is more than the ${cores} cores? this process may use: ask for at most ${most}`))
})

test('--invariant selects properties; --max-states ends incomplete with exit 3', (t) => {
  t.is(mrcheck('check', 'diehard', '--invariant', 'TypeOK').code, 0)
  const r = mrcheck('check', 'twophase', '--max-states', '10', '--json')
  t.is(r.code, 3)
  const doc = JSON.parse(r.stdout)
  t.is(doc.status, 'incomplete')
  t.is(doc.stopReason, 'maxStates')
  t.regex(r.stderr, /Nothing is proved/)
})

test('usage and model errors have their own exit codes and name what is wrong', (t) => {
  t.is(mrcheck('check').code, 2)
  t.is(mrcheck('frobnicate').code, 2)
  const unknown = mrcheck('check', 'no-such-model')
  t.is(unknown.code, 150)
  t.regex(unknown.stderr, /No built-in model "no-such-model"\. Built-in models: .*"diehard"/)
  const param = mrcheck('check', 'diehard', '--param', 'jug=3')
  t.is(param.code, 151)
  t.regex(param.stderr, /no parameter "jug"\. Its parameters: "small", "big", "goal"/)
  const range = mrcheck('check', 'diehard', '--param', 'big=99')
  t.is(range.code, 151)
  t.regex(range.stderr, /"99" is not an integer in 1\.\.20/)
  const prop = mrcheck('check', 'diehard', '--invariant', 'Nope')
  t.is(prop.code, 151)
  t.regex(prop.stderr, /no property "Nope"\. Its properties: "TypeOK", "NotSolved"/)
  const directory = mrcheck('check', 'models/examples')
  t.is(directory.code, 150)
  t.regex(directory.stderr, /Model file .*models\/examples is not a file \(a directory\?\)/)
  for (const args of [['check', 'diehard', '--html', '-'], ['simulate', 'diehard', '--html', '-'], ['matrix', '--md', '-']]) {
    const dash = mrcheck(...args)
    t.is(dash.code, 2, args.join(' '))
    t.regex(dash.stderr, /--(html|md) writes a file and takes its name: - \(stdout\) carries the result/)
  }
})

test('list names the models with their parameters and properties', (t) => {
  const r = mrcheck('list')
  t.is(r.code, 0)
  t.regex(r.stdout, /diehard — /)
  t.regex(r.stdout, /NotSolved/)
})

test('the number of distinct initial states is in the statistics and in --json (tokenRing: an init predicate)', (t) => {
  const r = mrcheck('check', 'tokenRing', '--param', 'nodes=4', '--param', 'values=4', '--json')
  t.is(r.code, 0, r.stderr)
  const doc = JSON.parse(r.stdout)
  t.deepEqual([doc.stats.initial, doc.stats.distinct], [256, 256])
  t.regex(r.stderr, /^256 distinct initial states\.$/m)
})
