import { testProp } from '@fast-check/ava'
import fc from 'fast-check'
import test from 'ava'
import { isDeepStrictEqual } from 'node:util'
import {
  alwaysEventually,
  check,
  CheckerError,
  compileSpec,
  eventually,
  forAll,
  instantiate,
  leadsTo,
  strictStep,
  t as types,
  vars,
} from '../../checker/index.js'
import type { AnyModel, CompiledSpec, PropertySet, Spec } from '../../checker/index.js'
import { checkTemporal, type TemporalOptions, type TemporalViolation } from '../../checker/liveness/checkTemporal.js'
import { formatResult } from '../../checker/report/text.js'
import { bfs } from '../../checker/search/bfs.js'
import type { BehaviourGraph } from '../../checker/liveness/BehaviourGraph.js'
import { buildGraph } from '../../checker/liveness/buildGraph.js'
import { GraphRecorder } from '../../checker/liveness/GraphRecorder.js'
import { resolveFairness } from '../../checker/liveness/resolveFairness.js'
import philosophers from '../../models/examples/philosophers.js'
import starvingMutex from '../../models/examples/starvingMutex.js'
import {
  lassoProblem,
  randomModel,
  referencePrefix,
  referenceViolated,
  specOf,
  temporalOf,
  type Kind,
  type RandomModel,
} from '../helpers/randomGraphs.js'

const compileModel = (model: AnyModel, params: Record<string, unknown> = {}) => {
  const { spec, props } = instantiate(model, params)
  return compileSpec(spec, props)
}

/**
 * Checks a lasso with the model's own code, independently of the liveness module: the closing step
 * really leads back, and the cycle is fair for the declared fairness (an instance is enabled when
 * its step changes the state, as `ENABLED <<A>>_vars`).
 */
function lassoIsFair(c: CompiledSpec, v: TemporalViolation, fairness: TemporalOptions['fairness'] = {}): string | null {
  const fairOf = (name: string) => fairness[name] ?? c.spec.actions[name]?.fairness ?? 'none'
  const enabled = (state: unknown, id: number) => {
    const next = strictStep(state, c.instances[id]!, c.canonical)
    return next !== null && !isDeepStrictEqual(next, state)
  }
  const last = v.trace.at(-1)!.state
  const fairIds = c.instances.filter((i) => fairOf(i.name) !== 'none').map((i) => i.id)
  if (v.stuttering) {
    return fairIds.some((id) => enabled(last, id)) ? 'stutters while a fair instance is enabled' : null
  }
  const back = c.instances.find((i) => i.label === v.loopAction?.label)
  if (back === undefined || !isDeepStrictEqual(strictStep(last, back, c.canonical), v.trace[v.loopStart]!.state)) {
    return 'the loop action does not lead back to loopStart'
  }
  const cycle = v.trace.slice(v.loopStart).map((s) => s.state)
  const taken = new Set([...v.trace.slice(v.loopStart + 1).map((s) => s.action!.label), back.label])
  for (const id of fairIds) {
    const inst = c.instances[id]!
    const weak = fairOf(inst.name) === 'weak'
    const on = cycle.map((s) => enabled(s, id))
    if ((weak ? on.every(Boolean) : on.some(Boolean)) && !taken.has(inst.label)) return `unfair to ${inst.label}`
  }
  return null
}

test('philosophers: 67 distinct states, 336 generated, depth 29 for 5 (published TLC figures)', async (t) => {
  const { spec, props } = instantiate(philosophers, { NP: 5 })
  const r = await check(spec, props)
  t.is(r.status, 'ok')
  t.is(r.stats.distinct, 67)
  t.is(r.stats.generated, 336)
  t.is(r.stats.depth, 29)
})

