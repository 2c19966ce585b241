/**
 * What a simulation returns: the result types, and the result made from what the walkers covered
 * and the first walk that found something, which the strict walker walks again for its trace.
 */
import { TypeViolation, show } from '../encode/TypeViolation.js'
import type { TraceStep, Violation } from '../result/result.js'
import type { CompiledSpec } from '../compile/compile.js'
import { runSeed } from './seeds.js'
import { Found, StrictWalker, Threw } from './strictWalk.js'
import { FOUND } from './walker.js'
import type { Settled } from './options.js'

export interface SimulationStats {
  /** Walks finished (including the one that found a violation). */
  readonly runs: number
  /** Steps taken over all walks. */
  readonly steps: number
  /** Distinct states met over all walks (by 64-bit fingerprint). */
  readonly distinct: number
  /** Walks that ended in a state without successors (when deadlock is not an error). */
  readonly terminal: number
  /** Walks that ended in a state outside the state constraint. */
  readonly constrained: number
  readonly durationMs: number
}

export interface SimulationInfo {
  readonly model: string
  readonly constants: Readonly<Record<string, unknown>>
  /** The seed that reproduces this result with the same `runs`, `steps` and `workers`. */
  readonly seed: number
  readonly options: { readonly runs: number; readonly steps: number; readonly workers: number }
  readonly stats: SimulationStats
  readonly checked: Readonly<Record<'invariants' | 'actionProperties' | 'reachable', readonly string[]>>
  /** Reachability goals no walk met (not a failure: a simulation proves nothing either way). */
  readonly unreached: readonly string[]
  /** Set when the walks were cut short by the time limit or a signal. */
  readonly stopped?: 'timeout' | 'interrupted'
  readonly warnings: readonly string[]
}

/**
 * The walker whose walk `run` found something: its number, and the seed and number of walks that
 * repeat its walks in a simulation of one worker (walker 0 of one worker has the simulation's own).
 */
export interface WalkerOf {
  readonly index: number
  readonly seed: number
  readonly runs: number
}

/** No walk broke a property. Nothing is proved: the state space was sampled, not covered. */
export interface SimulationOk extends SimulationInfo {
  readonly status: 'ok'
  readonly exhaustive: false
}
/** Walk `run` (0-based) of `walker` broke a property. */
export interface SimulationViolation extends SimulationInfo {
  readonly status: 'violation'
  readonly run: number
  readonly walker: WalkerOf
  readonly violation: Violation
}
/** The model's code failed during walk `run` of `walker`: an action or property threw, or a state left its type. */
export interface SimulationFailed extends SimulationInfo {
  readonly status: 'error'
  readonly run: number
  readonly walker: WalkerOf
  readonly error: { readonly code: 'EVALUATION'; readonly message: string; readonly trace: readonly TraceStep[] }
}

export type SimulationResult = SimulationOk | SimulationViolation | SimulationFailed

/** The walk that found something, as walked again by the strict walker, with its steps. */
export interface Rebuilt {
  readonly walker: WalkerOf
  readonly run: number
  readonly trace: TraceStep[]
  readonly what: Found | Threw
  readonly steps: number
}

/** Walks walk `run` of `walker` again with the strict walker, for its states and what it found. */
export function rebuildWalk(c: CompiledSpec, walker: WalkerOf, run: number, maxSteps: number): Rebuilt {
  const strict = new StrictWalker(c)
  const end = strict.walk(runSeed(walker.seed, run), maxSteps)
  if (end === FOUND) return { walker, run, trace: strict.trace, what: strict.finding!, steps: strict.steps }
  // Only model code whose result depends on more than the state (a clock, a global) gets here.
  const why = new Error('the model found something in this walk on packed states but not on immer drafts: its code depends on more than the state it is given (a global, a clock, randomness)')
  return { walker, run, trace: strict.trace, what: new Threw('the walk', why), steps: strict.steps }
}

