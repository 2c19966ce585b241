/**
 * The fast walker (packed states) and the strict one (immer drafts) walk the same walks: for the
 * same seed they choose the same initial state and the same instance at every step, end the same
 * way, count the same steps and states, and a simulation reports the same result either way, so a
 * printed seed reproduces its counterexample on both paths. On every built-in model (every policy
 * of its matrix) and on random models, whose guards and effects sometimes throw.
 */
import test from 'ava'
import { testProp, fc } from '@fast-check/ava'
import { compileSpec, instantiate, simulate, type AnyModel, type SimulationResult, type Spec } from '../../checker/index.js'
import type { CompiledSpec } from '../../checker/compile/compile.js'
import { FastWalker } from '../../checker/simulate/fastWalk.js'
import { StrictWalker } from '../../checker/simulate/strictWalk.js'
import { runSeed } from '../../checker/simulate/seeds.js'
import { CLOCK_STEPS, FOUND, PAUSED, type Walker } from '../../checker/simulate/walker.js'
import { builtinModels } from '../../models/registry.js'
import { randomModel, randomThrowingModel } from '../helpers/randomModels.js'

/** Each walk of both walkers, as (how it ended, its choices), up to the first that found something. */
function walks(c: CompiledSpec, walker: Walker, seed: number, runs: number, steps: number) {
  const out: { end: number; path: number[]; steps: number; met: number }[] = []
  for (let r = 0; r < runs; r++) {
    const end = walker.walk(runSeed(seed, r), steps)
    out.push({ end, path: [...walker.path.subarray(0, walker.pathLength)], steps: walker.steps, met: walker.met.count })
    if (end === FOUND) break
  }
  return { walks: out, reached: [...walker.reached].sort() }
}

/** The same walks as `walks`, each taken CLOCK_STEPS steps at a time: every `go` finds the clock past its time. */
function pausedWalks(c: CompiledSpec, walker: Walker, seed: number, runs: number, steps: number) {
  const out: { end: number; path: number[]; steps: number; met: number }[] = []
  let pauses = 0
  for (let r = 0; r < runs; r++) {
    walker.begin(runSeed(seed, r), steps)
    let end: number
    for (end = walker.go(0); end === PAUSED; end = walker.go(0)) pauses++
    out.push({ end, path: [...walker.path.subarray(0, walker.pathLength)], steps: walker.steps, met: walker.met.count })
    if (end === FOUND) break
  }
  return { walks: out, reached: [...walker.reached].sort(), pauses }
}

const sameWalks = (c: CompiledSpec, seed: number, runs: number, steps: number) => ({
  fast: walks(c, new FastWalker(c), seed, runs, steps),
  strict: walks(c, new StrictWalker(c), seed, runs, steps),
})

/** What a simulation result says, but for its duration. */
const said = (r: SimulationResult) => ({ ...r, stats: { ...r.stats, durationMs: 0 } })

const bothWays = async (spec: Spec, props: object, options: { runs: number; steps: number; seed: number }) => ({
  fast: said(await simulate(spec, props, options)),
  strict: said(await simulate(spec, props, { ...options, strict: true })),
})

/** Every built-in model at its defaults, and every value of its matrix parameter. */
const cases: [AnyModel, Record<string, unknown>][] = builtinModels.flatMap((m) => {
  const rows = m.matrixParam === undefined ? [] : ((m.params[m.matrixParam] as { values?: readonly string[] }).values ?? [])
  return [[m, {}] as [AnyModel, Record<string, unknown>], ...rows.map((v) => [m, { [m.matrixParam!]: v }] as [AnyModel, Record<string, unknown>])]
})

test('every built-in model and policy: the same walks, and the same simulation result, on the fast and the strict path', async (t) => {
  for (const [model, params] of cases) {
    const what = `${model.name} ${JSON.stringify(params)}`
    const { spec, props } = instantiate(model, params)
    const c = compileSpec(spec, props)
    const { fast, strict } = sameWalks(c, 5, 20, 60)
    t.deepEqual(fast, strict, what)
    const steps = fast.walks.reduce((n, w) => n + w.path.length - 1, 0)
    t.true(steps > 0 || fast.walks.at(-1)!.end === FOUND, `${what}: the walks took steps or found something at once`)
    const r = await bothWays(spec, props, { runs: 20, steps: 60, seed: 5 })
    t.deepEqual(r.fast, r.strict, what)
  }
})

testProp(
  'random models: the same walks and the same simulation result on the fast and the strict path',
  [randomModel, fc.nat(), fc.integer({ min: 1, max: 30 })],
  async (t, m, seed, steps) => {
    const c = compileSpec(m.spec, m.props)
    const { fast, strict } = sameWalks(c, seed, 8, steps)
    t.deepEqual(fast, strict, m.summary)
    const r = await bothWays(m.spec, m.props, { runs: 8, steps, seed })
    t.deepEqual(r.fast, r.strict, m.summary)
  },
  { numRuns: 150 },
)

testProp(
  'random models whose code throws: the same walks, and the same error, on the fast and the strict path',
  [randomThrowingModel, fc.nat(), fc.integer({ min: 1, max: 30 })],
  async (t, m, seed, steps) => {
    const c = compileSpec(m.spec, m.props)
    const { fast, strict } = sameWalks(c, seed, 8, steps)
    t.deepEqual(fast, strict, m.summary)
    const r = await bothWays(m.spec, m.props, { runs: 8, steps, seed })
    t.deepEqual(r.fast, r.strict, m.summary)
  },
  { numRuns: 100 },
)

testProp(
  'random models: a walk taken a few hundred steps at a time (a paused walk goes on) is the walk taken at once, on both paths',
  [fc.oneof(randomModel, randomThrowingModel), fc.nat(), fc.integer({ min: 1, max: 3 * CLOCK_STEPS })],
  (t, m, seed, steps) => {
    const c = compileSpec(m.spec, m.props)
    for (const make of [() => new FastWalker(c), () => new StrictWalker(c)]) {
      const { pauses: _, ...paused } = pausedWalks(c, make(), seed, 4, steps)
      t.deepEqual(paused, walks(c, make(), seed, 4, steps), m.summary)
    }
  },
  { numRuns: 60 },
)

test('a long walk of a built-in model pauses every CLOCK_STEPS steps and goes on as the walk taken at once', (t) => {
  const { spec, props } = instantiate(builtinModels.find((m) => m.name === 'twophase')!, {})
  const c = compileSpec(spec, props)
  for (const make of [() => new FastWalker(c), () => new StrictWalker(c)]) {
    const { pauses, ...paused } = pausedWalks(c, make(), 3, 2, 10 * CLOCK_STEPS + 7)
    t.deepEqual(paused, walks(c, make(), 3, 2, 10 * CLOCK_STEPS + 7))
    t.is(pauses, 2 * 10)
  }
})
