/**
 * The strict walker (walker.ts): every step runs the guards, the chosen effect and the properties
 * on immer drafts of frozen states (compile/strictStep.ts), so that model code which mutates a
 * state it should only read throws. `--strict` walks with it, and it rebuilds the walk that the
 * fast walker found a violation in, with its states and the finding, for the report.
 */
import type { TraceStep, ViolationKind } from '../result/result.js'
import type { CompiledSpec } from '../compile/compile.js'
import { frozen, strictStep } from '../compile/strictStep.js'
import { fingerprint } from '../encode/fingerprint.js'
import { FingerprintSet } from '../store/FingerprintSet.js'
import { randomSource } from './seeds.js'
import { CLOCK_STEPS, CONSTRAINED, FOUND, PAUSED, TERMINAL, WALKED, Fresh, pathFor, type Walker } from './walker.js'

/** A property that broke. */
export class Found {
  constructor(
    readonly property: string,
    readonly kind: ViolationKind,
  ) {}
}
/** Model code that threw (`where`: `action X(...)`, `property P`, `the type check`, `the state constraint`). */
export class Threw {
  constructor(
    readonly where: string,
    readonly cause: unknown,
  ) {}
}

export class StrictWalker implements Walker {
  steps = 0
  readonly met = new FingerprintSet()
  readonly fresh = new Fresh()
  readonly reached = new Set<string>()
  path = new Int32Array(1)
  pathLength = 0
  /** The last walk's states and the steps between them. */
  trace: TraceStep[] = []
  /** What the last walk found, when it ended FOUND. */
  finding: Found | Threw | undefined

  private readonly scratch: Uint32Array
  private readonly fp = new Uint32Array(2)
  private readonly enabled: number[] = []
  /** The walk begun: its generator, its state, its steps taken (-1: not even its initial state), its most steps. */
  private random: () => number = randomSource(0)
  private state: unknown
  private k = -1
  private maxSteps = 0

  constructor(private readonly c: CompiledSpec) {
    this.scratch = new Uint32Array(c.codec.words)
  }

  walk(seed: number, maxSteps: number): number {
    this.begin(seed, maxSteps)
    return this.go(Infinity)
  }

  begin(seed: number, maxSteps: number): void {
    this.random = randomSource(seed)
    this.path = pathFor(this.path, maxSteps)
    this.maxSteps = maxSteps
    this.k = -1
    this.finding = undefined
  }

  go(until: number): number {
    const { c, enabled, random, maxSteps } = this
    const { instances, steps: stepObjects, actionProperties } = c
    const constraint = c.spec.constraint
    try {
      if (this.k < 0) {
        const start = Math.floor(random() * c.init.length)
        this.path[0] = start
        this.pathLength = 1
        this.k = 0
        this.state = frozen(c.init[start])
        this.trace = [{ action: null, state: this.state }]
        this.visit(this.state)
      }
      for (let k = this.k; k < maxSteps; k++) {
        const state = this.state
        if (constraint !== undefined && !evaluate('the state constraint', () => constraint(state as never))) return CONSTRAINED
        enabled.length = 0
        for (const inst of instances) {
          const on = inst.def.guard === undefined || evaluate(`action ${inst.label}`, () => inst.def.guard!(state as never, inst.params))
          if (on) enabled.push(inst.id)
        }
        if (enabled.length === 0) {
          if (c.spec.checkDeadlock) throw new Found('Deadlock', 'deadlock')
          return TERMINAL
        }
        const inst = instances[enabled[Math.floor(random() * enabled.length)]!]!
        this.path[this.pathLength++] = inst.id
        const next = evaluate(`action ${inst.label}`, () => strictStep(state, inst, c.canonical))
        this.trace.push({ action: { name: inst.name, params: inst.params, label: inst.label }, state: next })
        this.steps++
        this.visit(next)
        for (const [name, prop] of actionProperties) {
          if (!evaluate(`property ${name}`, () => prop(state, next, stepObjects[inst.id]))) throw new Found(name, 'action')
        }
        this.state = next
        if (k % CLOCK_STEPS === CLOCK_STEPS - 1 && k + 1 < maxSteps && Date.now() >= until) {
          this.k = k + 1
          return PAUSED
        }
      }
    } catch (e) {
      if (!(e instanceof Found) && !(e instanceof Threw)) throw e
      this.finding = e
      return FOUND
    }
    return WALKED
  }

  /** Checks one state: its type (and counts it), then the invariants, then the goals. */
  private visit(s: unknown): void {
    const { scratch, fp, c } = this
    try {
      c.codec.encode(s, scratch, 0)
    } catch (e) {
      throw new Threw('the type check', e)
    }
    fingerprint(scratch, 0, scratch.length, fp)
    if (this.met.add(fp[0]!, fp[1]!) && this.fresh.keep) this.fresh.push(fp[0]!, fp[1]!)
    for (const [name, inv] of c.invariants) {
      if (!evaluate(`property ${name}`, () => inv(s))) throw new Found(name, 'invariant')
    }
    for (const [name, goal] of c.reachable) {
      if (!this.reached.has(name) && evaluate(`property ${name}`, () => goal(s))) this.reached.add(name)
    }
  }
}

function evaluate<T>(where: string, f: () => T): T {
  try {
    return f()
  } catch (e) {
    throw new Threw(where, e)
  }
}
