/**
 * The states of the behaviour graph: every distinct packed state once, numbered in discovery
 * order, with a lookup from packed words to id.
 *
 * Why not engine/StateTable: its `add` answers "seen before" without saying which state it was,
 * and every edge of the behaviour graph needs the id of its target. The layout is the same (open
 * addressing with linear probing over id + 1, the low fingerprint lane beside each slot so most
 * failed probes never touch state words), minus the parent and via arrays the graph does not use.
 */
export class StateIndex {
  words: Uint32Array
  count = 0
  private slots: Int32Array
  private slotFp: Uint32Array
  private mask: number
  private capacity: number

  constructor(
    readonly width: number,
    initialCapacity = 1024,
  ) {
    this.capacity = initialCapacity
    this.words = new Uint32Array(initialCapacity * width)
    this.slots = new Int32Array(initialCapacity * 2)
    this.slotFp = new Uint32Array(initialCapacity * 2)
    this.mask = initialCapacity * 2 - 1
  }

  /** The id of the state at `buf[at..]`, added as id `count` when it is new. */
  intern(buf: Uint32Array, at: number, fp: number): number {
    const w = this.width
    let slot = fp & this.mask
    for (;;) {
      const entry = this.slots[slot]!
      if (entry === 0) break
      if (this.slotFp[slot] === fp) {
        const base = (entry - 1) * w
        let same = true
        for (let i = 0; i < w; i++) {
          if (this.words[base + i] !== buf[at + i]) {
            same = false
            break
          }
        }
        if (same) return entry - 1
      }
      slot = (slot + 1) & this.mask
    }
    const id = this.count
    if (id === this.capacity) {
      this.grow()
      return this.intern(buf, at, fp)
    }
    this.words.set(buf.subarray(at, at + w), id * w)
    this.slots[slot] = id + 1
    this.slotFp[slot] = fp
    this.count = id + 1
    return id
  }

  /** Whether state `id` has exactly the words `buf[at..]`. */
  equals(id: number, buf: Uint32Array, at: number): boolean {
    const w = this.width
    const base = id * w
    for (let i = 0; i < w; i++) if (this.words[base + i] !== buf[at + i]) return false
    return true
  }

  /** The packed words of state `id` (a view, valid until the next `intern`). */
  state(id: number): Uint32Array {
    return this.words.subarray(id * this.width, (id + 1) * this.width)
  }

  /** Bytes held by the index's arrays. */
  get bytes(): number {
    return this.words.byteLength + this.slots.byteLength + this.slotFp.byteLength
  }

  private grow(): void {
    const cap = this.capacity * 2
    const words = new Uint32Array(cap * this.width)
    words.set(this.words)
    this.words = words
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
    this.capacity = cap
  }
}
