/**
 * The entry of a parallel search worker's thread (see parallel.ts for the search and
 * workerProtocol.ts for the messages). It rebuilds the spec from where it came from (a module URL,
 * an export and JSON parameters: closures cannot be posted to a thread), then does what the
 * coordinator asks (SearchWorker.ts).
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Spec } from '../model/model.js'
import type { PropertySet } from '../model/properties.js'
import { compileSpec } from '../compile/compile.js'
import { instantiate } from '../compile/instantiate.js'
import type { FromWorker, ModelSource, ToWorker, WorkerSetup } from './workerProtocol.js'
import { reductionFor, type ReducedSpec } from '../reduce/reduction.js'
import { SearchWorker } from './SearchWorker.js'
import { importModule } from '../compile/importModule.js'
import { signatureMismatch, specSignature } from '../compile/specSignature.js'

/** Loads a spec and its properties from a ModelSource. */
export async function loadSource(source: ModelSource): Promise<{ spec: Spec; props: PropertySet<any, any> }> {
  let exports = await importModule(source.module, source.bundle)
  // A JavaScript file outside an ESM package is CommonJS: its exports then sit under `default`.
  if (source.export !== undefined && !(source.export in exports) && typeof exports.default === 'object' && exports.default !== null) {
    exports = exports.default as Record<string, unknown>
  }
  const isModel = (x: unknown): x is Parameters<typeof instantiate>[0] =>
    typeof x === 'object' && x !== null && typeof (x as { build?: unknown }).build === 'function'
  let chosen: unknown = source.export !== undefined ? exports[source.export] : exports.default
  if (source.name !== undefined || (source.export === undefined && !isModel(chosen))) {
    // Models among the exports, one level deep (a list or an object of models counts).
    const candidates = source.export !== undefined ? [chosen] : Object.values(exports)
    const flat = candidates.flatMap((x) => (isModel(x) ? [x] : typeof x === 'object' && x !== null ? Object.values(x) : []))
    const models = [...new Set(flat.filter(isModel))]
    const named = source.name === undefined ? models : models.filter((m) => (m as { name?: unknown }).name === source.name)
    if (named.length === 1) chosen = named[0]
    else if (source.name !== undefined) throw new Error(`${source.module} exports no model named "${source.name}"`)
  }
  if (isModel(chosen)) {
    const { spec, props } = instantiate(chosen, source.params ?? {})
    return { spec, props }
  }
  if (typeof chosen === 'function') {
    return (await chosen(source.params ?? {})) as { spec: Spec; props: PropertySet<any, any> }
  }
  throw new Error(
    `${source.module}${source.export === undefined ? '' : ` (export ${source.export})`} is neither a model ` +
      'made with defineModel nor a function (params) => { spec, props }',
  )
}

async function main(): Promise<void> {
  const port = parentPort!
  const setup = workerData as WorkerSetup
  const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer)
  let c: ReducedSpec
  try {
    const { spec, props } = await loadSource(setup.source)
    const compiled = compileSpec(spec, props, setup.only === undefined ? {} : { only: setup.only })
    const reduction = reductionFor(compiled, setup.reduction)
    c = reduction === undefined ? compiled : { ...compiled, reduction }
    const differs = signatureMismatch(setup.signature, specSignature(compiled))
    if (differs !== undefined) {
      throw new Error(
        `the spec it builds differs from the one being checked in ${differs}. A worker builds the spec ` +
          'again from options.source: pass check() the spec and properties that source builds, or search with one worker',
      )
    }
  } catch (e) {
    post({ type: 'fatal', message: (e as Error).message ?? String(e) })
    return
  }
  const worker = new SearchWorker(c, setup, post)
  port.on('message', (m: ToWorker) => {
    if (m.type === 'exit') port.close()
    else if (m.type === 'work') for (const _ of worker.work(m.level));
    else worker.receive(m)
  })
  post({ type: 'ready' })
}

if (parentPort !== null && (workerData as WorkerSetup | undefined)?.kind === 'mrcheck-search-worker') void main()
