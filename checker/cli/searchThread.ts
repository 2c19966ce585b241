/**
 * A check run in a thread of its own, watched from the main thread, so that a run always stops at
 * its time limit and on a second Ctrl-C, even when the model's code never returns (a guard with an
 * endless loop): the main thread stays free, and past the time limit (plus a grace period for the
 * final checkpoint and the traces) or on the second Ctrl-C it terminates the thread and reports
 * what the search had covered, from the progress the thread sends as it goes.
 *
 * The thread (searchThreadEntry.ts) builds the spec again from where the model came from (a
 * module URL and parameters; closures cannot be posted), runs `check`, and posts the result. It
 * can be started before the model is known (startSearchThreadEarly): it then loads the checker's
 * modules while the main thread loads the CLI and the model, and waits for its setup. A thread
 * whose check returned waits for the next one (`matrix` runs a check per row); only a thread that
 * was ended or told to stop is not used again.
 */
import { Worker } from 'node:worker_threads'
import type { Progress } from '../search/bfs.js'
import type { ModelSource } from '../search/workerProtocol.js'
import { CheckerError } from '../result/errors.js'
import type { CheckResult, RunInfo, StopReason } from '../result/result.js'
import type { FromThread, ThreadOptions, ThreadSetup, ToThread } from './searchThreadProtocol.js'
import type { Spec } from '../model/model.js'
import type { PropertySet } from '../model/properties.js'
import { compileSpec } from '../compile/compile.js'
import { checkedProperties } from '../search/outcome.js'
import { endedFromOutsideWarning, graceMs } from '../search/endedFromOutside.js'


/** How often the thread sends its progress (cheap: a message between two slices of the search). */
const HEARTBEAT_MS = 250

export interface ThreadWatch {
  /** The first Ctrl-C: the thread finishes with what it found. */
  readonly signal: AbortSignal
  /** The second Ctrl-C: the thread is ended at once. */
  readonly quit: AbortSignal
  readonly onProgress?: (p: Progress) => void
  readonly progressIntervalMs?: number
  /** What the run had covered before this thread began (a resumed run: its checkpoint's counts). */
  readonly from?: Progress
  /** What the report of a terminated thread says about the run (its model, parameters, properties). */
  readonly info: () => Pick<RunInfo, 'model' | 'constants' | 'checked'> & { readonly initial: number }
}

/** What ThreadWatch.info says of a check of `spec` against `props` with `options`. */
export function threadInfo(spec: Spec, props: PropertySet<any, any>, options: ThreadOptions): ReturnType<ThreadWatch['info']> {
  const c = compileSpec(spec, props, options)
  return { model: spec.name, constants: spec.constants, checked: checkedProperties(c), initial: c.initialDistinct }
}

const newThread = () => new Worker(new URL('./searchThreadEntry.js', import.meta.url), { workerData: { kind: 'mrcheck-search-thread' } })

/**
 * A thread started early, or one whose check ended with a result, not (or no longer) given a
 * check; it does not keep the process alive.
 */
let early: { readonly worker: Worker; failed: boolean; readonly watch: () => void } | undefined

/** Starts the thread of the next checkInThread now, so that it loads its modules meanwhile. */
export function startSearchThreadEarly(): void {
  if (early === undefined) keep(newThread())
}

/** Keeps `worker`, idle, for the next checkInThread (a matrix runs one check per row), or ends it when one is kept already. */
function keep(worker: Worker): void {
  if (early !== undefined) {
    void worker.terminate()
    return
  }
  const kept = { worker, failed: false, watch: () => (kept.failed = true) }
  // Until it is given a check, nobody listens to it: an error now is met again in a fresh thread.
  worker.once('error', kept.watch).once('exit', kept.watch)
  worker.unref()
  early = kept
}

/** The thread started early if it is still sound, else a new one. */
function takeThread(): Worker {
  const taken = early
  early = undefined
  if (taken === undefined || taken.failed) return newThread()
  taken.worker.off('error', taken.watch).off('exit', taken.watch)
  taken.worker.ref()
  return taken.worker
}