test('Ctrl-C or the time limit during the liveness phase stop it: the temporal properties are reported unchecked', async (t) => {
  const { spec } = instantiate(philosophers, { NP: 5 })
  // The predicates are evaluated after the safety search: there, the run is stopped.
  const interruptedWith = async (store: 'exact' | 'fingerprint') => {
    const controller = new AbortController()
    const stop = () => {
      controller.abort()
      return false
    }
    return check(spec, { temporal: { Stop: eventually(stop) } }, { signal: controller.signal, store })
  }
  // Exact states: the graph the search recorded; fingerprints: a graph built after the search.
  const [interrupted, interruptedBuilt] = [await interruptedWith('exact'), await interruptedWith('fingerprint')]
  let first = true
  const slow = () => {
    // The first evaluation passes the time limit.
    if (first) for (const end = Date.now() + 300; Date.now() < end; );
    first = false
    return false
  }
  const late = await check(spec, { temporal: { Slow: eventually(slow) } }, { timeoutMs: 200 })
  for (const [r, reason, why] of [
    [interrupted, 'interrupted', 'the run was interrupted'],
    [interruptedBuilt, 'interrupted', 'the run was interrupted'],
    [late, 'timeout', 'the time limit was reached'],
  ] as const) {
    t.deepEqual([r.status, r.complete, r.status === 'incomplete' && r.stopReason], ['incomplete', false, reason])
    t.is(r.stats.distinct, 67, 'the safety search is complete')
    t.is(r.warnings.at(-1), `Temporal properties were not checked: ${why}.`)
    t.is(r.status === 'incomplete' && r.stoppedIn, 'liveness')
    t.deepEqual([r.checked.temporal, r.unchecked?.length], [[], 1])
    t.regex(formatResult(r), new RegExp(`^Liveness phase not completed \\(${reason}\\) for philosophers .*: the safety search covered all 67 states`, 'm'))
  }
})

test('temporal properties after a safety search that did not cover every state: unchecked, and the text says the states were not covered', async (t) => {
  const { spec, props } = instantiate(philosophers, { NP: 5 })
  const r = await check(spec, props, { maxStates: 10 })
  if (r.status !== 'incomplete') return t.fail(r.status)
  t.is(r.stopReason, 'maxStates')
  t.is(r.stoppedIn, undefined)
  t.deepEqual([r.checked.temporal, r.unchecked], [[], Object.keys(props.temporal ?? {})])
  t.regex(formatResult(r), /^Search stopped early \(maxStates\) .*the state space was not covered/m)
})

test('philosophers: NobodyStarves holds under weak fairness per philosopher', (t) => {
  const r = checkTemporal(compileModel(philosophers, { NP: 5 }))
  t.deepEqual(r.violations, [])
  t.deepEqual(r.warnings, [])
  t.is(r.stats.states, 67)
})

test('philosophers: without fairness NobodyStarves fails by stuttering at once', (t) => {
  const c = compileModel(philosophers, { NP: 5, fairness: 'none' })
  const [v] = checkTemporal(c).violations
  if (v === undefined) return t.fail('expected a violation')
  t.is(v.property, 'NobodyStarves')
  t.true(v.stuttering)
  t.is(v.trace.length, 1)
  t.is(v.loopStart, 0)
  t.regex(v.message, /^Temporal property NobodyStarves \(part 1 of 5\) is violated: .*Stuttering/)
})

test('philosophers: overriding the fairness away gives the same stuttering counterexample', (t) => {
  const c = compileModel(philosophers, { NP: 3 })
  const r = checkTemporal(c, { fairness: { Philosopher: 'none' } })
  t.is(r.violations.length, 1)
  t.true(r.violations[0]!.stuttering)
})

test('mutex without fairness: a waiting process may stutter forever', (t) => {
  const c = compileModel(starvingMutex, { N: 2, fairness: 'none' })
  const [v] = checkTemporal(c).violations
  if (v === undefined) return t.fail('expected a violation')
  t.true(v.stuttering)
  t.is(v.trace.length, 2)
  t.is(v.loopStart, 1)
  t.is(v.trace[1]!.action?.label, 'Request(p=0)')
  t.is(lassoIsFair(c, v), null)
})

test('mutex under weak fairness: a waiting process starves while the other cycles', (t) => {
  const c = compileModel(starvingMutex, { N: 2, fairness: 'weak' })
  const [v] = checkTemporal(c).violations
  if (v === undefined) return t.fail('expected a violation')
  t.false(v.stuttering)
  t.is(v.property, 'NoStarvation')
  t.regex(v.message, /Back to state \d+ by /)
  t.is(lassoIsFair(c, v), null)
  // Process 0 waits throughout the cycle; process 1 enters and leaves.
  const cycle = v.trace.slice(v.loopStart).map((s) => s.state as { pc: string[] })
  t.true(cycle.every((s) => s.pc[0] === 'waiting'))
  t.true(cycle.some((s) => s.pc[1] === 'critical'))
})

