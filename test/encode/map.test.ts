/**
 * Map fields (`t.map(K, V)`) end to end: a lease table with hand-checked counts (9 states, 40
 * successors, 5 orbits with its clients symmetric, against test/helpers/orbits.ts's brute force),
 * in both effect modes and both stores; properties see the pairs in the keys' domain order; a key
 * or value outside its type, a key given twice and a map too large are refused naming the action
 * and field; partial-order reduction keeps the verdicts; the map's values are ranked as the store orders them; the helpers compare keys by
 * value; symmetry refuses keys it cannot rename; and the CLI shows maps in text traces, --json,
 * ITF (`#map`) and HTML, and replays a trace holding them.
 * Against the naive reference and messily written maps: test/search/randomModels.test.ts (its
 * random models have map variables and parameters); codec round trips and errors on random map
 * types: test/encode/codec.test.ts; symmetry on random maps: test/encode/symmetry.test.ts and
 * test/reduce/mapSymmetry.test.ts; ITF: test/report/itf.test.ts.
 */
import test from 'ava'
import { Ajv } from 'ajv'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { check, checkModel, CheckerError, compileSpec, get, hasKey, instantiate, put, removeKey, t, vars } from '../../checker/index.js'
import { valuesOf, rankOf } from '../../checker/model/values.js'
import { countValues } from '../../checker/model/types.js'
import leases from './fixtures/leases.js'
import { orbits, reachable } from '../helpers/orbits.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const fixture = join(root, 'dist/test/encode/fixtures/leases.js')
const mrcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/bundle/mrcheck.js', ...args], { cwd: root, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
const schema = JSON.parse(readFileSync(join(root, 'schema/result.schema.json'), 'utf8')) as object
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema)

test('the lease table: 9 states and 40 successors in every mode and store, keys in domain order, 5 orbits with symmetry', async (tt) => {
  for (const strict of [false, true]) {
    for (const store of ['exact', 'fingerprint'] as const) {
      const r = await checkModel(leases, {}, { only: ['KeysInOrder'], strict, store })
      tt.is(r.status, 'ok', `strict ${strict}, ${store}`)
      tt.deepEqual([r.stats.distinct, r.stats.generated - r.stats.initial], [9, 40], `strict ${strict}, ${store}`)
    }
  }
  const { spec, props } = instantiate(leases, {})
  const c = compileSpec(spec, props, { only: ['KeysInOrder'] })
  tt.is(reachable(c).length, 9)
  tt.is(orbits(c, reachable(c)), 5)
  for (const symmetryStrategy of ['full', 'sorted'] as const) {
    const r = await check(spec, props, { only: ['KeysInOrder'], symmetry: true, symmetryStrategy })
    tt.is(r.status, 'ok')
    tt.is(r.stats.distinct, 5, symmetryStrategy)
  }
})

test('the lease table: a client holding both resources is found at depth 3 as a map, in both modes', async (tt) => {
  for (const strict of [false, true]) {
    const r = await checkModel(leases, {}, { only: ['NoHoarding'], strict })
    if (r.status !== 'violation') return tt.fail(r.status)
    const trace = r.violations[0]!.trace
    tt.deepEqual(
      trace.map((s) => [s.action?.label ?? null, s.state]),
      [
        [null, { holder: [] }],
        ['Acquire(c=0, r=r1)', { holder: [['r1', 0]] }],
        ['Acquire(c=0, r=r2)', { holder: [['r1', 0], ['r2', 0]] }],
      ],
    )
  }
})

test('partial-order reduction treats a map as one cell: the lease table keeps its verdicts', async (tt) => {
  const { spec, props } = instantiate(leases, {})
  for (const property of ['KeysInOrder', 'NoHoarding']) {
    const plain = await check(spec, props, { only: [property] })
    const reduced = await check(spec, props, { only: [property], por: true })
    tt.is(reduced.status, plain.status, property)
    tt.true(reduced.stats.distinct <= plain.stats.distinct, property)
  }
})