/** Runs `check` on the model from `source` in a thread of its own; see the header. */
export function checkInThread(source: ModelSource, options: ThreadOptions, watch: ThreadWatch): Promise<CheckResult> {
  const started = Date.now()
  const setup: ThreadSetup = { source, options, progressIntervalMs: HEARTBEAT_MS }
  const worker = takeThread()
  worker.postMessage({ type: 'setup', setup } satisfies ToThread)
  let last: Progress | undefined
  let shown = 0
  const showEvery = watch.progressIntervalMs ?? 2000
  return new Promise<CheckResult>((resolve, reject) => {
    let done = false
    const finish = (end: () => void) => {
      if (done) return
      done = true
      clearTimeout(deadline)
      watch.signal.removeEventListener('abort', abort)
      watch.quit.removeEventListener('abort', quit)
      end()
    }
    /** Ends the thread, stuck or not, and reports what its progress said it had covered. */
    const terminate = (stopReason: StopReason, why: string) =>
      finish(() => {
        void worker.terminate()
        resolve(terminated(watch.info(), options, last, watch.from, Date.now() - started, stopReason, why))
      })
    let aborted = false
    const abort = () => {
      aborted = true
      worker.postMessage({ type: 'abort' } satisfies ToThread)
    }
    const quit = () => terminate('interrupted', 'it was ended by a second Ctrl-C')
    const timeoutMs = options.timeoutMs
    let deadline: NodeJS.Timeout | undefined
    const startClock = () => {
      if (timeoutMs === undefined) return
      deadline = setTimeout(
        () => terminate('timeout', `it did not stop within ${graceMs(timeoutMs) / 1000} s of its time limit`),
        timeoutMs + graceMs(timeoutMs),
      )
    }
    watch.signal.addEventListener('abort', abort)
    watch.quit.addEventListener('abort', quit)
    if (watch.signal.aborted) abort()
    const onMessage = (m: FromThread) => {
      if (m.type === 'started') startClock()
      else if (m.type === 'progress') {
        last = m.progress
        if (watch.onProgress !== undefined && m.progress.elapsedMs - shown >= showEvery) {
          shown = m.progress.elapsedMs
          watch.onProgress(m.progress)
        }
      } else {
        // The thread is idle again (its check returned): the next check may use it, unless it was
        // told to stop (it would stop that one too).
        worker.off('message', onMessage).off('error', onError).off('exit', onExit)
        if (aborted) void worker.terminate()
        else keep(worker)
        if (m.type === 'result') finish(() => resolve(m.result))
        else finish(() => reject(m.code === undefined ? new Error(m.message) : new CheckerError(m.code, m.message)))
      }
    }
    const onError = (e: Error) => finish(() => reject(e))
    const onExit = (code: number) => finish(() => reject(new Error(`The search thread exited (code ${code}) without a result.`)))
    worker.on('message', onMessage).on('error', onError).on('exit', onExit)
  })
}

/**
 * The result of a thread that was terminated: incomplete, with the counts of its last progress
 * report, or else of what the run had covered before the thread began (`from`).
 */
function terminated(
  { initial, ...info }: Pick<RunInfo, 'model' | 'constants' | 'checked'> & { readonly initial: number },
  options: ThreadOptions,
  last: Progress | undefined,
  from: Progress | undefined,
  elapsedMs: number,
  stopReason: StopReason,
  why: string,
): CheckResult {
  const counts = last ?? from
  const distinct = counts?.distinct ?? 0
  return {
    ...info,
    stats: {
      initial,
      distinct,
      generated: counts?.generated ?? 0,
      depth: counts?.depth ?? 0,
      left: counts?.left ?? 0,
      durationMs: elapsedMs,
      statesPerSecond: elapsedMs > 0 ? Math.round((distinct * 1000) / elapsedMs) : 0,
      actions: [],
    },
    store: options.store === 'fingerprint' ? 'fingerprint' : 'exact',
    warnings: [
      endedFromOutsideWarning('search', why) +
        ' The counts are those of its last progress report' +
        (last !== undefined
          ? `, ${(last.elapsedMs / 1000).toFixed(1)} s into the search.`
          : from !== undefined
            ? ' (none was sent: it stopped within its first steps), that is of the checkpoint it went on from.'
            : ' (none was sent: it stopped within its first steps).'),
    ],
    status: 'incomplete',
    complete: false,
    stopReason,
    violations: [],
  }
}
