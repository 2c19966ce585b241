/**
 * The visited set of a one-worker fingerprint-mode search, keyed by 64-bit fingerprints (two
 * uint32 lanes, see encode/fingerprint.ts); parallel workers share store/SharedStateSet.ts. It
 * is open addressing with linear probing, 8 bytes a slot (the two lanes), no ids and no states.
 * Why it looks the way it does:
 * - Bytes per state are 8 / load. Doubling a table makes its load swing between max/2 and max, so
 *   a search pays up to twice the memory it needs. Here the table is split into 64 partitions (by
 *   the top bits of the low lane) that grow one at a time by 1.25x once they pass a load of 0.85
 *   (doubling while the whole set is under 32 MiB, where rehashing would dominate): the load stays
 *   between 0.68 and 0.85, 9.4 to 11.8 bytes a state, and growing never needs more than one
 *   partition's worth of extra memory at once: a partition grows in place in its resizable
 *   buffer, rehashing from one scratch buffer shared by all partitions.
 * - Slots are indexed by multiply-shift (fastrange) on the high lane, so a capacity need not be a
 *   power of two.
 * - The high lane is forced non-zero: 0 marks an empty slot. That merges fingerprints hi = 0 and
 *   hi = 1, which costs nothing measurable against 2^64.
 * - Linear probing at 0.85: a lookup of a seen state (most lookups) reads 3.8 slots on average,
 *   a new state 22, mostly in the same cache lines.
 */
import { growableBuffer } from './growable.js'

const PARTITION_BITS = 6
const PARTITIONS = 1 << PARTITION_BITS
const MAX_LOAD = 0.85
const GROWTH = 1.25
/** Partitions below this many slots double (64 of them: 32 MiB in all). */
const DOUBLE_BELOW = 1 << 16
const MIN_CAPACITY = 1024
const TWO_32 = 4294967296
/**
 * Tables and the rehash scratch live in buffers that can grow in place up to 4x their size
 * (store/growable.ts): a new plain buffer for every growth left the C allocator's heap full of
 * holes it could not give back (about 2 bytes a state at 10^7 states).
 */
const growable = (bytes: number) => growableBuffer(bytes, 4)

export class FingerprintSet {
  count = 0
  private readonly tables: Uint32Array[] = []
  /** Where a partition's slots wait while it is rehashed (see `scratchOf`). */
  private scratch = growable(0)
  private readonly capacity = new Float64Array(PARTITIONS)
  private readonly scale = new Float64Array(PARTITIONS)
  private readonly used = new Float64Array(PARTITIONS)
  private readonly limit = new Float64Array(PARTITIONS)
  private bytes_ = 0

  /**
   * @param maySpend called before a partition grows with the extra bytes it needs; returning
   *   false refuses, and the set then fills its partitions up to 0.97 and sets `full`.
   */
  constructor(
    initialCapacity = PARTITIONS * MIN_CAPACITY,
    private readonly maySpend: (extraBytes: number) => boolean = () => true,
  ) {
    const per = Math.max(MIN_CAPACITY, Math.ceil(initialCapacity / PARTITIONS))
    for (let p = 0; p < PARTITIONS; p++) this.resize(p, per)
  }

  /** Set when growth was refused: the caller should stop before the set is completely full. */
  full = false

  /** Adds the fingerprint (lo, hi) unless present; returns whether it was new. */
  add(lo: number, hi: number): boolean {
    const p = lo >>> (32 - PARTITION_BITS)
    const table = this.tables[p]!
    const h = hi >>> 0 === 0 ? 1 : hi >>> 0
    const cap = this.capacity[p]!
    let slot = Math.floor(h * this.scale[p]!)
    for (;;) {
      const x = table[2 * slot]!
      if (x === 0) break
      if (x === h && table[2 * slot + 1] === lo >>> 0) return false
      if (++slot === cap) slot = 0
    }
    table[2 * slot] = h
    table[2 * slot + 1] = lo
    this.count++
    if (++this.used[p]! > this.limit[p]!) this.grow(p)
    return true
  }

  /** Where the last `prefetch` read; kept so that the reads are not optimized away. */
  private touched = 0

