/**
 * The entry of a check's own thread (searchThread.ts): builds the spec from its source, runs
 * `check`, sends its progress as it goes and its result (or error, as data) at the end; an
 * `abort` message is the first Ctrl-C.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { loadSource } from '../search/worker.js'
import { check } from '../run/check.js'
import { CheckerError } from '../result/errors.js'
import type { FromThread, ThreadSetup, ToThread } from './searchThreadProtocol.js'

async function main(): Promise<void> {
  const port = parentPort!
  const setup = workerData as ThreadSetup
  const post = (m: FromThread) => port.postMessage(m)
  const abort = new AbortController()
  port.on('message', (m: ToThread) => {
    if (m.type === 'abort') abort.abort()
  })
  try {
    const { spec, props } = await loadSource(setup.source)
    post({ type: 'started' })
    const result = await check(spec, props, {
      ...setup.options,
      signal: abort.signal,
      progressIntervalMs: setup.progressIntervalMs,
      onProgress: (progress) => post({ type: 'progress', progress }),
    })
    post({ type: 'result', result })
  } catch (e) {
    post({ type: 'error', code: e instanceof CheckerError ? e.code : undefined, message: e instanceof CheckerError ? e.message : String((e as Error).stack ?? e) })
  }
}

if (parentPort !== null && (workerData as ThreadSetup | undefined)?.kind === 'mrcheck-search-thread') void main()
