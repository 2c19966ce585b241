/**
 * The behaviour graph liveness is decided on (built by buildGraph.ts, or recorded by the safety
 * search through GraphRecorder.ts), and what is asked of it per state.
 */
import type { PackedStates } from '../store/StatesById.js'
import type { FairInstances } from './resolveFairness.js'

export interface BehaviourGraph {
  /** Number of states; ids are 0..states-1 in breadth-first order. */
  readonly states: number
  readonly edges: number
  /** Its packed states, in id order (the words alone: no lookup slots, parents or instances). */
  readonly store: PackedStates
  /** Edges of state v: `targets[offsets[v] .. offsets[v+1])`, with their instances in `labels`. */
  readonly offsets: Int32Array
  readonly targets: Int32Array
  readonly labels: Int32Array
  /** States 0..initStates-1 are the initial states; `initOf[v]` is v's index in `spec.init`. */
  readonly initOf: Int32Array
  readonly fair: FairInstances
  /** Words of enabled bits per state (one bit per fairness condition). */
  readonly enabledWidth: number
  /** Bit k of state v at `enabled[v * enabledWidth + (k >>> 5)]`: fairness condition k is enabled in v. */
  readonly enabled: Uint32Array
  /**
   * With conditions whose instance the state picks (`fair.chosen`), once chosenFairness.ts has
   * resolved them: bit j of edge e at `chosenTaken[e * chosenWidth + (j >>> 5)]` says that the
   * edge's step counts for `fair.chosen[j]`.
   */
  readonly chosenTaken?: Uint32Array
  readonly chosenWidth?: number
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

/**
 * The fairness conditions the step of edge e counts for, written to `out` (room for
 * `g.fair.count`); returns how many.
 */
export function conditionsOfEdge(g: BehaviourGraph, e: number, out: Int32Array): number {
  const { first, conditions, chosen } = g.fair
  const inst = g.labels[e]!
  let n = 0
  for (let j = first[inst]!; j < first[inst + 1]!; j++) out[n++] = conditions[j]!
  const taken = g.chosenTaken
  if (taken !== undefined) {
    const at = e * g.chosenWidth!
    for (let j = 0; j < chosen.length; j++) if ((taken[at + (j >>> 5)]! & (1 << (j & 31))) !== 0) out[n++] = chosen[j]!.condition
  }
  return n
}

/** Whether no fair instance is enabled in state v: the only states where a behaviour may stutter forever. */
export function mayStutter(g: BehaviourGraph, v: number): boolean {
  const EW = g.enabledWidth
  for (let i = v * EW; i < v * EW + EW; i++) if (g.enabled[i] !== 0) return false
  return true
}

/** Whether fairness condition k is enabled in state v. */
export const isEnabled = (g: BehaviourGraph, v: number, k: number): boolean =>
  (g.enabled[v * g.enabledWidth + (k >>> 5)]! & (1 << (k & 31))) !== 0
