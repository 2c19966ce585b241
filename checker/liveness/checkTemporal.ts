/**
 * The liveness phase: checks every temporal property of a compiled spec on its behaviour graph,
 * under the fairness declared on the actions, and returns a lasso counterexample for each one
 * that fails.
 *
 * A property fails when some fair behaviour breaks it. Behaviours of a finite graph that break a
 * `<>P`, `[]P`, `[]<>P`, `<>[]P` or `P ~> Q` property, or one of the composed forms of
 * model/temporal.ts, can always be taken in lasso form: a finite path
 * into a cycle that repeats forever (or a state where the behaviour stutters forever). So each
 * property becomes a search for a reachable fair cycle of the right shape (findLasso.ts), and
 * fair cycles are found as fair strongly connected components (fairComponents.ts). This is the
 * tableau-free special case of TLC's LiveCheck: TLC builds the product with a tableau of the
 * negated property; the four forms here need at most two phases, which findLasso searches directly.
 *
 * A `forAll` property (`\A i : F(i)`) is checked part by part; the first failing part is reported.
 *
 * Memory: the graph (see buildGraph.ts: 8 bytes per edge, about 8 per state beside the packed
 * words of its states) lives for the whole phase; `stats.bytes` reports it, states included.
 * Beside it: one set of working arrays for all the lasso searches (LassoWork.ts, 59 bytes a
 * state), the values of the predicates (4 bytes a state per 32 predicates) and two masks of the
 * part being searched (one byte a state each). The budget counts the graph and the working arrays.
 */
import type { CompiledSpec } from '../compile/compile.js'
import { MemoryExhausted } from '../store/memory.js'
import { strictStep } from '../compile/strictStep.js'
import { replayPath } from '../trace/trace.js'
import { show } from '../encode/TypeViolation.js'
import { CheckerError } from '../result/errors.js'
import type { StopReason, TraceStep, Violation } from '../result/result.js'
import type { Temporal } from '../model/temporal.js'
import type { BehaviourGraph, GraphSize } from './BehaviourGraph.js'
import { buildGraphSteps } from './buildGraph.js'
import { findLasso, type Goal, type Lasso } from './findLasso.js'
import { LassoWork } from './LassoWork.js'
import { resolveFairness, NOT_FAIR, STRONG, type FairnessOverride } from './resolveFairness.js'
import { resolveChosenFairness } from './chosenFairness.js'

export interface TemporalOptions {
  /** Fairness per action name, replacing what the action declares (`none` removes it). */
  readonly fairness?: Readonly<Record<string, FairnessOverride>>
}

/** A temporal property's counterexample: a lasso whose last state loops back to `trace[loopStart]`. */
export interface TemporalViolation extends Violation {
  readonly kind: 'temporal'
  readonly loopStart: number
  /**
   * The step from the last state back to `trace[loopStart]` (TLC's "Back to state N: <Action>");
   * null when the behaviour ends by stuttering forever in its last state.
   */
  readonly loopAction: TraceStep['action']
  readonly stuttering: boolean
}

export interface TemporalResult {
  readonly violations: TemporalViolation[]
  readonly warnings: string[]
  /** The behaviour graph: states, edges, bytes held by its arrays. */
  readonly stats: { readonly states: number; readonly edges: number; readonly bytes: number }
}

type Predicate = (s: any) => boolean
type Leaf = Exclude<Temporal<any>, { kind: 'all' }>

/**
 * Checks `c.props.temporal` under the actions' fairness (see the module comment); throws
 * MemoryExhausted when the behaviour graph and the working arrays would pass `budget` bytes.
 * `graph`: the behaviour graph the safety search recorded (search/bfs.ts), or its counts, to size
 * the graph built here (buildGraph.ts).
 */
export function checkTemporal(
  c: CompiledSpec,
  options: TemporalOptions = {},
  budget = Infinity,
  graph?: BehaviourGraph | GraphSize,
): TemporalResult {
  const steps = temporalSteps(c, options, budget, graph)
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
  }
}

/**
 * As checkTemporal, but lets the event loop run between its steps (every 65,536 states it goes
 * through, building the graph here or searching it for lassos; the predicates; each part of each
 * property), and there asks `stopped` whether to go on: a run stopped by Ctrl-C or its time limit
 * stops here too, with the reason `stopped` gave instead of a result.
 */
export async function checkTemporalUnlessStopped(
  c: CompiledSpec,
  options: TemporalOptions,
  budget: number,
  graph: BehaviourGraph | GraphSize | undefined,
  stopped: () => StopReason | undefined,
): Promise<TemporalResult | { readonly stopReason: StopReason }> {
  const steps = temporalSteps(c, options, budget, graph)
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
    await new Promise((r) => setImmediate(r))
    const stopReason = stopped()
    if (stopReason !== undefined) return { stopReason }
  }
}

