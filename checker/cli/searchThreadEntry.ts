/**
 * The entry of a check's own thread (searchThread.ts): waits for its `setup` message, builds the
 * spec from its source, runs `check`, sends its progress as it goes and its result (or error, as
 * data) at the end; an `abort` message is the first Ctrl-C.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { loadSource } from '../search/worker.js'
import { check } from '../run/check.js'
import { CheckerError } from '../result/errors.js'
import type { FromThread, ThreadData, ThreadSetup, ToThread } from './searchThreadProtocol.js'

function main(): void {
  const port = parentPort!
  const abort = new AbortController()
  port.on('message', (m: ToThread) => {
    if (m.type === 'setup') void run(m.setup, (r) => port.postMessage(r), abort.signal)
    else abort.abort()
  })
}

async function run(setup: ThreadSetup, post: (m: FromThread) => void, signal: AbortSignal): Promise<void> {
  try {
    const { spec, props } = await loadSource(setup.source)
    post({ type: 'started' })
    const result = await check(spec, props, {
      ...setup.options,
      signal,
      progressIntervalMs: setup.progressIntervalMs,
      onProgress: (progress) => post({ type: 'progress', progress }),
    })
    post({ type: 'result', result })
  } catch (e) {
    post({ type: 'error', code: e instanceof CheckerError ? e.code : undefined, message: e instanceof CheckerError ? e.message : String((e as Error).stack ?? e) })
  }
}

if (parentPort !== null && (workerData as ThreadData | undefined)?.kind === 'mrcheck-search-thread') main()
