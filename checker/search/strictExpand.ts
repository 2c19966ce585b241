/**
 * The search's debug mode (`check(spec, props, { strict: true })`, `mrcheck check --strict`):
 * the expansion of expand.ts, plus checks that the model's code keeps the rules the fast path
 * relies on. Without them a breach shows only when a counterexample is re-run, or never.
 * - A guard gives the fast path's answer again, twice, on a deeply frozen copy of the state, and
 *   does not write to it (writing to the frozen copy throws).
 * - An effect, run twice more the way replay runs it (an immer draft of the frozen state, frozen
 *   parameters), gives the fast path's packed successor, compared before symmetry or a view
 *   canonicalizes it. It writes only to its draft: a draft kept from an earlier run and written
 *   later throws, because immer revokes a draft when its run ends.
 * - Invariants, reachability goals, the state constraint and action properties see frozen
 *   states, and are evaluated twice and must answer the same.
 * A breach throws a StrictFailure, which the search reports as an evaluation error with the trace
 * to the state the action ran on. On a sound model the counts and verdicts are those of the fast
 * search (a test compares them on every built-in model); only the time differs.
 *
 * The loop repeats Expander.expand's order of checks; the fast loop stays free of tests for this
 * mode.
 */
import { freeze, produce } from 'immer'
import { show } from '../encode/TypeViolation.js'
import { fingerprint } from '../encode/fingerprint.js'
import { diffStates } from '../result/diff.js'
import type { ReducedSpec } from '../reduce/reduction.js'
import { PropertyThrew, StrictFailure, describeThrow } from '../compile/evaluation.js'
import { EXPANDED, Expander, NO_ROOM, STOP, type Sink } from './expand.js'
import { FULL } from '../store/StateTable.js'
import { EffectReturned, frozen } from '../compile/strictStep.js'

/** The expander of a search: the strict one in debug mode. */
export const expanderFor = (c: ReducedSpec, keepGoing: boolean, strict: boolean): Expander =>
  strict ? new StrictExpander(c, keepGoing) : new Expander(c, keepGoing)

/** A draft kept past the end of its run, then used: immer revoked it. */
const revoked = (e: unknown) => e instanceof TypeError && /revoked/.test(e.message)
const outsideDraft = (e: unknown) => new StrictFailure('effect', '', `wrote outside its draft: ${describeThrow(e)}`)

export class StrictExpander extends Expander {
  private readonly frozenParams: readonly unknown[]
  private readonly first: Uint32Array
  private readonly second: Uint32Array

  constructor(c: ReducedSpec, keepGoing: boolean) {
    super(c, keepGoing)
    this.frozenParams = c.instances.map((i) => {
      try {
        return frozen(i.params)
      } catch {
        return i.params
      }
    })
    this.first = new Uint32Array(this.W)
    this.second = new Uint32Array(this.W)
  }

  override initial(i: number, sink: Sink): number {
    const { c, scratch, fp, W } = this
    const s = frozen(c.init[i])
    this.generated++
    c.codec.encode(s, scratch, 0)
    c.reduction?.canonicalize(scratch, 0)
    const inModel = this.inModel(s)
    let id = -1
    if (inModel) {
      fingerprint(scratch, 0, W, fp)
      id = sink.add(scratch, 0, fp[0]!, fp[1]!, -1 - i, -1)
      if (id === FULL) return NO_ROOM
    }
    if ((!inModel || id >= 0) && this.checkFrozenState(s, -1, i)) return STOP
    return EXPANDED
  }

  override expand(id: number, words: Uint32Array, at: number, sink: Sink): number {
    const { c, scratch, fp, W, guards, effects, params, actionOf, enabled, produced, parentState, nextState } = this
    const { codec } = c
    const canonicalize = c.reduction?.canonicalize
    const checkSteps = c.actionProperties.length > 0
    const n = nextState
    codec.decodeInto(parentState, words, at)
    const s = parentState.state
    const parent = freeze(codec.decode(words, at), true)
    let successors = 0
    for (let inst = 0; inst < guards.length; inst++) {
      this.instance = inst
      const guard = guards[inst]
      if (guard !== undefined) {
        const on = !!guard(s, params[inst])
        this.sameGuard(guard, parent, inst, on)
        if (!on) continue
      }
      const action = actionOf[inst]!
      enabled[action]!++
      successors++
      this.generated++
      codec.begin(n, words, at)
      let returned: unknown
      try {
        returned = effects[inst]!(n, params[inst])
      } catch (e) {
        throw revoked(e) ? outsideDraft(e) : e
      }
      if (returned !== undefined) throw new EffectReturned(returned)
      codec.pack(n, scratch, 0)
      const next = this.sameEffect(parent, inst, scratch)
      if (canonicalize !== undefined) canonicalize(scratch, 0)
      const inModel = this.inModel(next)
      let added = -1
      if (inModel) {
        fingerprint(scratch, 0, W, fp)
        added = sink.add(scratch, 0, fp[0]!, fp[1]!, id, inst)
        if (added === FULL) return this.unexpanded(s, inst)
        if (added >= 0) produced[action]!++
      }
      if ((!inModel || added >= 0) && this.checkFrozenState(next, id, inst)) return STOP
      if (checkSteps && this.checkFrozenStep(parent, next, id, inst)) return STOP
    }
    this.instance = -1
    if (successors === 0 && c.spec.checkDeadlock && this.report('Deadlock', 'deadlock', id, -1)) return STOP
    return EXPANDED
  }