test('an effect that writes a key or value outside its type, or a key twice, is an error naming the action and field', async (tt) => {
  const Key = t.enum('a', 'b')
  const bad = async (effect: (d: any) => void, message: RegExp) => {
    const { spec, action } = vars({ m: t.map(Key, t.int(0, 2)), n: t.map(t.record({ x: t.bool() }), t.bool()) })
    const s = spec({ name: 'maps', init: { m: [['a', 0]], n: [] }, actions: { Write: action({ effect }) } })
    for (const strict of [false, true]) {
      const r = await check(s, {}, { strict })
      if (r.status !== 'error') return tt.fail(r.status)
      tt.regex(r.error.message, /Model "maps"/)
      tt.regex(r.error.message, /Write/)
      tt.regex(r.error.message, message, `strict ${strict}`)
    }
  }
  // The search says `produced <path> = <value>, outside its type (expected ...)`, strict mode `<path> = <value> is outside its type: expected ...`.
  const outside = (what: string, expected: string) => new RegExp(`${what},? (is )?outside its type(: | \\()expected ${expected}`)
  await bad((d) => put(d.m, 'c', 1), outside('m \\(a key\\) = "c"', 'one of "a", "b"'))
  await bad((d) => put(d.m, 'b', 3), outside('m\\["b"\\] = 3', 'an integer in 0\\.\\.2'))
  await bad((d) => void d.m.push(['a', 1]), outside('m = \\[\\["a",0\\],\\["a",1\\]\\]', '\\[key, value\\] pairs with distinct keys \\(the key "a" appears twice\\)'))
  await bad((d) => void d.m.push('b'), outside('m\\[\\] = "b"', 'a \\[key, value\\] pair'))
  await bad((d) => put(d.n, { x: 1 }, true), outside('n \\(a key\\)\\.x = 1', 'a boolean'))
  await bad((d) => put(d.n, { x: true, y: 1 }, true), outside('n \\(a key\\)\\.y = 1', 'no such field'))
})

