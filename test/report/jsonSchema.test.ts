// Every command's --json output, for every outcome (errors included), is one document that
// validates against the JSON Schema shipped in the package (schema/result.schema.json), checked
// with ajv; its status and exit code agree with the process's.
import test from 'ava'
import { Ajv } from 'ajv'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCli } from '../../checker/cli/main.js'
import { builtinModels } from '../../models/registry.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const schema = JSON.parse(readFileSync(join(root, 'schema/result.schema.json'), 'utf8')) as object
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema)
const fixture = (name: string) => join(root, 'dist/test/report/fixtures', name)
const tmp = () => mkdtempSync(join(tmpdir(), 'mrcheck-schema-'))

/** Runs the CLI in this process; stdout as written (each write a line, as bin/mrcheck.ts does). */
async function mrcheck(...argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = ''
  const code = await runCli(argv, {
    builtins: builtinModels,
    version: '0.0.0-test',
    out: (s) => void (stdout += s.endsWith('\n') ? s : s + '\n'),
    err: () => undefined,
    interactive: false,
  })
  return { code, stdout }
}

/** Runs `argv`, expects exit `code` and one document with `status`; the document, validated. */
async function documentOf(t: import('ava').ExecutionContext, code: number, status: string, ...argv: string[]) {
  const r = await mrcheck(...argv)
  t.is(r.code, code, `${argv.join(' ')}: ${r.stdout}`)
  const doc = JSON.parse(r.stdout) as Record<string, unknown>
  t.true(validate(doc), `${argv.join(' ')}: ${JSON.stringify(validate.errors, null, 2)}`)
  t.is(doc.status, status, argv.join(' '))
  t.is(doc.schemaVersion, 1)
  if (status === 'error') t.is(doc.exitCode ?? 153, code, argv.join(' '))
  return doc
}

test('the schema rejects what it must: no schemaVersion, an error without a code, a model listed without its fields', (t) => {
  t.false(validate({ tool: { name: 'mrcheck', version: '1' }, command: 'list', status: 'ok', models: [] }))
  t.false(validate({ schemaVersion: 1, tool: { name: 'mrcheck', version: '1' }, command: 'check', status: 'error', message: 'x' }))
  t.false(validate({ schemaVersion: 1, tool: { name: 'mrcheck', version: '1' }, command: 'list', status: 'ok', models: [{ name: 'x' }] }))
  t.true(validate({ schemaVersion: 1, tool: { name: 'mrcheck', version: '1' }, command: 'list', status: 'ok', models: [] }))
})

test('check: ok, violation, incomplete, a failing model, and each kind of error', async (t) => {
  await documentOf(t, 0, 'ok', 'check', 'twophase', '--param', 'rms=2', '--json')
  const v = await documentOf(t, 12, 'violation', 'check', 'diehard', '--json')
  t.is((v.violations as unknown[]).length, 1)
  await documentOf(t, 3, 'incomplete', 'check', 'diehard', '--max-states', '3', '--json')
  const failed = await documentOf(t, 153, 'error', 'check', fixture('throwingModel.js'), '--json')
  t.regex(String(failed.message), /the effect of Inc fails at x = 1/)
  const usage = await documentOf(t, 2, 'error', 'check', 'diehard', '--bogus', '--json')
  t.is(usage.code, 'USAGE')
  t.is((await documentOf(t, 2, 'error', 'check', 'diehard', '--trace-out', '-', '--json')).code, 'USAGE')
  t.is((await documentOf(t, 150, 'error', 'check', 'no-such-model', '--json')).code, 'MODEL_LOAD')
  t.is((await documentOf(t, 151, 'error', 'check', 'diehard', '--param', 'small=99', '--json')).code, 'BAD_PARAM')
  t.is((await documentOf(t, 151, 'error', 'check', 'diehard', '--property', 'NoSuch', '--json')).code, 'UNKNOWN_NAME')
  // Symmetry with temporal properties is a clash of options, not a malformed model.
  t.is((await documentOf(t, 2, 'error', 'check', 'page-migration', '--symmetry', 'on', '--json')).code, 'OPTION_CLASH')
})

