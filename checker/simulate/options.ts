/** The options of a simulation, and what every simulation settles from them before it walks. */
import type { PropertySelection } from '../compile/compile.js'
import type { ModelSource } from '../search/workerProtocol.js'
import { checkWorkerCount } from '../search/WorkerPool.js'
import { CheckerError } from '../result/errors.js'

export interface SimulateOptions extends PropertySelection {
  /** How many random walks, over all workers; default 100. */
  readonly runs?: number
  /** The most steps per walk (a walk has at most `steps + 1` states); default 100. */
  readonly steps?: number
  /** Seed of the walks (an unsigned 32-bit integer); default: drawn from the clock. Always in the result. */
  readonly seed?: number
  /** Stop (without a verdict beyond "none found so far") after this many milliseconds. */
  readonly timeoutMs?: number
  /** Stop when aborted, e.g. on Ctrl-C. */
  readonly signal?: AbortSignal
  /** Walk on immer drafts of frozen states, so that model code which mutates what it should only read throws (slower). */
  readonly strict?: boolean
  /** Walker threads (default 1: the walks run in this thread); each walks its share of `runs` with a seed of its own. */
  readonly workers?: number
  /** Where the spec comes from, so that walker threads can build it; required with `workers` > 1 and `thread`. */
  readonly source?: ModelSource
  /**
   * Walk in a walker thread even on one worker (the same walks), so that this thread stays free:
   * past the time limit plus a grace period (`graceMs`), or when `quit` aborts, the walker threads
   * are ended even where the model's code never returns, and the result keeps what they had
   * reported. The command line walks so.
   */
  readonly thread?: boolean
  /** Ends the walker threads at once (a second Ctrl-C), with what they had reported. */
  readonly quit?: AbortSignal
  /** Called about every `progressIntervalMs` (default 2000) with what was covered so far. */
  readonly onProgress?: (p: SimulationProgress) => void
  readonly progressIntervalMs?: number
}

/** What a simulation has covered so far. */
export interface SimulationProgress {
  readonly runs: number
  readonly steps: number
  readonly distinct: number
  readonly elapsedMs: number
  readonly stepsPerSecond: number
}

/** The options every simulation settles first: how many walks and steps, the seed, the workers. */
export interface Settled {
  readonly started: number
  readonly runs: number
  readonly maxSteps: number
  readonly seed: number
  readonly workers: number
  readonly deadline: number
  readonly progressIntervalMs: number
}

/** The settled options; throws CheckerError on a worker count this machine cannot run, or several workers without a source. */
export function settle(options: SimulateOptions): Settled {
  const started = Date.now()
  checkWorkerCount(options.workers)
  const workers = options.workers ?? 1
  if (workers > 1 && options.source === undefined) {
    throw new CheckerError('BAD_PARAM', 'A simulation on several workers needs options.source: where walker threads load the model from.')
  }
  if (options.thread === true && options.source === undefined) {
    throw new CheckerError('BAD_PARAM', 'A simulation in a walker thread (options.thread) needs options.source: where the thread loads the model from.')
  }
  return {
    started,
    runs: options.runs ?? 100,
    maxSteps: options.steps ?? 100,
    seed: (options.seed ?? (Date.now() ^ (process.pid << 16))) >>> 0,
    workers,
    deadline: options.timeoutMs === undefined ? Infinity : started + options.timeoutMs,
    progressIntervalMs: options.progressIntervalMs ?? 2000,
  }
}

export const progressOf = (runs: number, steps: number, distinct: number, elapsedMs: number): SimulationProgress => ({
  runs,
  steps,
  distinct,
  elapsedMs,
  stepsPerSecond: elapsedMs > 0 ? Math.round((steps * 1000) / elapsedMs) : 0,
})

