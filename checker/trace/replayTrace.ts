/**
 * Checks that an arbitrary sequence of states is a behaviour of a spec, and re-evaluates the
 * spec's properties on it. The states may come from anywhere (an ITF file written by us or by
 * another tool, a hand-edited trace): nothing is trusted.
 *
 * The first state must be an initial state; each later state must be the successor of the one
 * before under some enabled action instance. A step may say which instance it claims to be (the
 * ITF `#meta`); that instance is tried first, then every other one in enumeration order. For a
 * lasso (`loop`), the last state must step back to state `loop`, or stutter when `loop` is the
 * last state, or equal state `loop` (writers that repeat the loop state).
 *
 * On a valid behaviour, invariants are evaluated on every state, action properties on every step
 * (the closing step of a lasso too), deadlock on the last state of a finite trace, and temporal
 * properties on a lasso (as a statement about that one infinite behaviour, fairness aside).
 */
import type { TraceStep, Violation } from '../result/result.js'
import { CheckerError } from '../result/errors.js'
import { diffStates } from '../result/diff.js'
import type { Temporal } from '../model/temporal.js'
import type { CompiledSpec } from '../compile/compile.js'
import type { Instance } from '../compile/instances.js'
import { frozen, strictStep } from '../compile/strictStep.js'
import { TypeViolation } from '../encode/TypeViolation.js'
import type { ParamDomain } from '../model/model.js'
import type { AnyType } from '../model/types.js'
import { rankOf } from '../model/values.js'
import { equalValues } from '../model/sets.js'

/** The step a trace says led to a state. */
export interface ReplayHint {
  readonly actionName?: string
  /** The label as printed, e.g. `Enter(p=1)`; used when the name is missing. */
  readonly label?: string
  readonly params?: Readonly<Record<string, unknown>>
}

/** The states to replay, with the steps they claim and, for a lasso, the loop. */
export interface ReplayInput {
  readonly states: readonly unknown[]
  /** Per state (index 0 ignored): the claimed step. */
  readonly hints?: readonly (ReplayHint | undefined)[]
  /** Index of the state the last state steps back to (a lasso). */
  readonly loop?: number
  /** The claimed step from the last state back to state `loop`. */
  readonly loopHint?: ReplayHint
}

/** The steps of a valid behaviour, with what its properties say about it. */
export interface ReplayValid {
  readonly valid: true
  readonly trace: readonly TraceStep[]
  readonly loopStart?: number
  /** For a lasso: the step from the last state back to `loopStart` (null: stuttering). */
  readonly closing?: TraceStep['action']
  /** One per property that fails on this behaviour, at the first place it fails. */
  readonly violations: readonly Violation[]
  /** Steps whose recorded action is not the one that gives the state. */
  readonly notes: readonly string[]
}

/** Not a behaviour: `step` is the index of the first state that cannot be reached. */
export interface ReplayInvalid {
  readonly valid: false
  /** The valid prefix. */
  readonly trace: readonly TraceStep[]
  readonly step: number
  readonly reason: string
}

/** A behaviour with its property verdicts, or where and why the trace is not one. */
export type ReplayResult = ReplayValid | ReplayInvalid

const MAX_LISTED = 4

