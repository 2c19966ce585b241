/**
 * The states of the behaviour graph: every distinct packed state once, numbered in discovery
 * order, with a lookup from packed words to id.
 *
 * Why not engine/StateTable: its `add` answers "seen before" without saying which state it was,
 * and every edge of the behaviour graph needs the id of its target. The layout is much the same:
 * open addressing with linear probing over (id + 1, low fingerprint lane) pairs, so a probe reads
 * one cache line and most failed probes never touch state words; no parent or via arrays, which
 * the graph does not use.
 */
export class StateIndex {
  words: Uint32Array
  count = 0
  /** Per slot: id + 1 (0: empty), then the state's low fingerprint lane. */
  private slots: Int32Array
  private mask: number
  private capacity: number

  /** Room for `expected` states before it grows; its lookup slots are a power of two, at least twice that. */
  constructor(
    readonly width: number,
    expected = 1024,
  ) {
    this.capacity = Math.max(1, expected)
    this.words = new Uint32Array(this.capacity * width)
    const slots = 2 ** Math.ceil(Math.log2(2 * this.capacity))
    this.slots = new Int32Array(2 * slots)
    this.mask = slots - 1
  }

  /** The id of the state at `buf[at..]`, added as id `count` when it is new. */
  intern(buf: Uint32Array, at: number, fp: number): number {
    const w = this.width
    const lane = fp | 0
    let slot = fp & this.mask
    for (;;) {
      const entry = this.slots[2 * slot]!
      if (entry === 0) break
      if (this.slots[2 * slot + 1] === lane) {
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
    this.slots[2 * slot] = id + 1
    this.slots[2 * slot + 1] = lane
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

  /** The array that holds the words of state `id` (valid until the next `intern`), and where they start in it. */
  chunkOf(_id: number): Uint32Array {
    return this.words
  }
  wordsAt(id: number): number {
    return id * this.width
  }

  /** Bytes held by the index's arrays. */
  get bytes(): number {
    return this.words.byteLength + this.slots.byteLength
  }

  private grow(): void {
    const cap = this.capacity * 2
    const words = new Uint32Array(cap * this.width)
    words.set(this.words)
    this.words = words
    const mask = 2 * (this.mask + 1) - 1
    const slots = new Int32Array(2 * (mask + 1))
    for (let s = 0; s < this.slots.length; s += 2) {
      const entry = this.slots[s]!
      if (entry === 0) continue
      const lane = this.slots[s + 1]!
      let slot = lane & mask
      while (slots[2 * slot] !== 0) slot = (slot + 1) & mask
      slots[2 * slot] = entry
      slots[2 * slot + 1] = lane
    }
    this.slots = slots
    this.mask = mask
    this.capacity = cap
  }
}
