/**
 * The visited set that parallel workers share (see parallel.ts): lock-free insertion by
 * compare-and-swap into 64 partitions, each a SharedArrayBuffer. A slot is a tag word (the high
 * fingerprint lane, forced >= 2) followed by a key: the low lane in fingerprint mode, or the whole
 * packed state in exact mode; a set that keeps refs (`refs`) adds one word after the key, the
 * number the inserting worker gave the state, by which the recorded behaviour graph names it
 * (ParallelGraph.ts). A worker claims an empty slot by CAS 0 -> BUSY, writes the key and ref,
 * then publishes the tag with an atomic store; a reader that meets BUSY waits for the tag, and
 * reads the key only after seeing the tag (the atomic store/load pair orders the key's plain
 * writes before it). The set keeps no count of its keys: a counter that every insertion updates
 * would be one cache line bouncing between the workers' cores; the coordinator counts the new
 * states the workers report instead.
 *
 * Why partitions, and growth by 1.25x: bytes per state are the slot's bytes over the load. A
 * table that doubles swings between half its highest load and that load, so a search pays up to
 * twice what it needs; here, as in the one-worker fingerprint set (FingerprintSet.ts), the table
 * grows by 1.25x (doubling while it is small, where a growth costs more than the memory it
 * saves), so its load stays between 0.6 and 0.75. A state's partition is chosen by the top bits
 * of its low lane and its first slot by multiply-shift on the tag, so a partition's size need not
 * be a power of two.
 *
 * The table never grows while workers run: the coordinator pauses them when the load passes 0.75,
 * lays out the grown set (`grown`), and has them move the keys a partition at a time
 * (`movePartition`), so that a growth needs no more memory at once than one partition's copy per
 * worker. Each partition is a growable buffer that reserves address space for 64 times its
 * size, or for its share of the memory budget if that is less (the system gives it pages only as
 * it grows), so partitions grow where they are, and seldom leave an old buffer behind, which would
 * hold its memory until the garbage collector of every thread that saw it has run.
 */
import { fingerprint } from '../encode/fingerprint.js'

/** Tag of an empty slot, and of a slot whose key is being written. */
const EMPTY = 0
const BUSY = 1
const PARTITION_BITS = 6
/** A state's partition is the top PARTITION_BITS bits of its low fingerprint lane. */
export const PARTITIONS = 1 << PARTITION_BITS
const PARTITION_SHIFT = 32 - PARTITION_BITS
const TWO_32 = 4294967296
const GROWTH = 1.25
/** Sets below this many slots in all double instead (a growth pauses every worker). */
const DOUBLE_BELOW = 1 << 20
/** Slots a partition has at least: room for a partition's share of an uneven spread of states. */
const MIN_PARTITION_SLOTS = 1024
/** The largest reservation V8 allows one growable buffer. */
const MOST_RESERVED_BYTES = 2 ** 32
/** How many times its size a partition's buffer reserves, at most. */
const RESERVE = 64

/** The parts of a SharedStateSet that travel to workers (shared memory). */
export interface SharedStateSetHandle {
  /** One buffer per partition. */
  readonly tables: readonly SharedArrayBuffer[]
  /** Key words per slot: 1 (fingerprint mode) or the state's words (exact mode). */
  readonly keyWords: number
  /** Whether each slot keeps a ref after its key. */
  readonly refs: boolean
  /** Slots in use in each partition; the rest of each buffer is zero. */
  readonly slots: number
  /** The most the set may take (the memory budget), which the partitions' reservations share. */
  readonly mostBytes: number
}

/** What `insert` answers for a key it added. */
export const INSERTED = -1

/** The tag a fingerprint's high lane gets in a slot: 0 and 1 mark empty and busy slots. */
const tagOf = (hi: number): number => ((hi | 0) === EMPTY || (hi | 0) === BUSY ? (hi | 0) + 2 : hi | 0)

/**
 * Whether a partition whose buffer is `buffer` grows to `bytes` in it (`grown` decides so; a
 * buffer that travelled to another thread is another object there, with the same reservation).
 */
const keepsBuffer = (buffer: SharedArrayBuffer, bytes: number): boolean => bytes <= buffer.maxByteLength

/**
 * A growable shared buffer of `bytes` for a partition of a set that may take `mostBytes` in all:
 * it reserves RESERVE times `bytes` of address space, or the partition's share of `mostBytes` if
 * less, or a sixteenth of that, and so on down to `bytes`, where the process may not map that much
 * (a limit on its address space).
 */
