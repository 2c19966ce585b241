/**
 * What a model file's code is, for the checker: every model file runs as strict code wherever it
 * sits, and a checkpoint knows which code it was written for, so that `mrcheck resume` never goes
 * on with changed code and never loads code that the checkpoint names by itself.
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { check, instantiate, resume } from '../../checker/index.js'
import twoPhase from '../../models/examples/twophase.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const checker = JSON.stringify(new URL('../../checker/index.js', import.meta.url).href)
const mrcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/bundle/mrcheck.js', ...args], { cwd: root, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
const tmp = mkdtempSync(join(tmpdir(), 'mrcheck-code-test-'))
test.after.always(() => rmSync(tmp, { recursive: true, force: true }))

/** A counter model whose step lives in a module of its own; big enough to be stopped part way. */
function counterModel(dir: string, { step = 'x + 1', invariants = 'Small: (s) => s.x < 5000 || s.y < 5000', docs = '' } = {}) {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'step.ts'), `export const step = (x: number) => Math.min(3000, ${step})\n`)
  writeFileSync(
    join(dir, 'counter.ts'),
    `import { defineModel, t, vars } from ${checker}
import { step } from './step.js'
export default defineModel({
  name: 'counter',
  summary: 'two counters',
  params: {},
  build: () => {
    const { spec, action } = vars({ x: t.int(0, 3000), y: t.int(0, 3000) })
    return spec({ name: 'counter', init: { x: 0, y: 0 }, checkDeadlock: false, actions: {
      X: action({ guard: (s) => s.x < 3000, effect: (d) => { d.x = step(d.x) } }),
      Y: action({ guard: (s) => s.y < 3000, effect: (d) => { d.y++ } }),
    } })
  },
  properties: () => ({ invariants: { ${invariants} }, docs: { ${docs} } }),
})
`,
  )
  return join(dir, 'counter.ts')
}

/** Runs a check of `file` long enough to write a checkpoint, and stops it. */
function checkpointOf(file: string, dir: string): void {
  const r = mrcheck('check', file, '--checkpoint', dir, '--every', '0.2', '--max-seconds', '1.5')
  if (r.code !== 3) throw new Error(`expected an incomplete run, got exit ${r.code}: ${r.stderr}`)
}

test.serial('resume refuses a checkpoint whose model code changed (exit 152), naming the file, and goes on when it did not', (t) => {
  const model = counterModel(join(tmp, 'edited'))
  const ck = join(tmp, 'edited-ck')
  checkpointOf(model, ck)
  counterModel(join(tmp, 'edited'), { step: 'x + 2' })
  const edited = mrcheck('resume', ck, '--model', model)
  t.is(edited.code, 152, edited.stderr)
  t.regex(edited.stderr, /was written for other model code: changed since: step\.ts\./)
  counterModel(join(tmp, 'edited'), { invariants: 'Small: (s) => s.x < 5000 || s.y < 5000, Also: (s) => s.x >= 0' })
  const added = mrcheck('resume', ck, '--model', model)
  t.is(added.code, 152, added.stderr)
  t.regex(added.stderr, /changed since: counter\.ts\./)
  counterModel(join(tmp, 'edited'))
  const same = mrcheck('resume', ck, '--model', model, '--json')
  t.is(same.code, 0, same.stderr)
  t.is(JSON.parse(same.stdout).stats.distinct, 3001 * 3001)
})

test.serial('resume never loads a model file by itself: without --model it says how to give it (exit 2)', (t) => {
  const model = counterModel(join(tmp, 'named'))
  const ck = join(tmp, 'named-ck')
  checkpointOf(model, ck)
  const r = mrcheck('resume', ck)
  t.is(r.code, 2, r.stderr)
  t.true(r.stderr.includes(`was written for the model file ${model}: give it again (mrcheck resume ${ck} --model ${model}`), r.stderr)
})

test.serial('resume() refuses a model whose parameters or selected properties differ from the checkpoint (exit 152 in the CLI)', async (t) => {
  const dir = join(tmp, 'library-ck')
  const ac = new AbortController()
  const { spec, props } = instantiate(twoPhase, { rms: 8 })
  setTimeout(() => ac.abort(), 700)
  const first = await check(spec, props, { checkpoint: { dir, everyMs: 100 }, signal: ac.signal })
  t.is(first.status, 'incomplete')
  const other = { ...twoPhase, properties: (p: any) => ({ ...twoPhase.properties(p), invariants: { ...twoPhase.properties(p).invariants, Extra: () => true } }) }
  const error = await t.throwsAsync(resume(dir, { model: other as never }))
  t.regex(error!.message, /was written for another spec: its properties differ/)
})

for (const [where, packageJson] of [
  ['outside any package', undefined],
  ['in a CommonJS package', '{ "type": "commonjs" }'],
  ['in an ES-module package', '{ "type": "module" }'],
] as const) {
  test(`a TypeScript model ${where} runs as strict code: an effect that adds a state field is an error (exit 153)`, (t) => {
    const dir = join(tmp, where.replace(/\W+/g, '-'))
    mkdirSync(dir, { recursive: true })
    if (packageJson !== undefined) writeFileSync(join(dir, 'package.json'), packageJson)
    const file = join(dir, 'adds.ts')
    writeFileSync(
      file,
      `import { defineModel, t, vars } from ${checker}
export default defineModel({
  name: 'adds',
  summary: 'an effect that adds a field to the state',
  params: {},
  build: () => {
    const { spec, action } = vars({ x: t.int(0, 2) })
    return spec({ name: 'adds', init: { x: 0 }, checkDeadlock: false, actions: {
      Inc: action({ guard: (s) => s.x < 2, effect: (d) => { d.x++; (d as any).extra = true } }),
    } })
  },
  properties: () => ({}),
})
`,
    )
    const r = mrcheck('check', file)
    t.is(r.code, 153, r.stderr)
    t.regex(r.stdout + r.stderr, /action Inc (threw|produced)/)
  })
}

test.serial('a violation found by a resumed run prints the meaning of its property, as check does', (t) => {
  const dir = join(tmp, 'meaning')
  const options = { invariants: 'Near: (s) => s.x + s.y < 2500', docs: "Near: 'the two counters stay near the start'" }
  const model = counterModel(dir, options)
  const ck = join(tmp, 'meaning-ck')
  checkpointOf(model, ck)
  const r = mrcheck('resume', ck, '--model', model)
  t.is(r.code, 12, r.stderr)
  t.regex(r.stdout, /Invariant Near is violated[^\n]*\n.*the two counters stay near the start/)
})