/** The result of the walks, from the first walk that broke a property or failed (`found`), if any. */
export function simulationResult(c: CompiledSpec, info: SimulationInfo, found: Rebuilt | undefined): SimulationResult {
  if (found === undefined) return { ...info, status: 'ok', exhaustive: false }
  const { run, what, walker } = found
  const { codec } = c
  const scratch = new Uint32Array(codec.words)
  const walked = found.trace.length
  const trace = cutCycles(found.trace, (s) => {
    codec.encode(s, scratch, 0)
    return scratch.join(',')
  })
  const cut = trace.length < walked ? `; cycles cut from a walk of ${walked} states` : ''
  const where = `simulation run ${run} of seed ${walker.seed}${cut}`
  if (what instanceof Found) {
    const head =
      what.kind === 'invariant'
        ? `Invariant ${what.property} is violated`
        : what.kind === 'action'
          ? `Action property ${what.property} is violated`
          : 'Deadlock reached'
    return {
      ...info,
      status: 'violation',
      run,
      walker,
      violation: {
        property: what.property,
        kind: what.kind,
        trace,
        shortest: false,
        message: `${head} after ${trace.length} state${trace.length === 1 ? '' : 's'} (${where}).`,
      },
    }
  }
  const last = trace.at(-1)!.action
  const cause = what.cause
  const text =
    cause instanceof TypeViolation
      ? `${last === null ? 'an initial state' : `action ${last.label}`} produced ${cause.path || 'a state'} = ${show(cause.value)}, outside its type (expected ${cause.expected})`
      : `${what.where} threw ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`
  return {
    ...info,
    status: 'error',
    run,
    walker,
    error: {
      code: 'EVALUATION',
      message: `Model "${c.spec.name}": ${text}, in the state reached after ${trace.length} state${trace.length === 1 ? '' : 's'} (${where}).`,
      trace,
    },
  }
}

/** What every simulation result says, from what its walkers covered. */
export function simulationInfo(
  c: CompiledSpec,
  s: Settled,
  covered: { runs: number; steps: number; distinct: number; terminal: number; constrained: number },
  reached: ReadonlySet<string>,
  stopped: SimulationInfo['stopped'],
): SimulationInfo {
  return {
    model: c.spec.name,
    constants: c.spec.constants,
    seed: s.seed,
    options: { runs: s.runs, steps: s.maxSteps, workers: s.workers },
    stats: { ...covered, durationMs: Date.now() - s.started },
    checked: {
      invariants: c.invariants.map(([n]) => n),
      actionProperties: c.actionProperties.map(([n]) => n),
      reachable: c.reachable.map(([n]) => n),
    },
    unreached: c.reachable.map(([n]) => n).filter((n) => !reached.has(n)),
    ...(stopped === undefined ? {} : { stopped }),
    warnings: Object.keys(c.props.temporal ?? {}).length > 0 ? ['Temporal properties are not checked by simulation.'] : [],
  }
}

/**
 * The walk with every cycle cut out: when a state comes back, the steps between its two visits
 * are dropped. What remains is still a behaviour (each step starts where the previous one ended)
 * and ends in the same state by the same last step, so it shows the same violation, shorter.
 * A state that failed its type check is kept as it is (it has no key).
 */
export function cutCycles(trace: readonly TraceStep[], key: (state: unknown) => string): TraceStep[] {
  const out: TraceStep[] = []
  const at = new Map<string, number>()
  trace.forEach((step, i) => {
    let k: string
    try {
      k = key(step.state)
    } catch {
      out.push(step)
      return
    }
    const seen = at.get(k)
    if (seen !== undefined && i < trace.length - 1) {
      for (const dropped of out.splice(seen + 1)) at.delete(safeKey(key, dropped.state))
      return
    }
    // The last step stays even when it revisits a state: it may be the step an action property rejects.
    at.set(k, out.length)
    out.push(step)
  })
  return out
}

const safeKey = (key: (state: unknown) => string, state: unknown): string => {
  try {
    return key(state)
  } catch {
    return ''
  }
}
