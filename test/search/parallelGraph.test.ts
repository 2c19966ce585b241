/**
 * The behaviour graph a parallel search records (search/ParallelGraph.ts) against the one a
 * second exploration builds (liveness/buildGraph.ts), which numbers the states as the one-worker
 * search does: the same graph, array for array, the states' packed words included. And `check` on
 * several workers still gives the reference verdict and real lassos through it.
 */
import test from 'ava'
import { testProp, fc } from '@fast-check/ava'
import { check, compileSpec, type CheckResult, type CompiledSpec, type ModelSource } from '../../checker/index.js'
import { bfs, type RecordGraph } from '../../checker/search/bfs.js'
import { instantiate } from '../../checker/compile/instantiate.js'
import { parallelSearch } from '../../checker/search/parallel.js'
import type { TemporalViolation } from '../../checker/liveness/checkTemporal.js'
import type { BehaviourGraph } from '../../checker/liveness/BehaviourGraph.js'
import { buildGraph } from '../../checker/liveness/buildGraph.js'
import { GraphRecorder } from '../../checker/liveness/GraphRecorder.js'
import { resolveFairness } from '../../checker/liveness/resolveFairness.js'
import pageMigration from '../../models/page-migration.js'
import { lassoProblem, randomModel, referencePrefix, referenceViolated, specOf, temporalOf, type RandomModel } from '../helpers/randomGraphs.js'
import { workerModule } from '../helpers/workerModule.js'

const registry = new URL('../../models/registry.js', import.meta.url).href

/** A module a worker can load: a random graph model, its initial states listed twice or not. */
const randomGraphModule = workerModule(
  'randomGraph.mjs',
  `import { specOf, temporalOf } from ${JSON.stringify(new URL('../helpers/randomGraphs.js', import.meta.url).href)}\n` +
    'export default ({ m, twice }) => {\n' +
    '  const spec = specOf(m)\n' +
    '  return { spec: twice ? { ...spec, init: [...spec.init, ...spec.init] } : spec, props: { temporal: { Prop: temporalOf(m) } } }\n' +
    '}\n',
)

const randomGraphSpec = (m: RandomModel, twice: boolean) => {
  const spec = specOf(m)
  const init = spec.init as readonly unknown[]
  return compileSpec(twice ? { ...spec, init: [...init, ...init] } : spec, { temporal: { Prop: temporalOf(m) } })
}

/** Records the graph of `c` on two workers; `maySpend` as the recorder is given it, unless refused. */
async function recordOnTwoWorkers(c: CompiledSpec, source: ModelSource, refuse = false) {
  const fair = resolveFairness(c)
  let recorder: GraphRecorder | undefined
  const recordGraph: RecordGraph = (maySpend, expected) =>
    (recorder = new GraphRecorder(fair, refuse ? () => false : maySpend, refuse ? { states: 1, transitions: 1 } : expected))
  const result = await parallelSearch(c, { workers: 2, continue: true, source }, recordGraph)
  return { result, recorder, fair }
}

/** Where two graphs differ, array by array (the states by their packed words): none when they are the same graph. */
function differences(a: BehaviourGraph, b: BehaviourGraph, W: number): string[] {
  const words = (g: BehaviourGraph) => {
    const out = new Uint32Array(g.states * W)
    for (let v = 0; v < g.states; v++) out.set(g.store.chunkOf(v).subarray(g.store.wordsAt(v), g.store.wordsAt(v) + W), v * W)
    return out
  }
  const arrays = (g: BehaviourGraph): [string, Int32Array | Uint32Array | Uint8Array][] => [
    ['counts', Int32Array.of(g.states, g.edges)],
    ['offsets', g.offsets.subarray(0, g.states + 1)],
    ['targets', g.targets.subarray(0, g.edges)],
    ['labels', g.labels.subarray(0, g.edges)],
    ['enabled', g.enabled.subarray(0, g.states * g.enabledWidth)],
    ['initOf', g.initOf],
    ['guardHolds', g.guardHolds],
    ['states', words(g)],
  ]
  const bytes = (x: Int32Array | Uint32Array | Uint8Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength)
  const y = arrays(b)
  return arrays(a)
    .filter(([, x], i) => !bytes(x).equals(bytes(y[i]![1])))
    .map(([name]) => name)
}

