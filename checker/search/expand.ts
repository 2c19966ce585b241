/**
 * Expanding one state: every enabled action instance, in instance order, with TLC's order of
 * checks per successor (Worker.addElement), so that `generated` and `distinct` match TLC: count it
 * as generated; check its type (encode); the state constraint; seen? (the sink stores it and its
 * trace record when new); invariants on every new or out-of-model state; action properties on
 * every edge. The sink enqueues new states. A state without any successor is a deadlock.
 *
 * One-worker search (bfs.ts) and parallel workers (worker.ts) share this code; they differ only in
 * the sink: a local store of visited states, or the shared visited set plus an output queue.
 *
 * The loop allocates only what the model's own code does: the parent is decoded once into a
 * reused object, and each successor is a reused object begun from the parent's words, which
 * decodes a state variable only when it is read and packs again only the variables the effect
 * touched (encode/successor.ts). Fingerprints are computed on the packed words into a reused
 * array. The instance table is read from flat arrays, so that loads stay monomorphic.
 *
 * A state is expanded in two passes. The first runs the guards and effects and packs every
 * successor, each into its own reused object and row of `batch`; the second counts and checks
 * the successors in instance order, exactly as one pass would. The first pass runs ahead on a
 * window of the next few states that the caller says are readable after this one (see WINDOW),
 * and then the sink touches the visited-set slots of all their successors at once
 * (`Sink.prefetch`), so that their cache misses overlap instead of coming one after another; each
 * later `expand` of a state in the window only runs its second pass. Guards and effects only read
 * the parent and write their own successor, so running them ahead changes nothing but the order
 * of their calls; one that throws is rethrown when the second pass of its state reaches it, after
 * the checks that came before it. Properties are called through search/dispatch.ts.
 *
 * The search's debug mode (`strict`) is a subclass with its own copy of this loop
 * (search/strictExpand.ts), so that this one carries no test for it: a change to the order of
 * checks here must be made there too.
 */
import type { TypeViolation } from '../encode/TypeViolation.js'
import { fingerprint } from '../encode/fingerprint.js'
import type { ScratchState } from '../encode/scratchState.js'
import type { ViolationKind } from '../result/result.js'
import type { Found } from '../trace/trace.js'
import type { ReducedSpec } from '../reduce/reduction.js'
import { compileDispatch, type Dispatch } from './dispatch.js'
import { PropertyThrew } from '../compile/evaluation.js'
import { Batch, compileFirstPass, type FirstPass } from './firstPass.js'
import { FULL } from '../store/StateTable.js'
import { AmpleSets } from '../reduce/ampleSets.js'
import { stutterStep } from '../reduce/independence.js'
import { StutterStep } from '../reduce/partialOrder.js'

/** Where successors go. */
export interface Sink {
  /**
   * Adds the successor packed at `buf[at..]` (fingerprint lanes lo, hi), reached from state
   * `parent` by instance `instance`, unless it was seen: returns >= 0 when new, -1 when seen, or
   * FULL when it is new and there is no room for it.
   */
  add(buf: Uint32Array, at: number, lo: number, hi: number, parent: number, instance: number): number
  /**
   * Reads, without changing anything, where the `count` fingerprints (lo, hi pairs in `fps`)
   * would be looked up, so that the `add`s that follow find those slots in the cache.
   */
  prefetch(fps: Uint32Array, count: number): void
  /**
   * The id of the stored state the last `add` found seen (a parallel worker's sink: its ref,
   * EdgeLog.ts), or -1 where the sink cannot tell (fingerprints).
   */
  readonly seen: number
}

/** A successor the state constraint left out (EdgeRecorder.successor). */
export const OUTSIDE = -1

/**
 * Where a search records the behaviour graph as it goes, for the liveness phase
 * (liveness/GraphRecorder.ts; a parallel worker's EdgeLog.ts): each state as it is expanded (in id
 * order with one worker), then each of its successors in instance order, as the id of the stored
 * state reached (a parallel worker's sink gives refs instead), or OUTSIDE.
 */
export interface EdgeRecorder {
  expanding(id: number): void
  successor(instance: number, to: number): void
}

/** What `expand` ran into. */
export const EXPANDED = 0
/** A property broke and the search should stop (not `continue`). */
export const STOP = 1
/** The sink had no room; the state is only partly expanded. */
export const NO_ROOM = 2

