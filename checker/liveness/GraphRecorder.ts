/**
 * Records the edges of the behaviour graph (buildGraph.ts) as a search expands its states in id
 * order: per state, its successors in instance order, each given as the id of the stored state
 * it reached, or OUTSIDE when the state constraint left it out.
 *
 * Three searches use it: buildGraph's own exploration, and the safety search itself when the run
 * checks temporal properties, which spares the liveness phase a second exploration of the state
 * space, as TLC records its behaviour graph during its search: the one-worker search as it goes
 * (search/bfs.ts), a parallel search at its end, from its workers' logs (search/ParallelGraph.ts). The
 * arrays double, in place, as long as `maySpend` allows; when it refuses, the recorder gives up
 * (`abandoned`), frees what it held and ignores the rest of the search.
 */
import type { GraphRecording } from '../search/bfs.js'
import { OUTSIDE } from '../search/expand.js'
import { growableBuffer, lengthened } from '../store/growable.js'
import { isOutOfMemory } from '../store/memory.js'
import type { PackedStates } from '../store/StatesById.js'
import type { BehaviourGraph, GraphSize } from './BehaviourGraph.js'
import type { FairInstances } from './resolveFairness.js'

/** The arrays grow in place (store/growable.ts) up to this many times their first size before they move. */
const RESERVE = 64

export class GraphRecorder implements GraphRecording {
  /** Whether the recorder gave up for want of memory. */
  abandoned = false
  /** The graph, once `finish` was called. */
  recorded: BehaviourGraph | undefined
  private edges = 0
  /** The state being expanded. */
  private current = -1
  private offsets: Int32Array
  private enabled: Uint32Array
  private targets: Int32Array
  private labels: Int32Array
  /** Words of enabled bits per state (one bit per fairness condition). */
  private readonly EW: number

  constructor(
    private readonly fair: FairInstances,
    private maySpend: (extraBytes: number) => boolean,
    expected: GraphSize = { states: 1024, transitions: 4096 },
  ) {
    this.EW = (fair.count + 31) >>> 5
    const states = expected.states + 1
    const edges = Math.max(1, expected.transitions)
    this.offsets = new Int32Array(growableBuffer(4 * states, RESERVE), 0, states)
    this.enabled = new Uint32Array(growableBuffer(4 * states * this.EW, RESERVE), 0, states * this.EW)
    this.targets = new Int32Array(growableBuffer(4 * edges, RESERVE), 0, edges)
    this.labels = new Int32Array(growableBuffer(4 * edges, RESERVE), 0, edges)
  }

  /** Bytes held by the arrays. */
  get bytes(): number {
    return this.offsets.byteLength + this.enabled.byteLength + this.targets.byteLength + this.labels.byteLength
  }

  /** State `id` is expanded next: its successors follow. Ids come in order, each once. */
  expanding(id: number): void {
    if (this.abandoned) return
    if (id + 1 >= this.offsets.length && !this.growStates()) return
    this.offsets[id] = this.edges
    this.current = id
  }

  /**
   * The successor of the state being expanded by instance `inst` is stored state `to`, or OUTSIDE
   * (not stored, but its instance was enabled).
   */
  successor(inst: number, to: number): void {
    const from = this.current
    if (to === from || this.abandoned) return // a stuttering step: not an edge, not enabled
    const { first, conditions } = this.fair
    for (let j = first[inst]!; j < first[inst + 1]!; j++) {
      const k = conditions[j]!
      this.enabled[from * this.EW + (k >>> 5)]! |= 1 << (k & 31)
    }
    if (to === OUTSIDE) return
    if (this.edges === this.targets.length && !this.growEdges()) return
    this.targets[this.edges] = to
    this.labels[this.edges] = inst
    this.edges++
  }

  /** Gives up: the graph will not be complete. */
  abandon(): void {
    this.abandoned = true
    this.offsets = this.targets = this.labels = new Int32Array(0)
    this.enabled = new Uint32Array(0)
  }

  /**
   * The graph of the `count` states expanded, held in `store`; `initOf[v]` is the index in
   * `spec.init` of initial state v; `guardHolds[a]` whether an instance of action a was enabled.
   */
  graph(store: PackedStates, count: number, initOf: Int32Array, guardHolds: Uint8Array): BehaviourGraph {
    if (this.abandoned) throw new Error('internal: the behaviour graph was abandoned')
    this.offsets[count] = this.edges // room for it: `expanding` kept one slot past the last state
    return {
      states: count,
      edges: this.edges,
      store,
      offsets: this.offsets,
      targets: this.targets,
      labels: this.labels,
      initOf,
      fair: this.fair,
      enabledWidth: this.EW,
      enabled: this.enabled,
      guardHolds,
      bytes: store.bytes + this.bytes + guardHolds.byteLength,
    }
  }

  finish(store: PackedStates, count: number, initOf: Int32Array, guardHolds: Uint8Array): void {
    this.recorded = this.graph(store, count, initOf, guardHolds)
    // The graph grows no more. The search's store, which `maySpend` asks about, can go.
    this.maySpend = () => false
  }

  private growStates(): boolean {
    if (!this.maySpend(this.offsets.byteLength + this.enabled.byteLength)) return this.refused()
    return this.tryGrowing(() => {
      this.offsets = lengthened(this.offsets, 2 * this.offsets.length, RESERVE)
      this.enabled = lengthened(this.enabled, 2 * this.enabled.length, RESERVE)
    })
  }

  private growEdges(): boolean {
    if (!this.maySpend(this.targets.byteLength + this.labels.byteLength)) return this.refused()
    return this.tryGrowing(() => {
      this.targets = lengthened(this.targets, 2 * this.targets.length, RESERVE)
      this.labels = lengthened(this.labels, 2 * this.labels.length, RESERVE)
    })
  }

  /** Grows; memory the system will not give is a refusal too: the search goes on without the graph. */
  private tryGrowing(grow: () => void): boolean {
    try {
      grow()
      return true
    } catch (e) {
      if (!isOutOfMemory(e)) throw e
      return this.refused()
    }
  }

  private refused(): false {
    this.abandon()
    return false
  }
}
