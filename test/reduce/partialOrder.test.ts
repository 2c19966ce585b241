/**
 * Partial-order reduction (`por`), in the whole check:
 * - on random models of processes with local and shared variables (so that some steps are
 *   independent and the reduction has something to cut), the same safety verdicts as the full
 *   search, every violated property found again, never more states, and every counterexample a
 *   real behaviour (replayed step by step), though not always the shortest;
 * - on every built-in model (every row of its matrix), the same verdicts and replayable traces;
 * - independent counters: the reduced search stores far fewer states and still finds the bug;
 * - what it cannot go with is refused with exit 2 and the reason.
 */
import test from 'ava'
import { testProp, fc } from '@fast-check/ava'
import { isDeepStrictEqual } from 'node:util'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  check,
  CheckerError,
  compileSpec,
  instantiate,
  strictStep,
  t,
  vars,
  type AnyModel,
  type CheckResult,
  type CompiledSpec,
  type PropertySet,
  type TraceStep,
} from '../../checker/index.js'
import { matrixValues } from '../../checker/run/matrix.js'
import { builtinModels } from '../../models/registry.js'

/** Whether a trace is a behaviour of the model: an initial state, then strict steps. */
function replays(c: CompiledSpec, trace: readonly TraceStep[]): string | null {
  if (trace.length === 0) return null
  if (!c.init.some((s) => isDeepStrictEqual(s, trace[0]!.state))) return 'the first state is not an initial state'
  for (let k = 1; k < trace.length; k++) {
    const step = trace[k]!
    const inst = c.instances.find((i) => i.label === step.action?.label)
    if (inst === undefined) return `step ${k}: no action ${step.action?.label}`
    const next = strictStep(trace[k - 1]!.state, inst, c.canonical)
    if (next === null || !isDeepStrictEqual(next, step.state)) return `step ${k}: ${inst.label} does not lead to the printed state`
  }
  return null
}

const verdict = (r: CheckResult) => ({ status: r.status, violated: r.violations.map((v) => `${v.kind}:${v.property}`).sort() })

/** Safety properties only: the reduction refuses temporal ones. */
const safety = (props: PropertySet<any, any>): string[] => [
  ...Object.keys(props.invariants ?? {}),
  ...Object.keys(props.actionProperties ?? {}),
  ...Object.keys(props.reachable ?? {}),
]

// ---------------------------------------------------------------------------------------------
// Random models of processes.

interface ActionDesc {
  readonly proc: number
  /** The shared variable its guard and effect read (-1: none) and the one it writes (-1: none). */
  readonly reads: number
  readonly writes: number
  /** By (local value, value read): enabled?, the next local value, the value written. */
  readonly guard: readonly boolean[]
  readonly nextLocal: readonly number[]
  readonly written: readonly number[]
}
interface ProcModel {
  readonly locals: readonly number[]
  readonly shared: number
  readonly actions: readonly ActionDesc[]
  /** Bad values of a variable (locals first, then shared), for invariants and goals; bad (from, to) pairs of a variable, for action properties. */
  readonly invariants: readonly (readonly [number, number])[]
  readonly actionProperties: readonly (readonly [number, number, number])[]
  readonly reachable: readonly (readonly [number, number])[]
  readonly checkDeadlock: boolean
}