/** Replays `input` against the compiled spec. Throws CheckerError('BAD_INPUT') for a state outside the types. */
export function replayTrace(c: CompiledSpec, input: ReplayInput): ReplayResult {
  const { codec, spec } = c
  const W = codec.words
  const n = input.states.length
  if (n === 0) return { valid: false, trace: [], step: 0, reason: 'the trace has no states' }
  const packed = new Uint32Array(n * W)
  input.states.forEach((s, i) => {
    try {
      codec.encode(s, packed, i * W)
    } catch (e) {
      if (!(e instanceof TypeViolation)) throw e
      throw new CheckerError('BAD_INPUT', `State ${i + 1} of the trace is not a state of model "${spec.name}": ${e.message}.`)
    }
  })
  const wordsOf = (i: number) => packed.subarray(i * W, i * W + W)
  // Canonical forms (sets in domain order, fields in declaration order), frozen.
  const states = Array.from({ length: n }, (_, i) => frozen(codec.decode(packed, i * W)))
  const buf = new Uint32Array(W)
  const same = (a: Uint32Array, b: Uint32Array) => a.every((w, i) => w === b[i])

  // State 1: an initial state.
  const initWords = c.init.map((s) => {
    const w = new Uint32Array(W)
    codec.encode(s, w, 0)
    return w
  })
  if (!initWords.some((w) => same(w, wordsOf(0)))) {
    const nearest = nearestByDiff(c.init, states[0])
    return {
      valid: false,
      trace: [],
      step: 0,
      reason:
        `state 1 is not an initial state of model "${spec.name}"` +
        (nearest === undefined ? '' : ` (the nearest initial state differs at ${describeDiff(nearest, states[0])})`),
    }
  }

  const trace: TraceStep[] = [{ action: null, state: states[0] }]
  const notes: string[] = []
  const stepTo = (from: number, to: number, hint: ReplayHint | undefined, what: string) => {
    const found = findStep(c, states[from], wordsOf(to), hint, buf)
    if (found.instance !== undefined) {
      if (found.hintProblem !== undefined) notes.push(`${what}: ${found.hintProblem}; ${found.instance.label} gives it.`)
      return found.instance
    }
    return found.reason ?? 'no action gives it'
  }
  for (let k = 1; k < n; k++) {
    const r = stepTo(k - 1, k, input.hints?.[k], `State ${k + 1}`)
    if (typeof r === 'string') {
      return { valid: false, trace, step: k, reason: `state ${k + 1} is not a successor of state ${k}: ${r}` }
    }
    trace.push({ action: { name: r.name, params: r.params, label: r.label }, state: states[k] })
  }

  let closing: TraceStep['action'] | undefined
  const loop = input.loop
  if (loop !== undefined) {
    if (loop < 0 || loop >= n || !Number.isInteger(loop)) {
      return { valid: false, trace, step: n, reason: `loop ${loop} is not the index of a state (0..${n - 1})` }
    }
    if (loop === n - 1) {
      closing = null
    } else if (same(wordsOf(n - 1), wordsOf(loop))) {
      closing = null
    } else {
      const r = stepTo(n - 1, loop, input.loopHint, `The step back to state ${loop + 1}`)
      if (typeof r === 'string') {
        return {
          valid: false,
          trace,
          step: n,
          reason: `the lasso does not close: state ${loop + 1} is not a successor of the last state (${n}): ${r}`,
        }
      }
      closing = { name: r.name, params: r.params, label: r.label }
    }
  }

  const violations = evaluateProperties(c, trace, loop, closing)
  return {
    valid: true,
    trace,
    ...(loop === undefined ? {} : { loopStart: loop, closing: closing ?? null }),
    violations,
    notes,
  }
}

interface Found {
  readonly instance?: Instance
  readonly reason?: string
  readonly hintProblem?: string
}

function matchesHint(inst: Instance, hint: ReplayHint): boolean {
  if (hint.actionName !== undefined) {
    if (inst.name !== hint.actionName) return false
    const p = hint.params
    if (p === undefined) return true
    const keys = Object.keys(inst.params)
    return keys.every((k) => Object.hasOwn(p, k) && sameParam(inst.def.params[k]!, p[k], inst.params[k])) && Object.keys(p).every((k) => keys.includes(k))
  }
  return hint.label !== undefined && inst.label === hint.label
}

/**
 * Whether a recorded parameter value is the instance's: by value, and for a typed parameter by its
 * position in the type's domain, so that a set's members may come in any order and repeat.
 */
function sameParam(domain: ParamDomain, given: unknown, ours: unknown): boolean {
  if (Array.isArray(domain)) return equalValues(given, ours)
  const rank = rankOf(domain as AnyType)
  return rank(given) === rank(ours)
}

function runFast(c: CompiledSpec, from: unknown, inst: Instance, out: Uint32Array): 'disabled' | 'ok' | 'outside' {
  const { guard, effect } = inst.def
  try {
    if (guard !== undefined && !guard(from as never, inst.params)) return 'disabled'
  } catch (e) {
    throw evaluationError(c, inst, 'guard', e)
  }
  const draft = structuredClone(from)
  try {
    effect(draft as never, inst.params)
  } catch (e) {
    throw evaluationError(c, inst, 'effect', e)
  }
  try {
    c.codec.encode(draft, out, 0)
  } catch (e) {
    if (e instanceof TypeViolation) return 'outside'
    throw e
  }
  return 'ok'
}

