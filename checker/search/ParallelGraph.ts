/**
 * The behaviour graph of a parallel search (parallel.ts), put together by the coordinator from
 * what the workers logged (EdgeLog.ts), so that the liveness phase need not explore the states
 * again after a search on several workers, as it need not after one (search/bfs.ts).
 *
 * A worker names the state a step reaches by its ref (EdgeLog.ts: who inserted it, and its number
 * among that one's insertions). The coordinator numbers new states as their chunks arrive, so it
 * learns each worker's refs in order (`chunk`), and keeps the states by id (StatesById.ts) for the
 * liveness phase. Once the search is complete, `finish` hands the edges to the graph recording
 * (numbered again: see there). It gives up (`abandon`) when the budget wants the memory for the
 * states.
 */
import type { GraphRecording } from './bfs.js'
import { whoBits } from './EdgeLog.js'
import { OUTSIDE } from './expand.js'
import { StatesById, type PackedStates } from '../store/StatesById.js'

export class ParallelGraph {
  abandoned = false
  states: StatesById
  /** Per worker: the id of each state it inserted, by its number among them. */
  private idOf: Int32Array[]
  private inserted: number[]
  /** Per worker: its logs, in the order they came. */
  private logs: Int32Array[][]
  private logBytes = 0
  /** Bytes of the working arrays of `finish`. */
  private scratchBytes = 0

  constructor(
    private readonly workers: number,
    private readonly width: number,
  ) {
    this.states = new StatesById(width)
    this.idOf = Array.from({ length: workers }, () => new Int32Array(1024))
    this.inserted = new Array<number>(workers).fill(0)
    this.logs = Array.from({ length: workers }, () => [])
  }

  /** Bytes held: the states, the ids of the refs and the logs. */
  get bytes(): number {
    return this.states.bytes + this.idOf.reduce((n, a) => n + a.byteLength, 0) + this.logBytes + this.scratchBytes
  }

  /** A chunk of `count` new states (packed in `words`) inserted by worker `w`, numbered from `firstId` on. */
  chunk(w: number, words: Uint32Array, count: number, firstId: number): void {
    if (this.abandoned) return
    let ids = this.idOf[w]!
    const from = this.inserted[w]!
    if (from + count > ids.length) {
      const next = new Int32Array(Math.max(2 * ids.length, from + count))
      next.set(ids)
      this.idOf[w] = ids = next
    }
    for (let i = 0; i < count; i++) ids[from + i] = firstId + i
    this.inserted[w] = from + count
    this.states.append(words, count)
  }

  /** What worker `w` logged since its last log. */
  edges(w: number, log: Int32Array): void {
    if (this.abandoned) return
    this.logs[w]!.push(log)
    this.logBytes += log.byteLength
  }

  /** The initial states (the first ids), which the coordinator inserted itself. */
  initial(words: Uint32Array, count: number): void {
    this.states.append(words, count)
  }

  /** Gives up, and frees what it held; returns whether it was recording until now. */
  abandon(): boolean {
    if (this.abandoned) return false
    this.abandoned = true
    this.states = new StatesById(this.width)
    this.free()
    return true
  }

  private free(): void {
    this.idOf = []
    this.logs = []
    this.logBytes = this.scratchBytes = 0
  }

  /**
   * Hands the `count` states' edges to `recording`, then finishes it with the states: `initOf`
   * and `guardHolds` as GraphRecording.finish takes them. The recording may give up on the way
   * (for want of memory).
   *
   * The graph's states are numbered again, breadth first from the initial states, each new state
   * as the edges reach it: the order the one-worker search numbers them in, so that the graph is
   * the one it records, array for array. The search's own ids follow the order in which the
   * workers' chunks arrived, which scatters the states a lasso search visits one after another:
   * on page-migration 4p/6f/3m/3w the lasso searches took 4.0-4.4 s in that order, 2.2-2.5 s in
   * this one.
   */
  finish(recording: GraphRecording, count: number, initOf: Int32Array, guardHolds: Uint8Array): void {
    const workers = this.workers
    const bits = whoBits(workers)
    const mask = 2 ** bits - 1
    const resolve = (ref: number): number => {
      const who = ref & mask
      return who === workers ? ref >>> bits : this.idOf[who]![ref >>> bits]!
    }
    // Where each state's entry is: which log, and where in it.
    const logs = this.logs.flat()
    const logOf = new Int32Array(count).fill(-1)
    const at = new Int32Array(count)
    logs.forEach((log, k) => {
      for (let p = 0; p < log.length; p += 2 + 2 * log[p + 1]!) {
        logOf[log[p]!] = k
        at[log[p]!] = p
      }
    })
    // Per search id, the graph's id (-1 until an edge reaches it); per graph id, the search's.
    const renumbered = new Int32Array(count).fill(-1)
    const order = new Int32Array(count)
    this.scratchBytes = logOf.byteLength + at.byteLength + renumbered.byteLength + order.byteLength
    let numbered = 0
    for (; numbered < initOf.length; numbered++) renumbered[numbered] = order[numbered] = numbered
    for (let id = 0; id < count && !recording.abandoned; id++) {
      const u = order[id]!
      if (id >= numbered || logOf[u]! < 0) throw new Error(`internal: state ${id} of the behaviour graph is unreached or was never expanded`)
      const log = logs[logOf[u]!]!
      let p = at[u]! + 1
      const n = log[p++]!
      recording.expanding(id)
      for (let k = 0; k < n; k++, p += 2) {
        const ref = log[p + 1]!
        if (ref === OUTSIDE) {
          recording.successor(log[p]!, OUTSIDE)
          continue
        }
        const v = resolve(ref)
        if (renumbered[v]! < 0) {
          renumbered[v] = numbered
          order[numbered++] = v
        }
        recording.successor(log[p]!, renumbered[v]!)
      }
    }
    this.free()
    if (!recording.abandoned) recording.finish(new Reordered(this.states, order), count, initOf, guardHolds)
  }
}

/** The states of `base` in another order: state `id` here is state `order[id]` there. */
class Reordered implements PackedStates {
  constructor(
    private readonly base: PackedStates,
    private readonly order: Int32Array,
  ) {}

  chunkOf(id: number): Uint32Array {
    return this.base.chunkOf(this.order[id]!)
  }

  wordsAt(id: number): number {
    return this.base.wordsAt(this.order[id]!)
  }

  get bytes(): number {
    return this.base.bytes + this.order.byteLength
  }
}