test('mutex under strong fairness: nobody starves; overriding Enter to weak starves again', (t) => {
  const c = compileModel(starvingMutex, { N: 3, fairness: 'strong' })
  t.deepEqual(checkTemporal(c).violations, [])
  const r = checkTemporal(c, { fairness: { Enter: 'weak' } })
  const [v] = r.violations
  if (v === undefined) return t.fail('expected a violation')
  t.false(v.stuttering)
  t.is(lassoIsFair(c, v, { Enter: 'weak' }), null)
})

/** A request granted by a server while an unrelated clock ticks forever. */
const server = (grant: 'weak' | undefined, tick: 'weak' | undefined) => {
  const { spec, action } = vars({ req: types.enum('idle', 'pending', 'granted'), clock: types.int(0, 2) })
  return spec({
    name: 'server',
    init: { req: 'idle', clock: 0 },
    actions: {
      Request: action({ guard: (s) => s.req === 'idle', effect: (d) => void (d.req = 'pending') }),
      Grant: action({ guard: (s) => s.req === 'pending', effect: (d) => void (d.req = 'granted'), fairness: grant }),
      Tick: action({ effect: (d) => void (d.clock = (d.clock + 1) % 3), fairness: tick }),
    },
  })
}
const served: PropertySet<any, any> = {
  temporal: { Served: leadsTo((s: { req: string }) => s.req === 'pending', (s: { req: string }) => s.req === 'granted') },
}

test('leads-to needs weak fairness: a fair clock alone starves the request', (t) => {
  const c = compileSpec(server(undefined, 'weak'), served)
  const [v] = checkTemporal(c).violations
  if (v === undefined) return t.fail('expected a violation')
  t.false(v.stuttering) // the clock is fair, so the behaviour cannot stop: it ticks forever
  t.is(v.loopAction?.name, 'Tick')
  t.true(v.trace.slice(v.loopStart).every((s) => (s.state as { req: string }).req === 'pending'))
  t.is(lassoIsFair(c, v), null)
  t.is(v.trace.length - v.loopStart, 3) // the clock's three states
})

test('leads-to needs weak fairness: with WF on Grant the request is served', (t) => {
  t.deepEqual(checkTemporal(compileSpec(server('weak', 'weak'), served)).violations, [])
  t.deepEqual(checkTemporal(compileSpec(server('weak', undefined), served)).violations, [])
})

test('warnings: a state constraint, and a fair action that is never enabled', (t) => {
  const { spec, action } = vars({ x: types.int(0, 3) })
  const s = spec({
    name: 'warned',
    init: { x: 0 },
    actions: {
      Inc: action({ guard: (s) => s.x < 3, effect: (d) => void d.x++, fairness: 'weak' }),
      Never: action({ guard: () => false, effect: (d) => void (d.x = 0), fairness: 'strong' }),
    },
    constraint: (s) => s.x <= 2,
  })
  const r = checkTemporal(compileSpec(s, { temporal: { Top: alwaysEventually((s: { x: number }) => s.x === 2) } }))
  t.is(r.warnings.length, 2)
  t.regex(r.warnings[0]!, /state constraint/)
  t.regex(r.warnings[1]!, /Action Never .*SF_vars\(Never\).* never enabled/)
  // Inc from x = 2 leaves the constraint: it stays enabled there but cannot be taken, so no fair
  // behaviour exists at all and the property holds vacuously, as in TLC.
  t.deepEqual(r.violations, [])
  t.is(r.stats.states, 3)
})

test('a temporal predicate that throws is an error naming its property and the state, unless its part is never searched', (t) => {
  const counter = () => {
    const { spec, action } = vars({ x: types.int(0, 3) })
    return spec({ name: 'counter', init: { x: 0 }, actions: { Inc: action({ guard: (s) => s.x < 3, effect: (d) => void d.x++ }) } })
  }
  const throwsAt2 = (s: { x: number }) => {
    if (s.x === 2) throw new Error('no x = 2 here')
    return true
  }
  const e = t.throws(() => checkTemporal(compileSpec(counter(), { temporal: { Top: eventually(throwsAt2) } })))
  t.is((e as CheckerError).code, 'EVALUATION')
  t.is(e!.message, 'Model "counter": temporal property Top threw Error: no x = 2 here in state {"x":2}.')
  // Inc is not fair: the behaviour may stop at x = 0, so the first part fails and the second,
  // whose predicate throws, is never searched.
  const parts = forAll(2, (i: number) => eventually(i === 0 ? (s: { x: number }) => s.x === 3 : throwsAt2))
  const r = checkTemporal(compileSpec(counter(), { temporal: { Both: parts } }))
  t.deepEqual(
    r.violations.map((v) => v.message),
    ['Temporal property Both (part 1 of 2) is violated: a fair behaviour never reaches a state where it holds (<>P). Stuttering in state 1.'],
  )
})

