/**
 * What the coordinator of a parallel search (parallel.ts) and its workers (SearchWorker.ts, in a
 * thread of their own through worker.ts, or worker 0 in the coordinator's) say to each other:
 * where the spec comes from, the shared control words, the messages both ways, and errors as
 * data. Both sides import it, and speak only through these messages, in one thread or two.
 */
import { TypeViolation } from '../encode/TypeViolation.js'
import { CheckerError, type ErrorCode } from '../result/errors.js'
import { PropertyThrew, StrictFailure } from '../compile/evaluation.js'
import type { Found } from '../trace/trace.js'
import type { SharedStateSetHandle } from '../store/SharedStateSet.js'
import type { ReductionOptions } from '../reduce/reduction.js'
import type { SpecSignature } from '../compile/specSignature.js'

/**
 * Where a spec comes from, so that a worker thread can build it again: a module (file URL) and
 * one of its exports (default: the default export, or the only model exported), either a model
 * made with defineModel (built with `params`, checked like `--param`) or a function
 * `(params) => { spec, props }` (given `params` as they are).
 */
export interface ModelSource {
  readonly module: string
  readonly export?: string
  /** When the module exports several models (a list or an object of them): the model's name. */
  readonly name?: string
  readonly params?: Readonly<Record<string, unknown>>
  /**
   * A TypeScript module's code as the coordinator bundled it (compile/importModule.ts), so that a
   * thread imports it without bundling it again.
   */
  readonly bundle?: string
}

/**
 * Indexes into the shared control words: stop flag, pause mark, the next partition of the set to
 * move when it grows (the workers take partitions until none is left, so they share the work by
 * how fast each goes, not evenly: the cores are not always equally fast), the next state of the
 * level to expand, then one count per worker.
 */
export const CONTROL_STOP = 0
export const CONTROL_PAUSE_AT = 1
export const CONTROL_REHASH_NEXT = 2
export const CONTROL_NEXT_STATE = 3
/**
 * Worker w publishes how many states it inserted at `CONTROL_COUNTS + 16 * w`, and how many
 * successors it generated in the float64 at word `CONTROL_COUNTS + 16 * w + GENERATED_AT` (one
 * cache line each, written by one worker only, between two blocks).
 */
export const CONTROL_COUNTS = 16
export const COUNT_STRIDE = 16
const GENERATED_AT = 2
/** The control word where worker w's generated count (a float64, two words) starts. */
export const generatedWord = (w: number): number => CONTROL_COUNTS + COUNT_STRIDE * w + GENERATED_AT
/**
 * States a worker takes from the level at a time (by Atomics.add on CONTROL_NEXT_STATE); between
 * two blocks it publishes its count and looks at the stop flag and the pause mark. Small enough
 * that the workers end a level within one block of each other (tens of microseconds).
 */
export const BLOCK_STATES = 32

/** What a worker searches with (SearchWorker.ts). */
export interface SearchSetup {
  readonly exact: boolean
  readonly keepGoing: boolean
  /** The search's debug mode (SearchOptions.strict). */
  readonly strict: boolean
  readonly chunkStates: number
  readonly set: SharedStateSetHandle
  readonly control: SharedArrayBuffer
  /** This worker's number, and how many states were stored before the workers started. */
  readonly index: number
  readonly initial: number
  /** How many workers search. */
  readonly workers: number
  /** Whether to log the edges of the behaviour graph (EdgeLog.ts); the set then keeps refs. */
  readonly record: boolean
}

/** What a worker thread is started with (its `workerData`): where its spec comes from, too. */
export interface WorkerSetup extends SearchSetup {
  readonly kind: 'mrcheck-search-worker'
  readonly source: ModelSource
  readonly only: readonly string[] | undefined
  readonly reduction: ReductionOptions
  /** What the spec a worker builds from `source` must match. */
  readonly signature: SpecSignature
}

