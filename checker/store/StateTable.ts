/**
 * The visited set of exact mode: every distinct packed state, stored once, numbered in discovery
 * order. Because breadth-first search discovers states level by level, the ids double as the
 * queue: the frontier is the id range not yet expanded. Per state it also keeps the parent id and
 * the action instance that produced it, which is all a trace needs.
 *
 * The states sit in id order (in chunks, see below), so expanding them in order reads memory
 * sequentially. Lookup is open addressing with linear probing over a slot array of
 * [id + 1, low fingerprint lane] pairs at a load of at most one half: a probe of another state
 * fails on the lane without touching its words, and growing rehashes the small slots by their
 * stored lanes without reading a state. (Keeping the states inside the slots was measured: it
 * saves a cache miss on a lookup that finds its state, but costs one on every expansion, which
 * then reads states in hash order, and makes growing move every state; it was slower.)
 *
 * States are never copied to grow: they sit in chunks of 16,384 states, plain arrays added as
 * needed, and the parents and instances grow in place (store/growable.ts). The slots double in
 * place too (store/doubleInPlace.ts), within a plain array 16 times the size in use (less for
 * very big tables; the system gives it pages only as they are first written), and move to a new
 * such array every fourth doubling. (A resizable buffer would grow without a reservation, but costs on every read: reads
 * from a resizable buffer's array measured 2.5x slower in the decoder, and about 5 ns more a
 * probe in the slots.)
 */
import { emptyFrom, putBackDoubled, reserveFor } from './doubleInPlace.js'
import { growableBuffer, lengthened } from './growable.js'
import { StatesById, type PackedStates } from './StatesById.js'

/** `add`'s answer when the table is full and may not grow (see `maySpend`). */
export const FULL = -2

/** How far an array may grow in place before it moves to a larger reservation. */
const RESERVE = 16
/** States per chunk of `chunks`. */
const CHUNK_BITS = 14
const CHUNK_STATES = 1 << CHUNK_BITS
const IN_CHUNK = CHUNK_STATES - 1

export class StateTable implements PackedStates {
  /** Per id: the parent's id (negative for an initial state, by the caller's convention). */
  parent: Int32Array
  /** Per id: the action instance that produced the state (the caller's convention for initial states). */
  via: Int32Array
  count = 0
  /** The states' words, in id order: state `id` is at `chunkOf(id)[wordsAt(id)..]`. */
  private readonly chunks: Uint32Array[]
  /** [id + 1, fingerprint lane] per slot; slots 0 to `mask` are in use, the rest of the array is zero. */
  private slots: Int32Array
  private mask: number

  /**
   * @param maySpend asked before growing, with the extra bytes growth needs; when it says no,
   *   `add` answers FULL for a new state instead of storing it.
   */
  constructor(
    readonly width: number,
    initialCapacity = 1024,
    private readonly maySpend: (extraBytes: number) => boolean = () => true,
  ) {
    const cap = 2 ** Math.max(4, Math.ceil(Math.log2(initialCapacity)))
    this.chunks = [new Uint32Array(CHUNK_STATES * width)]
    this.parent = new Int32Array(growableBuffer(cap * 4, RESERVE), 0, cap)
    this.via = new Int32Array(growableBuffer(cap * 4, RESERVE), 0, cap)
    this.slots = StateTable.slotArray(cap * 2)
    this.mask = cap * 2 - 1
  }

  /**
   * Adds the state at `buf[at..]` (low fingerprint lane `fp`) unless present; returns its new id,
   * -1 if it was seen, or FULL if it is new and the table may not grow.
   */
  add(buf: Uint32Array, at: number, fp: number, parent: number, via: number): number {
    const slot = this.find(buf, at, fp)
    if (slot < 0) return -1
    const id = this.count
    if (id === this.parent.length) {
      // The parents, the instances and the slots double.
      if (!this.maySpend(this.parent.byteLength + this.via.byteLength + 2 * this.slotBytes)) return FULL
      this.grow()
      return this.add(buf, at, fp, parent, via)
    }
    if ((id & IN_CHUNK) === 0 && id >>> CHUNK_BITS === this.chunks.length) {
      if (!this.maySpend(CHUNK_STATES * this.width * 4)) return FULL
      this.chunks.push(new Uint32Array(CHUNK_STATES * this.width))
    }
    const w = this.width
    const keys = this.chunks[id >>> CHUNK_BITS]!
    const base = (id & IN_CHUNK) * w
    for (let i = 0; i < w; i++) keys[base + i] = buf[at + i]!
    this.parent[id] = parent
    this.via[id] = via
    this.slots[2 * slot] = id + 1
    this.slots[2 * slot + 1] = fp
    this.count = id + 1
    return id
  }

  /** The id of the state that the last `add` or `has` found stored. */
  found = -1

  /** Where the last `prefetch` read; kept so that the reads are not optimized away. */
  private touched = 0