function partitionBuffer(bytes: number, mostBytes: number): SharedArrayBuffer {
  const share = Math.ceil(mostBytes / PARTITIONS / 4096) * 4096
  for (let r = Math.min(MOST_RESERVED_BYTES, RESERVE * bytes, share); ; r = Math.floor(r / 16 / 4096) * 4096) {
    try {
      return new SharedArrayBuffer(bytes, { maxByteLength: Math.max(bytes, r) })
    } catch (e) {
      if (!(e instanceof RangeError) || r <= bytes) throw e
    }
  }
}

/** Slots per partition for a set of at least `slots` in all. */
const perPartition = (slots: number): number => Math.max(MIN_PARTITION_SLOTS, Math.ceil(slots / PARTITIONS))

export class SharedStateSet {
  readonly keyWords: number
  readonly refs: boolean
  private readonly tables: Int32Array[]
  /** Slots per partition. */
  private readonly slots: number
  /** slots / 2^32: a tag's first slot is floor(tag * scale). */
  private readonly scale: number
  private readonly stride: number
  private readonly mostBytes: number

  constructor(handle: SharedStateSetHandle) {
    this.mostBytes = handle.mostBytes
    this.keyWords = handle.keyWords
    this.refs = handle.refs
    this.stride = handle.keyWords + 1 + (handle.refs ? 1 : 0)
    this.slots = handle.slots
    this.scale = handle.slots / TWO_32
    this.tables = handle.tables.map((b) => new Int32Array(b, 0, this.slots * this.stride))
  }

  /**
   * A new, empty set with room for at least `slots` keys of `keyWords` words in all, and their
   * refs if `refs`, that may grow until it takes `mostBytes`.
   */
  static create(keyWords: number, slots: number, refs: boolean, mostBytes: number): SharedStateSetHandle {
    const per = perPartition(slots)
    const bytes = per * (keyWords + 1 + (refs ? 1 : 0)) * 4
    const tables = Array.from({ length: PARTITIONS }, () => partitionBuffer(bytes, mostBytes))
    return { tables, keyWords, refs, slots: per, mostBytes }
  }

  /** The shared buffers, to hand to another thread. */
  get handle(): SharedStateSetHandle {
    const tables = this.tables.map((t) => t.buffer as SharedArrayBuffer)
    return { tables, keyWords: this.keyWords, refs: this.refs, slots: this.slots, mostBytes: this.mostBytes }
  }

  /** Slots in all. */
  get capacity(): number {
    return this.slots * PARTITIONS
  }

  /** Bytes of the slots in use (the rest of the buffers has no pages yet). */
  get bytes(): number {
    return this.capacity * this.stride * 4
  }

  /**
   * Adds the key `buf[at..at + keyWords)` with fingerprint lanes (lo, hi) unless present; returns
   * whether it was new. In fingerprint mode the key is the low lane itself.
   */
  add(lo: number, hi: number, buf: Int32Array | Uint32Array, at: number): boolean {
    return this.insert(lo, hi, buf, at, 0) === INSERTED
  }

  /**
   * As `add`, keeping `ref` (>= 0) with a new key in a set that keeps refs; returns INSERTED, or
   * the ref kept with the key found (0 in a set that keeps none).
   */
  insert(lo: number, hi: number, buf: Int32Array | Uint32Array, at: number, ref: number): number {
    const t = this.tables[lo >>> PARTITION_SHIFT]!
    const tag = tagOf(hi)
    const stride = this.stride
    const k = this.keyWords
    const slots = this.slots
    let slot = Math.floor((tag >>> 0) * this.scale)
    for (let probes = 0; ; ) {
      const base = slot * stride
      let x = Atomics.load(t, base)
      if (x === EMPTY) {
        x = Atomics.compareExchange(t, base, EMPTY, BUSY)
        if (x === EMPTY) {
          for (let i = 0; i < k; i++) t[base + 1 + i] = buf[at + i]!
          if (this.refs) t[base + 1 + k] = ref
          Atomics.store(t, base, tag)
          return INSERTED
        }
      }
      while (x === BUSY) x = Atomics.load(t, base)
      if (x === tag) {
        let same = true
        for (let i = 0; i < k; i++) {
          if (t[base + 1 + i] !== (buf[at + i]! | 0)) {
            same = false
            break
          }
        }
        if (same) return this.refs ? t[base + 1 + k]! : 0
      }
      if (++slot === slots) slot = 0
      if (++probes > slots) throw new RangeError('a partition of the shared state set is full')
    }
  }

  /** Where the last `prefetch` read; kept so that the reads are not optimized away. */
  private touched = 0

  /** Reads the first slot of each of `count` fingerprints (lo, hi pairs in `fps`): see Sink.prefetch. */
  prefetch(fps: Uint32Array, count: number): void {
    let touched = this.touched
    for (let k = 0; k < count; k++) {
      const t = this.tables[fps[2 * k]! >>> PARTITION_SHIFT]!
      touched ^= t[Math.floor((tagOf(fps[2 * k + 1]!) >>> 0) * this.scale) * this.stride]!
    }
    this.touched = touched
  }

