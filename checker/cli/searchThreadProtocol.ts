/**
 * The messages between a check's own thread (searchThreadEntry.ts) and the main thread that
 * watches it (searchThread.ts), and what the thread is given to check.
 */
import type { Progress } from '../search/bfs.js'
import type { ModelSource } from '../search/workerProtocol.js'
import type { CheckOptions } from '../run/check.js'
import type { ErrorCode } from '../result/errors.js'
import type { CheckResult } from '../result/result.js'

/** The options a thread can be given: plain data only. */
export type ThreadOptions = Omit<CheckOptions, 'signal' | 'onProgress' | 'progressIntervalMs'>

/** What the thread's workerData says, so that its entry knows it was started as a search thread. */
export interface ThreadData {
  readonly kind: 'mrcheck-search-thread'
}

export interface ThreadSetup {
  readonly source: ModelSource
  readonly options: ThreadOptions
  /** How often the thread reports its progress to the main thread. */
  readonly progressIntervalMs: number
}

export type FromThread =
  /** The spec is built and the search starts: its time limit counts from now. */
  | { readonly type: 'started' }
  | { readonly type: 'progress'; readonly progress: Progress }
  | { readonly type: 'result'; readonly result: CheckResult }
  | { readonly type: 'error'; readonly code: ErrorCode | undefined; readonly message: string }

export type ToThread =
  /** The check to run: the first message. */
  | { readonly type: 'setup'; readonly setup: ThreadSetup }
  /** The first Ctrl-C: finish with what was found. */
  | { readonly type: 'abort' }