function evaluationError(c: CompiledSpec, inst: Instance, part: string, e: unknown): CheckerError {
  return new CheckerError(
    'EVALUATION',
    `Model "${c.spec.name}": the ${part} of ${inst.label} threw while replaying the trace: ` +
      `${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
  )
}

/** The instance that takes `from` to the state packed in `want`, or why there is none. */
function findStep(c: CompiledSpec, from: unknown, want: Uint32Array, hint: ReplayHint | undefined, buf: Uint32Array): Found {
  const same = () => buf.every((w, i) => w === want[i])
  let hintProblem: string | undefined
  let enabled = 0
  const hinted = hint === undefined ? [] : c.instances.filter((i) => matchesHint(i, hint))
  if (hint !== undefined) {
    const claimed = hint.label ?? hint.actionName ?? '?'
    if (hinted.length === 0) {
      hintProblem =
        hint.actionName !== undefined && !c.actionNames.includes(hint.actionName)
          ? `the trace names action "${hint.actionName}", which the model does not have`
          : `the trace names ${claimed}, which is no action instance of the model`
    }
    for (const inst of hinted) {
      const r = runFast(c, from, inst, buf)
      if (r !== 'disabled') enabled++
      if (r === 'ok' && same()) return { instance: inst }
      hintProblem ??=
        r === 'disabled'
          ? `the recorded step ${inst.label} is not enabled here`
          : r === 'outside'
            ? `the recorded step ${inst.label} leaves the state's type`
            : `the recorded step ${inst.label} gives a different state (${describeDiff(c.codec.decode(buf, 0), c.codec.decode(want, 0))})`
    }
  }
  const tried: { label: string; diff: number; text: string }[] = []
  const target = c.codec.decode(want, 0)
  for (const inst of c.instances) {
    if (hinted.includes(inst)) continue
    const r = runFast(c, from, inst, buf)
    if (r !== 'disabled') enabled++
    if (r !== 'ok') continue
    if (same()) return { instance: inst, ...(hintProblem === undefined ? {} : { hintProblem }) }
    const got = c.codec.decode(buf, 0)
    const changes = diffStates(got, target)
    tried.push({ label: inst.label, diff: changes.length, text: describeDiff(got, target) })
  }
  let reason: string
  if (enabled === 0) reason = 'no action is enabled in the state before it (a deadlock)'
  else {
    tried.sort((a, b) => a.diff - b.diff)
    const listed = tried.slice(0, MAX_LISTED).map((t) => `${t.label} gives ${t.text}`)
    const more = tried.length > MAX_LISTED ? `; ${tried.length - MAX_LISTED} more enabled` : ''
    reason = `no enabled action gives it${listed.length > 0 ? ` (nearest: ${listed.join('; ')}${more})` : ''}`
  }
  return { reason: hintProblem === undefined ? reason : `${hintProblem}, and ${reason}` }
}

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v))

/** `big: 4 where the trace has 3, small: ...` (at most three paths). */
function describeDiff(got: unknown, want: unknown): string {
  const changes = diffStates(got, want)
  if (changes.length === 0) return 'the same state'
  const parts = changes.slice(0, 3).map((ch) => `${ch.path || 'state'} = ${show(ch.from)} where the trace has ${show(ch.to)}`)
  return parts.join(', ') + (changes.length > 3 ? `, and ${changes.length - 3} more differences` : '')
}

function nearestByDiff(candidates: readonly unknown[], target: unknown): unknown {
  let best: unknown
  let bestN = Infinity
  for (const s of candidates) {
    const k = diffStates(s, target).length
    if (k < bestN) [best, bestN] = [s, k]
  }
  return best
}