/** Messages from the coordinator to a worker. */
export type ToWorker =
  | { readonly type: 'table'; readonly set: SharedStateSetHandle; readonly exact: boolean }
  /** Buffers of output chunks the coordinator is done with, to fill again. */
  | { readonly type: 'recycle'; readonly words: readonly SharedArrayBuffer[]; readonly records: readonly SharedArrayBuffer[] }
  /**
   * Move partitions of the set in use into `set` (SharedStateSet.movePartition) as long as
   * CONTROL_REHASH_NEXT hands out any, then use `set`.
   */
  | { readonly type: 'grow'; readonly set: SharedStateSetHandle }
  /**
   * Take blocks of the level's states (of `level` when given: a new level, whose numbering starts
   * at CONTROL_NEXT_STATE 0) until none is left, the pause mark is passed or the stop flag is set.
   */
  | { readonly type: 'work'; readonly level?: Level }
  /** Stop logging the behaviour graph: the coordinator gave it up. */
  | { readonly type: 'unrecord' }
  | { readonly type: 'exit' }

/** The states of one level of the search: chunks of packed states, the ith numbered from `firstIds[i]` on. */
export interface Level {
  readonly words: readonly SharedArrayBuffer[]
  readonly counts: readonly number[]
  readonly firstIds: readonly number[]
}

/** What a worker's guard, effect or property threw, where, and the words of the state it was expanding. */
export interface WorkerFailure {
  readonly state: number
  readonly instance: number
  readonly error: SerializedError
  readonly words: Uint32Array
}

/** Messages from a worker to the coordinator. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'rehashed' }
  | { readonly type: 'fatal'; readonly message: string }
  | { readonly type: 'out'; readonly words: SharedArrayBuffer; readonly records: SharedArrayBuffer; readonly count: number }
  | {
      readonly type: 'done'
      /** States expanded since the last 'work'. */
      readonly expanded: number
      /** Totals so far in this worker (its generated count is in the control words). */
      readonly enabled: Float64Array
      readonly produced: Float64Array
      readonly reached: readonly string[]
      /** Broken properties found since the last 'work'. */
      readonly found: readonly Found[]
      readonly failure?: WorkerFailure
      /** A write outside an array that an effect left on one of the worker's successor objects (Codec.strayWrite). */
      readonly stray?: SerializedError
      /** The edges logged since the last 'work' (EdgeLog.ts), when recording; null when the log gave up. */
      readonly edges?: Int32Array | null
    }

/** An error as data, to cross the thread boundary. */
export type SerializedError =
  | { readonly kind: 'type'; readonly path: string; readonly value: unknown; readonly expected: string }
  | { readonly kind: 'property'; readonly property: string; readonly cause: SerializedError }
  | { readonly kind: 'error'; readonly name: string; readonly message: string }
  | { readonly kind: 'strict'; readonly part: StrictFailure['part']; readonly property: string; readonly what: string }
  /** The checker refusing the model during the search (a symmetry audit that failed). */
  | { readonly kind: 'checker'; readonly code: ErrorCode; readonly message: string }

/** The error as data; what is not one of the checker's own errors keeps only its name and message. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof TypeViolation) {
    let value: unknown
    try {
      value = structuredClone(e.value)
    } catch {
      value = String(e.value)
    }
    return { kind: 'type', path: e.path, value, expected: e.expected }
  }
  if (e instanceof PropertyThrew) return { kind: 'property', property: e.property, cause: serializeError(e.cause) }
  if (e instanceof StrictFailure) return { kind: 'strict', part: e.part, property: e.property, what: e.what }
  if (e instanceof CheckerError) return { kind: 'checker', code: e.code, message: e.message }
  if (e instanceof Error) return { kind: 'error', name: e.name, message: e.message }
  return { kind: 'error', name: 'Error', message: String(e) }
}

/** The error again, on the coordinator's side. */
export function deserializeError(e: SerializedError): unknown {
  switch (e.kind) {
    case 'type':
      return new TypeViolation(e.path, e.value, e.expected)
    case 'property':
      return new PropertyThrew(e.property, deserializeError(e.cause))
    case 'error':
      return Object.assign(new Error(e.message), { name: e.name })
    case 'strict':
      return new StrictFailure(e.part, e.property, e.what)
    case 'checker':
      return new CheckerError(e.code, e.message)
  }
}
