/**
 * Simulation: random walks through a spec, checking invariants on every state and action
 * properties on every step, in strict mode (immer drafts of frozen states). It is TLC's
 * `-simulate` mode: useful when the state space is too large to explore, never a proof.
 *
 * Every walk is reproducible: run `r` of seed `S` draws its choices from a generator seeded by
 * (S, r) alone, so the same seed, runs and steps give the same behaviours, and the first
 * violation found is the same on every machine.
 */
import type { Spec } from '../model/model.js'
import type { PropertySet } from '../model/properties.js'
import { TypeViolation, show } from '../encode/codec.js'
import { fingerprintLo } from '../encode/fingerprint.js'
import type { TraceStep, Violation, ViolationKind } from '../result/result.js'
import { compileSpec, type CompiledSpec, type PropertySelection } from '../compile/compile.js'
import { StateTable } from '../store/StateTable.js'
import { frozen, strictStep } from '../compile/strictStep.js'

export interface SimulateOptions extends PropertySelection {
  /** How many random walks; default 100. */
  readonly runs?: number
  /** The most steps per walk (a walk has at most `steps + 1` states); default 100. */
  readonly steps?: number
  /** Seed of the walks (an unsigned 32-bit integer); default: drawn from the clock. Always in the result. */
  readonly seed?: number
  /** Stop (without a verdict beyond "none found so far") after this many milliseconds. */
  readonly timeoutMs?: number
  /** Stop when aborted, e.g. on Ctrl-C. */
  readonly signal?: AbortSignal
}

export interface SimulationStats {
  /** Walks finished (including the one that found a violation). */
  readonly runs: number
  /** Steps taken over all walks. */
  readonly steps: number
  /** Distinct states met over all walks. */
  readonly distinct: number
  /** Walks that ended in a state without successors (when deadlock is not an error). */
  readonly terminal: number
  /** Walks that ended in a state outside the state constraint. */
  readonly constrained: number
  readonly durationMs: number
}

interface SimulationInfo {
  readonly model: string
  readonly constants: Readonly<Record<string, unknown>>
  /** The seed that reproduces this result with the same `runs` and `steps`. */
  readonly seed: number
  readonly options: { readonly runs: number; readonly steps: number }
  readonly stats: SimulationStats
  readonly checked: Readonly<Record<'invariants' | 'actionProperties' | 'reachable', readonly string[]>>
  /** Reachability goals no walk met (not a failure: a simulation proves nothing either way). */
  readonly unreached: readonly string[]
  /** Set when the walks were cut short by the timeout or a signal. */
  readonly stopped?: 'timeout' | 'interrupted'
  readonly warnings: readonly string[]
}

/** No walk broke a property. Nothing is proved: the state space was sampled, not covered. */
export interface SimulationOk extends SimulationInfo {
  readonly status: 'ok'
  readonly exhaustive: false
}
/** A walk broke a property; `run` is its number (0-based) under `seed`. */
export interface SimulationViolation extends SimulationInfo {
  readonly status: 'violation'
  readonly run: number
  readonly violation: Violation
}
/** The model's code failed during walk `run`: an action or property threw, or a state left its type. */
export interface SimulationFailed extends SimulationInfo {
  readonly status: 'error'
  readonly run: number
  readonly error: { readonly code: 'EVALUATION'; readonly message: string; readonly trace: readonly TraceStep[] }
}

export type SimulationResult = SimulationOk | SimulationViolation | SimulationFailed

/** mulberry32: a small, fast 32-bit generator; plenty for choosing among enabled actions. */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

/** The seed of walk `run`: a hash of (seed, run), so walks are independent of one another. */
const runSeed = (seed: number, run: number): number => {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(run + 1, 0xc2b2ae35)
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d)
  h ^= h >>> 15
  return h >>> 0
}

class Found {
  constructor(
    readonly property: string,
    readonly kind: ViolationKind,
  ) {}
}
class Threw {
  constructor(
    readonly where: string,
    readonly cause: unknown,
  ) {}
}

const YIELD_EVERY_MS = 50

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
  return simulateCompiled(compileSpec(spec, props, options), options)
}

