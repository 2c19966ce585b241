/**
 * The worker threads of a parallel search (engine/worker.ts), seen from the coordinator: their
 * messages arrive in one queue that the coordinator awaits in order, and a worker that dies ends
 * the wait with an error instead of leaving it hanging.
 */
import { Worker } from 'node:worker_threads'
import { CheckerError } from '../report/errors.js'
import type { FromWorker, ToWorker, WorkerSetup } from './workerProtocol.js'

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

  /** Ends a pending `next` wait early, so that its caller looks again (at a stop request, say). */
  interrupt(): void {
    this.wake?.()
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