test('a map whose keys are too many, or a parameter with too many map values, is refused naming it', (tt) => {
  tt.throws(() => t.map(t.int(0, 70_000), t.bool()), { message: /t\.map\(t\.int\(0, 70000\), \.\.\.\)'s keys: 70,001 members is more than the 65,536 a domain may have/ })
  const { spec, action } = vars({ x: t.bool() })
  const s = spec({ name: 'big', init: { x: false }, actions: { Grab: action({ m: t.map(t.index(11), t.bool()) }, { effect: () => {} }) } })
  const e = tt.throws(() => compileSpec(s, {}), { instanceOf: CheckerError })
  tt.regex(e?.message ?? '', /Model "big", action Grab: parameter "m" has too many values to enumerate \(a value of this type is one of 177,147, more than the 65,536/)
})

test('map values are ranked in the order the store enumerates them, keys in domain order, absent first', (tt) => {
  for (const type of [
    t.map(t.bool(), t.enum('x', 'y')),
    t.map(t.tuple(t.bool(), t.index(2)), t.bool()),
    t.map(t.enum('a'), t.set(t.index(2))),
    t.map(t.index(2), t.map(t.bool(), t.bool())),
  ]) {
    const values = valuesOf(type as never, 100_000)
    tt.is(values.length, countValues(type as never))
    const rank = rankOf(type as never)
    values.forEach((v, i) => tt.is(rank(v), i, JSON.stringify(v)))
  }
  tt.deepEqual(valuesOf(t.map(t.bool(), t.enum('x')) as never, 10), [[], [[true, 'x']], [[false, 'x']], [[false, 'x'], [true, 'x']]])
  const rank = rankOf(t.map(t.bool(), t.bool()) as never)
  tt.is(rank([[true, false], [false, true]]), rank([[false, true], [true, false]]), 'pairs in any order')
  tt.is(rank([[true, false], [true, true]]), -1, 'a key twice')
  tt.is(rank([[true]]), -1, 'not a pair')
})

test('get, put, hasKey and removeKey compare keys by value', (tt) => {
  const m: [{ p: number; q: string }, number][] = [[{ p: 0, q: 'a' }, 1]]
  tt.is(get(m, { p: 0, q: 'a' }), 1)
  tt.is(get(m, { p: 1, q: 'a' }), undefined)
  tt.true(hasKey(m, { p: 0, q: 'a' }))
  put(m, { p: 0, q: 'a' }, 2)
  put(m, { p: 1, q: 'b' }, 3)
  tt.deepEqual(m, [[{ p: 0, q: 'a' }, 2], [{ p: 1, q: 'b' }, 3]])
  tt.true(removeKey(m, { p: 0, q: 'a' }))
  tt.false(removeKey(m, { p: 0, q: 'a' }))
  tt.deepEqual(m, [[{ p: 1, q: 'b' }, 3]])
})

test('symmetry refuses map keys holding symmetric members inside options (records and tuples of them it renames: test/reduce/mapSymmetry.test.ts)', async (tt) => {
  const P = t.index(2, { name: 'P', symmetric: true })
  const { spec, action } = vars({ m: t.map(t.option(P), t.bool()) })
  const s = spec({ name: 'optKeys', init: { m: [] }, actions: { Put: action({ p: P }, { effect: (d, { p }) => put(d.m, p, true) }) } })
  const e = await tt.throwsAsync(() => check(s, {}, { symmetry: true }), { instanceOf: CheckerError })
  tt.regex(e?.message ?? '', /Model "optKeys": symmetry: its state has a map \(m\) whose keys hold members of the symmetric index type "P" inside a option/)
})

test('mrcheck: maps in text traces, --json, ITF (#map) and HTML; the ITF trace replays', (tt) => {
  const dir = mkdtempSync(join(tmpdir(), 'mrcheck-maps-'))
  const itf = join(dir, 'cex.itf.json')
  const html = join(dir, 'report.html')
  const text = mrcheck('check', fixture, '--property', 'NoHoarding', '--trace-out', itf, '--html', html)
  tt.is(text.code, 12, text.stderr)
  tt.regex(text.stdout, /State 3: <Acquire\(c=0, r=r2\)>\n {2}holder\["r2"\]: \(no key\) -> 0\n/)
  tt.regex(readFileSync(html, 'utf8'), /Acquire\(c=0, r=r2\)/)

  const json = mrcheck('check', fixture, '--property', 'NoHoarding', '--json')
  const doc = JSON.parse(json.stdout)
  tt.true(validate(doc), JSON.stringify(validate.errors))
  tt.deepEqual(doc.violations[0].trace[2].state, { holder: [['r1', 0], ['r2', 0]] })

  const trace = JSON.parse(readFileSync(itf, 'utf8'))
  tt.deepEqual(trace.states[2].holder, { '#map': [['r1', { '#bigint': '0' }], ['r2', { '#bigint': '0' }]] })
  const replayed = mrcheck('replay', itf, '--model', fixture, '--json')
  tt.is(replayed.code, 12, replayed.stderr)
  tt.like(JSON.parse(replayed.stdout), { valid: true, states: 3 })

  // Pairs in another order are the same map; a key twice is refused, naming where.
  trace.states[2].holder['#map'].reverse()
  writeFileSync(itf, JSON.stringify(trace))
  tt.like(JSON.parse(mrcheck('replay', itf, '--model', fixture, '--json').stdout), { valid: true, states: 3 })
  trace.states[2].holder['#map'][1][0] = 'r2'
  writeFileSync(itf, JSON.stringify(trace))
  const twice = mrcheck('replay', itf, '--model', fixture)
  tt.not(twice.code, 0)
  tt.regex(twice.stdout + twice.stderr, /states\[2\]\.holder.*a map: it lists a key twice/)
})