/** `simulate` over an already compiled spec. */
export async function simulateCompiled(c: CompiledSpec, options: SimulateOptions = {}): Promise<SimulationResult> {
  const started = Date.now()
  const runs = options.runs ?? 100
  const maxSteps = options.steps ?? 100
  const seed = (options.seed ?? (Date.now() ^ (process.pid << 16))) >>> 0
  const { codec, instances, steps: stepObjects, invariants, actionProperties, reachable } = c
  const W = codec.words
  const table = new StateTable(W)
  const scratch = new Uint32Array(W)
  const constraint = c.spec.constraint
  const reached = new Set<string>()
  const enabled: number[] = []
  let totalSteps = 0
  let terminal = 0
  let constrained = 0
  let done = 0
  let stopped: 'timeout' | 'interrupted' | undefined
  let lastYield = started

  // Checks one state: its type (and counts it), then the invariants, then the goals.
  const visit = (s: unknown) => {
    try {
      codec.encode(s, scratch, 0)
    } catch (e) {
      throw new Threw('the type check', e)
    }
    table.add(scratch, 0, fingerprintLo(scratch, 0, W), -1, -1)
    for (const [name, inv] of invariants) {
      let ok: boolean
      try {
        ok = inv(s)
      } catch (e) {
        throw new Threw(`property ${name}`, e)
      }
      if (!ok) throw new Found(name, 'invariant')
    }
    for (const [name, goal] of reachable) {
      try {
        if (!reached.has(name) && goal(s)) reached.add(name)
      } catch (e) {
        throw new Threw(`property ${name}`, e)
      }
    }
  }

  let outcome: { run: number; trace: TraceStep[]; what: Found | Threw } | undefined
  for (let run = 0; run < runs && outcome === undefined; run++) {
    const now = Date.now()
    if (options.timeoutMs !== undefined && now - started >= options.timeoutMs) {
      stopped = 'timeout'
      break
    }
    if (now - lastYield >= YIELD_EVERY_MS) {
      await new Promise((r) => setImmediate(r))
      lastYield = Date.now()
    }
    if (options.signal?.aborted) {
      stopped = 'interrupted'
      break
    }
    const random = randomSource(runSeed(seed, run))
    let state = frozen(c.init[Math.floor(random() * c.init.length)])
    const trace: TraceStep[] = [{ action: null, state }]
    try {
      visit(state)
      for (let k = 0; k < maxSteps; k++) {
        if (constraint !== undefined && !evaluate('the state constraint', () => constraint(state as never))) {
          constrained++
          break
        }
        enabled.length = 0
        for (const inst of instances) {
          const on = inst.def.guard === undefined || evaluate(`action ${inst.label}`, () => inst.def.guard!(state as never, inst.params))
          if (on) enabled.push(inst.id)
        }
        if (enabled.length === 0) {
          if (c.spec.checkDeadlock) throw new Found('Deadlock', 'deadlock')
          terminal++
          break
        }
        const inst = instances[enabled[Math.floor(random() * enabled.length)]!]!
        const next = evaluate(`action ${inst.label}`, () => strictStep(state, inst, c.canonical))
        trace.push({ action: { name: inst.name, params: inst.params, label: inst.label }, state: next })
        totalSteps++
        visit(next)
        for (const [name, prop] of actionProperties) {
          if (!evaluate(`property ${name}`, () => prop(state, next, stepObjects[inst.id]))) throw new Found(name, 'action')
        }
        state = next
      }
    } catch (e) {
      if (!(e instanceof Found) && !(e instanceof Threw)) throw e
      outcome = { run, trace, what: e }
    }
    done++
  }

  const info: SimulationInfo = {
    model: c.spec.name,
    constants: c.spec.constants,
    seed,
    options: { runs, steps: maxSteps },
    stats: { runs: done, steps: totalSteps, distinct: table.count, terminal, constrained, durationMs: Date.now() - started },
    checked: {
      invariants: invariants.map(([n]) => n),
      actionProperties: actionProperties.map(([n]) => n),
      reachable: reachable.map(([n]) => n),
    },
    unreached: reachable.map(([n]) => n).filter((n) => !reached.has(n)),
    ...(stopped === undefined ? {} : { stopped }),
    warnings:
      Object.keys(c.props.temporal ?? {}).length > 0 ? ['Temporal properties are not checked by simulation.'] : [],
  }
  return simulationResult(c, info, seed, outcome)
}

/** The result of the walks, from the first walk that broke a property or failed (`outcome`), if any. */
function simulationResult(
  c: CompiledSpec,
  info: SimulationInfo,
  seed: number,
  outcome: { readonly run: number; readonly trace: TraceStep[]; readonly what: Found | Threw } | undefined,
): SimulationResult {
  if (outcome === undefined) return { ...info, status: 'ok', exhaustive: false }
  const { run, what } = outcome
  const { codec } = c
  const scratch = new Uint32Array(codec.words)
  const walked = outcome.trace.length
  const trace = cutCycles(outcome.trace, (s) => {
    codec.encode(s, scratch, 0)
    return scratch.join(',')
  })
  const cut = trace.length < walked ? `; cycles cut from a walk of ${walked} states` : ''
  const where = `simulation run ${run} of seed ${seed}${cut}`
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
      violation: {
        property: what.property,
        kind: what.kind,
        trace,
        shortest: false,
        message: `${head} after ${trace.length} states (${where}).`,
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
    error: {
      code: 'EVALUATION',
      message: `Model "${c.spec.name}": ${text}, in the state reached after ${trace.length} states (${where}).`,
      trace,
    },
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

function evaluate<T>(where: string, f: () => T): T {
  try {
    return f()
  } catch (e) {
    throw new Threw(where, e)
  }
}
