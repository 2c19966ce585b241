/**
 * The visited set that parallel workers share (see parallel.ts): one SharedArrayBuffer,
 * lock-free insertion by compare-and-swap. A slot is a tag word (the high fingerprint lane,
 * forced >= 2) followed by a key: the low lane in fingerprint mode, or the whole packed state in
 * exact mode; a set that keeps refs (`refs`) adds one word after the key, the number the inserting
 * worker gave the state, by which the recorded behaviour graph names it (ParallelGraph.ts). A
 * worker claims an empty slot by CAS 0 -> BUSY, writes the key and ref, then publishes the
 * tag with an atomic store; a reader that meets BUSY waits for the tag, and reads the key only
 * after seeing the tag (the atomic store/load pair orders the key's plain writes before it).
 *
 * The table never grows while workers run: the coordinator pauses them when the load passes 0.75
 * and has them double it. Its buffer reserves 16 times the slots in use (less for very big
 * sets; the system gives it pages only as they are first written), so the workers double the
 * slots where they are (store/doubleInPlace.ts), in slices (`doublingBounds`, `doubleBetween`);
 * every fourth doubling the workers move the keys to a new buffer (`rehashFrom`), and when a set
 * turns into fingerprints the coordinator does (`toFingerprints`).
 */
import { fingerprint } from '../encode/fingerprint.js'
import { emptyFrom, putBackDoubled, reserveFor } from './doubleInPlace.js'

/** Tag of an empty slot, and of a slot whose key is being written. */
const EMPTY = 0
const BUSY = 1

/** The parts of a SharedStateSet that travel to workers (shared memory). */
export interface SharedStateSetHandle {
  readonly table: SharedArrayBuffer
  /** Key words per slot: 1 (fingerprint mode) or the state's words (exact mode). */
  readonly keyWords: number
  /** Whether each slot keeps a ref after its key. */
  readonly refs: boolean
  /** Slots in use (a power of two); the rest of the buffer is zero. */
  readonly slots: number
}

/** What `insert` answers for a key it added. */
export const INSERTED = -1

export class SharedStateSet {
  readonly keyWords: number
  readonly refs: boolean
  /**
   * Keys this thread inserted. There is no shared count: a counter that every insertion updates
   * would be one cache line bouncing between the workers' cores; the coordinator counts the new
   * states workers report instead.
   */
  count = 0
  private table: Int32Array
  private slots: number
  private mask: number
  private readonly stride: number

  constructor(handle: SharedStateSetHandle) {
    this.keyWords = handle.keyWords
    this.refs = handle.refs
    this.stride = handle.keyWords + 1 + (handle.refs ? 1 : 0)
    this.table = new Int32Array(handle.table)
    this.slots = handle.slots
    this.mask = this.slots - 1
  }

  /** A new, empty set with room for `slots` (a power of two) keys of `keyWords` words, and their refs if `refs`. */
  static create(keyWords: number, slots: number, refs = false): SharedStateSetHandle {
    const bytes = slots * (keyWords + 1 + (refs ? 1 : 0)) * 4
    return { table: new SharedArrayBuffer(bytes * reserveFor(bytes)), keyWords, refs, slots }
  }

  /** The shared buffers, to hand to another thread. */
  get handle(): SharedStateSetHandle {
    return { table: this.table.buffer as SharedArrayBuffer, keyWords: this.keyWords, refs: this.refs, slots: this.slots }
  }

  get capacity(): number {
    return this.slots
  }

  /** Bytes of the slots in use (the rest of the buffer has no pages yet). */
  get bytes(): number {
    return this.slots * this.stride * 4
  }

  /**
   * Adds the key `buf[at..at + keyWords)` with fingerprint lanes (lo, hi) unless present; returns
   * whether it was new. In fingerprint mode the key is the low lane itself.
   */
  add(hi: number, buf: Int32Array | Uint32Array, at: number): boolean {
    return this.insert(hi, buf, at, 0) === INSERTED
  }

  /**
   * As `add`, keeping `ref` (>= 0) with a new key in a set that keeps refs; returns INSERTED, or
   * the ref kept with the key found (0 in a set that keeps none).
   */
  insert(hi: number, buf: Int32Array | Uint32Array, at: number, ref: number): number {
    return this.addTagged((hi | 0) === EMPTY || (hi | 0) === BUSY ? (hi | 0) + 2 : hi | 0, buf, at, ref)
  }

  /**
   * Inserts the keys (and refs) of slots [from, to) of `old` (a smaller set of the same shape): the
   * workers move a set into a new buffer in parallel, a slice at a time.
   */
  rehashFrom(old: SharedStateSetHandle, from: number, to: number): void {
    const src = new Int32Array(old.table)
    const stride = this.stride
    for (let base = from * stride; base < to * stride; base += stride) {
      const tag = src[base]!
      if (tag !== EMPTY) this.addTagged(tag, src, base + 1, this.refs ? src[base + 1 + this.keyWords]! : 0)
    }
  }