function evaluateProperties(
  c: CompiledSpec,
  trace: readonly TraceStep[],
  loop: number | undefined,
  closing: TraceStep['action'] | undefined,
): Violation[] {
  const out: Violation[] = []
  const safely = <T>(name: string, f: () => T): T => {
    try {
      return f()
    } catch (e) {
      throw new CheckerError(
        'EVALUATION',
        `Model "${c.spec.name}": property ${name} threw while replaying the trace: ${e instanceof Error ? e.message : String(e)}`,
      )
    }
  }
  const violation = (property: string, kind: Violation['kind'], upTo: number, message: string, loopStart?: number): Violation => ({
    property,
    kind,
    trace: trace.slice(0, upTo),
    shortest: false,
    message,
    ...(loopStart === undefined ? {} : { loopStart }),
  })
  for (const [name, inv] of c.invariants) {
    const at = trace.findIndex((s) => !safely(name, () => inv(s.state)))
    if (at >= 0) out.push(violation(name, 'invariant', at + 1, `Invariant ${name} is violated in state ${at + 1} of the trace.`))
  }
  const steps = trace.slice(1).map((s, i) => ({ from: trace[i]!.state, to: s.state, action: s.action!, at: i + 1 }))
  if (loop !== undefined && closing) steps.push({ from: trace.at(-1)!.state, to: trace[loop]!.state, action: closing, at: trace.length })
  for (const [name, prop] of c.actionProperties) {
    const bad = steps.find((s) => !safely(name, () => prop(s.from, s.to, { action: s.action.name, params: s.action.params })))
    if (bad !== undefined) {
      const closingStep = bad.at === trace.length
      out.push(
        violation(
          name,
          'action',
          closingStep ? trace.length : bad.at + 1,
          closingStep
            ? `Action property ${name} is violated by the step back to state ${loop! + 1} (${bad.action.label}).`
            : `Action property ${name} is violated by step ${bad.at} -> ${bad.at + 1} (${bad.action.label}).`,
          closingStep ? loop : undefined,
        ),
      )
    }
  }
  if (loop === undefined && c.spec.checkDeadlock) {
    const last = trace.at(-1)!.state
    const enabled = c.instances.some((inst) => safely(inst.label, () => strictStep(last, inst, c.canonical)) !== null)
    if (!enabled) out.push(violation('Deadlock', 'deadlock', trace.length, `Deadlock reached in state ${trace.length} of the trace.`))
  }
  if (loop !== undefined) {
    for (const [name, formula] of Object.entries(c.props.temporal ?? {})) {
      const holds = safely(name, () => holdsOnLasso(formula as Temporal<any>, trace.map((s) => s.state), loop))
      if (!holds) {
        out.push(violation(name, 'temporal', trace.length, `Temporal property ${name} is violated by this lasso.`, loop))
      }
    }
  }
  return out
}

/**
 * Whether a temporal formula holds on the infinite behaviour s[0..n-1] (s[loop..n-1])^omega, by
 * the definition of each operator at each position: the positions from i on are i..n-1 and then
 * the cycle again, so the future of position i is i..n-1 before the cycle and the whole cycle in it.
 */
export function holdsOnLasso(f: Temporal<any>, s: readonly any[], loop: number): boolean {
  const n = s.length
  const future = (i: number) => Array.from({ length: n - Math.min(i, loop) }, (_, k) => Math.min(i, loop) + k).filter((j) => i >= loop || j >= i)
  const P = (p: (x: any) => boolean) => (i: number) => p(s[i])
  type At = (i: number) => boolean
  const eventually = (g: At): At => (i) => future(i).some(g)
  const always = (g: At): At => (i) => future(i).every(g)
  const leadsTo = (a: At, b: At): At => always((i) => !a(i) || eventually(b)(i))
  switch (f.kind) {
    case 'eventually':
      return eventually(P(f.p))(0)
    case 'always':
      return always(P(f.p))(0)
    case 'alwaysEventually':
      return always(eventually(P(f.p)))(0)
    case 'eventuallyAlways':
      return eventually(always(P(f.p)))(0)
    case 'leadsTo':
      return leadsTo(P(f.p), P(f.q))(0)
    case 'leadsToTemporal': {
      const premise: At = (i) =>
        f.premise === 'now'
          ? P(f.p[0]!)(i)
          : f.premise === 'eventuallyAlways'
            ? eventually(always(P(f.p[0]!)))(i)
            : f.p.every((p) => always(eventually(P(p)))(i))
      const q = P(f.q)
      const conclusion: At =
        f.conclusion === 'once' ? q : f.conclusion === 'infinitelyOften' ? always(eventually(q)) : eventually(always(q))
      return leadsTo(premise, conclusion)(0)
    }
    case 'all':
      return f.parts.every((p) => holdsOnLasso(p, s, loop))
  }
}
