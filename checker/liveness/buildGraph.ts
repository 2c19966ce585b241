/**
 * The behaviour graph: every reachable state (inside the state constraint), every transition
 * between them labelled with its action instance, and per state which fair instances are enabled.
 * Liveness is decided on this graph alone; the search that builds it is breadth first from the
 * initial states, like engine/bfs.ts, but keeps edges instead of checking invariants.
 *
 * TLA+ semantics kept here:
 * - A step that does not change the state is a stuttering step. It is not an edge (a behaviour
 *   may stutter anywhere; see fairComponents.ts for when it may stutter forever), and an instance
 *   whose only step from a state is such a step is not enabled there: fairness is about
 *   `ENABLED <<A>>_vars`, the steps of A that change `vars`.
 * - A successor outside the constraint is not stored and gives no edge, but its instance still
 *   counts as enabled (TLC evaluates ENABLED without the constraint). This is why liveness under a
 *   constraint can be unsound, and why checkTemporal warns.
 *
 * Memory: the edges are in CSR form, `offsets` (Int32, one per state, plus one) indexing
 * `targets` and `labels` (Int32 each), so an edge costs 8 bytes (up to 16 while the arrays grow
 * by doubling). A state costs its packed words (4 bytes each), 16 bytes of lookup slots, 4 bytes
 * of offset and 4 bytes per 32 fair instances of enabled bits. Past the memory budget
 * (SearchOptions.memoryMiB) the graph is not built any further: MemoryExhausted.
 */
import type { CompiledSpec } from '../engine/compile.js'
import { EvaluationError, describeFailure } from '../engine/evaluation.js'
import { Batch, compileFirstPass } from '../engine/firstPass.js'
import { MemoryExhausted } from '../engine/memory.js'
import { fingerprintLo } from '../encode/fingerprint.js'
import { CheckerError } from '../report/errors.js'
import type { FairInstances } from './resolveFairness.js'
import { StateIndex } from './StateIndex.js'

export interface BehaviourGraph {
  /** Number of states; ids are 0..states-1 in breadth-first order. */
  readonly states: number
  readonly edges: number
  readonly store: StateIndex
  /** Edges of state v: `targets[offsets[v] .. offsets[v+1])`, with their instances in `labels`. */
  readonly offsets: Int32Array
  readonly targets: Int32Array
  readonly labels: Int32Array
  /** States 0..initStates-1 are the initial states; `initOf[v]` is v's index in `spec.init`. */
  readonly initOf: Int32Array
  readonly fair: FairInstances
  /** Words of enabled bits per state (one bit per fair index). */
  readonly enabledWidth: number
  /** Bit k of state v at `enabled[v * enabledWidth + (k >>> 5)]`: fair instance k is enabled in v. */
  readonly enabled: Uint32Array
  /** Per action: whether some instance's guard holds in some stored state. */
  readonly guardHolds: Uint8Array
  readonly bytes: number
}

/**
 * How large the graph will be, as the safety search counted it: `states` distinct states and at
 * most `transitions` edges (its generated successors). Arrays sized for it from the start are
 * never copied to grow, and a graph that cannot fit the budget is refused before it is built.
 */
export interface GraphSize {
  readonly states: number
  readonly transitions: number
}

