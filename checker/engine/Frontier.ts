/**
 * The breadth-first queue of fingerprint mode: packed states waiting to be expanded, first in
 * first out, in fixed-size chunks. Only the unexpanded part of the current level and the next
 * level found so far are held; a chunk is recycled as soon as its last state is taken, so the
 * queue never copies states to grow and its memory follows the width of the state graph, not its
 * size.
 */
export class Frontier {
  /** After `take()`: the words of the taken state are `words[at..at + width)`. */
  words: Uint32Array
  at = 0
  private readonly chunks: Uint32Array[] = []
  /** Index in `chunks[0]` of the next state to take. */
  private head = 0
  /** Index in the last chunk of the next free slot. */
  private tail = 0
  private length_ = 0
  private spare: Uint32Array | undefined

  constructor(
    readonly width: number,
    readonly chunkStates = 1 << 14,
  ) {
    const first = new Uint32Array(chunkStates * width)
    this.chunks.push(first)
    this.words = first
  }

  /** States queued and not taken yet. */
  get length(): number {
    return this.length_
  }

  /** Appends a copy of `buf[at..at + width)`. */
  push(buf: Uint32Array, at: number): void {
    if (this.tail === this.chunkStates) {
      this.chunks.push(this.spare ?? new Uint32Array(this.chunkStates * this.width))
      this.spare = undefined
      this.tail = 0
    }
    const w = this.width
    const chunk = this.chunks[this.chunks.length - 1]!
    const base = this.tail * w
    for (let i = 0; i < w; i++) chunk[base + i] = buf[at + i]!
    this.tail++
    this.length_++
  }

  /** Takes the oldest state: afterwards it is at `words[at..]`, valid until the next `take`. */
  take(): void {
    if (this.length_ === 0) throw new RangeError('the frontier is empty')
    if (this.head === this.chunkStates) {
      // The first chunk is used up (its last state was taken before this call): recycle it.
      this.spare = this.chunks.shift()
      this.head = 0
    }
    this.words = this.chunks[0]!
    this.at = this.head * this.width
    this.head++
    this.length_--
  }

  /** The queued states, oldest first (for a checkpoint), as views of the chunks: nothing is copied. */
  *queued(): Generator<Uint32Array> {
    const w = this.width
    for (let c = 0; c < this.chunks.length; c++) {
      const from = c === 0 ? this.head : 0
      const to = c === this.chunks.length - 1 ? this.tail : this.chunkStates
      if (to > from) yield this.chunks[c]!.subarray(from * w, to * w)
    }
  }

  /** Bytes held by the queue's chunks. */
  get bytes(): number {
    return (this.chunks.length + (this.spare === undefined ? 0 : 1)) * this.chunkStates * this.width * 4
  }
}
