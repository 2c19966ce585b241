/**
 * Simulation: random walks through a spec, checking invariants on every state and action
 * properties on every step. It is TLC's `-simulate` mode: useful when the state space is too
 * large to explore, never a proof.
 *
 * Every walk is reproducible: walk `r` of seed `S` draws its choices from a generator seeded by
 * (S, r) alone (seeds.ts), so the same seed, runs and steps give the same behaviours, on the fast
 * walker (fastWalk.ts, packed states, the default) and the strict one (strictWalk.ts, immer
 * drafts, `strict`) alike, and the first violation found is the same on every machine. Several
 * workers (parallel.ts) are walkers of seeds derived from S, each repeatable alone.
 */
import type { Spec } from '../model/model.js'
import type { PropertySet } from '../model/properties.js'
import { compileSpec, type CompiledSpec } from '../compile/compile.js'
import { rebuildWalk, simulationInfo, simulationResult, type SimulationInfo, type SimulationResult } from './result.js'
import { progressOf, settle, type Settled, type SimulateOptions } from './options.js'
import { simulateParallel } from './parallel.js'
import { Walks } from './walks.js'

export type { SimulationStats, SimulationOk, SimulationViolation, SimulationFailed, SimulationResult, WalkerOf } from './result.js'
export { cutCycles } from './result.js'
export { randomSource } from './seeds.js'
export type { SimulateOptions, SimulationProgress } from './options.js'

/** How long the walks run in this thread before the clock, the signal and the progress are looked at. */
const SLICE_MS = 50

/**
 * Random walks through `spec`: each walk starts in a random initial state and takes up to
 * `steps` random enabled actions, checking the invariants on every state and the action
 * properties on every step. Stops at the first violation. A walk also ends in a state outside
 * the state constraint (it is checked, not explored) and in a state without successors (a
 * `Deadlock` violation unless the spec sets `checkDeadlock: false`). Temporal properties are
 * not checked.
 */
export async function simulate(
  spec: Spec,
  props: PropertySet<any, any> = {},
  options: SimulateOptions = {},
): Promise<SimulationResult> {
  // Settled first, so that the time limit and the duration count the compilation too.
  const settled = settle(options)
  return simulateSettled(compileSpec(spec, props, options), options, settled)
}

/** `simulate` over an already compiled spec. */
export async function simulateCompiled(c: CompiledSpec, options: SimulateOptions = {}): Promise<SimulationResult> {
  return simulateSettled(c, options, settle(options))
}

const simulateSettled = (c: CompiledSpec, options: SimulateOptions, settled: Settled): Promise<SimulationResult> =>
  settled.workers > 1 || options.thread === true ? simulateParallel(c, options, settled) : simulateHere(c, options, settled)

/** The walks in this thread, a slice at a time. */
async function simulateHere(c: CompiledSpec, options: SimulateOptions, s: Settled): Promise<SimulationResult> {
  const walks = new Walks(c, s.seed, s.runs, s.maxSteps, options.strict === true)
  let stopped: SimulationInfo['stopped']
  let nextProgress = s.started + s.progressIntervalMs
  for (;;) {
    walks.slice(Math.min(Date.now() + SLICE_MS, s.deadline))
    if (!walks.more) break
    if (Date.now() >= s.deadline) {
      stopped = 'timeout'
      break
    }
    await new Promise((r) => setImmediate(r))
    if (options.signal?.aborted) {
      stopped = 'interrupted'
      break
    }
    const now = Date.now()
    if (options.onProgress !== undefined && now >= nextProgress) {
      nextProgress = now + s.progressIntervalMs
      options.onProgress(progressOf(walks.done, walks.walker.steps, walks.walker.met.count, now - s.started))
    }
  }
  const walker = { index: 0, seed: s.seed, runs: s.runs }
  const found = walks.found === undefined ? undefined : rebuildWalk(c, walker, walks.found.run, s.maxSteps)
  const steps = found === undefined ? walks.walker.steps : walks.found!.stepsBefore + found.steps
  const covered = { runs: walks.done, steps, distinct: walks.walker.met.count, terminal: walks.terminal, constrained: walks.constrained }
  return simulationResult(c, simulationInfo(c, s, covered, walks.walker.reached, stopped), found)
}