/**
 * A window holds at most WINDOW states, fewer when WINDOW_ROWS successor rows could not hold all
 * their instances, and it stops growing once it has ENOUGH_ROWS successors: enough cache misses
 * to overlap, and few enough successor objects to stay in the fastest caches.
 */
const WINDOW = 8
const WINDOW_ROWS = 4096
const ENOUGH_ROWS = 16

/** Which successors `visitRows` checks: all, or those in or out of the ample set. */
const ALL = 0
const AMPLE = 1
const REST = 2

export class Expander {
  generated = 0
  /** Per action: how often an instance of it was enabled, and how many new states it produced. */
  readonly enabled: Float64Array
  readonly produced: Float64Array
  readonly found: Found[] = []
  readonly broken = new Set<string>()
  readonly reached = new Set<string>()
  /** The instance being run when `expand` threw (-1: none). */
  instance = -1
  /** Set to record the behaviour graph (the sink must then tell `seen`). */
  graph: EdgeRecorder | undefined

  /** The properties by index (search/dispatch.ts), and which goals this expander has seen reached. */
  private readonly invariant: Dispatch
  private readonly actionProperty: Dispatch
  private readonly goal: Dispatch
  private readonly goalReached: Uint8Array

  protected readonly W: number
  protected readonly scratch: Uint32Array
  protected readonly fp = new Uint32Array(2)
  protected readonly parentState
  protected readonly nextState
  /** The successors of the states in the window (search/firstPass.ts). */
  private readonly batch: Batch
  private readonly firstPass: FirstPass
  /**
   * The window: its first state's id, its size and most size, and per state its parent object,
   * its first row in `batch` and what its first pass threw.
   */
  private windowFirst = -1
  private windowSize = 0
  private readonly window: number
  private readonly parents: ScratchState[]
  private readonly rowStart = new Int32Array(WINDOW + 1)
  private readonly thrown: ({ readonly error: unknown; readonly instance: number; readonly guardHeld: boolean } | undefined)[] = []
  protected readonly guards: readonly (((s: any, p: any) => boolean) | undefined)[]
  protected readonly effects: readonly ((d: any, p: any) => void)[]
  protected readonly params: readonly unknown[]
  protected readonly actionOf: Int32Array
  /** Under partial-order reduction: the ample sets, and whether the last `visitRows` stored a new state. */
  private readonly ample: AmpleSets | undefined
  private foundNew = false
  /** The step for trying action properties on a stutter, and whether the last try read it. */
  private readonly stutterProbe = stutterStep(() => (this.stepRead = true))
  private stepRead = false

  constructor(
    protected readonly c: ReducedSpec,
    private readonly keepGoing: boolean,
  ) {
    const { codec, instances } = c
    this.W = codec.words
    this.scratch = new Uint32Array(this.W)
    this.parentState = codec.scratch()
    this.nextState = codec.successor()
    this.window = Math.max(1, Math.min(WINDOW, Math.floor(WINDOW_ROWS / Math.max(1, instances.length))))
    this.batch = new Batch(c, this.window)
    this.parents = [this.parentState]
    this.firstPass = compileFirstPass(c)
    this.guards = instances.map((i) => i.def.guard)
    this.effects = instances.map((i) => i.def.effect)
    this.params = instances.map((i) => i.params)
    this.actionOf = Int32Array.from(instances, (i) => i.action)
    this.enabled = new Float64Array(c.actionNames.length)
    this.produced = new Float64Array(c.actionNames.length)
    this.invariant = compileDispatch(c.invariants.map((e) => e[1]))
    this.actionProperty = compileDispatch(c.actionProperties.map((e) => e[1]))
    this.goal = compileDispatch(c.reachable.map((e) => e[1]))
    this.goalReached = new Uint8Array(c.reachable.length)
    this.ample = c.independence === undefined ? undefined : new AmpleSets(c.independence)
  }

  /** A write outside an array that an effect left on one of this expander's successor objects (Codec.strayWrite). */
  strayWrite(): TypeViolation | undefined {
    const { codec } = this.c
    for (const x of [this.nextState, ...this.batch.states]) {
      const stray = codec.strayWrite(x)
      if (stray !== undefined) return stray
    }
    return undefined
  }

  /** Records a broken property; returns whether the search should stop (a broken mechanism never stops it). */
  report(property: string, kind: ViolationKind, state: number, instance: number): boolean {
    if (this.broken.has(property)) return false
    this.broken.add(property)
    this.found.push({ property, kind, state, instance })
    return !this.keepGoing && !this.c.mechanisms.has(property)
  }