/**
 * The liveness phase, a step at a time: it yields within the graph's exploration and the lasso
 * searches, and after the graph, the predicates and each part.
 */
function* temporalSteps(
  c: CompiledSpec,
  options: TemporalOptions,
  budget: number,
  graph: BehaviourGraph | GraphSize | undefined,
): Generator<void, TemporalResult> {
  const properties = Object.entries(c.props.temporal ?? {}) as [string, Temporal<any>][]
  if (properties.length === 0) return { violations: [], warnings: [], stats: { states: 0, edges: 0, bytes: 0 } }
  const recorded = graph !== undefined && 'fair' in graph ? graph : undefined
  const fair = recorded?.fair ?? resolveFairness(c, options.fairness)
  const g = resolveChosenFairness(c, recorded ?? (yield* buildGraphSteps(c, fair, budget, graph as GraphSize | undefined)))
  yield
  if (g.bytes + LassoWork.bytes(g.states) > budget) throw new MemoryExhausted('the working arrays of the liveness phase')
  const work = new LassoWork(g)
  const warnings: string[] = []
  if (c.spec.constraint !== undefined) {
    warnings.push(
      `Model "${c.spec.name}" has a state constraint: liveness is checked on the constrained state graph, where ` +
        'steps leaving the constraint are cut, so a temporal property may hold vacuously or fail where the full ' +
        'model satisfies it (TLC warns the same).',
    )
  }
  c.actionNames.forEach((name, a) => {
    if (fair.ofAction[a] !== NOT_FAIR && g.guardHolds[a] === 0) {
      const form = fair.ofAction[a] === STRONG ? 'SF_vars' : 'WF_vars'
      warnings.push(
        `Action ${name} is declared fair (${form}(${name})) but is never enabled in a reachable state, ` +
          'so its fairness constrains nothing; check its guard.',
      )
    }
  })
  for (const k of groupsNeverEnabled(g)) {
    warnings.push(`Fairness group ${fair.labels[k]} is never enabled in a reachable state, so it constrains nothing.`)
  }
  // Every part with the number of its first predicate (P, then Q for leadsTo): all the predicates
  // are evaluated in one pass over the states.
  const predicates: { readonly name: string; readonly p: Predicate }[] = []
  const checks = properties.map(([name, formula]) => ({
    name,
    parts: leaves(formula).map((part) => {
      const first = predicates.length
      predicates.push(...predicatesOf(c, name, part))
      return { part, first }
    }),
  }))
  const truth = evaluatePredicates(c, g, predicates)
  // A part's goal is two masks at most, filled again for each part: fresh ones each time cost
  // about as much in first-written pages as filling them.
  const pool: Uint8Array[] = []
  const masks: Masks = (i) => {
    while (pool.length <= i) pool.push(new Uint8Array(g.states))
    return pool[i]!
  }
  yield
  const violations: TemporalViolation[] = []
  for (const { name, parts } of checks) {
    for (let i = 0; i < parts.length; i++) {
      const { part, first } = parts[i]!
      const lasso = yield* findLasso(g, goalOf(part, (k, expect, into) => truth(first + k, expect, into), masks), work)
      yield
      if (lasso === null) continue
      const label = parts.length > 1 ? `${name} (part ${i + 1} of ${parts.length})` : name
      violations.push(toViolation(c, g, name, label, part, lasso))
      break
    }
  }
  return { violations, warnings, stats: { states: g.states, edges: g.edges, bytes: g.bytes } }
}

/** The spec's fairness groups (the conditions after the per-instance ones) enabled in no state. */
function groupsNeverEnabled(g: BehaviourGraph): number[] {
  const { fair, enabled, enabledWidth: EW } = g
  const never: number[] = []
  for (let k = fair.firstGroup; k < fair.count; k++) {
    let seen = false
    for (let v = 0; v < g.states && !seen; v++) seen = (enabled[v * EW + (k >>> 5)]! & (1 << (k & 31))) !== 0
    if (!seen) never.push(k)
  }
  return never
}

function leaves(f: Temporal<any>): Leaf[] {
  return f.kind === 'all' ? f.parts.flatMap(leaves) : [f]
}