/** Explores the (constrained) reachable states and records the behaviour graph, within `budget` bytes. */
export function buildGraph(
  c: CompiledSpec,
  fair: FairInstances,
  budget = Infinity,
  expected: GraphSize = { states: 1024, transitions: 4096 },
): BehaviourGraph {
  const { codec, instances } = c
  const W = codec.words
  const store = new StateIndex(W, expected.states)
  const scratch = new Uint32Array(W)
  // The successors come from the safety search's own compiled first pass, over one reused parent
  // object, so that the loop allocates nothing per state. No reduction: liveness is refused with
  // symmetry or a view (engine/reduction.ts), and the graph holds the model's own states.
  const firstPass = compileFirstPass({ ...c, reduction: undefined })
  const batch = new Batch(c, 1)
  const parent = codec.scratch()
  const actionOf = Int32Array.from(instances, (i) => i.action)
  const constraint = c.spec.constraint
  const F = fair.instance.length
  const EW = (F + 31) >>> 5
  const fairIndex = fair.index
  const guardHolds = new Uint8Array(c.actionNames.length)
  let offsets = new Int32Array(expected.states + 1)
  let enabled = new Uint32Array((expected.states + 1) * EW)
  let targets = new Int32Array(Math.max(1, expected.transitions))
  let labels = new Int32Array(Math.max(1, expected.transitions))
  let edges = 0
  const initOf: number[] = []
  const held = () => store.bytes + offsets.byteLength + enabled.byteLength + targets.byteLength + labels.byteLength
  /** Throws unless `more` bytes fit in the budget beside what the graph holds. */
  const mayGrow = (more: number) => {
    if (held() + more > budget) throw new MemoryExhausted('the behaviour graph for liveness')
  }
  mayGrow(0)

  c.init.forEach((s, i) => {
    try {
      codec.encode(s, scratch, 0)
      if (constraint !== undefined && !constraint(s as never)) return
    } catch (e) {
      throw evaluation(c, new EvaluationError(e, -1, -1))
    }
    const before = store.count
    if (store.intern(scratch, 0, fingerprintLo(scratch, 0, W)) === before) initOf.push(i)
  })

  for (let v = 0; v < store.count; v++) {
    if ((v & 1023) === 0) mayGrow(0)
    if (v + 1 >= offsets.length) {
      mayGrow(2 * (offsets.byteLength + enabled.byteLength))
      const grown = new Int32Array(offsets.length * 2)
      grown.set(offsets)
      offsets = grown
      const bits = new Uint32Array(offsets.length * EW)
      bits.set(enabled)
      enabled = bits
    }
    offsets[v] = edges
    let inst = -1
    try {
      codec.decodeInto(parent, store.words, v * W)
      batch.count = 0
      try {
        firstPass(batch, parent.state, store.words, v * W)
      } catch (e) {
        inst = batch.current
        throw e
      }
      const rows = batch.words
      for (let k = 0; k < batch.count; k++) {
        inst = batch.instances[k]!
        guardHolds[actionOf[inst]!] = 1
        if (store.equals(v, rows, k * W)) continue // a stuttering step
        const f = fairIndex[inst]!
        if (f >= 0) enabled[v * EW + (f >>> 5)]! |= 1 << (f & 31)
        if (constraint !== undefined && !constraint(batch.states[k]!.state)) continue
        const w = store.intern(rows, k * W, batch.fps[2 * k]!)
        if (edges === targets.length) {
          mayGrow(2 * (targets.byteLength + labels.byteLength))
          const t = new Int32Array(edges * 2)
          t.set(targets)
          targets = t
          const l = new Int32Array(edges * 2)
          l.set(labels)
          labels = l
        }
        targets[edges] = w
        labels[edges] = inst
        edges++
      }
    } catch (e) {
      if (e instanceof CheckerError || e instanceof MemoryExhausted) throw e
      throw evaluation(c, new EvaluationError(e, v, inst))
    }
  }
  offsets[store.count] = edges
  const bytes =
    store.bytes + offsets.byteLength + enabled.byteLength + targets.byteLength + labels.byteLength + guardHolds.byteLength
  return {
    states: store.count,
    edges,
    store,
    offsets,
    targets,
    labels,
    initOf: Int32Array.from(initOf),
    fair,
    enabledWidth: EW,
    enabled,
    guardHolds,
    bytes,
  }
}

function evaluation(c: CompiledSpec, f: EvaluationError): CheckerError {
  return new CheckerError('EVALUATION', `${describeFailure(c, f, [])} (while building the behaviour graph for liveness)`)
}

/** Whether no fair instance is enabled in state v: the only states where a behaviour may stutter forever. */
export function mayStutter(g: BehaviourGraph, v: number): boolean {
  const EW = g.enabledWidth
  for (let i = v * EW; i < v * EW + EW; i++) if (g.enabled[i] !== 0) return false
  return true
}

/** Whether fair instance k is enabled in state v. */
export const isEnabled = (g: BehaviourGraph, v: number, k: number): boolean =>
  (g.enabled[v * g.enabledWidth + (k >>> 5)]! & (1 << (k & 31))) !== 0