  /** The guard must answer `on` (the fast path's answer) twice more on the frozen state. */
  private sameGuard(guard: (s: any, p: any) => boolean, parent: unknown, inst: number, on: boolean): void {
    for (let k = 0; k < 2; k++) {
      let again: boolean
      try {
        again = !!guard(parent, this.frozenParams[inst])
      } catch (e) {
        // It has just answered on a mutable copy of this state without throwing.
        if (e instanceof TypeError) throw new StrictFailure('guard', '', `changed the state it was given: ${describeThrow(e)}`)
        throw e
      }
      if (again !== on) {
        throw new StrictFailure('guard', '', `is not deterministic: evaluated again on the same state it gave ${on}, then ${again}`)
      }
    }
  }

  /**
   * Runs the effect twice more the strict way; both runs must give `fast`, the fast path's
   * packed successor. Returns the first run's (frozen) successor.
   */
  private sameEffect(parent: unknown, inst: number, fast: Uint32Array): unknown {
    const { codec } = this.c
    const next = this.strictEffect(parent, inst)
    codec.encode(next, this.first, 0)
    this.same(fast, this.first)
    codec.encode(this.strictEffect(parent, inst), this.second, 0)
    this.same(this.first, this.second)
    return this.c.canonical(next)
  }

  private strictEffect(parent: unknown, inst: number): unknown {
    const effect = this.effects[inst]!
    const p = this.frozenParams[inst]
    let returned: unknown
    let next: unknown
    try {
      next = produce(parent, (draft: any) => {
        returned = effect(draft, p)
      })
    } catch (e) {
      // The fast path has just run it without throwing.
      if (e instanceof TypeError) throw outsideDraft(e)
      throw e
    }
    // As in replay (strictStep.ts): under immer, a returned value would replace the draft.
    if (returned !== undefined) throw new EffectReturned(returned)
    return next
  }

  /** Two packed successors of one step must be equal; else the first path where they differ. */
  private same(a: Uint32Array, b: Uint32Array): void {
    for (let i = 0; i < this.W; i++) {
      if (a[i] === b[i]) continue
      const { codec } = this.c
      const change = diffStates(codec.decode(a, 0), codec.decode(b, 0))[0]
      const gave =
        change === undefined ? 'two different states' : `${change.path} = ${show(change.from)}, then ${change.path} = ${show(change.to)}`
      throw new StrictFailure('effect', '', `is not deterministic: run again on the same state it gave ${gave}`)
    }
  }

  private inModel(s: unknown): boolean {
    const constraint = this.c.spec.constraint
    return constraint === undefined || this.judge('constraint', '', 'state', (copy) => constraint(copy(s) as never))
  }

  private checkFrozenState(s: unknown, state: number, instance: number): boolean {
    const { invariants, reachable } = this.c
    for (const [name, holds] of invariants) {
      if (!this.judge('property', name, 'state', (copy) => holds(copy(s))) && this.report(name, 'invariant', state, instance)) return true
    }
    for (const [name, goal] of reachable) {
      if (!this.reached.has(name) && this.judge('property', name, 'state', (copy) => goal(copy(s)))) this.reached.add(name)
    }
    return false
  }

  private checkFrozenStep(s: unknown, n: unknown, from: number, inst: number): boolean {
    const step = this.c.steps[inst]
    for (const [name, holds] of this.c.actionProperties) {
      if (!this.judge('property', name, 'step', (copy) => holds(copy(s), copy(n), step)) && this.report(name, 'action', from, inst)) {
        return true
      }
    }
    return false
  }

  /**
   * Evaluates a property or the constraint twice on frozen input (`copy` = identity); both
   * answers must agree. A TypeError there that a mutable copy of the input (`copy` =
   * structuredClone) does not cause means that it wrote to its input.
   */
  private judge(part: 'property' | 'constraint', name: string, on: 'state' | 'step', evaluate: (copy: <T>(x: T) => T) => unknown): boolean {
    let first: boolean
    let second: boolean
    try {
      first = !!evaluate((x) => x)
      second = !!evaluate((x) => x)
    } catch (e) {
      if (e instanceof TypeError) {
        let thawed = true
        try {
          evaluate(structuredClone)
        } catch {
          thawed = false
        }
        if (thawed) throw new StrictFailure(part, name, `changed ${on === 'state' ? 'the' : 'a'} state it was given: ${describeThrow(e)}`)
      }
      throw part === 'property' ? new PropertyThrew(name, e) : e
    }
    if (first !== second) {
      throw new StrictFailure(part, name, `is not deterministic: evaluated again on the same ${on} it gave ${first}, then ${second}`)
    }
    return first
  }
}
