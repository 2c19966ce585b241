/**
 * Partial-order reduction (`por`), in the whole check:
 * - on random models of processes with local and shared variables (helpers/processModels.ts: some
 *   steps independent, some dependent, some visible, the process a parameter of an action as an
 *   index or inside a record, the local values an array or a map), the verdicts of a reference that explores
 *   the models' descriptions, never more states, and every counterexample a behaviour of the
 *   description that breaks its property; a good share of the models must be reduced. Without the
 *   cycle proviso, with read/write dependence ignored or with visibility ignored, this test fails;
 * - an action property that fails on a step changing none of the cells it reads is searched in full,
 *   where the sample sees it and where only the reduced search meets it (without those checks,
 *   these tests fail, and the one above on some seeds);
 * - on every built-in model (every row of its matrix), the same verdicts and replayable traces;
 * - independent counters: the reduced search stores far fewer states and still finds the bug;
 * - where the sample finds no ample set, the run searches without the reduction and says so: on
 *   counters an invariant sees every one of (no ample set can exist), its sample cut short, and on
 *   random models wherever the sample held every state, a search reduced with its relations
 *   anyway cutting nothing;
 * - what it cannot go with is refused with exit 2 and the reason.
 */
import test from 'ava'
import fc from 'fast-check'
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
import { analyseIndependence } from '../../checker/reduce/independence.js'
import { bfs } from '../../checker/search/bfs.js'
import { builtinModels } from '../../models/registry.js'
import { buildProcessModel, processModel, reference, traceProblem } from '../helpers/processModels.js'

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
// Random models of processes, against a reference that explores their descriptions directly.

/** Re-run a failure with SEED=<the seed printed>. */
const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31)

test('on random models of processes, the verdicts of a naive reference, and a real counterexample for each violated property', async (tt) => {
  tt.log(`seed ${seed}`)
  let reduced = 0
  let reducedViolations = 0
  let counted = 0
  const runs = 200
  await fc.assert(
    fc.asyncProperty(processModel, async (m) => {
      const { spec, props } = buildProcessModel(m)
      const expected = reference(m)
      const full = await check(spec, props, { continue: true })
      const r = await check(spec, props, { continue: true, por: true })
      const problems: string[] = []
      if (!isDeepStrictEqual(verdict(full).violated, expected.violated)) problems.push(`full search: ${verdict(full).violated} against ${expected.violated}`)
      if (!isDeepStrictEqual(verdict(r).violated, expected.violated)) problems.push(`reduced: ${verdict(r).violated} against ${expected.violated}`)
      if (r.stats.distinct > expected.states) problems.push(`reduced: ${r.stats.distinct} states, more than ${expected.states}`)
      for (const v of r.violations) {
        const problem = v.kind === 'reachable' ? null : traceProblem(m, v.kind, v.property, v.trace)
        if (problem !== null) problems.push(`${v.property}: ${problem}`)
        if (r.reduction?.partialOrder === true && v.shortest) problems.push(`${v.property}: marked shortest under reduction`)
      }
      if (problems.length > 0) throw new Error(problems.join('; '))
      // A map is one cell, so its writes are all dependent: only models with array locals count here.
      if (m.mapLocals) return
      counted++
      if (r.stats.distinct < expected.states) reduced++
      if (r.stats.distinct < expected.states && r.violations.some((v) => v.kind !== 'reachable')) reducedViolations++
    }),
    { numRuns: runs, seed, includeErrorInReport: true },
  )
  // The models exercise the reduction: it cuts states, and finds violations through reduced graphs.
  tt.true(reduced > counted / 8, `${reduced} of ${counted} models reduced`)
  tt.true(reducedViolations > counted / 20, `${reducedViolations} of ${counted} violations found with fewer states`)
  tt.log(`${reduced} of ${counted} models with array locals reduced, ${reducedViolations} with a violation found in a reduced graph`)
})

test('an action property that fails on a step changing none of the variables it reads: searched in full, the violation found', async (tt) => {
  // The state space: (0, 0) -A-> (1, 0) -B-> (1, 1), and (0, 0) -B-> (0, 1) -A-> (1, 1). B alone is an
  // ample set of (0, 0), which skips (1, 0) and the step B takes from it, where x stays 1.
  const { spec, action } = vars({ x: t.int(0, 1), y: t.int(0, 1) })
  const twoSteps = spec({
    name: 'twoSteps',
    init: { x: 0, y: 0 },
    checkDeadlock: false,
    actions: {
      A: action({ guard: (s) => s.x === 0, effect: (d) => void (d.x = 1) }),
      B: action({ guard: (s) => s.y === 0, effect: (d) => void (d.y = 1) }),
    },
  })
  const props: PropertySet<any, any> = { actionProperties: { XNotKept: (s: any, n: any) => !(s.x === 1 && n.x === 1) } }
  const r = await check(twoSteps, props, { por: true })
  tt.is(r.status, 'violation')
  tt.is(r.violations[0]!.property, 'XNotKept')
  tt.not(r.reduction?.partialOrder, true)
  tt.true(r.warnings.some((w) => /Partial-order reduction was not used: action property "XNotKept" can fail on a step that changes none/.test(w)))
})