/** The state predicates of a part, each with the property it belongs to: P, then Q for leadsTo. */
function predicatesOf(c: CompiledSpec, name: string, f: Leaf): { readonly name: string; readonly p: Predicate }[] {
  switch (f.kind) {
    case 'eventually':
    case 'always':
    case 'alwaysEventually':
    case 'eventuallyAlways':
      return [{ name, p: f.p }]
    case 'leadsTo':
      return [
        { name, p: f.p },
        { name, p: f.q },
      ]
    case 'leadsToTemporal':
      return [...f.p.map((p) => ({ name, p })), { name, p: f.q }]
    default:
      throw new CheckerError(
        'MODEL_DEFINITION',
        `Model "${c.spec.name}": temporal property ${name} is not a formula built with eventually, always, alwaysEventually, ` +
          `eventuallyAlways, leadsTo or forAll (kind ${JSON.stringify((f as { kind?: unknown }).kind)}).`,
      )
  }
}

/**
 * Evaluates every predicate on every state of the graph, in one pass: each state is decoded once,
 * into a reused object, for all of them (a pass per predicate decoded every state again for each;
 * page-migration with 4 pages has 17). `truth(k, expect, into)` then fills `into` with the mask of
 * the states where predicate k has the value `expect`, or throws what predicate k threw first: a
 * part the search never reaches (its property failed in an earlier part) is not held against the
 * model.
 */
function evaluatePredicates(
  c: CompiledSpec,
  g: BehaviourGraph,
  predicates: readonly { readonly name: string; readonly p: Predicate }[],
): Truth {
  const PW = (predicates.length + 31) >>> 5
  const bits = new Uint32Array(g.states * PW)
  const threw: (CheckerError | undefined)[] = predicates.map(() => undefined)
  const state = c.codec.scratch()
  const s: unknown = state.state
  for (let v = 0; v < g.states; v++) {
    c.codec.decodeInto(state, g.store.chunkOf(v), g.store.wordsAt(v))
    for (let k = 0; k < predicates.length; k++) {
      if (threw[k] !== undefined) continue
      try {
        if (predicates[k]!.p(s)) bits[v * PW + (k >>> 5)]! |= 1 << (k & 31)
      } catch (e) {
        const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
        const name = predicates[k]!.name
        threw[k] = new CheckerError('EVALUATION', `Model "${c.spec.name}": temporal property ${name} threw ${why} in state ${show(s)}.`)
      }
    }
  }
  return (k, expect, out) => {
    if (threw[k] !== undefined) throw threw[k]
    const word = k >>> 5
    const bit = k & 31
    const want = expect ? 1 : 0
    for (let v = 0; v < g.states; v++) out[v] = ((bits[v * PW + word]! >>> bit) & 1) === want ? 1 : 0
    return out
  }
}

/** Fills `into` with the mask of the states where predicate k has the value `expect`, and returns it. */
type Truth = (k: number, expect: boolean, into: Uint8Array) => Uint8Array
/** One byte a state each, reused by every part's goal: `mask(i)` is the i-th, made when first asked for. */
type Masks = (i: number) => Uint8Array

/**
 * The lasso a violation of `f` must be (see findLasso.ts for the table), in `masks`; `truth` gives
 * the states where the part's k-th predicate (P, then Q for leadsTo) has a value.
 */
function goalOf(f: Leaf, truth: Truth, mask: Masks): Goal {
  const and = (a: Uint8Array, b: Uint8Array) => {
    for (let v = 0; v < a.length; v++) a[v]! &= b[v]!
    return a
  }
  switch (f.kind) {
    case 'eventually': {
      const notP = truth(0, false, mask(0))
      return { free: false, trigger: notP, allowed: notP, mustHit: [] }
    }
    case 'always':
      return { free: true, trigger: truth(0, false, mask(0)), allowed: null, mustHit: [] }
    case 'alwaysEventually': {
      const notP = truth(0, false, mask(0))
      return { free: true, trigger: notP, allowed: notP, mustHit: [] }
    }
    case 'eventuallyAlways':
      return { free: false, trigger: null, allowed: null, mustHit: [truth(0, false, mask(0))] }
    case 'leadsTo': {
      const notQ = truth(1, false, mask(0))
      const start = and(truth(0, true, mask(1)), notQ)
      return { free: true, trigger: start, allowed: notQ, mustHit: [] }
    }
    case 'leadsToTemporal': {
      const n = f.p.length
      const notQ = () => truth(n, false, mask(0))
      const ps = () => f.p.map((_, k) => truth(k, true, mask(k + 1)))
      switch (f.premise) {
        case 'now': {
          // <>P /\ <>[]~Q, or <>P /\ []<>~Q
          const P = truth(0, true, mask(1))
          return f.conclusion === 'eventuallyAlways'
            ? { free: true, trigger: P, allowed: null, mustHit: [notQ()] }
            : { free: true, trigger: P, allowed: null, mustHit: [], cycleIn: notQ() }
        }
        case 'eventuallyAlways': {
          const P = truth(0, true, mask(1))
          if (f.conclusion === 'eventuallyAlways') return { free: true, trigger: P, allowed: P, mustHit: [notQ()] }
          const stay = and(P, notQ()) // <>[](P /\ ~Q)
          return { free: true, trigger: stay, allowed: stay, mustHit: [] }
        }
        case 'infinitelyOften':
          // /\ []<>Pi /\ []<>~Q, or /\ []<>Pi /\ <>[]~Q
          if (f.conclusion === 'eventuallyAlways') return { free: true, trigger: null, allowed: null, mustHit: [...ps(), notQ()] }
          return { free: true, trigger: notQ(), allowed: mask(0), mustHit: ps() }
      }
    }
  }
}