  /** Reads the first slot of each of `count` fingerprints (lo, hi pairs in `fps`): see Sink.prefetch. */
  prefetch(fps: Uint32Array, count: number): void {
    let touched = this.touched
    for (let k = 0; k < count; k++) {
      const lo = fps[2 * k]!
      const hi = fps[2 * k + 1]!
      const p = lo >>> (32 - PARTITION_BITS)
      const h = hi === 0 ? 1 : hi
      touched ^= this.tables[p]![2 * Math.floor(h * this.scale[p]!)]!
    }
    this.touched = touched
  }

  /** Whether the fingerprint (lo, hi) is present. */
  has(lo: number, hi: number): boolean {
    const p = lo >>> (32 - PARTITION_BITS)
    const table = this.tables[p]!
    const h = hi >>> 0 === 0 ? 1 : hi >>> 0
    const cap = this.capacity[p]!
    for (let slot = Math.floor(h * this.scale[p]!); ; ) {
      const x = table[2 * slot]!
      if (x === 0) return false
      if (x === h && table[2 * slot + 1] === lo >>> 0) return true
      if (++slot === cap) slot = 0
    }
  }

  /** Bytes held by the tables. */
  get bytes(): number {
    return this.bytes_ + this.scratch.byteLength
  }

  /**
   * Every fingerprint stored, as (lo, hi) pairs, for a checkpoint (`add` takes them back), in
   * pieces of at most 65,536 pairs: one reused buffer, so a piece is valid until the next is
   * asked for, and writing a large set needs no copy of it.
   */
  *pairs(): Generator<Uint32Array> {
    const out = new Uint32Array(2 * 65536)
    let k = 0
    for (const table of this.tables) {
      for (let i = 0; i < table.length; i += 2) {
        if (table[i] === 0) continue
        out[k++] = table[i + 1]!
        out[k++] = table[i]!
        if (k === out.length) {
          yield out
          k = 0
        }
      }
    }
    if (k > 0) yield out.subarray(0, k)
  }

  private grow(p: number): void {
    const cap = this.capacity[p]!
    // Doubling while small (rehashing is cheaper), 1.25x once the table is large.
    const next = Math.ceil(cap * (cap < DOUBLE_BELOW ? 2 : GROWTH))
    if (this.full || !this.maySpend(next * 8)) {
      this.full = true
      if (this.used[p]! >= cap * 0.97) throw new RangeError('the fingerprint set is full (memory budget)')
      this.limit[p] = cap * 0.97
      return
    }
    this.resize(p, next)
  }

  private resize(p: number, cap: number): void {
    const before = this.tables[p]
    const bytes = cap * 8
    const scale = cap / TWO_32
    let old: Uint32Array | undefined
    let table: Uint32Array
    if (before === undefined) {
      table = new Uint32Array(growable(bytes), 0, cap * 2)
    } else {
      // The old slots go to the scratch buffer; the table grows where it is, or moves to a new
      // buffer when it outgrows its reservation.
      old = this.scratchOf(before.length)
      old.set(before)
      const buffer = before.buffer as ArrayBuffer
      if (bytes <= buffer.maxByteLength) {
        buffer.resize(bytes)
        table = new Uint32Array(buffer, 0, cap * 2)
        table.fill(0, 0, before.length)
      } else {
        table = new Uint32Array(growable(bytes), 0, cap * 2)
      }
      for (let i = 0; i < old.length; i += 2) {
        const h = old[i]!
        if (h === 0) continue
        let slot = Math.floor(h * scale)
        while (table[2 * slot] !== 0) if (++slot === cap) slot = 0
        table[2 * slot] = h
        table[2 * slot + 1] = old[i + 1]!
      }
      this.bytes_ -= before.byteLength
    }
    this.tables[p] = table
    this.capacity[p] = cap
    this.scale[p] = scale
    this.limit[p] = Math.floor(cap * MAX_LOAD)
    this.bytes_ += table.byteLength
  }

  /** The first `words` words of the rehash scratch buffer, grown as needed (one for all partitions). */
  private scratchOf(words: number): Uint32Array {
    if (words * 4 > this.scratch.byteLength) {
      if (words * 4 <= this.scratch.maxByteLength) this.scratch.resize(words * 4)
      else this.scratch = growable(words * 4)
    }
    return new Uint32Array(this.scratch, 0, words)
  }
}