const procModel: fc.Arbitrary<ProcModel> = fc
  .record({
    locals: fc.array(fc.integer({ min: 2, max: 3 }), { minLength: 2, maxLength: 4 }),
    shared: fc.integer({ min: 0, max: 2 }),
  })
  .chain(({ locals, shared }) => {
    const vars = locals.length + shared
    const action = fc
      .record({ proc: fc.nat({ max: locals.length - 1 }), reads: fc.integer({ min: -1, max: shared - 1 }), writes: fc.integer({ min: -1, max: shared - 1 }) })
      .chain(({ proc, reads, writes }) => {
        const keys = locals[proc]! * 2
        return fc.record({
          proc: fc.constant(proc),
          reads: fc.constant(reads),
          writes: fc.constant(writes),
          guard: fc.array(fc.nat({ max: 3 }).map((x) => x !== 0), { minLength: keys, maxLength: keys }),
          nextLocal: fc.array(fc.nat({ max: locals[proc]! - 1 }), { minLength: keys, maxLength: keys }),
          written: fc.array(fc.nat({ max: 1 }), { minLength: keys, maxLength: keys }),
        })
      })
    const value = fc.tuple(fc.nat({ max: vars - 1 }), fc.nat({ max: 2 }))
    return fc.record({
      locals: fc.constant(locals),
      shared: fc.constant(shared),
      actions: fc.array(action, { minLength: 2, maxLength: 6 }),
      invariants: fc.array(value, { maxLength: 2 }),
      actionProperties: fc.array(fc.tuple(fc.nat({ max: vars - 1 }), fc.nat({ max: 2 }), fc.nat({ max: 2 })), { maxLength: 1 }),
      reachable: fc.array(value, { maxLength: 1 }),
      checkDeadlock: fc.boolean(),
    })
  })

function buildProcModel(m: ProcModel) {
  const names = [...m.locals.map((_, i) => `l${i}`), ...Array.from({ length: m.shared }, (_, i) => `s${i}`)]
  const schema = Object.fromEntries(names.map((name, i) => [name, t.int(0, i < m.locals.length ? m.locals[i]! - 1 : 1)]))
  const { spec, action } = vars(schema)
  const key = (s: any, a: ActionDesc) => s[`l${a.proc}`] * 2 + (a.reads < 0 ? 0 : s[`s${a.reads}`])
  const actions = Object.fromEntries(
    m.actions.map((a, i) => [
      `A${i}`,
      action({
        guard: (s: any) => a.guard[key(s, a)]!,
        effect: (d: any) => {
          const k = key(d, a)
          d[`l${a.proc}`] = a.nextLocal[k]
          if (a.writes >= 0) d[`s${a.writes}`] = a.written[k]
        },
      }),
    ]),
  )
  const built = spec({ name: 'procs', init: Object.fromEntries(names.map((n) => [n, 0])) as never, actions: actions as never, checkDeadlock: m.checkDeadlock })
  const props: PropertySet<any, any> = {
    invariants: Object.fromEntries(m.invariants.map(([v, bad], i) => [`Inv${i}`, (s: any) => s[names[v]!] !== bad])),
    actionProperties: Object.fromEntries(
      m.actionProperties.map(([v, from, to], i) => [`Act${i}`, (s: any, n: any) => !(s[names[v]!] === from && n[names[v]!] === to)]),
    ),
    reachable: Object.fromEntries(m.reachable.map(([v, goal], i) => [`Goal${i}`, (s: any) => s[names[v]!] === goal])),
  }
  return { spec: built, props }
}

testProp(
  'on random models of processes, the same safety verdicts as the full search, never more states, real traces',
  [procModel],
  async (tt, m) => {
    const { spec, props } = buildProcModel(m)
    const full = await check(spec, props, { continue: true })
    const reduced = await check(spec, props, { continue: true, por: true })
    tt.deepEqual(verdict(reduced), verdict(full))
    tt.true(reduced.stats.distinct <= full.stats.distinct)
    tt.is(reduced.reduction?.partialOrder, true)
    const c = compileSpec(spec, props)
    for (const v of reduced.violations) {
      tt.is(replays(c, v.trace), null, v.property)
      tt.false(v.shortest)
    }
  },
  { numRuns: 300 },
)

// ---------------------------------------------------------------------------------------------
// Independent counters.

