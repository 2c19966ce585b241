/**
 * The workers of a parallel search (SearchWorker.ts), seen from the coordinator: how many a
 * machine may have, and their messages, in one queue that the coordinator awaits in order; a
 * worker that dies ends the wait with an error instead of leaving it hanging.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { show } from '../encode/TypeViolation.js'
import { CheckerError } from '../result/errors.js'
import type { SearchWorker } from './SearchWorker.js'
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

/** A worker, seen from the coordinator. */
interface Member {
  post(m: ToWorker): void
  /** Asks it to exit and waits for it; one that has not built its spec yet is stopped at once. */
  shutDown(ready: boolean): Promise<void>
}

/** How long worker 0 searches in this thread before it lets the coordinator have a turn. */
const SLICE_MS = 10

/**
 * The workers of a parallel search: worker 0 in this thread, the others in threads of their own.
 * The search need not wait for the threads to start: a thread searches from the first call of
 * `admit` after it has built the spec (which `next` says with a 'ready' message).
 */
export class WorkerPool {
  private readonly members: Member[] = []
  private readonly ready: boolean[] = []
  private readonly searching: boolean[] = []
  private readonly inbox: FromPool[] = []
  private wake: (() => void) | undefined
  private failed: Error | undefined

  /**
   * Starts `count` workers: worker 0 made by `local` in this thread, worker `i` > 0 in a thread
   * of its own with `setup(i)`.
   */
  constructor(count: number, setup: (index: number) => WorkerSetup, local: (post: (m: FromWorker) => void) => SearchWorker) {
    const receive = (worker: number) => (message: FromWorker) => {
      if (message.type === 'ready') {
        this.ready[worker] = true
        this.inbox.push({ worker, message })
      } else if (message.type === 'fatal') {
        this.fail(new CheckerError('MODEL_LOAD', `A search worker could not build the spec from ${setup(worker).source.module}: ${message.message}`))
      } else this.inbox.push({ worker, message })
      this.notify()
    }
    const threadFailed = (e: Error) => this.fail(new CheckerError('MODEL_LOAD', `A search worker failed: ${e.message}`))
    for (let w = 0; w < count; w++) {
      this.members.push(w === 0 ? new LocalMember(local(receive(0)), (e) => this.fail(e)) : new ThreadMember(setup(w), receive(w), threadFailed))
      this.ready.push(w === 0)
      this.searching.push(w === 0)
    }
  }

  get size(): number {
    return this.members.length
  }

  /** How many workers search. */
  get searchers(): number {
    return this.searching.filter(Boolean).length
  }

  isSearching(worker: number): boolean {
    return this.searching[worker]!
  }

  /** The workers that have built their spec since the last call: they search from now on. */
  admit(): number[] {
    if (this.failed !== undefined) throw this.failed
    const joined = this.members.flatMap((_, w) => (this.ready[w] && !this.searching[w] ? [w] : []))
    for (const w of joined) this.searching[w] = true
    return joined
  }

  /** Waits until every worker has built the spec; throws when one could not. */
  async started(): Promise<void> {
    while (this.failed === undefined && !this.ready.every(Boolean)) await this.nextWake()
    if (this.failed !== undefined) throw this.failed
  }

  /** The next message from a worker ('ready' when its thread has built the spec); throws when a worker failed. */
  async next(): Promise<FromPool> {
    while (this.inbox.length === 0 && this.failed === undefined) await this.nextWake()
    if (this.failed !== undefined) throw this.failed
    return this.inbox.shift()!
  }

  post(worker: number, m: ToWorker): void {
    this.members[worker]!.post(m)
  }

  /** Posts `m` to every worker that searches. */
  postAll(m: ToWorker): void {
    this.members.forEach((member, w) => {
      if (this.searching[w]) member.post(m)
    })
  }

  /** Asks every worker to exit and waits for it. */
  async shutDown(): Promise<void> {
    await Promise.all(this.members.map((m, w) => m.shutDown(this.ready[w]!)))
  }

  private nextWake(): Promise<void> {
    return new Promise<void>((r) => (this.wake = r))
  }

  private notify(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private fail(e: Error): void {
    this.failed ??= e
    this.notify()
  }
}

/**
 * The young generation of a search worker's heap, MiB. A worker keeps what it finds in shared
 * buffers, so little of what it allocates lives long, but V8 lets a busy thread's young generation
 * grow to tens of MiB, which every worker would hold (see bench/README.md for what this saves).
 */
const WORKER_YOUNG_GENERATION_MIB = 4

/** A worker in a thread of its own (worker.ts). */
class ThreadMember implements Member {
  private readonly worker: Worker
  private readonly exit: Promise<void>

  constructor(setup: WorkerSetup, receive: (m: FromWorker) => void, fail: (e: Error) => void) {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: setup,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MIB },
    })
    this.worker.on('message', receive)
    this.worker.on('error', fail)
    this.exit = new Promise((resolve) => this.worker.once('exit', () => resolve()))
  }

  post(m: ToWorker): void {
    this.worker.postMessage(m)
  }

  /** A worker that does not exit within a second is terminated. */
  async shutDown(ready: boolean): Promise<void> {
    if (!ready) {
      await this.worker.terminate()
      return
    }
    this.worker.postMessage({ type: 'exit' } satisfies ToWorker)
    const late = setTimeout(() => void this.worker.terminate(), 1000)
    await this.exit
    clearTimeout(late)
  }
}

/**
 * Worker 0, in the coordinator's thread: it takes its messages in order, as a thread would, and
 * runs its work a slice of SLICE_MS at a time, so that the coordinator reads the other workers'
 * chunks, watches the clock and hears Ctrl-C in between.
 */
class LocalMember implements Member {
  private readonly queue: ToWorker[] = []
  private blocks: Generator<void, void> | undefined
  private scheduled = false

  constructor(
    private readonly worker: SearchWorker,
    private readonly fail: (e: Error) => void,
  ) {}

  post(m: ToWorker): void {
    this.queue.push(m)
    this.schedule()
  }

  async shutDown(): Promise<void> {
    this.queue.length = 0
    this.blocks = undefined
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(this.run)
  }

  private readonly run = (): void => {
    this.scheduled = false
    const until = performance.now() + SLICE_MS
    try {
      for (;;) {
        if (this.blocks !== undefined) {
          while (!this.blocks.next().done) {
            if (performance.now() >= until) {
              this.schedule()
              return
            }
          }
          this.blocks = undefined
        }
        const m = this.queue.shift()
        if (m === undefined) return
        if (m.type === 'work') this.blocks = this.worker.work(m.level)
        else if (m.type !== 'exit') this.worker.receive(m)
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)))
    }
  }
}
