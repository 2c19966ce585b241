/**
 * The entry of a walker thread of a parallel simulation (parallel.ts, walkerProtocol.ts): it
 * builds the spec again from where it came from, walks its share of the walks with its own seed
 * (walks.ts) until they are done, one finds something, the time is up or the coordinator says stop,
 * and reports as it goes.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { compileSpec, type CompiledSpec } from '../compile/compile.js'
import { signatureMismatch, specSignature } from '../compile/specSignature.js'
import { loadSource } from '../search/worker.js'
import { REPORT_MS, type Covered, type FromWalker, type WalkerSetup } from './walkerProtocol.js'
import { Walks } from './walks.js'

async function main(): Promise<void> {
  const port = parentPort!
  const setup = workerData as WalkerSetup
  const post = (m: FromWalker) => port.postMessage(m, m.type === 'progress' || m.type === 'done' ? [m.fresh.buffer as ArrayBuffer] : [])
  let c: CompiledSpec
  try {
    const { spec, props } = await loadSource(setup.source)
    c = compileSpec(spec, props, setup.only === undefined ? {} : { only: setup.only })
    const differs = signatureMismatch(setup.signature, specSignature(c))
    if (differs !== undefined) {
      throw new Error(
        `the spec it builds differs from the one being simulated in ${differs}. A walker builds the spec ` +
          'again from options.source: pass simulate() the spec and properties that source builds, or simulate with one worker',
      )
    }
  } catch (e) {
    post({ type: 'fatal', message: (e as Error).message ?? String(e) })
    return
  }
  post({ type: 'ready' })
  const walks = new Walks(c, setup.seed, setup.runs, setup.maxSteps, setup.strict)
  const stop = new Int32Array(setup.stop)
  walks.walker.fresh.keep = true
  const covered = (): Covered => ({
    runs: walks.done,
    steps: walks.walker.steps,
    terminal: walks.terminal,
    constrained: walks.constrained,
    fresh: walks.walker.fresh.take(),
    reached: [...walks.walker.reached],
  })
  while (walks.more && Atomics.load(stop, 0) === 0 && Date.now() < setup.deadline) {
    walks.slice(Math.min(Date.now() + REPORT_MS, setup.deadline))
    if (walks.more) post({ type: 'progress', ...covered() })
  }
  post({ type: 'done', ...covered(), ...(walks.found === undefined ? {} : { found: walks.found }) })
  port.close()
}

if (parentPort !== null && (workerData as WalkerSetup | undefined)?.kind === 'mrcheck-simulate-walker') void main()