  private addTagged(tag: number, buf: Int32Array | Uint32Array, at: number, ref: number): number {
    const t = this.table
    const stride = this.stride
    const k = this.keyWords
    let slot = tag & this.mask
    let probes = 0
    for (;;) {
      const base = slot * stride
      let x = Atomics.load(t, base)
      if (x === EMPTY) {
        x = Atomics.compareExchange(t, base, EMPTY, BUSY)
        if (x === EMPTY) {
          for (let i = 0; i < k; i++) t[base + 1 + i] = buf[at + i]!
          if (this.refs) t[base + 1 + k] = ref
          Atomics.store(t, base, tag)
          this.count++
          return INSERTED
        }
      }
      while (x === BUSY) x = Atomics.load(t, base)
      if (x === tag) {
        let same = true
        for (let i = 0; i < k; i++) {
          if (t[base + 1 + i] !== (buf[at + i]! | 0)) {
            same = false
            break
          }
        }
        if (same) return this.refs ? t[base + 1 + k]! : 0
      }
      slot = (slot + 1) & this.mask
      if (++probes > this.slots) throw new RangeError('the shared state set is full')
    }
  }

  /** Where the last `prefetch` read; kept so that the reads are not optimized away. */
  private touched = 0

  /** Reads the first slot of each of `count` fingerprints (lo, hi pairs in `fps`): see Sink.prefetch. */
  prefetch(fps: Uint32Array, count: number): void {
    const t = this.table
    let touched = this.touched
    for (let k = 0; k < count; k++) {
      const hi = fps[2 * k + 1]! | 0
      const tag = hi === EMPTY || hi === BUSY ? hi + 2 : hi
      touched ^= t[(tag & this.mask) * this.stride]!
    }
    this.touched = touched
  }

  /** Whether the key is present (no writer may run concurrently). */
  has(hi: number, buf: Int32Array | Uint32Array, at: number): boolean {
    const t = this.table
    const tag = (hi | 0) === EMPTY || (hi | 0) === BUSY ? (hi | 0) + 2 : hi | 0
    for (let slot = tag & this.mask; ; slot = (slot + 1) & this.mask) {
      const base = slot * this.stride
      const x = t[base]!
      if (x === EMPTY) return false
      if (x !== tag) continue
      let same = true
      for (let i = 0; i < this.keyWords; i++) if (t[base + 1 + i] !== (buf[at + i]! | 0)) same = false
      if (same) return true
    }
  }

  /** Whether the slots can double within the buffer (else `grow` moves them to a new one). */
  get canDouble(): boolean {
    return 2 * this.slots * this.stride <= this.table.length
  }

  /**
   * How the workers share the doubling of the slots in place (store/doubleInPlace.ts): slice k
   * runs from after position `bounds[k]` to `bounds[k + 1]` (`doubleBetween`). Each bound is the
   * first empty slot at or after the start of a stretch of `slice` slots, so that every run of
   * full slots lies within one slice; the last bound is the first one plus the slot count.
   * Computed before any slice starts, while the slots still are as they were.
   */
  doublingBounds(slice: number): Int32Array {
    const count = Math.ceil(this.slots / slice)
    const bounds = new Int32Array(new SharedArrayBuffer((count + 1) * 4))
    for (let k = 0; k < count; k++) bounds[k] = emptyFrom(this.table, this.stride, this.slots, k * slice)
    bounds[count] = bounds[0]! + this.slots
    return bounds
  }

  /**
   * Puts back, for twice the slots, the entries of positions (from, to] (see `doublingBounds`).
   * Slices write disjoint slots, so the workers need no atomic operation to share them. The set
   * keeps its old size: the caller hands out `doubled` once every slice is done.
   */
  doubleBetween(from: number, to: number): void {
    putBackDoubled(this.table, this.stride, 0, this.slots, from, to)
  }

  /** The handle of this set with twice the slots, after `doubleBetween` has run on every slice. */
  get doubled(): SharedStateSetHandle {
    return { ...this.handle, slots: 2 * this.slots }
  }

  /**
   * An exact set (keys are packed states) turned into a fingerprint set of `slots` slots: each
   * state's fingerprint is computed from its words. No worker may use the set meanwhile.
   */
  toFingerprints(slots: number): SharedStateSetHandle {
    const stride = this.stride
    const w = this.keyWords
    const handle = SharedStateSet.create(1, slots)
    const next = new Int32Array(handle.table)
    const mask = slots - 1
    const old = this.table
    const words = new Uint32Array(old.buffer, 0, old.length)
    const fp = new Uint32Array(2)
    for (let base = 0; base < this.slots * stride; base += stride) {
      if (old[base] === EMPTY) continue
      fingerprint(words, base + 1, w, fp)
      const hi = fp[1]! | 0
      const tag = hi === EMPTY || hi === BUSY ? hi + 2 : hi
      let slot = tag & mask
      while (next[slot * 2] !== EMPTY) slot = (slot + 1) & mask
      next[slot * 2] = tag
      next[slot * 2 + 1] = fp[0]! | 0
    }
    return handle
  }
}
