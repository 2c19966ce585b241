/**
 * Action parameters of compound types (records, tuples, options, sets: TLA+'s `\E S \in SUBSET R`)
 * end to end: one instance per value, in the order the store keeps values in; the limits on a
 * parameter's values and on the instances, refused with the model, action and parameter named;
 * the values shown in text traces, `--json`, ITF and HTML, and matched by value when a trace is
 * replayed by its action names and parameters; fairness per instance. Against the naive reference,
 * they run in test/search/randomModels.test.ts (its random models have such parameters); under
 * symmetry in test/reduce/compoundSymmetry.test.ts; under partial-order reduction in
 * test/reduce/partialOrder.test.ts (simple-allocator's rows, and record parameters of its random
 * models).
 */
import test from 'ava'
import { Ajv } from 'ajv'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkModel, compileSpec, CheckerError, enumerateInstances, t, vars, type AnyType } from '../../checker/index.js'
import simpleAllocator from '../../models/examples/simpleAllocator.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const mrcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/bundle/mrcheck.js', ...args], { cwd: root, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
const tmp = () => mkdtempSync(join(tmpdir(), 'mrcheck-params-'))
const schema = JSON.parse(readFileSync(join(root, 'schema/result.schema.json'), 'utf8')) as object
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema)

test('one instance per value, first parameter slowest, each in domain order: records first field slowest, null first, sets by the bitmask of their members', (tt) => {
  const RM = t.index(2, { name: 'RM' })
  const { spec, action } = vars({ x: t.bool() })
  const s = spec({
    name: 'params',
    init: { x: false },
    actions: {
      Send: action({ m: t.record({ type: t.enum('Prepared', 'Commit'), rm: t.option(RM) }), S: t.set(RM) }, { effect: () => {} }),
      Pick: action({ p: t.tuple(t.bool(), RM), o: t.option(t.enum('a')) }, { effect: () => {} }),
    },
  })
  const instances = enumerateInstances(s)
  const sends = ['[]', '[0]', '[1]', '[0,1]']
  const messages = ['{"type":"Prepared","rm":null}', '{"type":"Prepared","rm":0}', '{"type":"Prepared","rm":1}', '{"type":"Commit","rm":null}', '{"type":"Commit","rm":0}', '{"type":"Commit","rm":1}']
  tt.deepEqual(
    instances.map((i) => i.label),
    [
      ...messages.flatMap((m) => sends.map((S) => `Send(m=${m}, S=${S})`)),
      ...['[false,0]', '[false,1]', '[true,0]', '[true,1]'].flatMap((p) => [`Pick(p=${p}, o=null)`, `Pick(p=${p}, o=a)`]),
    ],
  )
  tt.true(instances.every((i) => Object.isFrozen(i.params['m'] ?? i.params['p'])), 'parameter values are frozen and shared')
})

