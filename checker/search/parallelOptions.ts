/**
 * The options of a parallel search (search/parallel.ts): those of every search, and how the search
 * gets its worker threads.
 */
import type { ReductionOptions } from '../reduce/reduction.js'
import type { SearchOptions } from './bfs.js'
import type { ModelSource } from './workerProtocol.js'

export interface ParallelOptions {
  /** Worker threads for the search (default 1: the search runs in this thread). */
  readonly workers?: number
  /** Where the spec comes from; required with `workers` > 1. */
  readonly source?: ModelSource
  /**
   * Start only once every worker thread has built the spec (default: at once, on the worker in
   * this thread, the others joining as they are ready). Every worker then searches from the first
   * level on, even on a small model, which is what tests of the parallel search want.
   */
  readonly waitForWorkers?: boolean
}

/** The options of a parallel search. */
export type ParallelSearchOptions = SearchOptions & ParallelOptions & ReductionOptions & { readonly only?: readonly string[] }
