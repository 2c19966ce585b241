/**
 * Worker processes for the cluster tests, started once per test file and given runs to serve one
 * after another: `workerPool(url, 3)` forks three processes of this module, and `serve(job)` has
 * each of them join run `job.run` through the library's `clusterWorker` (a built-in model by name,
 * or a random model by its tables, test/helpers/randomModels.ts) and resolves with what they
 * said on failing ('' when all three served it to its end). Jobs come over the IPC channel from
 * the test itself, never through Redis.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { clusterWorker, defineModel, type AnyModel } from '../../checker/index.js'
import { builtinModels } from '../../models/registry.js'
import { buildRandomModel, type Shape, type Tables } from './randomModels.js'

export type Job = {
  readonly run: string
  /** Another Redis than the pool's. */
  readonly url?: string
  readonly heartbeatMs?: number
  readonly codeHash?: string
} & (
  | { readonly model: string }
  | { readonly random: { readonly shape: Shape; readonly tables: Tables } }
)

interface Served {
  readonly run: string
  readonly error: string
}

/** A random model as a model of no parameters (the coordinator builds it the same way). */
export function randomAsModel(shape: Shape, tables: Tables): AnyModel {
  const m = buildRandomModel(shape, tables)
  return defineModel({ name: m.spec.name, summary: 'random', params: {}, build: () => m.spec, properties: () => m.props }) as AnyModel
}

export interface WorkerPool {
  /** Every process joins `job.run`; resolves with their failures, one line each ('' when none failed). */
  serve(job: Job): Promise<string>
  /** The processes, for a test that kills one. */
  readonly children: readonly ChildProcess[]
  close(): Promise<void>
}

export function workerPool(url: string, count = 3): WorkerPool {
  const script = fileURLToPath(import.meta.url)
  const children = Array.from({ length: count }, () => fork(script, [url], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }))
  const waiting = new Map<string, { left: number; errors: string[]; done: (errors: string) => void }>()
  for (const child of children) {
    child.on('message', (m: Served) => {
      const w = waiting.get(m.run)
      if (w === undefined) return
      if (m.error !== '') w.errors.push(m.error)
      if (--w.left === 0) {
        waiting.delete(m.run)
        w.done(w.errors.join('\n'))
      }
    })
  }
  return {
    children,
    serve: (job) =>
      new Promise<string>((done) => {
        waiting.set(job.run, { left: count, errors: [], done })
        for (const child of children) child.send(job)
      }),
    close: async () => {
      await Promise.all(
        children.map((child) =>
          child.exitCode !== null || child.signalCode !== null
            ? undefined
            : new Promise<void>((done) => {
                child.once('exit', () => done())
                child.disconnect()
              }),
        ),
      )
    },
  }
}

if (process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.argv[2]!
  process.on('message', (job: Job) => {
    const model = 'model' in job ? builtinModels.find((m) => m.name === job.model)! : randomAsModel(job.random.shape, job.random.tables)
    clusterWorker(model, {
      url: job.url ?? url,
      run: job.run,
      waitMs: 60_000,
      ...(job.heartbeatMs === undefined ? {} : { heartbeatMs: job.heartbeatMs }),
      ...(job.codeHash === undefined ? {} : { codeHash: job.codeHash }),
    }).then(
      () => process.send!({ run: job.run, error: '' } satisfies Served),
      (e: Error) => process.send!({ run: job.run, error: `run ${job.run}: ${e.message}` } satisfies Served),
    )
  })
}