  /** Whether the key is present (no writer may run concurrently). */
  has(lo: number, hi: number, buf: Int32Array | Uint32Array, at: number): boolean {
    const t = this.tables[lo >>> PARTITION_SHIFT]!
    const tag = tagOf(hi)
    for (let slot = Math.floor((tag >>> 0) * this.scale); ; ) {
      const base = slot * this.stride
      const x = t[base]!
      if (x === EMPTY) return false
      if (x === tag) {
        let same = true
        for (let i = 0; i < this.keyWords; i++) if (t[base + 1 + i] !== (buf[at + i]! | 0)) same = false
        if (same) return true
      }
      if (++slot === this.slots) slot = 0
    }
  }

  /** The slots in all of the set after its next growth. */
  get grownCapacity(): number {
    const slots = this.capacity
    return perPartition(Math.ceil(slots * (slots < DOUBLE_BELOW ? 2 : GROWTH))) * PARTITIONS
  }

  /**
   * The bytes a growth takes beside the set's while it runs: the new slots, a copy of one
   * partition for each of `workers` moving them, and, when the partitions outgrew their buffers'
   * reservations, the old buffers until they are collected.
   */
  growthBytes(workers: number): number {
    const grownBytes = this.grownPartitionBytes
    const moves = (t: Int32Array) => !keepsBuffer(t.buffer as SharedArrayBuffer, grownBytes)
    const added = this.tables.reduce((n, t) => n + (moves(t) ? grownBytes : grownBytes - t.byteLength), 0)
    return added + (workers * this.bytes) / PARTITIONS
  }

  private get grownPartitionBytes(): number {
    return (this.grownCapacity / PARTITIONS) * this.stride * 4
  }

  /**
   * The set grown to `grownCapacity`, still empty: each partition's buffer grows where it is when
   * its reservation allows (the new slots are zero), or a new one takes its place. Nothing is moved
   * yet: the workers move every partition (`movePartition`) before anyone uses the grown set.
   */
  grown(): SharedStateSetHandle {
    const bytes = this.grownPartitionBytes
    const tables = this.tables.map((t) => {
      const buffer = t.buffer as SharedArrayBuffer
      if (!keepsBuffer(buffer, bytes)) return partitionBuffer(bytes, this.mostBytes)
      buffer.grow(bytes)
      return buffer
    })
    return { tables, keyWords: this.keyWords, refs: this.refs, slots: bytes / this.stride / 4, mostBytes: this.mostBytes }
  }

  /** Where `movePartition` takes out the slots of a partition that stays in its buffer (this thread's, made on first use). */
  private scratch: Int32Array | undefined

  /**
   * Moves the entries of partition `p` into the same partition of `into` (laid out by `grown`,
   * perhaps in the same buffer). Partitions are disjoint, so the workers share them out with no
   * atomic operation.
   */
  movePartition(p: number, into: SharedStateSet): void {
    const stride = this.stride
    const from = this.tables[p]!
    const t = into.tables[p]!
    // Slots that stay in their buffer are taken out first; a new buffer is filled from the old.
    let old = from
    if (keepsBuffer(from.buffer as SharedArrayBuffer, t.byteLength)) {
      old = this.scratch ??= new Int32Array(from.length)
      old.set(from)
      from.fill(0)
    }
    const slots = into.slots
    for (let base = 0; base < old.length; base += stride) {
      const tag = old[base]!
      if (tag === EMPTY) continue
      let slot = Math.floor((tag >>> 0) * into.scale)
      while (t[slot * stride] !== EMPTY) if (++slot === slots) slot = 0
      for (let i = 0; i < stride; i++) t[slot * stride + i] = old[base + i]!
    }
  }

  /**
   * An exact set (keys are packed states) turned into a fingerprint set of at least `slots` slots:
   * each state's fingerprint is computed from its words. No worker may use the set meanwhile.
   */
  toFingerprints(slots: number): SharedStateSetHandle {
    const stride = this.stride
    const w = this.keyWords
    const handle = SharedStateSet.create(1, slots, false, this.mostBytes)
    const next = new SharedStateSet(handle)
    const fp = new Uint32Array(2)
    for (const table of this.tables) {
      const words = new Uint32Array(table.buffer, 0, table.length)
      for (let base = 0; base < table.length; base += stride) {
        if (table[base] === EMPTY) continue
        fingerprint(words, base + 1, w, fp)
        next.add(fp[0]!, fp[1]!, fp, 0)
      }
    }
    return handle
  }
}