test('resume: the resumed result, and a directory that holds no checkpoint', async (t) => {
  const dir = tmp()
  // Stopped by its memory budget, the run leaves a final checkpoint.
  const stopped = await documentOf(t, 3, 'incomplete', 'check', 'twophase', '--param', 'rms=6', '--store', 'exact', '--memory', '1', '--checkpoint', dir, '--json')
  t.is(stopped.stopReason, 'memory')
  await documentOf(t, 0, 'ok', 'resume', dir, '--memory', '64', '--json')
  t.is((await documentOf(t, 152, 'error', 'resume', tmp(), '--json')).code, 'BAD_INPUT')
})

test('simulate: ok, violation and errors', async (t) => {
  const ok = await documentOf(t, 0, 'ok', 'simulate', 'twophase', '--runs', '3', '--seed', '1', '--json')
  t.is(ok.exhaustive, false)
  await documentOf(t, 12, 'violation', 'simulate', 'diehard', '--runs', '200', '--seed', '7', '--json')
  await documentOf(t, 2, 'error', 'simulate', 'diehard', '--seed', 'x', '--json')
  await documentOf(t, 150, 'error', 'simulate', 'nope', '--json')
  // On two walker threads; cut short by the time limit.
  const file = join(root, 'dist/models/examples/diehard.js')
  const two = await documentOf(t, 12, 'violation', 'simulate', file, '--runs', '400', '--seed', '7', '--workers', '2', '--json')
  t.like(two, { options: { runs: 400, steps: 100, workers: 2 } })
  t.true(Number.isInteger((two.walker as { seed: number }).seed))
  const cut = await documentOf(t, 0, 'ok', 'simulate', 'twophase', '--runs', '100000000', '--max-seconds', '0.5', '--json')
  t.is(cut.stopped, 'timeout')
})

test('replay: a behaviour with a violation, one without, not a behaviour (exit 4), a malformed file', async (t) => {
  const dir = tmp()
  const file = join(dir, 'cex.itf.json')
  await mrcheck('check', 'diehard', '--trace-out', file)
  await documentOf(t, 12, 'violation', 'replay', file, '--json')
  await documentOf(t, 0, 'ok', 'replay', file, '--param', 'goal=6', '--json')
  const trace = JSON.parse(readFileSync(file, 'utf8'))
  trace.states[3].big = { '#bigint': '1' }
  writeFileSync(join(dir, 'tampered.itf.json'), JSON.stringify(trace))
  const not = await documentOf(t, 4, 'error', 'replay', join(dir, 'tampered.itf.json'), '--json')
  t.is(not.code, 'NOT_A_BEHAVIOUR')
  t.is(not.valid, false)
  writeFileSync(join(dir, 'bad.json'), 'hello')
  t.is((await documentOf(t, 152, 'error', 'replay', join(dir, 'bad.json'), '--json')).code, 'BAD_INPUT')
})

test('list, matrix, merge and graph', async (t) => {
  const list = await documentOf(t, 0, 'ok', 'list', '--json')
  t.true((list.models as unknown[]).length >= 9)
  await documentOf(t, 0, 'ok', 'matrix', 'peterson', '--json')
  const shards = tmp()
  for (const shard of ['1/2', '2/2']) {
    const doc = await documentOf(t, 0, 'ok', 'matrix', 'peterson', '--shard', shard, '--json')
    writeFileSync(join(shards, `${shard[0]}.json`), JSON.stringify(doc))
  }
  await documentOf(t, 0, 'ok', 'merge', join(shards, '1.json'), join(shards, '2.json'), '--json')
  await documentOf(t, 152, 'error', 'merge', join(tmp(), 'missing.json'), '--json')
  await documentOf(t, 0, 'ok', 'graph', 'diehard', '--json', '-')
  await documentOf(t, 3, 'incomplete', 'graph', 'diehard', '--json', '-', '--max-nodes', '2')
  await documentOf(t, 150, 'error', 'graph', 'nope', '--json', '-')
  await documentOf(t, 2, 'error', 'list', '--json', '--bogus')
})
