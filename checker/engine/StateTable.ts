/**
 * The visited set of exact mode: every distinct packed state, stored once, numbered in discovery
 * order. Because breadth-first search discovers states level by level, the ids double as the
 * queue: the frontier is the id range not yet expanded. Per state it also keeps the parent id and
 * the action instance that produced it, which is all a trace needs.
 *
 * Lookup is open addressing with linear probing, and the states live inside the hash slots:
 * a slot is [id + 1, low fingerprint lane, the state's words]. Why inline: most successors a
 * search generates were seen before, and with the state in its slot, a lookup that finds it
 * touches one place in memory instead of a slot array and then a separate state array (two cache
 * misses once the table outgrows the cache). The fingerprint lane makes most probes of other
 * states fail on one word. `slotOf` maps an id back to its slot, for the queue and for traces.
 */

/** `add`'s answer when the table is full and may not grow (see `maySpend`). */
export const FULL = -2

const MAX_LOAD = 0.75

export class StateTable {
  /** Per id: the parent's id (negative for an initial state, by the caller's convention). */
  parent: Int32Array
  /** Per id: the action instance that produced the state (the caller's convention for initial states). */
  via: Int32Array
  count = 0
  /** The slots: [id + 1, fingerprint lane, words...] each. */
  keys: Uint32Array
  /** Per id: where in `keys` its words start. */
  private slotOf: Int32Array
  private readonly stride: number
  private mask: number
  private limit: number

  /**
   * @param maySpend asked before growing, with the extra bytes growth needs; when it says no,
   *   `add` answers FULL for a new state instead of storing it.
   */
  constructor(
    readonly width: number,
    initialCapacity = 1024,
    private readonly maySpend: (extraBytes: number) => boolean = () => true,
  ) {
    const slots = 2 ** Math.max(4, Math.ceil(Math.log2(initialCapacity / MAX_LOAD)))
    this.stride = width + 2
    this.keys = new Uint32Array(slots * this.stride)
    this.mask = slots - 1
    this.limit = Math.floor(slots * MAX_LOAD)
    this.parent = new Int32Array(this.limit)
    this.via = new Int32Array(this.limit)
    this.slotOf = new Int32Array(this.limit)
  }

  /**
   * Adds the state at `buf[at..]` (low fingerprint lane `fp`) unless present; returns its new id,
   * -1 if it was seen, or FULL if it is new and the table may not grow.
   */
  add(buf: Uint32Array, at: number, fp: number, parent: number, via: number): number {
    const base = this.find(buf, at, fp)
    if (base < 0) return -1
    const id = this.count
    if (id === this.limit) {
      if (!this.maySpend(this.bytes * 2)) return FULL
      this.grow()
      return this.add(buf, at, fp, parent, via)
    }
    const keys = this.keys
    keys[base] = id + 1
    keys[base + 1] = fp
    for (let i = 0; i < this.width; i++) keys[base + 2 + i] = buf[at + i]!
    this.parent[id] = parent
    this.via[id] = via
    this.slotOf[id] = base + 2
    this.count = id + 1
    return id
  }

  /** Whether the state at `buf[at..]` (low fingerprint lane `fp`) is stored. */
  has(buf: Uint32Array, at: number, fp: number): boolean {
    return this.find(buf, at, fp) < 0
  }

  /** Where the words of state `id` start in `keys`. */
  wordsAt(id: number): number {
    return this.slotOf[id]!
  }

  /** A copy of the words of state `id`. */
  stateWords(id: number): Uint32Array {
    const at = this.slotOf[id]!
    return this.keys.slice(at, at + this.width)
  }

  /** Bytes held by the table's arrays. */
  get bytes(): number {
    return this.keys.byteLength + this.parent.byteLength + this.via.byteLength + this.slotOf.byteLength
  }

  /** The start of the empty slot where the state would go, or -1 when it is stored. */
  private find(buf: Uint32Array, at: number, fp: number): number {
    const w = this.width
    const keys = this.keys
    const stride = this.stride
    const mask = this.mask
    fp >>>= 0
    for (let slot = fp & mask; ; slot = (slot + 1) & mask) {
      const base = slot * stride
      if (keys[base] === 0) return base
      if (keys[base + 1] === fp) {
        let i = 0
        while (i < w && keys[base + 2 + i] === buf[at + i]) i++
        if (i === w) return -1
      }
    }
  }

  private grow(): void {
    const stride = this.stride
    const slots = (this.mask + 1) * 2
    const mask = slots - 1
    const old = this.keys
    const keys = new Uint32Array(slots * stride)
    const limit = Math.floor(slots * MAX_LOAD)
    const slotOf = new Int32Array(limit)
    // Rehash by the stored fingerprint lane: no state is hashed again.
    for (let base = 0; base < old.length; base += stride) {
      const entry = old[base]!
      if (entry === 0) continue
      let slot = old[base + 1]! & mask
      while (keys[slot * stride] !== 0) slot = (slot + 1) & mask
      const to = slot * stride
      for (let i = 0; i < stride; i++) keys[to + i] = old[base + i]!
      slotOf[entry - 1] = to + 2
    }
    const parent = new Int32Array(limit)
    parent.set(this.parent)
    const via = new Int32Array(limit)
    via.set(this.via)
    this.keys = keys
    this.slotOf = slotOf
    this.parent = parent
    this.via = via
    this.mask = mask
    this.limit = limit
  }
}
