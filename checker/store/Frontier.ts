/**
 * The breadth-first queue of fingerprint mode: packed states waiting to be expanded, first in
 * first out, in fixed-size chunks. Only the unexpanded part of the current level and the next
 * level found so far are held; a chunk is recycled as soon as its last state is taken, so the
 * queue never copies states to grow and its memory follows the width of the state graph, not its
 * size.
 *
 * With `maxResident`, at most that many chunks stay in memory: a chunk that fills up beyond them
 * is written to a temporary file and read back when the head of the queue reaches it, as TLC's
 * DiskStateQueue does. The oldest chunk (being taken from) and the newest (being filled) are
 * always in memory; a file slot is reused once its chunk is read back, so the file is as large
 * as the widest stretch of spilled chunks, not the whole search.
 */
import { SpillFile } from './SpillFile.js'

export class Frontier {
  /** After `take()`: the words of the taken state are `words[at..at + width)`. */
  words: Uint32Array
  at = 0
  /** Oldest first; undefined when the chunk is in the file, at slot `slots[i]`. */
  private readonly chunks: (Uint32Array | undefined)[] = []
  private readonly slots: number[] = []
  /** Index in `chunks[0]` of the next state to take. */
  private head = 0
  /** Index in the last chunk of the next free slot. */
  private tail = 0
  private length_ = 0
  private resident = 1
  private spare: Uint32Array | undefined
  private readonly file = new SpillFile('mrcheck-queue-')
  private fileSlots = 0
  private readonly freeSlots: number[] = []

  constructor(
    readonly width: number,
    readonly chunkStates = 1 << 14,
    private readonly maxResident = Infinity,
  ) {
    if (!(maxResident >= 2)) throw new RangeError(`a frontier needs at least 2 resident chunks, not ${maxResident}`)
    const first = new Uint32Array(chunkStates * width)
    this.chunks.push(first)
    this.slots.push(-1)
    this.words = first
  }

  /** States queued and not taken yet. */
  get length(): number {
    return this.length_
  }

  /** Appends a copy of `buf[at..at + width)`. */
  push(buf: Uint32Array, at: number): void {
    if (this.tail === this.chunkStates) this.nextChunk()
    const w = this.width
    const chunk = this.chunks[this.chunks.length - 1]!
    const base = this.tail * w
    for (let i = 0; i < w; i++) chunk[base + i] = buf[at + i]!
    this.tail++
    this.length_++
  }

  /**
   * States queued after the one taken that are in the same chunk, at `words[at + width..]`
   * (valid until the next `take`).
   */
  get ahead(): number {
    return Math.min(this.chunkStates - this.head, this.length_)
  }

  /** Takes the oldest state: afterwards it is at `words[at..]`, valid until the next `take`. */
  take(): void {
    if (this.length_ === 0) throw new RangeError('the frontier is empty')
    if (this.head === this.chunkStates) {
      // The first chunk is used up (its last state was taken before this call): recycle it.
      this.spare = this.chunks.shift()
      this.slots.shift()
      this.resident--
      if (this.chunks[0] === undefined) this.readBack()
      this.head = 0
    }
    this.words = this.chunks[0]!
    this.at = this.head * this.width
    this.head++
    this.length_--
  }

  /** Puts the state the last `take` gave back at the head (its chunk is recycled only by the next take). */
  untake(): void {
    this.head--
    this.length_++
  }

  /** The queued states, oldest first (for a checkpoint): views of resident chunks, copies of spilled ones. */
  *queued(): Generator<Uint32Array> {
    const w = this.width
    for (let c = 0; c < this.chunks.length; c++) {
      const from = c === 0 ? this.head : 0
      const to = c === this.chunks.length - 1 ? this.tail : this.chunkStates
      if (to <= from) continue
      const chunk = this.chunks[c] ?? this.read(this.slots[c]!, new Uint32Array(this.chunkStates * w))
      yield chunk.subarray(from * w, to * w)
    }
  }

  /** Bytes held in memory by the queue's chunks. */
  get bytes(): number {
    return (this.resident + (this.spare === undefined ? 0 : 1)) * this.chunkBytes
  }

  /** Bytes of the spill file. */
  get spilledBytes(): number {
    return this.fileSlots * this.chunkBytes
  }

  /** Deletes the spill file, if any. */
  close(): void {
    this.file.close()
  }

  private get chunkBytes(): number {
    return this.chunkStates * this.width * 4
  }

  /** Starts a new newest chunk; the full one before it goes to the file when too many are resident. */
  private nextChunk(): void {
    const last = this.chunks.length - 1
    if (this.resident >= this.maxResident && last > 0) {
      const full = this.chunks[last]!
      this.slots[last] = this.write(full)
      this.chunks[last] = undefined
      this.spare ??= full
      this.resident--
    }
    this.chunks.push(this.spare ?? new Uint32Array(this.chunkStates * this.width))
    this.slots.push(-1)
    this.spare = undefined
    this.resident++
    this.tail = 0
  }

  /** Brings the oldest chunk back from the file and frees its slot. */
  private readBack(): void {
    const slot = this.slots[0]!
    this.chunks[0] = this.read(slot, this.spare ?? new Uint32Array(this.chunkStates * this.width))
    this.spare = undefined
    this.slots[0] = -1
    this.freeSlots.push(slot)
    this.resident++
  }

  private write(chunk: Uint32Array): number {
    const slot = this.freeSlots.pop() ?? this.fileSlots++
    this.file.write(chunk, slot * this.chunkBytes)
    return slot
  }

  private read(slot: number, into: Uint32Array): Uint32Array {
    this.file.read(into, slot * this.chunkBytes)
    return into
  }
}
