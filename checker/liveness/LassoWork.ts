/**
 * The working arrays of the lasso searches (findLasso.ts, fairComponents.ts), allocated once for
 * every part of every temporal property. A part's search needs 59 bytes a state; arrays
 * that large allocated afresh for each part cost more in first-written pages than the search
 * itself (about 3 ms a MiB on the machine of bench/README.md, and page-migration with 4 pages has
 * 9 parts).
 */
import type { BehaviourGraph } from './BehaviourGraph.js'
import { SccFinder } from './SccFinder.js'

export class LassoWork {
  /** Product search over node x = 2 * state + phase: the node it was reached from (-2: not reached), the edge taken, the queue. */
  readonly parent: Int32Array
  readonly parentEdge: Int32Array
  readonly queue: Int32Array
  /** Per state: reached in the watched phase. */
  readonly watched: Uint8Array
  /** Per state: its region label in the SCC searches, and its fair component (or -1). */
  readonly region: Int32Array
  readonly componentOf: Int32Array
  /** The states of the region, in state order. */
  readonly roots: Int32Array
  readonly finder: SccFinder
  /** Per state: whether it lies on a cycle of the graph (fairComponents.ts, `markCyclic`), once marked. */
  readonly cyclic: Uint8Array
  cyclicMarked = false

  constructor(g: BehaviourGraph) {
    const n = g.states
    this.parent = new Int32Array(2 * n)
    this.parentEdge = new Int32Array(2 * n)
    this.queue = new Int32Array(2 * n)
    this.watched = new Uint8Array(n)
    this.region = new Int32Array(n)
    this.componentOf = new Int32Array(n)
    this.roots = new Int32Array(n)
    this.finder = new SccFinder(g, n)
    this.cyclic = new Uint8Array(n)
  }

  /**
   * Bytes the arrays take for a graph of `states` states, 59 a state: the product search's three
   * arrays over two phases, `watched`, the three per-state arrays, the SCC search's (21) and
   * `cyclic`.
   */
  static bytes(states: number): number {
    return states * (3 * 2 * 4 + 1 + 3 * 4 + SccFinder.bytesPerNode + 1)
  }
}