test('an unknown action in the fairness override is an error naming the actions', (t) => {
  const c = compileModel(starvingMutex)
  const e = t.throws(() => checkTemporal(c, { fairness: { Entr: 'weak' } }))
  t.true(e instanceof CheckerError)
  t.is((e as CheckerError).code, 'UNKNOWN_NAME')
  t.regex(e!.message, /"Request", "Enter", "Exit"/)
})

test('a ring of 200,000 states: the SCC search does not recurse', (t) => {
  const N = 200_000
  const { spec, action } = vars({ x: types.int(0, N - 1) })
  const ring = (fairness: 'weak' | undefined): Spec =>
    spec({
      name: 'ring',
      init: { x: 0 },
      actions: { Next: action({ effect: (d) => void (d.x = (d.x + 1) % N), fairness }) },
    })
  const props = { temporal: { Returns: alwaysEventually((s: { x: number }) => s.x === 0) } }
  const fair = checkTemporal(compileSpec(ring('weak'), props))
  t.deepEqual(fair.violations, [])
  t.is(fair.stats.states, N)
  t.is(fair.stats.edges, N)
  // 8 bytes per edge, 12 per state (one word, offset, enabled bits), up to twice that while
  // growing: the lookup slots, parents and instances of the table it was built in are gone.
  t.true(fair.stats.bytes < 2 * 20 * N, String(fair.stats.bytes))
  const unfair = checkTemporal(compileSpec(ring(undefined), props)).violations[0]
  t.true(unfair?.stuttering)
  t.is(unfair?.trace.length, 2)
})

/** A hand-made graph in the random-model form: A0(x) and A1(x) tables, node 0 initial. */
const graph = (table: number[][][], fairness: ('none' | 'weak' | 'strong')[], kind: Kind, p: number): RandomModel => ({
  n: table[0]![0]!.length,
  table,
  fairness,
  override: {},
  init: [0],
  p,
  q: 0,
  kind,
  constraint: null,
  groups: [],
})

test('the cycle takes every instance fairness requires, not only the shortest way back', (t) => {
  // 0 <-> 1 by A0 (weak), 0 <-> 2 by A1 (strong, enabled in 0): the 2-cycle through 1 alone is unfair.
  const m = graph([[[1, 0, -1]], [[2, -1, 0]]], ['weak', 'strong'], 'alwaysEventually', 0)
  const [v] = checkTemporal(compileSpec(specOf(m), { temporal: { Prop: temporalOf(m) } })).violations
  if (v === undefined) return t.fail('expected a violation')
  t.is(lassoProblem(m, v.trace, v.loopStart, v.loopAction, v.stuttering), null)
  const labels = [...v.trace.slice(v.loopStart + 1).map((s) => s.action!.label), v.loopAction!.label]
  t.true(labels.includes('A1(x=0)'))
  t.true(labels.includes('A0(x=0)'))
})

test('strong fairness refines a component: the fair cycle avoids states where the instance is enabled', (t) => {
  // 0 <-> 1 <-> 2 by A0 (weak); A1 (strong) is enabled only in 2 and leads to 3, where P holds.
  // The SCC {0, 1, 2} of ~P is unfair (A1 enabled, never taken inside), {0, 1} is fair.
  const A0 = [
    [1, 0, 1, -1],
    [-1, 2, -1, -1],
  ]
  const m = graph([A0, [[-1, -1, 3, -1]]], ['weak', 'strong'], 'alwaysEventually', 0b1000)
  t.true(referenceViolated(m))
  const [v] = checkTemporal(compileSpec(specOf(m), { temporal: { Prop: temporalOf(m) } })).violations
  if (v === undefined) return t.fail('expected a violation')
  t.false(v.stuttering)
  const cycle = v.trace.slice(v.loopStart).map((s) => (s.state as { node: number }).node)
  t.deepEqual([...new Set(cycle)].sort(), [0, 1])
  t.is(lassoProblem(m, v.trace, v.loopStart, v.loopAction, v.stuttering), null)
})

