/**
 * Writing checkpoints of a one-worker search (the format: longrun/checkpoint.ts). The state file is
 * written first and the manifest, which names it, last, so the manifest always names a complete
 * state file, and the previous state file is deleted only then. The store is written straight from
 * its own arrays, piece by piece, so that a checkpoint needs no second copy of it in memory (the
 * memory budget of the search has no room for one).
 */
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { CompiledSpec } from '../compile/compile.js'
import { MiB } from '../store/memory.js'
import { specSignature } from '../compile/specSignature.js'
import { ExactStore, type FingerprintStore, type VisitedStore } from '../store/VisitedStore.js'
import { CHECKPOINT_FORMAT, CheckpointWriteError, checkpointDir, framedBytes, writeFramed, type CheckpointOptions } from './checkpoint.js'
import { MANIFEST, type ExpanderCounts, type LoopState, type Manifest } from './manifest.js'

/**
 * A store's payload: its size, and its pieces in file order, produced on demand (views of the
 * store, or small reused buffers), so that a checkpoint does not need a second copy of the store.
 */
function storePayload(store: VisitedStore, W: number): { bytes: number; pieces: () => Iterable<ArrayBufferView> } {
  const n = store.count
  if (store instanceof ExactStore) {
    const { table } = store
    // States are kept in id order: the first n * W words are the states, as the file holds them.
    return {
      bytes: n * (W + 2) * 4,
      pieces: function* () {
        yield* table.states(n)
        yield table.parent.subarray(0, n)
        yield table.via.subarray(0, n)
      },
    }
  }
  const fp = store as FingerprintStore
  return {
    bytes: (n * 4 + fp.frontier.length * W) * 4,
    pieces: function* () {
      yield* fp.set.pairs()
      yield* fp.records.column('parent')
      yield* fp.records.column('instance')
      yield* fp.frontier.queued()
    },
  }
}

/** Writes checkpoints of one search every `everyMs`. */
export class Checkpointer {
  readonly everyMs: number
  private last = Date.now()
  private seq = 0
  /** Set when a checkpoint was refused for the disk budget. */
  refused: string | undefined
  written = 0

  private readonly searchOptions: Record<string, unknown>

  constructor(
    private readonly c: CompiledSpec,
    private readonly options: CheckpointOptions,
    search: Readonly<Record<string, unknown>> = {},
  ) {
    this.searchOptions = options.options ?? jsonOptions(search)
    this.everyMs = options.everyMs ?? 60_000
    for (const f of checkpointDir(options.dir)) {
      const m = /^state-(\d+)\.bin$/.exec(f)
      if (m !== null) this.seq = Math.max(this.seq, Number(m[1]))
    }
  }

  due(now: number): boolean {
    return now - this.last >= this.everyMs
  }

  /** Writes a checkpoint; false (and nothing written) when it would pass the disk budget. */
  save(loop: LoopState, expander: ExpanderCounts, store: VisitedStore, warnings: readonly string[]): boolean {
    const { c, options } = this
    const W = c.codec.words
    const n = store.count
    const payload = storePayload(store, W)
    const stateBytes = framedBytes('state', payload.bytes)
    const name = `state-${this.seq + 1}.bin`
    const manifest: Omit<Manifest, 'stateFile'> = {
      format: CHECKPOINT_FORMAT,
      createdAt: new Date().toISOString(),
      model: {
        name: c.spec.name,
        ...(options.model !== undefined ? { ref: options.model.ref } : {}),
        params: { ...(options.model?.params ?? c.spec.constants) },
        ...(options.model?.code !== undefined ? { code: options.model.code } : {}),
      },
      signature: specSignature(c),
      options: { ...this.searchOptions },
      everyMs: this.everyMs,
      ...(options.diskMiB !== undefined ? { diskMiB: options.diskMiB } : {}),
      spec: { width: W, instances: c.instances.length, actions: [...c.actionNames] },
      store: store.kind,
      count: n,
      loop: { next: loop.next, levelEnd: loop.levelEnd, depth: loop.depth },
      generated: expander.generated,
      enabled: [...expander.enabled],
      produced: [...expander.produced],
      found: expander.found.map((f) => ({ ...f })),
      broken: [...expander.broken],
      reached: [...expander.reached],
      warnings: [...warnings],
    }
    // The state file's checksum is known once it is written; a placeholder of its length sizes the manifest.
    const manifestText = (sha256: string) =>
      Buffer.from(JSON.stringify({ ...manifest, stateFile: { name, bytes: stateBytes, sha256 } } satisfies Manifest, null, 1), 'utf8')
    const total = stateBytes + framedBytes('manifest', manifestText('0'.repeat(64)).byteLength)
    if (options.diskMiB !== undefined && total > options.diskMiB * MiB) {
      this.refused =
        `Stopped: the next checkpoint (${(total / MiB).toFixed(1)} MiB) would pass the disk budget ` +
        `of ${options.diskMiB} MiB; the last good checkpoint in ${options.dir} is kept.`
      return false
    }
    try {
      const sha = writeFramed(options.dir, name, 'state', payload.bytes, payload.pieces())
      const m = manifestText(sha)
      try {
        writeFramed(options.dir, MANIFEST, 'manifest', m.byteLength, [m])
      } catch (e) {
        // The manifest still names the last good state file: the new one is of no use.
        rmSync(join(options.dir, name), { force: true })
        throw e
      }
    } catch (e) {
      if (!(e instanceof CheckpointWriteError)) throw e
      this.refused =
        `Stopped: ${e.message}; ` +
        (this.seq > 0 ? `the last good checkpoint in ${options.dir} is kept.` : 'no checkpoint was written.')
      return false
    }
    for (const f of readdirSync(options.dir)) {
      if (/^state-\d+\.bin$/.test(f) && f !== name) rmSync(join(options.dir, f), { force: true })
    }
    this.seq++
    this.written++
    this.last = Date.now()
    return true
  }
}

/** The options a resumed search needs again: those that are plain data and change what is explored. */
const RESUMED = ['only', 'maxStates', 'maxDepth', 'continue', 'store', 'memoryMiB', 'symmetry', 'view', 'fairness', 'strict'] as const

function jsonOptions(search: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of RESUMED) if (search[k] !== undefined) out[k] = search[k]
  return out
}