  /**
   * Initial state `i`: generated, typed, constrained, stored, checked. Returns EXPANDED, STOP
   * or NO_ROOM.
   */
  initial(i: number, sink: Sink): number {
    const { c, scratch, fp, W } = this
    const s = c.init[i]
    this.generated++
    c.codec.encode(s, scratch, 0)
    c.reduction?.canonicalize(scratch, 0)
    const constraint = c.spec.constraint
    const inModel = constraint === undefined || constraint(s as never)
    let id = -1
    if (inModel) {
      fingerprint(scratch, 0, W, fp)
      id = sink.add(scratch, 0, fp[0]!, fp[1]!, -1 - i, -1)
      if (id === FULL) return NO_ROOM
    }
    if ((!inModel || id >= 0) && this.checkState(s, -1, i)) return STOP
    return EXPANDED
  }

  /**
   * Expands stored state `id`, packed at `words[at..]`; states `id + 1` to `id + ahead` are
   * packed after it (at `words[at + W..]`, in id order) and may be run ahead. Returns EXPANDED,
   * STOP or NO_ROOM. StrictExpander (strictExpand.ts) repeats this loop with its checks: change
   * both together.
   */
  expand(id: number, words: Uint32Array, at: number, sink: Sink, ahead = 0): number {
    let j = id - this.windowFirst
    if (this.windowFirst < 0 || j < 0 || j >= this.windowSize) {
      this.runAhead(id, words, at, Math.min(ahead + 1, this.window), sink)
      j = 0
    }
    const r = this.secondPass(id, j, sink)
    if (r !== EXPANDED) this.windowFirst = -1
    return r
  }

  /** The first pass of `size` states from `id` on, then one prefetch for all their successors. */
  private runAhead(id: number, words: Uint32Array, at: number, size: number, sink: Sink): void {
    const { batch, parents, rowStart, W } = this
    batch.count = 0
    let j = 0
    for (; j < size && batch.count < ENOUGH_ROWS; j++) {
      const parent = parents[j] ?? this.moreParents()
      const o = at + j * W
      this.c.codec.decodeInto(parent, words, o)
      rowStart[j] = batch.count
      this.thrown[j] = undefined
      try {
        this.firstPass(batch, parent.state, words, o)
      } catch (error) {
        this.thrown[j] = { error, instance: batch.current, guardHeld: batch.guardHeld }
      }
    }
    rowStart[j] = batch.count
    sink.prefetch(batch.fps, batch.count)
    this.windowFirst = id
    this.windowSize = j
  }

  private moreParents(): ScratchState {
    const parent = this.c.codec.scratch()
    this.parents.push(parent)
    return parent
  }

  /**
   * TLC's checks on the successors of state `id`, the `j`th of the window, in instance order.
   * Under partial-order reduction only those of an ample set (reduce/ampleSets.ts), unless none of
   * them is new: then the others too (the cycle proviso for breadth-first search).
   */
  private secondPass(id: number, j: number, sink: Sink): number {
    const first = this.rowStart[j]!
    const end = this.rowStart[j + 1]!
    const s = this.parents[j]!.state
    this.graph?.expanding(id)
    const ample = this.ample
    let r: number
    if (ample !== undefined) this.tryStutter(s)
    if (ample !== undefined && ample.choose(this.batch.instances, first, end)) {
      r = this.visitRows(id, s, first, end, sink, AMPLE)
      if (r === EXPANDED && !this.foundNew) r = this.visitRows(id, s, first, end, sink, REST)
    } else {
      r = this.visitRows(id, s, first, end, sink, ALL)
    }
    if (r !== EXPANDED) return r
    const thrown = this.thrown[j]
    if (thrown !== undefined) {
      // As if in one pass: an instance whose guard held was counted before its effect threw.
      this.windowFirst = -1
      this.instance = thrown.instance
      if (thrown.guardHeld) {
        this.enabled[this.actionOf[thrown.instance]!]!++
        this.generated++
      }
      throw thrown.error
    }
    this.instance = -1
    if (end === first && this.c.spec.checkDeadlock && this.report('Deadlock', 'deadlock', id, -1)) return STOP
    return EXPANDED
  }