test('independent counters: far fewer states, and the bug still found through a real, longer trace', async (tt) => {
  const Proc = t.index(4, { name: 'Proc' })
  const { spec, action } = vars({ x: t.array(Proc, t.int(0, 3)), y: t.int(0, 3) })
  const counters = spec({
    name: 'counters',
    init: { x: [0, 0, 0, 0], y: 0 },
    checkDeadlock: false,
    actions: {
      Inc: action({ p: Proc }, { guard: (s, { p }) => s.x[p]! < 3, effect: (d, { p }) => void (d.x[p]! += 1) }),
      IncY: action({ guard: (s) => s.y < 3, effect: (d) => void (d.y += 1) }),
    },
  })
  const props: PropertySet<any, any> = { invariants: { YBelow3: (s: any) => s.y < 3 } }
  const full = await check(counters, props, { continue: true })
  const reduced = await check(counters, props, { continue: true, por: true })
  tt.is(full.stats.distinct, 1024)
  tt.true(reduced.stats.distinct * 10 < full.stats.distinct, `${reduced.stats.distinct} against ${full.stats.distinct}`)
  tt.is(reduced.status, 'violation')
  tt.is(full.violations[0]!.trace.length, 4)
  tt.true(full.violations[0]!.shortest)
  tt.false(reduced.violations[0]!.shortest)
  tt.is(replays(compileSpec(counters, props), reduced.violations[0]!.trace), null)
  tt.true(reduced.warnings.some((w) => /not necessarily the shortest/.test(w)))
})

// ---------------------------------------------------------------------------------------------
// Built-in models.

const rows = builtinModels.flatMap((model: AnyModel) => {
  const { param, values } = matrixValues(model)
  return values.map((value) => ({ model, given: param === '(defaults)' ? {} : { [param]: value } }))
})

for (const { model, given } of rows) {
  test(`${model.name} ${JSON.stringify(given)}: the same safety verdicts with partial-order reduction, real traces`, async (tt) => {
    const { spec, props } = instantiate(model, given)
    const only = safety(props)
    const options = { continue: true, only, maxStates: 200_000 }
    const plain = await check(spec, props, options)
    const reduced = await check(spec, props, { ...options, por: true })
    tt.deepEqual(verdict(reduced), verdict(plain))
    tt.true(reduced.stats.distinct <= plain.stats.distinct)
    const c = compileSpec(spec, props, { only })
    for (const v of reduced.violations) tt.is(replays(c, v.trace), null, v.property)
    tt.log(`${plain.stats.distinct} states, ${reduced.stats.distinct} with partial-order reduction`)
  })
}

// ---------------------------------------------------------------------------------------------
// What it does not go with.

test('refused with temporal properties, symmetry and several workers, naming why', async (tt) => {
  const pm = builtinModels.find((m) => m.name === 'page-migration')!
  const { spec, props } = instantiate(pm, {})
  const refused = async (options: object, why: RegExp) => {
    const e = await tt.throwsAsync(check(spec, props, { por: true, ...options }))
    tt.true(e instanceof CheckerError && e.code === 'OPTION_CLASH')
    tt.regex(e!.message, why)
  }
  await refused({}, /partial-order reduction \(--por on\) keeps safety properties only, and temporal properties were selected/)
  const only = safety(props)
  await refused({ only, symmetry: true }, /does not combine with symmetry/)
  await refused({ only, workers: 2 }, /one worker/)
})

const root = fileURLToPath(new URL('../../../', import.meta.url))
const mrcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/bundle/mrcheck.js', ...args], { cwd: root, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('mrcheck check --por on: exit 2 with temporal properties; with safety ones the verdict, the note and the document', (tt) => {
  const refused = mrcheck('check', 'page-migration', '--por', 'on')
  tt.is(refused.code, 2)
  tt.regex(refused.stderr, /--por on\) keeps safety properties only/)
  const found = mrcheck('check', 'page-migration', '-p', 'policy=odp-no-retry-check', '--property', 'NoStaleTranslation', '--por', 'on', '--json')
  tt.is(found.code, 12)
  const doc = JSON.parse(found.stdout)
  tt.is(doc.status, 'violation')
  tt.is(doc.reduction.partialOrder, true)
  tt.false(doc.violations[0].shortest)
  tt.regex(found.stderr, /Partial-order reduction: .* not necessarily the shortest/)
  tt.is(mrcheck('check', 'page-migration', '--por', 'maybe').code, 2)
})
