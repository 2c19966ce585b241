/**
 * The result of a parallel search (search/parallel.ts), from what its coordinator (search/Coordinator.ts)
 * kept: the counts summed over the workers, the paths to its violations from the trace records and
 * the shared set, and the behaviour graph the workers logged, when the search completed with it.
 */
import type { CheckResult, StopReason } from '../result/result.js'
import type { EvaluationError } from '../compile/evaluation.js'
import type { ReducedSpec } from '../reduce/reduction.js'
import type { SharedStateSet } from '../store/SharedStateSet.js'
import type { TraceRecords } from '../store/TraceRecords.js'
import type { Found, PathSource } from '../trace/trace.js'
import { namedStrayWrite, type SearchOptions } from './bfs.js'
import type { Expander } from './expand.js'
import { runInfo, searchResult } from './outcome.js'
import type { ParallelGraph } from './ParallelGraph.js'
import type { FromWorker } from './workerProtocol.js'

/** The edges the workers logged in a complete search, and what the graph needs beside them. */
export interface LoggedGraph {
  readonly graph: ParallelGraph
  readonly states: number
  readonly transitions: number
  readonly initOf: Int32Array
  readonly guardHolds: Uint8Array
}

/** What the coordinator hands over when its search ends. */
export interface FinishedSearch {
  readonly records: TraceRecords
  readonly expander: Expander
  readonly graph: ParallelGraph | undefined
  readonly exact: boolean
  readonly set: SharedStateSet
  readonly started: number
  readonly depth: number
  readonly nWorkers: number
  readonly warnings: string[]
  readonly found: Found[]
  readonly reached: ReadonlySet<string>
  readonly lastDone: readonly (FromWorker & { type: 'done' })[]
  readonly initCount: number
  readonly expanded: number
  readonly stopReason: StopReason | undefined
  readonly failure: EvaluationError | undefined
  /** Whether every reachable state was expanded. */
  readonly complete: boolean
  /** Successors generated, by every worker. */
  readonly generated: number
}

/** The result of search `s`, and the logged graph when the search completed with it. */
export async function parallelResult(
  c: ReducedSpec,
  options: SearchOptions,
  s: FinishedSearch,
): Promise<{ result: CheckResult; logged?: LoggedGraph }> {
  const { records, expander, graph, exact, set, complete, generated } = s
  const distinct = records.count
  if (complete) for (const [name] of c.reachable) if (!s.reached.has(name)) s.found.push({ property: name, kind: 'reachable', state: -1, instance: -1 })
  const sum = (pick: (d: FromWorker & { type: 'done' }) => Float64Array, i: number) =>
    s.lastDone.reduce((n, d) => n + (d === undefined ? 0 : pick(d)[i]!), 0)
  const logged: LoggedGraph | undefined =
    graph !== undefined && complete && !graph.abandoned
      ? {
          graph,
          states: distinct,
          transitions: generated,
          initOf: Int32Array.from({ length: s.initCount }, (_, id) => -1 - records.parentOf(id)),
          guardHolds: Uint8Array.from(c.actionNames, (_, i) => (expander.enabled[i]! + sum((d) => d.enabled, i) > 0 ? 1 : 0)),
        }
      : undefined
  const info = runInfo(
    c,
    s.started,
    {
      distinct,
      generated,
      depth: s.depth,
      left: distinct - s.expanded,
      enabled: (i) => expander.enabled[i]! + sum((d) => d.enabled, i),
      produced: (i) => expander.produced[i]! + sum((d) => d.produced, i),
    },
    exact ? 'exact' : 'fingerprint',
    s.nWorkers,
    s.warnings,
  )
  const lo = new Uint32Array(1)
  const paths: PathSource = {
    parentOf: (id) => records.parentOf(id),
    instanceOf: (id) => records.instanceOf(id),
    stateWords: () => undefined,
    contains: (buf, at, l, hi) => {
      lo[0] = l
      return exact ? set.has(l, hi, buf, at) : set.has(l, hi, lo, 0)
    },
  }
  const result = searchResult(c, info, paths, s.found, { complete, stopReason: s.stopReason, failure: s.failure })
  return { result: await namedStrayWrite(c, options, s.failure, result), ...(logged === undefined ? {} : { logged }) }
}