test('a parameter with too many values, and a spec with too many instances, are refused naming the action and parameter', (tt) => {
  const { spec, action } = vars({ x: t.bool() })
  const refused = (params: Record<string, AnyType>, message: RegExp) => {
    const s = spec({ name: 'big', init: { x: false }, actions: { Grab: action(params as never, { effect: () => {} }) as never } })
    const e = tt.throws(() => compileSpec(s, {}), { instanceOf: CheckerError })
    tt.is(e?.code, 'MODEL_DEFINITION')
    tt.regex(e?.message ?? '', message)
  }
  refused(
    { S: t.set(t.index(17)) },
    /Model "big", action Grab: parameter "S" has too many values to enumerate \(a value of this type is one of 131,072, more than the 65,536 that may be enumerated\)/,
  )
  refused({ S: t.set(t.int(0, 99)) }, /action Grab: parameter "S" has too many values to enumerate \(a value of this type is one of 1,267,650,600,228,229,\d{3}(,\d{3})*, more than/)
  refused(
    { S: t.set(t.index(16)), T: t.set(t.index(5)) },
    /Model "big": action Grab has 2,097,152 instances \(one per binding of its parameters\), which makes more than the 1,048,576 a spec may have\./,
  )
})

test('fairness per instance of an action with a set parameter: WF_vars(Return(c, S)) for every c and S makes clients return what they hold', async (tt) => {
  // Without fairness ClientsWillReturn fails; weak fairness on each Return(c, S) instance is enough.
  const only = ['ClientsWillReturn']
  const none = await checkModel(simpleAllocator, { fairness: 'none' }, { only })
  tt.is(none.status, 'violation')
  const perInstance = await checkModel(simpleAllocator, { fairness: 'none' }, { only, fairness: { Return: 'weak' } })
  tt.is(perInstance.status, 'ok')
  // And without the fairness group on Allocate, a client may wait forever for a resource.
  const obtain = await checkModel(simpleAllocator, { fairness: 'none' }, { only: ['ClientsWillObtain'], fairness: { Return: 'weak' } })
  tt.is(obtain.status, 'violation')
})

test('mrcheck: set parameters in text traces, --json, ITF and HTML; replay matches them by value', (tt) => {
  const dir = tmp()
  const itf = join(dir, 'cex.itf.json')
  const html = join(dir, 'report.html')
  const text = mrcheck('check', 'simple-allocator', '--param', 'fairness=none', '--property', 'ClientsWillReturn', '--trace-out', itf, '--html', html)
  tt.is(text.code, 13, text.stderr)
  tt.regex(text.stdout, /State 2: <Request\(c=0, S=\[0\]\)>\n {2}unsat\[0\]: \[\] -> \[0\]\nState 3: <Allocate\(c=0, S=\[0\]\)> {2}<-- loop starts here/)
  tt.regex(readFileSync(html, 'utf8'), /Allocate\(c=0, S=\[0\]\)/)

  const json = mrcheck('check', 'simple-allocator', '--param', 'fairness=none', '--property', 'ClientsWillReturn', '--json')
  const doc = JSON.parse(json.stdout)
  tt.true(validate(doc), JSON.stringify(validate.errors))
  tt.deepEqual(doc.violations[0].trace[2].action, { name: 'Allocate', params: { c: 0, S: [0] }, label: 'Allocate(c=0, S=[0])' })

  const trace = JSON.parse(readFileSync(itf, 'utf8'))
  tt.deepEqual(trace.states[2]['#meta'], { index: 2, action: 'Allocate(c=0, S=[0])', actionName: 'Allocate', params: { c: 0, S: [0] } })
  const replayed = mrcheck('replay', itf, '--json')
  tt.is(replayed.code, 13, replayed.stderr)
  tt.like(JSON.parse(replayed.stdout), { valid: true, states: 3 })
  tt.notRegex(replayed.stderr, /gives it/, 'every recorded step is the step taken')

  // Sets compare as sets: members in another order or repeated name the same instance, and so do
  // Quint's picks (`mbt::nondetPicks`, ITF values).
  const step = (params: unknown, quint = false) => {
    const edited = structuredClone(trace)
    if (quint) {
      edited.vars.push('mbt::actionTaken', 'mbt::nondetPicks')
      edited.states.forEach((st: any, i: number) => {
        st['#meta'] = { index: i }
        st['mbt::actionTaken'] = i === 0 ? 'init' : i === 1 ? 'Request' : 'Allocate'
        st['mbt::nondetPicks'] = params // Request(c, S), then Allocate(c, S) with the same picks
      })
    } else edited.states[1]['#meta'] = { index: 1, actionName: 'Request', params }
    const file = join(dir, 'edited.itf.json')
    writeFileSync(file, JSON.stringify(edited))
    return mrcheck('replay', file, '--json')
  }
  for (const [params, quint] of [
    [{ c: 0, S: [0, 0] }, false],
    [{ c: { tag: 'Some', value: { '#bigint': '0' } }, S: { tag: 'Some', value: { '#set': [{ '#bigint': '0' }] } } }, true],
  ] as const) {
    const r = step(params, quint)
    tt.is(r.code, 13, `${JSON.stringify(params)}: ${r.stderr}`)
    tt.notRegex(r.stderr, /gives it/, JSON.stringify(params))
  }
  const wrong = step({ c: 0, S: [0, 1] })
  tt.is(wrong.code, 13)
  tt.regex(wrong.stdout + wrong.stderr, /the recorded step Request\(c=0, S=\[0,1\]\) gives a different state .*; Request\(c=0, S=\[0\]\) gives it/)
})

test('a replay whose recorded set parameter has a member outside its type names no instance', (tt) => {
  const dir = tmp()
  const file = join(dir, 'cex.itf.json')
  const made = mrcheck('check', 'simple-allocator', '--param', 'clients=1', '--param', 'resources=1', '--param', 'fairness=none', '--property', 'ClientsWillReturn', '--trace-out', file)
  tt.is(made.code, 13)
  const trace = JSON.parse(readFileSync(file, 'utf8'))
  trace.states[1]['#meta'] = { index: 1, actionName: 'Request', params: { c: 0, S: [5] } }
  writeFileSync(file, JSON.stringify(trace))
  const replayed = mrcheck('replay', file)
  tt.is(replayed.code, 13)
  tt.regex(replayed.stdout + replayed.stderr, /the trace names Request, which is no action instance of the model; Request\(c=0, S=\[0\]\) gives it/)
})
