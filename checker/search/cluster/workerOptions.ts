/**
 * What a cluster worker is given and what it ends with: its options and outcome (worker.ts passes
 * them through to the command line), its three Redis connections, how long one blocking read waits,
 * and the two ends that are not failures of its own: leaving when interrupted (Left), and a run
 * whose coordinator failed or vanished (CoordinatorFailed).
 */
import type { Redis } from './redis.js'
import { ClusterError } from './protocol.js'

export interface ClusterWorkerOptions {
  /** redis:// or rediss:// URL. */
  readonly url: string
  /** Join this run only (default: the oldest run of this worker's model that waits for workers). */
  readonly run?: string
  /** Where to write checkpoints of the owned partitions, and find them on resume. */
  readonly checkpointDir?: string
  /** A heartbeat older than this means the coordinator is gone (default 10 s). */
  readonly heartbeatMs?: number
  /** Stop waiting for a run after this long (default: wait until aborted). */
  readonly waitMs?: number
  readonly signal?: AbortSignal
  /** Diagnostics (stderr). */
  readonly log?: (line: string) => void
}

export interface ClusterWorkerOutcome {
  readonly run: string
  readonly partitions: readonly number[]
  /** Why the run ended, as the coordinator said (or that this worker left it). */
  readonly ended: string
  /**
   * With its verdict (the coordinator's result has it), stopped early without one, or left by this
   * worker when `signal` aborted (the run then stops incomplete). A run that failed throws instead.
   */
  readonly end: 'verdict' | 'incomplete' | 'left'
}

/** How long one blocking read of a stream waits before the loop looks around again. */
export const READ_BLOCK_MS = 100

/** This worker was interrupted: it leaves the run, which stops incomplete. */
export class Left extends Error {}
/** The coordinator stopped the run because it failed, or stopped answering: this worker's failure is the run's, not its own. */
export class CoordinatorFailed extends ClusterError {}

export interface Connections {
  readonly cmd: Redis
  readonly ctl: Redis
  readonly data: Redis
}
