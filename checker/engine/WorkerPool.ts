/**
 * The worker threads of a parallel search (engine/worker.ts), seen from the coordinator: how many
 * a machine may have, and their messages, in one queue that the coordinator awaits in order; a
 * worker that dies ends the wait with an error instead of leaving it hanging.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { show } from '../encode/codec.js'
import { CheckerError } from '../report/errors.js'
import type { FromWorker, ToWorker, WorkerSetup } from './workerProtocol.js'

/**
 * Throws unless `workers` is a worker count this machine can run: a positive integer, and no more
 * than the cores this process may use (two are always allowed, so that a parallel search can be
 * tried on one core). Workers past the cores only take turns on them, and each builds the spec
 * again in its own heap: a thousand of them would fill the machine's memory before the search began.
 */
export function checkWorkerCount(workers: number | undefined): void {
  if (workers === undefined) return
  if (!Number.isInteger(workers) || workers < 1) {
    throw new CheckerError('BAD_PARAM', `workers must be a positive integer, not ${show(workers)}.`)
  }
  const cores = availableParallelism()
  const most = Math.max(2, cores)
  if (workers > most) {
    throw new CheckerError(
      'BAD_PARAM',
      `${workers} workers is more than the ${cores} core${cores === 1 ? '' : 's'} this process may use: ask for at most ` +
        `${most} (--workers auto in the CLI: one per core).`,
    )
  }
}

export interface FromPool {
  /** Which worker sent it (its index in the pool). */
  readonly worker: number
  readonly message: FromWorker
}

export class WorkerPool {
  private readonly workers: Worker[] = []
  private readonly exits: Promise<void>[] = []
  private readonly inbox: FromPool[] = []
  private wake: (() => void) | undefined
  private exited: Error | undefined

  /** Starts `count` workers, worker `i` with `setup(i)`. */
  constructor(count: number, setup: (index: number) => WorkerSetup) {
    for (let w = 0; w < count; w++) {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: setup(w) })
      worker.on('message', (message: FromWorker) => {
        this.inbox.push({ worker: w, message })
        this.wake?.()
      })
      worker.on('error', (e) => {
        this.exited = e
        this.wake?.()
      })
      this.workers.push(worker)
      this.exits.push(new Promise((resolve) => worker.once('exit', () => resolve())))
    }
  }

  get size(): number {
    return this.workers.length
  }

  /** Waits until every worker has built the spec; `module` names where it comes from, for the error. */
  async ready(module: string): Promise<void> {
    for (let ready = 0; ready < this.workers.length; ) {
      const { message } = await this.next()
      if (message.type === 'fatal') {
        throw new CheckerError('MODEL_LOAD', `A search worker could not build the spec from ${module}: ${message.message}`)
      }
      if (message.type === 'ready') ready++
    }
  }

  /** The next message from any worker; throws when a worker failed and none is left. */
  async next(): Promise<FromPool> {
    while (this.inbox.length === 0 && this.exited === undefined) await new Promise<void>((r) => (this.wake = r))
    this.wake = undefined
    const got = this.inbox.shift()
    if (got === undefined) throw new CheckerError('MODEL_LOAD', `A search worker failed: ${this.exited?.message}`)
    return got
  }

  post(worker: number, m: ToWorker): void {
    this.workers[worker]!.postMessage(m)
  }

  postAll(m: ToWorker): void {
    for (const w of this.workers) w.postMessage(m)
  }

  /** Asks every worker to exit and waits for it (terminating one that does not within a second). */
  async shutDown(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w, i) => {
        w.postMessage({ type: 'exit' } satisfies ToWorker)
        const late = setTimeout(() => void w.terminate(), 1000)
        await this.exits[i]
        clearTimeout(late)
      }),
    )
  }
}
