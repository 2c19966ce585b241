/**
 * The visited set of exact mode: every distinct packed state, stored once, in discovery order.
 * Because breadth-first search discovers states level by level, the ids double as the queue:
 * the frontier is the id range not yet expanded. Per state it also keeps the parent id and the
 * action instance that produced it, which is all a trace needs.
 *
 * Lookup is open addressing with linear probing over a table of (id + 1), with the low
 * fingerprint lane beside it so that most probes fail without touching the state words.
 */
export class StateTable {
  words: Uint32Array
  parent: Int32Array
  /** Action-instance id that produced the state; for an initial state, -1 - its init index. */
  via: Int32Array
  count = 0
  private slots: Int32Array
  private slotFp: Uint32Array
  private mask: number

  constructor(
    readonly width: number,
    initialCapacity = 1024,
  ) {
    this.words = new Uint32Array(initialCapacity * width)
    this.parent = new Int32Array(initialCapacity)
    this.via = new Int32Array(initialCapacity)
    this.slots = new Int32Array(initialCapacity * 2)
    this.slotFp = new Uint32Array(initialCapacity * 2)
    this.mask = initialCapacity * 2 - 1
  }

  /** Adds the state at `buf[at..]` unless present; returns its new id, or -1 if it was seen. */
  add(buf: Uint32Array, at: number, fp: number, parent: number, via: number): number {
    const w = this.width
    const words = this.words
    let slot = fp & this.mask
    for (;;) {
      const entry = this.slots[slot]!
      if (entry === 0) break
      if (this.slotFp[slot] === fp) {
        const base = (entry - 1) * w
        let same = true
        for (let i = 0; i < w; i++) {
          if (words[base + i] !== buf[at + i]) {
            same = false
            break
          }
        }
        if (same) return -1
      }
      slot = (slot + 1) & this.mask
    }
    const id = this.count
    if (id === this.parent.length) {
      this.grow()
      return this.add(buf, at, fp, parent, via)
    }
    this.words.set(buf.subarray(at, at + w), id * w)
    this.parent[id] = parent
    this.via[id] = via
    this.slots[slot] = id + 1
    this.slotFp[slot] = fp
    this.count = id + 1
    return id
  }

  /** Bytes held by the table's arrays. */
  get bytes(): number {
    return this.words.byteLength + this.parent.byteLength + this.via.byteLength + this.slots.byteLength * 2
  }

  private grow(): void {
    const cap = this.parent.length * 2
    const words = new Uint32Array(cap * this.width)
    words.set(this.words)
    this.words = words
    const parent = new Int32Array(cap)
    parent.set(this.parent)
    this.parent = parent
    const via = new Int32Array(cap)
    via.set(this.via)
    this.via = via
    // Rehash: fingerprints are kept per slot, so no state is re-hashed.
    const slots = new Int32Array(cap * 2)
    const slotFp = new Uint32Array(cap * 2)
    const mask = cap * 2 - 1
    for (let s = 0; s < this.slots.length; s++) {
      const entry = this.slots[s]!
      if (entry === 0) continue
      const fp = this.slotFp[s]!
      let slot = fp & mask
      while (slots[slot] !== 0) slot = (slot + 1) & mask
      slots[slot] = entry
      slotFp[slot] = fp
    }
    this.slots = slots
    this.slotFp = slotFp
    this.mask = mask
  }
}
