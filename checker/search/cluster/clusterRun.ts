/**
 * What a cluster search is asked (ClusterCheckOptions, and the model's identity) and what it
 * returns (ClusterRun: the result, and ClusterStats, what the run cost).
 */
import type { AnyModel } from '../../model/model.js'
import type { CheckResult } from '../../result/result.js'
import type { Progress } from '../outcome.js'
import type { ClusterStore } from './protocol.js'

export interface ClusterCheckOptions {
  /** redis:// or rediss:// URL. */
  readonly url: string
  /** Worker processes to wait for before the search starts (default 1). */
  readonly workers?: number
  /** Partitions of the state space (default 4 per worker; at least one per worker). */
  readonly partitions?: number
  /** The run's name in Redis (default: made up); workers given `--run` join only this one. */
  readonly run?: string
  readonly only?: readonly string[]
  readonly symmetry?: boolean
  readonly view?: boolean
  readonly continue?: boolean
  /** How the owners keep their states: exact (the default), or 96-bit fingerprints. */
  readonly store?: ClusterStore
  readonly maxDepth?: number
  /** Stop (incomplete) at the first level boundary with at least this many distinct states. */
  readonly maxStates?: number
  /** Stop (incomplete) after this many milliseconds, at the next level boundary. */
  readonly timeoutMs?: number
  /** Stop (incomplete) when aborted, at the next level boundary. */
  readonly signal?: AbortSignal
  /** A worker whose heartbeat is older than this is lost (default 10 s). */
  readonly heartbeatMs?: number
  /** Give up when the workers have not all joined after this long (default: wait). */
  readonly joinTimeoutMs?: number
  /** Record the run in `dir` (and have every worker checkpoint its partitions) at a level boundary every `everyMs` (default 60 s). */
  readonly checkpoint?: { readonly dir: string; readonly everyMs?: number; readonly ref: string }
  /** Go on from the run recorded in this directory (a checkpoint written with `checkpoint`). */
  readonly resumeFrom?: string
  readonly onProgress?: (p: Progress) => void
  /** Diagnostics (stderr). */
  readonly log?: (line: string) => void
}

/** What identifies the model's code and the release (clusterSpec.ts WorkerIdentity). */
export interface CoordinatorIdentity {
  readonly model: AnyModel
  readonly params: Readonly<Record<string, unknown>>
  readonly codeHash: string
  readonly version: string
}

/** What the run cost, besides its result. */
export interface ClusterStats {
  readonly run: string
  readonly partitions: number
  readonly workers: number
  /** Batches and bytes of packed states sent through Redis (states kept in their own process are not sent). */
  readonly batches: number
  readonly bytesSent: number
  /** Redis's used memory at its highest during the run, above what it was at the start (sampled at every barrier). */
  readonly redisPeakBytes: number
  readonly levels: number
}

export interface ClusterRun {
  readonly result: CheckResult
  readonly cluster: ClusterStats
}
