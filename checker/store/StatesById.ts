/**
 * Packed states kept in id order: the states of the behaviour graph a search records. A parallel
 * search (ParallelGraph.ts) appends them a run at a time, copied from the chunks the workers send
 * in, whose buffers then go back to the workers; the one-worker search hands over the chunks of
 * its exact table (StateTable.statesById). Chunks of 16,384 states, as in the exact table, so that
 * finding a state is a shift and a mask.
 */
/** Packed states by id: the array that holds the words of state `id`, and where they start in it. */
export interface PackedStates {
  chunkOf(id: number): Uint32Array
  wordsAt(id: number): number
  /** Bytes held. */
  readonly bytes: number
}

const CHUNK_BITS = 14
const CHUNK_STATES = 1 << CHUNK_BITS
const IN_CHUNK = CHUNK_STATES - 1

export class StatesById implements PackedStates {
  /** `count` states of `width` words, held in `chunks` (full ones, but for the last). */
  constructor(
    private readonly width: number,
    private readonly chunks: Uint32Array[] = [],
    public count = 0,
  ) {}

  /** Appends the `count` states packed at the start of `words`; they take the next ids. */
  append(words: Uint32Array, count: number): void {
    const W = this.width
    for (let done = 0; done < count; ) {
      const k = this.count >>> CHUNK_BITS
      if (k === this.chunks.length) this.chunks.push(new Uint32Array(CHUNK_STATES * W))
      const room = Math.min(count - done, CHUNK_STATES - (this.count & IN_CHUNK))
      this.chunks[k]!.set(words.subarray(done * W, (done + room) * W), (this.count & IN_CHUNK) * W)
      done += room
      this.count += room
    }
  }

  chunkOf(id: number): Uint32Array {
    return this.chunks[id >>> CHUNK_BITS]!
  }

  wordsAt(id: number): number {
    return (id & IN_CHUNK) * this.width
  }

  get bytes(): number {
    return this.chunks.length * CHUNK_STATES * this.width * 4
  }
}
