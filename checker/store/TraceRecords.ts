/**
 * Trace records: per state id (discovery order), the parent id and the action instance that
 * produced it, 6 bytes a state (a 4-byte parent and a 2-byte instance; 8 bytes when a spec has
 * more than 65,535 action instances). An initial state stores parent `-1 - its init index`.
 *
 * Records are appended in fixed-size chunks, so nothing is ever copied to grow. With `spill`, a
 * chunk that is full is written to a temporary file and dropped from memory, as TLC writes its
 * trace to a `.st` file: the records are needed only to print a counterexample, so they need not
 * stay resident, and a fingerprint-mode search keeps only its fingerprint table in memory.
 */
import { SpillFile } from './SpillFile.js'

const CHUNK_BITS = 16
const CHUNK = 1 << CHUNK_BITS
const MASK = CHUNK - 1

export interface TraceRecordOptions {
  /** Instances need 4 bytes (more than 65,535 of them). */
  readonly wideInstances?: boolean
  /** Write full chunks to a temporary file instead of keeping them in memory. */
  readonly spill?: boolean
}

export class TraceRecords {
  count = 0
  private readonly wide: boolean
  private readonly parents: (Int32Array | undefined)[] = []
  private readonly instances: (Uint16Array | Int32Array | undefined)[] = []
  private parent: Int32Array
  private instance: Uint16Array | Int32Array
  private readonly file = new SpillFile('mrcheck-trace-')
  private readonly chunkBytes: number
  private spill: boolean

  constructor(options: TraceRecordOptions = {}) {
    this.wide = options.wideInstances ?? false
    this.spill = options.spill ?? false
    this.parent = new Int32Array(CHUNK)
    this.instance = this.wide ? new Int32Array(CHUNK) : new Uint16Array(CHUNK)
    this.parents.push(this.parent)
    this.instances.push(this.instance)
    this.chunkBytes = CHUNK * (this.wide ? 8 : 6)
  }

  append(parent: number, instance: number): void {
    const i = this.count & MASK
    this.parent[i] = parent
    this.instance[i] = instance
    this.count++
    if ((this.count & MASK) === 0) this.nextChunk()
  }

  parentOf(id: number): number {
    const chunk = this.parents[id >>> CHUNK_BITS]
    return chunk !== undefined ? chunk[id & MASK]! : this.readSpilled(id, false)
  }

  instanceOf(id: number): number {
    const chunk = this.instances[id >>> CHUNK_BITS]
    return chunk !== undefined ? chunk[id & MASK]! : this.readSpilled(id, true)
  }

  /**
   * The parents, or the instances widened to 32 bits, of every record in id order (for a
   * checkpoint), in pieces of one chunk: views of resident chunks, or one reused buffer for spilled
   * or narrow ones, so a piece is valid until the next is asked for, and nothing is copied whole.
   */
  *column(which: 'parent' | 'instance'): Generator<Int32Array> {
    const buf = new Int32Array(CHUNK)
    const narrow = which === 'instance' && !this.wide ? new Uint16Array(CHUNK) : undefined
    for (let k = 0; k * CHUNK < this.count; k++) {
      const len = Math.min(CHUNK, this.count - k * CHUNK)
      let chunk = which === 'parent' ? this.parents[k] : this.instances[k]
      if (chunk === undefined) {
        // Spilled: a chunk's parents, then its instances, at k * chunkBytes in the file.
        chunk = narrow ?? buf
        const at = k * this.chunkBytes + (which === 'parent' ? 0 : CHUNK * 4)
        this.file.read(chunk, at, len * chunk.BYTES_PER_ELEMENT)
      }
      if (chunk instanceof Int32Array) yield chunk.subarray(0, len)
      else {
        buf.set(chunk.subarray(0, len))
        yield buf.subarray(0, len)
      }
    }
  }

  /** Bytes held in memory. */
  get bytes(): number {
    let n = 0
    for (const c of this.parents) if (c !== undefined) n += c.byteLength
    for (const c of this.instances) if (c !== undefined) n += c.byteLength
    return n
  }

  /** Bytes written to the spill file. */
  get spilledBytes(): number {
    return this.parents.filter((c) => c === undefined).length * this.chunkBytes
  }

  /**
   * Spills from now on, as if made with `spill`, and writes out the full chunks held so far (a
   * search that turns to fingerprints keeps only its fingerprint table in memory).
   */
  startSpilling(): void {
    this.spill = true
    for (let k = 0; k < this.parents.length - 1; k++) if (this.parents[k] !== undefined) this.spillChunk(k)
  }

  /** Deletes the spill file, if any. */
  close(): void {
    this.file.close()
  }

  private nextChunk(): void {
    if (this.spill) {
      this.spillChunk(this.parents.length - 1)
      // The full chunk's arrays are reused for the next one.
    } else {
      this.parent = new Int32Array(CHUNK)
      this.instance = this.wide ? new Int32Array(CHUNK) : new Uint16Array(CHUNK)
    }
    this.parents.push(this.parent)
    this.instances.push(this.instance)
  }

  /** Writes full chunk k to the spill file and drops it from memory. */
  private spillChunk(k: number): void {
    const at = k * this.chunkBytes
    this.file.write(this.parents[k]!, at)
    this.file.write(this.instances[k]!, at + this.parents[k]!.byteLength)
    this.parents[k] = undefined
    this.instances[k] = undefined
  }

  private readSpilled(id: number, instance: boolean): number {
    if (id >= this.count) throw new RangeError(`no trace record for state ${id}`)
    const k = id >>> CHUNK_BITS
    const i = id & MASK
    const size = instance ? (this.wide ? 4 : 2) : 4
    const at = k * this.chunkBytes + (instance ? CHUNK * 4 + i * size : i * 4)
    // Read back into an array of the type it was written from (native byte order).
    const value = instance && !this.wide ? new Uint16Array(1) : new Int32Array(1)
    this.file.read(value, at, size)
    return value[0]!
  }
}
