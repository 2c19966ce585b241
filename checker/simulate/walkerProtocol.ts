/**
 * What a parallel simulation (parallel.ts) and its walker threads (walkerThread.ts) say to each
 * other. The coordinator stops them all at once through one shared word (and ends those still
 * building the spec); a walker says when it is ready to walk, and reports what it covered, with the
 * fingerprints of the states it met first, every REPORT_MS and when it is done.
 */
import type { SpecSignature } from '../compile/specSignature.js'
import type { ModelSource } from '../search/workerProtocol.js'

/** How often a walker thread reports. */
export const REPORT_MS = 200

export interface WalkerSetup {
  readonly kind: 'mrcheck-simulate-walker'
  readonly source: ModelSource
  readonly only: readonly string[] | undefined
  /** What the spec a walker builds from `source` must match. */
  readonly signature: SpecSignature
  readonly strict: boolean
  /** This walker's seed and share of the walks (seeds.ts). */
  readonly seed: number
  readonly runs: number
  readonly maxSteps: number
  /** When to stop walking (ms since the epoch; Infinity: no time limit). */
  readonly deadline: number
  /** One Int32 word: non-zero tells every walker to stop after its current walk. */
  readonly stop: SharedArrayBuffer
}

/** What a walker covered so far; `fresh` holds (lo, hi) fingerprint pairs of states it met first since its last report. */
export interface Covered {
  readonly runs: number
  readonly steps: number
  readonly terminal: number
  readonly constrained: number
  readonly fresh: Uint32Array
  readonly reached: readonly string[]
}

export type FromWalker =
  /** The walker built the spec and begins to walk. */
  | { readonly type: 'ready' }
  | ({ readonly type: 'progress' } & Covered)
  /** The walker is done; `found`: its walk that found a violation or an error, if one did. */
  | ({ readonly type: 'done'; readonly found?: { readonly run: number; readonly stepsBefore: number } } & Covered)
  /** It could not build the spec. */
  | { readonly type: 'fatal'; readonly message: string }
