/**
 * The sample of partial-order reduction (reduce/independence.ts) recorded in a thread of its own,
 * when the run knows where its spec came from (`source`). Recording runs the model's guards,
 * effects and properties on proxies; in the search's own thread that leaves those functions
 * tuned for proxies as well, and the search then ran about 1.5x as long. The thread builds the
 * spec again from the source (refusing one that differs), records the sample and posts back the
 * relations, which are typed arrays.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import type { CompiledSpec } from '../compile/compile.js'
import { compileSpec } from '../compile/compile.js'
import { signatureMismatch, specSignature, type SpecSignature } from '../compile/specSignature.js'
import { analyseIndependence, type Independence } from '../reduce/independence.js'
import { CheckerError } from '../result/errors.js'
import { loadSource } from '../search/worker.js'
import type { ModelSource } from '../search/workerProtocol.js'

interface SampleSetup {
  readonly kind: 'mrcheck-por-sample'
  readonly source: ModelSource
  readonly only: readonly string[] | undefined
  readonly signature: SpecSignature
}

type SampleReply = { readonly type: 'done'; readonly independence: Independence } | { readonly type: 'fatal'; readonly message: string }

/** The relations of `c`, recorded in a thread that builds the spec from `source`. */
export function independenceInThread(c: CompiledSpec, source: ModelSource, only: readonly string[] | undefined): Promise<Independence> {
  const setup: SampleSetup = { kind: 'mrcheck-por-sample', source, only, signature: specSignature(c) }
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./sampleThread.js', import.meta.url), { workerData: setup })
    worker.once('message', (m: SampleReply) => {
      void worker.terminate()
      if (m.type === 'done') resolve(m.independence)
      else reject(new CheckerError('MODEL_LOAD', `The sample of partial-order reduction could not be taken from ${source.module}: ${m.message}`))
    })
    worker.once('error', reject)
  })
}

async function main(setup: SampleSetup): Promise<void> {
  const post = (m: SampleReply) => parentPort!.postMessage(m)
  try {
    const { spec, props } = await loadSource(setup.source)
    const c = compileSpec(spec, props, setup.only === undefined ? {} : { only: setup.only })
    const differs = signatureMismatch(setup.signature, specSignature(c))
    if (differs !== undefined) throw new Error(`the spec it builds differs from the one being checked in ${differs}`)
    post({ type: 'done', independence: analyseIndependence(c) })
  } catch (e) {
    post({ type: 'fatal', message: (e as Error).message ?? String(e) })
  }
}

if (!isMainThread && (workerData as SampleSetup | undefined)?.kind === 'mrcheck-por-sample') void main(workerData as SampleSetup)
