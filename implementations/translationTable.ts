/**
 * An in-memory translation table of an RDMA device with on-demand paging, written as ordinary
 * code: a key table, a device page table, and a page-fault path that races with the kernel's
 * invalidations the way ODP does with an `mmu_interval_notifier`:
 *
 *   fault:       seq = readBegin()            // snapshot the notifier sequence
 *                frame = walk CPU page table  // hmm_range_fault: may fault the page in
 *                lock; if readRetry(seq) { unlock; goto fault }   // an invalidation ran meanwhile
 *                program the device PTE; unlock
 *   invalidate:  lock; seq++; zap the device PTEs in range; unlock   // before the kernel moves a page
 *
 * The device runs a fault as a work item in three steps (begin, walk, commit), so a test can
 * interleave kernel events between them. `checkSequence: false` switches off the retry check
 * (the classic race): a fault that walked before a migration then installs the old frame.
 *
 * models/examples/translationTable.ts is the model of this code; test/testing/modelCommands.test.ts
 * checks the code against the model.
 */

/** A process's CPU page table and frame allocator: the kernel side. */
export class Kernel {
  private readonly pte: (number | null)[]
  private readonly notifiers: ((page: number) => void)[] = []

  constructor(
    pages: number,
    readonly frames: number,
  ) {
    if (frames < pages) throw new RangeError(`${pages} pages need at least ${pages} frames`)
    this.pte = Array.from({ length: pages }, (_, p) => p)
  }

  /** Registers an invalidation callback, called before a page's mapping changes (mmu notifier). */
  subscribe(invalidate: (page: number) => void): void {
    this.notifiers.push(invalidate)
  }

  /** The frame `page` is mapped to, or null when it is not present. */
  lookup(page: number): number | null {
    return this.pte[this.checkPage(page)]!
  }

  /** Maps `page` to the lowest free frame if it is not present; returns its frame. */
  faultIn(page: number): number {
    const mapped = this.lookup(page)
    if (mapped !== null) return mapped
    const frame = this.freeFrames()[0]
    if (frame === undefined) throw new Error('out of memory: no free frame')
    this.pte[page] = frame
    return frame
  }

  /** Moves `page` to the free frame `to` (page migration, compaction, NUMA balancing). */
  migrate(page: number, to: number): void {
    if (this.lookup(page) === null) throw new Error(`page ${page} is not present`)
    if (!this.freeFrames().includes(to)) throw new Error(`frame ${to} is not free`)
    this.invalidate(page)
    this.pte[page] = to
  }

  /** Swaps `page` out: its frame is freed. */
  evict(page: number): void {
    if (this.lookup(page) === null) throw new Error(`page ${page} is not present`)
    this.invalidate(page)
    this.pte[page] = null
  }

  /** A copy of the page table: page -> frame or null. */
  mapping(): (number | null)[] {
    return [...this.pte]
  }

  private freeFrames(): number[] {
    const used = new Set(this.pte)
    return Array.from({ length: this.frames }, (_, f) => f).filter((f) => !used.has(f))
  }

  private invalidate(page: number): void {
    for (const notify of this.notifiers) notify(page)
  }

  private checkPage(page: number): number {
    if (!Number.isInteger(page) || page < 0 || page >= this.pte.length) throw new RangeError(`no page ${page}`)
    return page
  }
}

/** The sequence counter of an interval notifier (`mmu_interval_read_begin` / `_read_retry`). */
class IntervalNotifier {
  private seq = 0
  readBegin(): number {
    return this.seq
  }
  readRetry(seq: number): boolean {
    return this.seq !== seq
  }
  bump(): void {
    this.seq++
  }
}

export interface TranslationTableOptions {
  /** Pages of the registered range. */
  readonly pages: number
  /** Key slots of the key table. */
  readonly keys: number
  /** Retry a fault whose walk raced with an invalidation (default true; false plants the race). */
  readonly checkSequence?: boolean
}

export type KeyState = 'free' | 'valid'
export type FaultPhase = 'idle' | 'begun' | 'walked'

/** One device page fault in flight: a work item run in three steps. */
class PageFault {
  phase: 'begun' | 'walked' = 'begun'
  private seq: number
  private frame: number | null = null

