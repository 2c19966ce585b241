/**
 * What a parallel search worker records of the behaviour graph (worker.ts), for the coordinator
 * to put together once the search is complete (ParallelGraph.ts). Ids of new states are given by
 * the coordinator only when their chunk reaches it, so a worker names the state a step reaches by
 * its ref: the number the worker that inserted it gave it (`refOf`), kept beside the key in the
 * shared set (SharedStateSet.ts).
 *
 * The log holds, per state the worker expands, in the order it expands them: the state's id, the
 * number n of its successors, then n pairs (action instance, ref of the state reached, or
 * OUTSIDE: expand.ts).
 */
import type { EdgeRecorder } from './expand.js'

/** The largest ref a set keeps (an Int32 word, and OUTSIDE is negative). */
export const MAX_REF = 0x7fffffff

/** How many low bits of a ref say who inserted the state, among `workers` workers and the coordinator. */
export const whoBits = (workers: number): number => Math.ceil(Math.log2(workers + 1))

/**
 * The ref of the `seq`th state (from 0) inserted by `who`, among `workers` workers: `who` is the
 * worker's index, or `workers` for the coordinator, which inserts the initial states.
 */
export const refOf = (seq: number, who: number, workers: number): number => seq * 2 ** whoBits(workers) + who

export class EdgeLog implements EdgeRecorder {
  /** Whether the log gave up (a ref past MAX_REF): the graph cannot be put together. */
  lost = false
  private log = new Int32Array(1 << 12)
  private n = 0
  /** Where the count of the state being expanded is. */
  private head = -1

  expanding(id: number): void {
    if (this.lost) return
    if (this.n + 2 > this.log.length) this.grow()
    this.log[this.n++] = id
    this.head = this.n
    this.log[this.n++] = 0
  }

  successor(instance: number, to: number): void {
    if (this.lost) return
    if (this.n + 2 > this.log.length) this.grow()
    this.log[this.n++] = instance
    this.log[this.n++] = to
    this.log[this.head]!++
  }

  /** What was logged since the last `take`. */
  take(): Int32Array {
    const out = this.log.slice(0, this.n)
    this.n = 0
    return out
  }

  lose(): void {
    this.lost = true
    this.log = new Int32Array(0)
    this.n = 0
  }

  private grow(): void {
    const next = new Int32Array(2 * this.log.length)
    next.set(this.log)
    this.log = next
  }
}