  /**
   * Under partial-order reduction, each action property on the stutter (s, s): one that fails
   * without reading the step throws StutterStep (reduce/partialOrder.ts). The reduced graph reaches
   * a state with every valuation of the visible cells that the full one does, so a stutter-sensitive
   * property the sample missed is caught here, before the verdict.
   */
  private tryStutter(s: unknown): void {
    const { actionProperties } = this.c
    for (let i = 0; i < actionProperties.length; i++) {
      this.stepRead = false
      let holds = true
      try {
        holds = this.actionProperty(i, s, s, this.stutterProbe)
      } catch {
        // Left to the steps the search takes, which report it.
      }
      if (!holds && !this.stepRead) throw new StutterStep(actionProperties[i]![0])
    }
  }

  /**
   * The checks on successor rows `first..end` of state `id` (parent object `s`): all of them, or
   * only those in (AMPLE) or out of (REST) the ample set. Sets `foundNew`. Returns EXPANDED, STOP
   * or NO_ROOM.
   */
  private visitRows(id: number, s: unknown, first: number, end: number, sink: Sink, select: number): number {
    const { c, W, actionOf, enabled, produced, batch, ample } = this
    const { fps } = batch
    const constraint = c.spec.constraint
    const checkSteps = c.actionProperties.length > 0
    const graph = this.graph
    this.foundNew = false
    for (let k = first; k < end; k++) {
      const inst = batch.instances[k]!
      if (select !== ALL && ample!.has(inst) !== (select === AMPLE)) continue
      this.instance = inst
      const action = actionOf[inst]!
      enabled[action]!++
      this.generated++
      const n = batch.states[k]
      const inModel = constraint === undefined || constraint(n)
      let added = -1
      if (inModel) {
        added = sink.add(batch.words, k * W, fps[2 * k]!, fps[2 * k + 1]!, id, inst)
        if (added === FULL) return this.unexpanded(s, inst)
        if (added >= 0) {
          produced[action]!++
          this.foundNew = true
        }
      }
      graph?.successor(inst, !inModel ? OUTSIDE : added >= 0 ? added : sink.seen)
      // A new state, or one outside the constraint (which is not stored): invariants.
      if ((!inModel || added >= 0) && this.checkState(n, id, inst)) return STOP
      if (checkSteps && this.checkStep(s, n, id, inst)) return STOP
    }
    return EXPANDED
  }

  /**
   * A new state that arrived from another process of a cluster search (search/cluster/), stored
   * as `id` and packed at `words[at..]`: its invariants and goals, as for a new successor there.
   * A violation is located at the state itself (instance -1). Returns whether the search should stop.
   */
  arrived(id: number, words: Uint32Array, at: number): boolean {
    // A successor object begun from the words: the properties decode only the variables they read.
    const s = (this.arrivedState ??= this.c.codec.successor())
    this.c.codec.begin(s, words, at)
    return this.checkState(s, id, -1)
  }
  private arrivedState: unknown

  /**
   * Takes back what a partial expansion, cut short at instance `last` by a full store, counted
   * as enabled and generated, so that expanding the state again (after a resume) counts it once.
   * The successors it did store stay stored, and counted as produced: the second expansion will
   * find them seen. Returns NO_ROOM.
   */
  protected unexpanded(s: unknown, last: number): number {
    for (let inst = 0; inst <= last; inst++) {
      const guard = this.guards[inst]
      if (guard !== undefined && !guard(s, this.params[inst])) continue
      this.enabled[this.actionOf[inst]!]!--
      this.generated--
    }
    this.instance = -1
    return NO_ROOM
  }

  private checkState(s: unknown, state: number, instance: number): boolean {
    const { invariants, reachable } = this.c
    const { invariant, goal, goalReached } = this
    let i = 0
    try {
      for (; i < invariants.length; i++) {
        if (!invariant(i, s) && this.report(invariants[i]![0], 'invariant', state, instance)) return true
      }
      for (let g = 0; g < reachable.length; g++) {
        i = invariants.length + g
        if (goalReached[g] === 0 && goal(g, s)) {
          goalReached[g] = 1
          this.reached.add(reachable[g]![0])
        }
      }
    } catch (e) {
      const name = i < invariants.length ? invariants[i]![0] : reachable[i - invariants.length]![0]
      throw new PropertyThrew(name, e)
    }
    return false
  }

  private checkStep(s: unknown, n: unknown, from: number, inst: number): boolean {
    const { actionProperties, steps } = this.c
    let i = 0
    const step = steps[inst]
    try {
      for (; i < actionProperties.length; i++) {
        if (!this.actionProperty(i, s, n, step) && this.report(actionProperties[i]![0], 'action', from, inst)) return true
      }
    } catch (e) {
      throw new PropertyThrew(actionProperties[i]![0], e)
    }
    return false
  }
}
