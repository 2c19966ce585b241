/**
 * The two ways a one-worker search remembers states, behind one interface so that the search loop
 * does not care which it has:
 * - `ExactStore`: every distinct packed state, in discovery order (store/StateTable.ts). The ids
 *   double as the queue. About 40-56 bytes a state for a two-word state.
 * - `FingerprintStore`: only 64-bit fingerprints in the visited set (store/FingerprintSet.ts),
 *   packed states only while queued (store/Frontier.ts; beyond a few chunks on disk), trace
 *   records on disk (store/TraceRecords.ts). About 10-12 bytes a state resident.
 *
 * Ids are discovery order in both, so the state to expand next is always id `next`, and a trace is
 * the chain of parent ids.
 */
import { fingerprint } from '../encode/fingerprint.js'
import { FingerprintSet } from './FingerprintSet.js'
import { Frontier } from './Frontier.js'
import { MemoryExhausted } from './memory.js'
import { FULL, StateTable } from './StateTable.js'
import { TraceRecords } from './TraceRecords.js'

export { FULL }

export interface VisitedStore {
  readonly kind: 'exact' | 'fingerprint'
  /** Distinct states stored. */
  readonly count: number
  /**
   * Adds the state at `buf[at..]`, whose fingerprint lanes are (lo, hi), unless it was seen.
   * Returns its id, -1 when seen, or FULL when it is new and the memory budget forbids storing it.
   * `parent` is the id of the state it was reached from (or `-1 - i` for initial state i),
   * `instance` the action instance.
   */
  add(buf: Uint32Array, at: number, lo: number, hi: number, parent: number, instance: number): number
  /** The id of the state the last `add` found seen; -1 with fingerprints, which keep no ids. */
  readonly seen: number
  /** See Sink.prefetch (search/expand.ts). */
  prefetch(fps: Uint32Array, count: number): void
  /**
   * Makes state `id`, the next one in discovery order, readable at `words[at..]`, and the
   * `ahead` states after it at `words[at + width..]` (until the next add or take).
   */
  take(id: number): void
  /** Puts the state just taken back at the head of the queue (its expansion did not finish). */
  untake(): void
  words: Uint32Array
  at: number
  ahead: number
  parentOf(id: number): number
  instanceOf(id: number): number
  /** The packed words of stored state `id`, when the store keeps them. */
  stateWords(id: number): Uint32Array | undefined
  /** Whether the state at `buf[at..]` with fingerprint lanes (lo, hi) is stored. */
  contains(buf: Uint32Array, at: number, lo: number, hi: number): boolean
  /** Bytes held in memory. */
  readonly bytes: number
  /** Releases files. */
  close(): void
}

export class ExactStore implements VisitedStore {
  readonly kind = 'exact'
  readonly table: StateTable
  words: Uint32Array
  at = 0
  ahead = 0

  constructor(
    readonly width: number,
    maySpend?: (extraBytes: number) => boolean,
  ) {
    this.table = new StateTable(width, 1024, maySpend)
    this.words = new Uint32Array(0)
  }

  get count(): number {
    return this.table.count
  }
  add(buf: Uint32Array, at: number, lo: number, _hi: number, parent: number, instance: number): number {
    return this.table.add(buf, at, lo, parent, instance)
  }
  get seen(): number {
    return this.table.found
  }
  prefetch(fps: Uint32Array, count: number): void {
    this.table.prefetch(fps, count)
  }
  take(id: number): void {
    this.words = this.table.chunkOf(id)
    this.at = this.table.wordsAt(id)
    this.ahead = this.table.after(id)
  }
  untake(): void {
    // The ids are the queue: taking removes nothing.
  }
  parentOf(id: number): number {
    return this.table.parent[id]!
  }
  instanceOf(id: number): number {
    return this.table.via[id]!
  }
  stateWords(id: number): Uint32Array {
    return this.table.stateWords(id)
  }
  contains(buf: Uint32Array, at: number, lo: number): boolean {
    return this.table.has(buf, at, lo)
  }
  get bytes(): number {
    return this.table.bytes
  }
  close(): void {}
}

export interface FingerprintStoreOptions {
  /** Asked before the fingerprint set grows. */
  readonly maySpend?: (extraBytes: number) => boolean
  /** Instances need 4 bytes in trace records. */
  readonly wideInstances?: boolean
  /** Keep trace records in memory instead of a temporary file. */
  readonly recordsInMemory?: boolean
  /** Keep the whole queue in memory instead of spilling all but QUEUE_CHUNKS_RESIDENT chunks to a temporary file. */
  readonly queueInMemory?: boolean
  readonly initialCapacity?: number
}

/** Queue chunks (16,384 states each) a fingerprint store keeps in memory; the rest wait on disk. */
const QUEUE_CHUNKS_RESIDENT = 8

export class FingerprintStore implements VisitedStore {
  readonly kind = 'fingerprint'
  readonly set: FingerprintSet
  readonly frontier: Frontier
  readonly records: TraceRecords
  words: Uint32Array
  at = 0
  ahead = 0

  constructor(
    readonly width: number,
    options: FingerprintStoreOptions = {},
  ) {
    this.set = new FingerprintSet(options.initialCapacity, options.maySpend)
    this.frontier = new Frontier(width, undefined, options.queueInMemory ? Infinity : QUEUE_CHUNKS_RESIDENT)
    this.records = new TraceRecords({ wideInstances: options.wideInstances ?? false, spill: !options.recordsInMemory })
    this.words = this.frontier.words
  }

  /**
   * Moves an exact store's states into a new fingerprint store: every state's fingerprint, every
   * trace record, and the states from id `next` on (not expanded yet) as the queue.
   */
  static fromExact(exact: ExactStore, next: number, options: FingerprintStoreOptions = {}): FingerprintStore {
    const w = exact.width
    const store = new FingerprintStore(w, { ...options, initialCapacity: Math.ceil(exact.count / 0.75) })
    const { table } = exact
    const fp = new Uint32Array(2)
    for (let id = 0; id < table.count; id++) {
      const words = table.chunkOf(id)
      const at = table.wordsAt(id)
      fingerprint(words, at, w, fp)
      store.set.add(fp[0]!, fp[1]!)
      store.records.append(table.parent[id]!, table.via[id]!)
      if (id >= next) store.frontier.push(words, at)
    }
    return store
  }

  get count(): number {
    return this.records.count
  }
  readonly seen = -1
  add(buf: Uint32Array, at: number, lo: number, hi: number, parent: number, instance: number): number {
    if (this.set.full) return FULL
    if (!this.set.add(lo, hi)) return -1
    this.frontier.push(buf, at)
    this.records.append(parent, instance)
    return this.records.count - 1
  }
  prefetch(fps: Uint32Array, count: number): void {
    this.set.prefetch(fps, count)
  }
  take(): void {
    this.frontier.take()
    this.words = this.frontier.words
    this.at = this.frontier.at
    this.ahead = this.frontier.ahead
  }
  untake(): void {
    this.frontier.untake()
  }
  parentOf(id: number): number {
    return this.records.parentOf(id)
  }
  instanceOf(id: number): number {
    return this.records.instanceOf(id)
  }
  stateWords(): undefined {
    return undefined
  }
  contains(_buf: Uint32Array, _at: number, lo: number, hi: number): boolean {
    return this.set.has(lo, hi)
  }
  get bytes(): number {
    return this.set.bytes + this.frontier.bytes + this.records.bytes
  }
  close(): void {
    this.records.close()
    this.frontier.close()
  }
}

export { MemoryExhausted }