  /**
   * Reads the first slot of each of `count` states by their low fingerprint lanes (every other
   * entry of `fps`), and the first word of the state in it when the lane matches: see Sink.prefetch.
   */
  prefetch(fps: Uint32Array, count: number): void {
    const slots = this.slots
    let touched = this.touched
    for (let k = 0; k < count; k++) {
      const fp = fps[2 * k]! | 0
      const slot = fp & this.mask
      const entry = slots[2 * slot]!
      touched ^= entry
      if (entry !== 0 && slots[2 * slot + 1] === fp) touched ^= this.chunks[(entry - 1) >>> CHUNK_BITS]![((entry - 1) & IN_CHUNK) * this.width]!
    }
    this.touched = touched
  }

  /** Whether the state at `buf[at..]` (low fingerprint lane `fp`) is stored. */
  has(buf: Uint32Array, at: number, fp: number): boolean {
    return this.find(buf, at, fp) < 0
  }

  /** The array that holds the words of state `id`. */
  chunkOf(id: number): Uint32Array {
    return this.chunks[id >>> CHUNK_BITS]!
  }

  /** Where the words of state `id` start in `chunkOf(id)`. */
  wordsAt(id: number): number {
    return (id & IN_CHUNK) * this.width
  }

  /**
   * The states alone, sharing their chunks: what the behaviour graph keeps for the liveness phase,
   * which needs neither the slots nor the parents and instances (most of the table's other bytes).
   */
  statesById(): StatesById {
    return new StatesById(this.width, this.chunks, this.count)
  }

  /** How many states after `id` follow it in `chunkOf(id)`. */
  after(id: number): number {
    return Math.min(this.count, (id | IN_CHUNK) + 1) - id - 1
  }

  /** A copy of the words of state `id`. */
  stateWords(id: number): Uint32Array {
    const at = this.wordsAt(id)
    return this.chunkOf(id).slice(at, at + this.width)
  }

  /** The words of the first `n` states, in id order, as views of the chunks. */
  *states(n: number): Generator<Uint32Array> {
    for (let id = 0; id < n; id += CHUNK_STATES) yield this.chunkOf(id).subarray(0, Math.min(CHUNK_STATES, n - id) * this.width)
  }

  /** Bytes held by the table's arrays. */
  get bytes(): number {
    const states = this.chunks.length * CHUNK_STATES * this.width * 4
    return states + this.parent.byteLength + this.via.byteLength + this.slotBytes
  }

  /** Bytes of the slots in use (the rest of their array has no pages yet). */
  private get slotBytes(): number {
    return (this.mask + 1) * 8
  }

  /** The empty slot where the state would go, or -1 when it is stored. */
  private find(buf: Uint32Array, at: number, fp: number): number {
    const w = this.width
    const slots = this.slots
    const mask = this.mask
    fp |= 0
    for (let slot = fp & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[2 * slot]!
      if (entry === 0) return slot
      if (slots[2 * slot + 1] === fp) {
        const keys = this.chunks[(entry - 1) >>> CHUNK_BITS]!
        const base = ((entry - 1) & IN_CHUNK) * w
        let i = 0
        while (i < w && keys[base + i] === buf[at + i]) i++
        if (i === w) {
          this.found = entry - 1
          return -1
        }
      }
    }
  }

  private grow(): void {
    const cap = this.parent.length * 2
    this.parent = lengthened(this.parent, cap, RESERVE)
    this.via = lengthened(this.via, cap, RESERVE)
    if (cap * 4 <= this.slots.length) this.doubleInPlace()
    else this.rehashInto(StateTable.slotArray(cap * 2), cap * 2 - 1)
  }

  /**
   * An array for `slots` slots in use and room to double into: the rest stays zero, and untouched
   * (the system gives it pages as they are first written), until the slots double into it.
   */
  private static slotArray(slots: number): Int32Array {
    return new Int32Array(slots * 2 * reserveFor(slots * 8))
  }

  /** Moves every slot in use to `slots`, whose slots 0 to `mask` are in use from now on. */
  private rehashInto(slots: Int32Array, mask: number): void {
    // By the stored fingerprint lanes: no state is read or hashed again.
    const old = this.slots
    for (let s = 0; s <= 2 * this.mask; s += 2) {
      const entry = old[s]!
      if (entry !== 0) this.put(slots, mask, entry, old[s + 1]!)
    }
    this.slots = slots
    this.mask = mask
  }

  /** Doubles the slots in use within their array (store/doubleInPlace.ts). */
  private doubleInPlace(): void {
    const S = this.mask + 1
    const empty = emptyFrom(this.slots, 2, S, 0)
    putBackDoubled(this.slots, 2, 1, S, empty, empty + S)
    this.mask = 2 * S - 1
  }

  /** Puts an entry into the first free slot from its own, in a table whose slots 0 to `mask` are in use. */
  private put(slots: Int32Array, mask: number, entry: number, fp: number): void {
    let slot = fp & mask
    while (slots[2 * slot] !== 0) slot = (slot + 1) & mask
    slots[2 * slot] = entry
    slots[2 * slot + 1] = fp
  }
}