/** Re-run a failure with SEED=<the seed ava prints>. */
const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31)

testProp(
  'random graphs: the graph two workers record is the one a second exploration builds',
  [randomModel, fc.boolean()],
  async (t, m, twice) => {
    const c = randomGraphSpec(m, twice)
    const { result, recorder, fair } = await recordOnTwoWorkers(c, { module: randomGraphModule, params: { m, twice } })
    const recorded = recorder?.recorded
    if (recorded === undefined) return t.fail('no graph recorded')
    const built = buildGraph(c, fair)
    t.is(result.stats.distinct, built.states)
    t.deepEqual(differences(recorded, built, c.codec.words), [])
  },
  { numRuns: 12, seed },
)

testProp(
  'random graphs on two workers: the reference verdict, and a real lasso with the shortest prefix',
  [randomModel],
  async (t, m) => {
    const source = { module: randomGraphModule, params: { m, twice: false } }
    const r = await check(specOf(m), { temporal: { Prop: temporalOf(m) } }, { fairness: m.override, continue: true, workers: 2, source })
    const v = r.violations.find((x) => x.kind === 'temporal') as TemporalViolation | undefined
    t.is(v !== undefined, referenceViolated(m), 'verdict')
    if (v === undefined) return
    t.is(lassoProblem(m, v.trace, v.loopStart, v.loopAction, v.stuttering), null)
    t.is(v.loopStart, referencePrefix(m), 'shortest prefix')
  },
  { numRuns: 12, seed },
)

test('page-migration, 126,858 states: two workers record the graph a second exploration builds, through the shared set growing', async (t) => {
  const params = { pages: 3, frames: 5, moves: 2, writes: 2 }
  const { spec, props } = instantiate(pageMigration, params)
  const c = compileSpec(spec, props)
  const { result, recorder, fair } = await recordOnTwoWorkers(c, { module: registry, name: 'page-migration', params })
  const recorded = recorder?.recorded
  if (recorded === undefined) return t.fail('no graph recorded')
  const built = buildGraph(c, fair)
  t.is(result.stats.distinct, 126_858)
  t.deepEqual(differences(recorded, built, c.codec.words), [])
})

test('a graph two workers recorded that is refused memory gives up, and the counts stay those of one worker', async (t) => {
  const params = { pages: 2, frames: 4, moves: 2, writes: 3 }
  const { spec, props } = instantiate(pageMigration, params)
  const c = compileSpec(spec, props)
  const { result, recorder } = await recordOnTwoWorkers(c, { module: registry, name: 'page-migration', params }, true)
  t.true(recorder?.abandoned)
  t.is(recorder?.recorded, undefined)
  const one = await bfs(c, { continue: true })
  t.deepEqual([result.stats.distinct, result.stats.generated], [one.stats.distinct, one.stats.generated])
})

test('under a budget the states come first: two workers give up the graph and end the search exact and complete', async (t) => {
  const params = { pages: 3, frames: 5, moves: 2, writes: 2 }
  const { spec, props } = instantiate(pageMigration, params)
  const c = compileSpec(spec, props)
  const source = { module: registry, name: 'page-migration', params }
  let recorder: GraphRecorder | undefined
  const options = { workers: 2, continue: true, store: 'exact', memoryMiB: 12, source } as const
  const r = await parallelSearch(c, options, (maySpend, expected) => (recorder = new GraphRecorder(resolveFairness(c), maySpend, expected)))
  t.deepEqual([r.complete, r.store, r.stats.distinct], [true, 'exact', 126_858])
  t.is(recorder, undefined, 'the graph gave way during the search')
  // The liveness phase then has no room either: it says so, as one worker does.
  const two = await check(spec, props, options)
  const one = await check(spec, props, { ...options, workers: 1 })
  const outcome = (x: CheckResult) => [x.status, x.complete, x.warnings.at(-1)]
  t.deepEqual(outcome(two), outcome(one))
  t.regex(two.warnings.at(-1) ?? '', /Temporal properties were not checked/)
})
