/**
 * Breadth-first search on several worker threads, level by level, sharing one visited set.
 *
 * The coordinator (this thread) holds the frontier as chunks of packed states in shared memory and
 * gives every worker the level's chunks. Worker 0 runs in this thread, between the coordinator's
 * turns; the others start threads of their own, and each joins the search once it has built the
 * spec (WorkerPool.ts), in the middle of a level if need be. The workers take blocks of the
 * level's states from a shared counter (CONTROL_NEXT_STATE), so that they share the work by how
 * fast each goes and end the level together; a worker expands its states with the same routine as
 * the one-worker search (expand.ts), inserts every successor into the shared visited set
 * (SharedStateSet.ts, lock-free, by compare-and-swap) and sends its new states back in chunks,
 * with their trace records (parent id, action instance). When a level is done, the coordinator
 * numbers the new states in the order their chunks arrived, appends their trace records in that
 * order, and the chunks become the next level.
 *
 * Why level-synchronous: while level d is expanded, only states of depth d + 1 are found, and
 * level d + 1 starts only after level d ends. So every state is recorded with a shortest path,
 * every counterexample is a shortest one (Violation.shortest), and `depth` is exact. The counts
 * match one worker: each reachable state is inserted once (the set decides) and expanded once, so
 * `distinct` and `generated` do not depend on the number of workers. What may differ between
 * runs is which of several shortest counterexamples is reported, and, in the coverage, which
 * action is credited with a state that two actions reach in the same level.
 *
 * The shared set never grows while workers run: a worker takes no more blocks once the published
 * counts pass the pause mark, and when every worker has stopped the coordinator has them grow
 * the set (SharedStateSet.ts), or, with `store: 'auto'`, turns it into a fingerprint set; then
 * they go on with the level where the counter stands.
 *
 * With temporal properties to check (`recordGraph`) and exact states, the search records the
 * behaviour graph as the one-worker search does: the workers log their edges and the coordinator
 * puts the graph together at the end (ParallelGraph.ts), once the workers and the shared set are
 * gone.
 *
 * By file: the options are parallelOptions.ts; the coordinator's level loop Coordinator.ts, over
 * the search's state and its start in ParallelSearchState.ts; growing the shared set
 * growSharedSet.ts; the result parallelResult.ts.
 */
import { CheckerError } from '../result/errors.js'
import type { CheckResult } from '../result/result.js'
import type { RecordGraph } from './bfs.js'
import { memoryBudget } from '../store/memory.js'
import type { ReducedSpec } from '../reduce/reduction.js'
import { Coordinator } from './Coordinator.js'
import type { ParallelSearchOptions } from './parallelOptions.js'
import type { LoggedGraph } from './parallelResult.js'

/** Runs the search on `options.workers` worker threads; `recordGraph` as for bfs (bfs.ts). */
export async function parallelSearch(c: ReducedSpec, options: ParallelSearchOptions, recordGraph?: RecordGraph): Promise<CheckResult> {
  const { result, logged } = await searchOnWorkers(c, options, recordGraph !== undefined)
  // The graph is put together after the search, its time not counted in it, and once the
  // workers, the shared set and the trace records are gone: the budget holds the graph alone.
  if (logged !== undefined && recordGraph !== undefined) {
    const { graph, states, transitions } = logged
    const budget = memoryBudget(options.memoryMiB)
    const recording = recordGraph((extra) => graph.bytes + recording.bytes + extra <= budget, { states, transitions })
    graph.finish(recording, states, logged.initOf, logged.guardHolds)
  }
  return result
}

/** The search itself; `record`: whether to log the behaviour graph (exact states only). */
async function searchOnWorkers(c: ReducedSpec, options: ParallelSearchOptions, record: boolean): Promise<{ result: CheckResult; logged?: LoggedGraph }> {
  const started = Date.now()
  const nWorkers = options.workers ?? 2
  const source = options.source
  if (source === undefined) {
    throw new CheckerError(
      'MODEL_LOAD',
      `A search on ${nWorkers} workers needs to know where the spec comes from, to build it again in each ` +
        'worker thread: pass options.source = { module: <file URL>, export?, params } (checkModel fills in the ' +
        'parameters), or search with one worker.',
    )
  }
  const search = new Coordinator(c, options, source, nWorkers, started, record)
  try {
    return await search.run()
  } finally {
    await search.pool.shutDown()
    search.records.close()
  }
}