/** Re-run a failure with SEED=<the seed ava prints>. */
const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31)

testProp(
  'random graphs: verdict matches the reference, lassos are real, fair and violating',
  [randomModel],
  (t, m) => {
    const c = compileSpec(specOf(m), { temporal: { Prop: temporalOf(m) } })
    const r = checkTemporal(c, { fairness: m.override })
    const expected = referenceViolated(m)
    t.is(r.violations.length > 0, expected, 'verdict')
    const v = r.violations[0]
    if (v === undefined) return
    t.is(v.kind, 'temporal')
    t.is(lassoProblem(m, v.trace, v.loopStart, v.loopAction, v.stuttering), null)
    t.is(lassoIsFair(c, v, m.override), null)
    t.is(v.loopStart, referencePrefix(m), 'shortest prefix')
  },
  { numRuns: 500, seed },
)

testProp(
  'random graphs under a state constraint: warned, and still matching the reference',
  [randomModel.filter((m) => m.constraint !== null)],
  (t, m) => {
    const r = checkTemporal(compileSpec(specOf(m), { temporal: { Prop: temporalOf(m) } }), { fairness: m.override })
    t.regex(r.warnings[0] ?? '', /state constraint/)
    t.is(r.violations.length > 0, referenceViolated(m))
  },
  { numRuns: 100, seed },
)

testProp(
  'random graphs through check: the graph the safety search records gives the reference verdict and real, fair lassos',
  [randomModel],
  async (t, m) => {
    const spec = specOf(m)
    const props = { temporal: { Prop: temporalOf(m) } }
    const r = await check(spec, props, { fairness: m.override, continue: true })
    const v = r.violations.find((x) => x.kind === 'temporal') as TemporalViolation | undefined
    t.is(v !== undefined, referenceViolated(m), 'verdict')
    if (v === undefined) return
    t.is(lassoProblem(m, v.trace, v.loopStart, v.loopAction, v.stuttering), null)
    t.is(lassoIsFair(compileSpec(spec, props), v, m.override), null)
    t.is(v.loopStart, referencePrefix(m), 'shortest prefix')
  },
  { numRuns: 300, seed },
)

testProp(
  'random graphs: the graph the safety search records is the one a second exploration builds',
  [randomModel, fc.boolean()],
  async (t, m, twice) => {
    // Initial states listed twice: the second ones are no new states.
    const spec = specOf(m)
    const init = spec.init as readonly unknown[]
    const c = compileSpec(twice ? { ...spec, init: [...init, ...init] } : spec, { temporal: { Prop: temporalOf(m) } })
    const fair = resolveFairness(c, m.override)
    let recorder: GraphRecorder | undefined
    // Room for one state and one edge at first, so that every array grows.
    const tiny = { states: 1, transitions: 1 }
    await bfs(c, { continue: true }, (maySpend) => (recorder = new GraphRecorder(fair, maySpend, tiny)))
    const recorded = recorder?.recorded
    if (recorded === undefined) return t.fail('no graph recorded')
    const built = buildGraph(c, fair)
    const { states, edges, enabledWidth: EW } = built
    const arrays = (g: BehaviourGraph) => ({
      states: g.states,
      edges: g.edges,
      offsets: [...g.offsets.subarray(0, states + 1)],
      targets: [...g.targets.subarray(0, edges)],
      labels: [...g.labels.subarray(0, edges)],
      enabled: [...g.enabled.subarray(0, states * EW)],
      initOf: [...g.initOf],
      guardHolds: [...g.guardHolds],
      words: Array.from({ length: states }, (_, v) => [...g.store.chunkOf(v).subarray(g.store.wordsAt(v), g.store.wordsAt(v) + c.codec.words)]),
    })
    t.deepEqual(arrays(recorded), arrays(built))
  },
  { numRuns: 300, seed },
)

test('a recording refused memory gives up, and the safety search goes on as without it', async (t) => {
  const c = compileModel(philosophers)
  const plain = await bfs(c)
  let recorder: GraphRecorder | undefined
  const r = await bfs(c, {}, () => (recorder = new GraphRecorder(resolveFairness(c), () => false, { states: 1, transitions: 1 })))
  t.true(recorder?.abandoned)
  t.is(recorder?.recorded, undefined)
  t.is(r.status, plain.status)
  t.deepEqual([r.stats.distinct, r.stats.generated], [plain.stats.distinct, plain.stats.generated])
})