  constructor(
    private readonly table: TranslationTable,
    readonly page: number,
  ) {
    this.seq = table.notifier.readBegin()
  }

  walk(): void {
    if (this.phase !== 'begun') throw new Error(`fault on page ${this.page}: walk before begin`)
    this.frame = this.table.kernel.faultIn(this.page)
    this.phase = 'walked'
  }

  /** Installs the translation, or starts over when an invalidation ran since the snapshot. */
  commit(): 'mapped' | 'retry' {
    if (this.phase !== 'walked') throw new Error(`fault on page ${this.page}: commit before walk`)
    return this.table.withLock(() => {
      if (this.table.options.checkSequence && this.table.notifier.readRetry(this.seq)) {
        this.seq = this.table.notifier.readBegin()
        this.frame = null
        this.phase = 'begun'
        return 'retry'
      }
      this.table.install(this.page, this.frame!)
      return 'mapped'
    })
  }
}

/** The device's translation table for one registered range of a process. */
export class TranslationTable {
  readonly notifier = new IntervalNotifier()
  readonly options: Required<TranslationTableOptions>
  private readonly keyTable: KeyState[]
  private readonly pageTable: (number | null)[]
  private readonly faults = new Map<number, PageFault>()
  private locked = false

  constructor(
    readonly kernel: Kernel,
    options: TranslationTableOptions,
  ) {
    this.options = { checkSequence: true, ...options }
    this.keyTable = Array.from({ length: options.keys }, () => 'free')
    this.pageTable = Array.from({ length: options.pages }, () => null)
    kernel.subscribe((page) => this.invalidate(page))
  }

  register(key: number): void {
    if (this.keyTable[key] !== 'free') throw new Error(`key ${key} is in use`)
    this.keyTable[key] = 'valid'
  }

  deregister(key: number): void {
    if (this.keyTable[key] !== 'valid') throw new Error(`key ${key} is not registered`)
    this.keyTable[key] = 'free'
  }

  /**
   * A remote access through `key` to `page`: a hit returns the frame; a miss queues a page fault
   * (unless one is already in flight) and returns null.
   */
  access(key: number, page: number): number | null {
    if (this.keyTable[key] !== 'valid') throw new Error(`remote access error: key ${key} is not valid`)
    const frame = this.pageTable[page]
    if (frame === undefined) throw new RangeError(`no page ${page}`)
    if (frame !== null) return frame
    if (!this.faults.has(page)) this.faults.set(page, new PageFault(this, page))
    return null
  }

  /** Runs the walk step of the fault in flight on `page`. */
  walkFault(page: number): void {
    this.fault(page).walk()
  }

  /** Runs the commit step of the fault in flight on `page`. */
  commitFault(page: number): 'mapped' | 'retry' {
    const result = this.fault(page).commit()
    if (result === 'mapped') this.faults.delete(page)
    return result
  }

  /** The notifier's invalidate callback: runs before the kernel changes `page`'s mapping. */
  invalidate(page: number): void {
    this.withLock(() => {
      this.notifier.bump()
      this.pageTable[page] = null
    })
  }

  /** Called by a fault's commit, under the lock. */
  install(page: number, frame: number): void {
    if (!this.locked) throw new Error('install without the lock')
    this.pageTable[page] = frame
  }

  withLock<T>(f: () => T): T {
    if (this.locked) throw new Error('lock taken twice (no recursion in this driver)')
    this.locked = true
    try {
      return f()
    } finally {
      this.locked = false
    }
  }

  /** A snapshot for tests and debugging: keys, device PTEs and fault phases. */
  snapshot(): { keys: KeyState[]; dev: (number | null)[]; fault: FaultPhase[] } {
    return {
      keys: [...this.keyTable],
      dev: [...this.pageTable],
      fault: this.pageTable.map((_, p) => this.faults.get(p)?.phase ?? 'idle'),
    }
  }

  private fault(page: number): PageFault {
    const f = this.faults.get(page)
    if (f === undefined) throw new Error(`no page fault in flight on page ${page}`)
    return f
  }
}