test('such a property failing only past the sample: the reduced search meets it and searches again in full', async (tt) => {
  // x = 2,999 is past the sample's prefix and walks; there B's step from y = 0 keeps x and breaks
  // the property, and B alone is the ample set wherever y = 0.
  const { spec, action } = vars({ x: t.int(0, 3000), y: t.int(0, 1) })
  const deep = spec({
    name: 'deep',
    init: { x: 0, y: 0 },
    checkDeadlock: false,
    actions: {
      A: action({ guard: (s) => s.x < 3000, effect: (d) => void (d.x += 1) }),
      B: action({ guard: (s) => s.y === 0, effect: (d) => void (d.y = 1) }),
    },
  })
  const props: PropertySet<any, any> = { actionProperties: { XMoves: (s: any, n: any) => !(s.x === 2999 && n.x === 2999) } }
  const r = await check(deep, props, { por: true, continue: true })
  tt.is(r.status, 'violation')
  tt.is(r.stats.distinct, 6002)
  tt.true(r.warnings.some((w) => /"XMoves" can fail on a step that changes none .* \(on a state the reduced search reached\)/.test(w)))
})

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
  tt.is(reduced.reduction?.partialOrder, true)
  tt.is(reduced.status, 'violation')
  tt.is(full.violations[0]!.trace.length, 4)
  tt.true(full.violations[0]!.shortest)
  tt.false(reduced.violations[0]!.shortest)
  tt.is(replays(compileSpec(counters, props), reduced.violations[0]!.trace), null)
  tt.true(reduced.warnings.some((w) => /not necessarily the shortest/.test(w)))
})

// ---------------------------------------------------------------------------------------------
// Where the sample finds no ample set.

test('counters an invariant sees every one of: no ample set, the sample cut short, searched without the reduction, saying so', async (tt) => {
  const Proc = t.index(4, { name: 'Proc' })
  const { spec, action } = vars({ x: t.array(Proc, t.int(0, 3)) })
  const counters = spec({
    name: 'seenCounters',
    init: { x: [0, 0, 0, 0] },
    checkDeadlock: false,
    actions: { Inc: action({ p: Proc }, { guard: (s, { p }) => s.x[p]! < 3, effect: (d, { p }) => void (d.x[p]! += 1) }) },
  })
  const props: PropertySet<any, any> = { invariants: { SumBelow9: (s: any) => s.x.reduce((a: number, b: number) => a + b, 0) < 9 } }
  // Every instance changes a cell the invariant reads: every one is visible, so no state has an ample set.
  const sampled = analyseIndependence(compileSpec(counters, props))
  tt.deepEqual([...sampled.visible], [1, 1, 1, 1])
  tt.is(sampled.ample, 0)
  tt.true(sampled.choices > 0)
  const full = await check(counters, props)
  const r = await check(counters, props, { por: true })
  tt.true(sampled.sampled < full.stats.distinct, `the sample took ${sampled.sampled} of ${full.stats.distinct} states`)
  tt.is(r.stats.distinct, full.stats.distinct)
  tt.is(r.stats.generated, full.stats.generated)
  tt.not(r.reduction?.partialOrder, true)
  tt.is(r.status, 'violation')
  tt.true(r.violations[0]!.shortest)
  tt.is(r.violations[0]!.trace.length, full.violations[0]!.trace.length)
  tt.true(r.warnings.some((w) => /Partial-order reduction was not used: none of the [\d,]+ sampled states with a choice of steps has an ample set/.test(w)))
  tt.false(r.warnings.some((w) => /not necessarily the shortest/.test(w)))
})

test('on random models, the sample turns the reduction off only where a search reduced with its relations would cut nothing', async (tt) => {
  let judged = 0
  let off = 0
  await fc.assert(
    fc.asyncProperty(processModel, async (m) => {
      const { spec, props } = buildProcessModel(m)
      const c = compileSpec(spec, props)
      const sampled = analyseIndependence(c)
      if (sampled.ample > 0 || sampled.stutterSensitive.length > 0) return
      const full = await check(spec, props, { continue: true })
      const r = await check(spec, props, { continue: true, por: true })
      if (r.reduction?.partialOrder === true || !r.warnings.some((w) => /Partial-order reduction was not used: n/.test(w))) {
        throw new Error('no ample set in the sample, and yet the run was reduced or did not say why not')
      }
      off++
      // Without a constraint, a sample of as many states as the search holds every reachable state.
      if (m.constraint !== null || sampled.sampled !== full.stats.distinct) return
      judged++
      const forced = await bfs({ ...c, independence: sampled }, { continue: true })
      if (forced.stats.distinct !== full.stats.distinct || forced.stats.generated !== full.stats.generated) {
        throw new Error(`reduced anyway: ${forced.stats.distinct} states against ${full.stats.distinct}`)
      }
    }),
    { numRuns: 150, seed, includeErrorInReport: true },
  )
  tt.true(judged > 5, `${judged} models judged on every state (${off} not reduced)`)
  tt.log(`${off} of 150 models not reduced, ${judged} of them judged on every state`)
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
  // DieHard's every step changes what its invariant reads: the sample finds no ample set, and the
  // search is the full one.
  const full = mrcheck('check', 'diehard', '--por', 'on', '--json')
  tt.is(full.code, 12)
  const plain = JSON.parse(full.stdout)
  tt.not(plain.reduction?.partialOrder, true)
  tt.true(plain.violations[0].shortest)
  tt.true(plain.warnings.some((w: string) => /Partial-order reduction was not used: none of the \d+ sampled states/.test(w)))
})