const explain = (f: Leaf): string => {
  switch (f.kind) {
    case 'eventually':
      return 'a fair behaviour never reaches a state where it holds (<>P)'
    case 'always':
      return 'a fair behaviour reaches a state where it does not hold ([]P)'
    case 'alwaysEventually':
      return 'a fair behaviour reaches a point after which it never holds again ([]<>P)'
    case 'eventuallyAlways':
      return 'a fair behaviour leaves it infinitely often (<>[]P)'
    case 'leadsTo':
      return 'a fair behaviour reaches a state where P holds and never afterwards one where Q holds (P ~> Q)'
    case 'leadsToTemporal': {
      const P = f.p.length === 1 ? 'P' : `each of P1..P${f.p.length}`
      const premise = {
        now: `reaches a state where P holds`,
        infinitelyOften: `has ${P} hold infinitely often`,
        eventuallyAlways: 'has P hold forever from some point on',
      }[f.premise]
      const conclusion = {
        once: 'never afterwards reaches a state where Q holds',
        infinitelyOften: 'has Q hold only finitely often',
        eventuallyAlways: 'leaves Q infinitely often',
      }[f.conclusion]
      const form = `${{ now: 'P', infinitelyOften: '[]<>P', eventuallyAlways: '<>[]P' }[f.premise]} ~> ${{ once: 'Q', infinitelyOften: '[]<>Q', eventuallyAlways: '<>[]Q' }[f.conclusion]}`
      return `a fair behaviour ${premise} and ${conclusion} (${form})`
    }
  }
}

function toViolation(
  c: CompiledSpec,
  g: BehaviourGraph,
  property: string,
  label: string,
  f: Leaf,
  lasso: Lasso,
): TemporalViolation {
  const { states, steps, loopStart, stuttering } = lasso
  const path = stuttering ? steps : steps.slice(0, -1)
  const trace = replayPath(c, lasso.initIndex, path, (k) => wordsOf(c, g, states[k]!))
  let loopAction: TraceStep['action'] = null
  if (!stuttering) {
    const inst = c.instances[steps.at(-1)!]!
    const back = strictStep(trace.at(-1)!.state, inst, c.canonical)
    const buf = new Uint32Array(c.codec.words)
    if (back !== null) c.codec.encode(back, buf, 0)
    if (back === null || !sameWords(wordsOf(c, g, states[loopStart]!), buf)) {
      throw new CheckerError(
        'NONDETERMINISM',
        `Model "${c.spec.name}": re-running the step ${inst.label} that closes the cycle of ${property}'s counterexample ` +
          'did not lead back to the state it led to during the search. Guards and effects must depend only on the ' +
          'state and the action parameters: look for Math.random, Date, Map or Set iteration order, or state ' +
          'captured outside the model.',
      )
    }
    loopAction = { name: inst.name, params: inst.params, label: inst.label }
  }
  const end = stuttering
    ? `Stuttering in state ${loopStart + 1}.`
    : `Back to state ${loopStart + 1} by ${loopAction!.label}.`
  return {
    property,
    kind: 'temporal',
    trace,
    loopStart,
    loopAction,
    stuttering,
    shortest: false,
    message: `Temporal property ${label} is violated: ${explain(f)}. ${end}`,
  }
}

/** The packed words of state `v` of the graph. */
function wordsOf(c: CompiledSpec, g: BehaviourGraph, v: number): Uint32Array {
  const at = g.store.wordsAt(v)
  return g.store.chunkOf(v).subarray(at, at + c.codec.words)
}

const sameWords = (a: Uint32Array, b: Uint32Array) => a.length === b.length && a.every((x, i) => x === b[i])
