/**
 * The spec of page-migration (models/page-migration.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars } from '../../checker/index.js'
import type { StateOf } from '../../checker/index.js'

export const POLICIES = [
  'naive',
  'pin',
  'eliminate',
  'suspend-resume',
  'odp',
  'odp-no-retry-check',
  'odp-snapshot-after-walk',
  'odp-check-not-atomic',
  'odp-async-zap',
  'odp-revoke-outside-lock',
  'odp-range-end-ignores-others',
  'odp-prefetch-count-before-sync',
  'odp-unmap-fault-retries',
] as const
export type Policy = (typeof POLICIES)[number]

/** What each policy is, and for a known bug, where it comes from (`mrcheck list`, reports). */
export const POLICY_SOURCES: Readonly<Record<Policy, string>> = {
  naive: 'design: nobody tells the device (the 2005 openib-general thread, domain/seed-thread.txt)',
  pin:
    'shipped: long-term pin, ib_umem_get + FOLL_LONGTERM (drivers/infiniband/core/umem.c); movable=true is BC1, ' +
    'before "mm/gup: migrate pinned pages out of movable zone" (d1e153fea2a8)',
  eliminate: 'design: Bestler option 1 (2005 thread), what disassociation does (036b10635739)',
  'suspend-resume': 'design: Bestler option 2 as proposed for RNIC-PI (2005 thread)',
  odp: 'shipped: mmu_interval_notifier (mm/mmu_notifier.c) with umem_odp.c and mlx5 odp.c',
  'odp-no-retry-check':
    'BB1: no mmu_interval_read_retry check; model-derived (the race that read_begin/read_retry, earlier notifiers_seq, exist for)',
  'odp-snapshot-after-walk':
    'BB2: "IB/hfi1: Remove user expected buffer invalidate race" (Dean Luick, 2023; fixes 3889551db212)',
  'odp-check-not-atomic': 'BB3: check under umem_mutex, program after unlocking; model-derived, no fix commit',
  'odp-async-zap': 'BB4: the callback returns before the device zap completes; model-derived, no fix commit',
  'odp-revoke-outside-lock':
    'BB5: CVE-2025-21732, "RDMA/mlx5: Fix a race for an ODP MR which leads to CQE with error" (abb604a1a9c8)',
  'odp-range-end-ignores-others':
    'concurrent invalidations: the end of one range makes the mm sequence even while another range is still ' +
    'being invalidated (mn_itree_inv_end without its active_invalidate_ranges test, mm/mmu_notifier.c; the ' +
    'pre-2019 umem_odp.c kept notifiers_count for the same reason); model-derived, no fix commit',
  'odp-prefetch-count-before-sync':
    'prefetch racing dereg (needs prefetches >= 1): dereg reads the pending-prefetch count before synchronize_srcu, so a ' +
    'prefetch that passed the live check queues its work after the count was read and the work runs on the freed MR; ' +
    '"IB/mlx5: Protect against prefetch of invalid MR" (a6bc3875f176), fixed by "RDMA/mlx5: Order num_pending_prefetch ' +
    'properly with synchronize_srcu" (aa116b810ac9)',
  'odp-unmap-fault-retries':
    'munmap or exit during a fault (needs unmap=true): a walk that finds the page unmapped (hmm_range_fault -EFAULT, or ' +
    'mmget_not_zero failing once the process exits) is retried like -EBUSY instead of failing the fault; model-derived, no ' +
    'fix commit: ib_umem_odp_map_dma_and_lock retries only -EBUSY (umem_odp.c), and the umem "dying" mark existed so that ' +
    'pagefault_mr stopped reporting success after exit ("IB/mlx5: Fix implicit MR release flow", f591822c3cf3)',
}

export interface PageMigrationParams {
  readonly policy: Policy
  readonly transport: 'ib' | 'iwarp'
  readonly movable: boolean
  readonly pages: number
  readonly frames: number
  readonly moves: number
  readonly writes: number
  readonly rnrRetry: number
  readonly tcpRetries: number
  readonly zapWaitsForDma: boolean
  readonly invalidations: number
  readonly prefetches: number
  readonly unmap: boolean
}

const INV_PCS = ['idle', 'started', 'locked', 'returned', 'mutated'] as const

/** One invalidation slot: its progress and the page (range) it invalidates. */
export interface InvSlot {
  inv: (typeof INV_PCS)[number]
  invPage: number | null
}
/**
 * Invalidation slot i: slot 0 is the state's own inv/invPage, slot i >= 1 (with `invalidations`
 * = 2) is moreInv[i - 1] (a draft's as well).
 */
export function invAt(s: PageMigrationState, i: number): InvSlot
export function invAt(s: Readonly<PageMigrationState>, i: number): Readonly<InvSlot>
export function invAt(s: PageMigrationState, i: number): InvSlot {
  return i === 0 ? s : s.moreInv[i - 1]!
}

const FH_PCS = [
  'idle',
  'advised',
  'queued',
  'snapped',
  'walked',
  'ready',
  'programmed',
  'mismatch',
  'checked',
  'unlocked',
  'retry',
  'failed',
] as const

/** One fault handler: program counter, page, snapshot, frame walked. */
export interface FaultHandler {
  pc: (typeof FH_PCS)[number]
  page: number | null
  snap: number
  frame: number | null
}
/**
 * Fault handler h: 0 is the driver's page-fault handler (the state's `fh`), 1 (with `prefetches` >= 1)
 * the prefetch work of ibv_advise_mr (prefetchFh[0]).
 */
export function fhAt(s: PageMigrationState, h: number): FaultHandler
export function fhAt(s: Readonly<PageMigrationState>, h: number): Readonly<FaultHandler>
export function fhAt(s: PageMigrationState, h: number): FaultHandler {
  return h === 0 ? s.fh : s.prefetchFh[h - 1]!
}

/** No invalidation is under way (in any slot). */
export const noInvalidation = (s: Readonly<PageMigrationState>): boolean =>
  s.inv === 'idle' && s.moreInv.every((x) => x.inv === 'idle')

/** The device translates page q through a frame that is not the page's current frame. */
export const stale = (s: Readonly<PageMigrationState>, q: number): boolean => {
  const f = s.dev[q]
  return f !== null && f !== undefined && (f !== s.cpu[q] || s.frames[f]?.use !== 'page')
}

/** The ZONE_MOVABLE frame: the block the kernel must be able to offline. */
export const MOVABLE_FRAME = 0

/**
 * Pages are interchangeable, and so are frames: the ZONE_MOVABLE block is marked in the frame's
 * own state, not by its number (symmetry reduction, `--symmetry on`).
 */
const indexTypes = (p: PageMigrationParams) => ({
  Page: t.index(p.pages, { name: 'Page', symmetric: true }),
  Frame: t.index(p.frames, { name: 'Frame', symmetric: true }),
})

/**
 * Invalidations that can start: the background budget, the one offline migration out of the
 * movable block and (with `unmap`) the one munmap. Each moves mm.seq up by two.
 */
const seqMaxOf = (p: PageMigrationParams) => 2 * (p.moves + 1 + (p.unmap ? 1 : 0)) + 2

const schema = (p: PageMigrationParams, { Page, Frame } = indexTypes(p)) => {
  const seqMax = seqMaxOf(p)
  const handler = t.record({ pc: t.enum(...FH_PCS), page: t.option(Page), snap: t.int(1, seqMax - 1), frame: t.option(Frame) })
  return {
    /** The kernel's page table: the frame each page maps to (null once unmapped, with `unmap`). */
    cpu: t.array(Page, t.option(Frame)),
    /**
     * Per frame: who owns it, the version number it holds, and whether it is in the ZONE_MOVABLE
     * block under offline (fixed: frame 0; kept in the state so that frames stay interchangeable).
     */
    frames: t.array(Frame, t.record({ use: t.enum('free', 'page', 'kernel', 'pinned'), data: t.int(0, p.writes), movable: t.bool() })),
    /** The device's translation (MTT) for the MR's key, per page. */
    dev: t.array(Page, t.option(Frame)),
    /** The R-Key: valid, revoked by the app (dereg), or destroyed by the kernel (eliminate). */
    key: t.enum('valid', 'revoked', 'destroyed'),
    /** An async event (MR gone / QP fatal) has been queued to the application. */
    appEvent: t.bool(),
    /** Background migrations started so far (bounded by `moves`; the offline's migration is not counted). */
    moved: t.int(0, p.moves),
    /** suspend-resume: the MR's state and the migration under way. */
    mr: t.enum('live', 'suspending', 'suspended', 'copied', 'remapped'),
    migPage: t.option(Page),
    migTo: t.option(Frame),
    /** The peer's RDMA Write: none outstanding, one waiting for its ACK, or the QP in error. */
    peer: t.enum('idle', 'waiting', 'failed'),
    /** The page the outstanding write is for (null while the peer is idle). */
    target: t.option(Page),
    /** Writes posted so far; the k-th write stores k. */
    written: t.int(0, p.writes),
    /** Per page: the last write acknowledged to the peer. */
    acked: t.array(Page, t.int(0, p.writes)),
    /** Retries left for a stalled access (RNR retry count on IB, TCP retransmissions on iWARP). */
    retry: t.int(0, Math.max(p.rnrRetry, p.tcpRetries)),
    /** The frame an in-flight DMA was translated to. */
    inflight: t.option(Frame),
    /** ODP: DMA-mapped pages of the umem (the driver's "has mapped pages"). */
    mapped: t.array(Page, t.bool()),
    /** ODP: the device raised a page fault for this page and its QP is stalled. */
    faultReq: t.array(Page, t.bool()),
    /** ODP: the driver's page-fault handler: program counter, page, snapshot, frame walked. */
    fh: handler,
    /** With `prefetches` >= 1: the prefetch work (ibv_advise_mr), a second handler beside the fault handler. */
    prefetchFh: t.array(p.prefetches > 0 ? 1 : 0, handler),
    /** Prefetch requests the application has made (bounded by `prefetches`). */
    prefetched: t.int(0, p.prefetches),
    /** With `unmap`: the page the application unmapped (munmap; with one page, exit_mmap at exit). */
    unmapPage: t.option(Page),
    /** ODP: umem_mutex, and who holds it. */
    mutex: t.enum('free', 'invalidate', 'fault', 'dereg'),
    /** ODP: the mm's invalidate_seq (odd while an invalidation runs) and the subscription's. */
    mmSeq: t.int(2, seqMax),
    mniSeq: t.int(1, seqMax - 1),
    /** ODP: the invalidation under way (one page per range). */
    inv: t.enum(...INV_PCS),
    invPage: t.option(Page),
    /** With `invalidations` = 2: a second invalidation, of another page, in flight at once. */
    moreInv: t.array(p.invalidations - 1, t.record({ inv: t.enum(...INV_PCS), invPage: t.option(Page) })),
    /** odp-async-zap: a zap posted to the device and not yet done. */
    zapPending: t.array(Page, t.bool()),
    /** ODP: the driver's MR pointer is set (cleared by a revoke since the CVE-2025-21732 fix). */
    alive: t.bool(),
    /** ODP: the mmu interval notifier is registered. */
    subscribed: t.bool(),
    /** ODP dereg progress. */
    dereg: t.enum('none', 'revoking', 'revoked', 'released'),
    /** The driver's UMR QP; a translation update posted for a revoked key puts it in error. */
    umrQp: t.enum('ok', 'error'),
  }
}

export type PageMigrationState = StateOf<ReturnType<typeof schema>>

export const build = (p: PageMigrationParams) => {
  const { policy, transport, movable, pages: P, frames: F, moves: M, writes: W } = p
  if (F < P + 1) throw new Error(`frames (${F}) must be at least pages + 1 (${P + 1}): a migration needs a free frame`)
  type S = PageMigrationState
  const odp = policy.startsWith('odp')
  const noRetryCheck = policy === 'odp-no-retry-check'
  const snapAfterWalk = policy === 'odp-snapshot-after-walk'
  const checkNotAtomic = policy === 'odp-check-not-atomic'
  const asyncZap = policy === 'odp-async-zap'
  const revokeOutsideLock = policy === 'odp-revoke-outside-lock'
  const rangeEndIgnoresOthers = policy === 'odp-range-end-ignores-others'
  const prefetchCountBeforeSync = policy === 'odp-prefetch-count-before-sync'
  const unmapFaultRetries = policy === 'odp-unmap-fault-retries'
  const prefetching = p.prefetches > 0
  const types = indexTypes(p)
  const { Page, Frame } = types
  const retryForever = transport === 'ib' && p.rnrRetry === 7
  const maxRetry = retryForever ? 0 : transport === 'ib' ? p.rnrRetry : p.tcpRetries
  const { spec, action } = vars(schema(p, types))

  const home = (q: number) => (policy === 'pin' && !movable ? q + 1 : q)
  const homes = Array.from({ length: P }, (_, q) => home(q))
  const range = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i))
  const init: S = {
    cpu: homes,
    frames: range(F, (f) => ({ use: homes.includes(f) ? 'page' : 'free', data: 0, movable: f === MOVABLE_FRAME })),
    dev: range(P, (q) => (odp ? null : home(q))),
    key: 'valid',
    appEvent: false,
    moved: 0,
    mr: 'live',
    migPage: null,
    migTo: null,
    peer: 'idle',
    target: null,
    written: 0,
    acked: range(P, () => 0),
    retry: maxRetry,
    inflight: null,
    mapped: range(P, () => false),
    faultReq: range(P, () => false),
    fh: { pc: 'idle', page: null, snap: 1, frame: null },
    prefetchFh: range(p.prefetches > 0 ? 1 : 0, () => ({ pc: 'idle' as const, page: null, snap: 1, frame: null })),
    prefetched: 0,
    unmapPage: null,
    mutex: 'free',
    mmSeq: 2,
    mniSeq: 1,
    inv: 'idle',
    invPage: null,
    moreInv: range(p.invalidations - 1, () => ({ inv: 'idle' as const, invPage: null })),
    zapPending: range(P, () => false),
    alive: true,
    subscribed: odp,
    dereg: 'none',
    umrQp: 'ok',
  }

  const freeFrames = (s: Readonly<S>): number => {
    let n = 0
    for (const f of s.frames) if (f.use === 'free') n++
    return n
  }
  const onMovable = (s: Readonly<S>, q: number) => {
    const f = s.cpu[q]!
    return f !== null && s.frames[f]!.movable
  }
  const invIds = range(p.invalidations, (i) => i)
  /**
   * The slot parameter of the invalidation actions, only with two slots, so that an action's
   * label (`OsMutate(to=1)`) stays what it was with one; `slotOf` reads it as slot 0 there.
   */
  const slotParam = (p.invalidations > 1 ? { i: invIds } : {}) as { i: readonly number[] }
  const slotOf = (a: { readonly i: number }): number => a.i ?? 0
  /** Invalidations started whose OS change takes a free frame (a move, not the munmap) and has not happened yet. */
  const unmutated = (s: Readonly<S>): number => {
    let n = 0
    for (const i of invIds) {
      const { inv, invPage } = invAt(s, i)
      if (inv !== 'idle' && inv !== 'mutated' && invPage !== s.unmapPage) n++
    }
    return n
  }
  /** Another slot than i is invalidating (page q, or any page when q is null). */
  const otherActive = (s: Readonly<S>, i: number, q: number | null) =>
    invIds.some((j) => j !== i && invAt(s, j).inv !== 'idle' && (q === null || invAt(s, j).invPage === q))
  const movableHeld = (s: Readonly<S>) => {
    for (let q = 0; q < P; q++) if (onMovable(s, q)) return true
    return false
  }
  /**
   * Whether the kernel may start moving page q. The offline request for the movable block is
   * pursued until the block is empty: moving the page out of it is not bounded by `moves`. A
   * background migration (compaction, NUMA) is, and while the block is still held it leaves the
   * offline a destination frame (offline_pages allocates one from the rest of memory, which the
   * model's few frames stand for).
   */
  const mayMove = (s: Readonly<S>, q: number) => {
    if (s.cpu[q] === null) return false
    const free = freeFrames(s) - unmutated(s)
    return onMovable(s, q) ? free >= 1 : s.moved < M && free >= (movableHeld(s) ? 2 : 1)
  }
  const mayMoveSome = (s: Readonly<S>) => {
    for (let q = 0; q < P; q++) if (mayMove(s, q)) return true
    return false
  }
  /** Counts a migration of page q against the background budget (the offline's is not). */
  const countMove = (d: S, q: number) => {
    if (!onMovable(d, q)) d.moved += 1
  }
  /** The device finishes DMA already translated before it acknowledges a zap or a key revocation. */
  const drained = (s: Readonly<S>) => !p.zapWaitsForDma || s.inflight === null
  /** Moves page q to frame `to`: copy, remap the CPU, hand the old frame to the kernel. */
  const movePage = (d: S, q: number, to: number) => {
    const from = d.cpu[q]!
    d.frames[to]!.use = 'page'
    d.frames[to]!.data = d.frames[from]!.data
    d.cpu[q] = to
    d.frames[from]!.use = 'kernel'
    d.frames[from]!.data = 0
  }
  /**
   * BB2's kernel event (hfi1 pins the buffer): munmap of page q, and the application maps its
   * buffer again at the same address (same contents, a new frame). The old frame is not freed:
   * it stays with the driver's pin, no longer the application's memory.
   */
  const unmapPinnedPage = (d: S, q: number, to: number) => {
    const from = d.cpu[q]!
    movePage(d, q, to)
    d.frames[from]!.use = 'pinned'
    d.frames[from]!.data = d.frames[to]!.data
  }
  const clearDev = (d: S) => {
    for (let q = 0; q < P; q++) d.dev[q] = null
  }
  const handlerIds = range(p.prefetches > 0 ? 2 : 1, (h) => h)
  /**
   * The handler parameter of the fault actions, only with a prefetch handler beside the fault
   * handler, so that the labels (`FaultBegin(page=0)`) stay what they were without; `handlerOf`
   * reads it as handler 0 there.
   */
  const handlerParam = (prefetching ? { h: handlerIds } : {}) as { h: readonly number[] }
  const handlerOf = (a: { readonly h: number }): number => a.h ?? 0
  const faultIdle = (d: S, h: number) => {
    const fh = fhAt(d, h)
    fh.pc = 'idle'
    fh.page = null
    fh.snap = 1
    fh.frame = null
  }
  /** The prefetch work's program counter ('idle' without `prefetches`). */
  const prefetchPc = (s: Readonly<S>) => (prefetching ? s.prefetchFh[0]!.pc : 'idle')
  const handlersIdle = (s: Readonly<S>) => s.fh.pc === 'idle' && prefetchPc(s) === 'idle'
  /** A translation update (UMR) posted for the key: on a revoked key it breaks the UMR QP. */
  const postUmr = (d: S) => {
    if (d.key !== 'valid') d.umrQp = 'error'
  }
  const quiescent = (s: Readonly<S>) =>
    s.inflight === null &&
    s.mutex === 'free' &&
    noInvalidation(s) &&
    handlersIdle(s) &&
    s.mr === 'live' &&
    !s.zapPending.includes(true) &&
    (s.dereg === 'none' || s.dereg === 'released')
  /** read_begin sleeps while this subscription is being invalidated (mni.seq == mm.seq). */
  const notInvalidating = (s: Readonly<S>) => s.mniSeq !== s.mmSeq
  /**
   * Handler h may start on page q. The fault handler (0): a device fault, or a prefetch of a mapped
   * page without translation; beside the prefetch work also a device fault on a page the work has
   * just mapped. The prefetch work (1): the page its request queued. Either: its own retry.
   */
  const mayStart = (s: Readonly<S>, q: number, h: number) => {
    const fh = fhAt(s, h)
    if (s.key !== 'valid') return false
    if (fh.pc === 'retry') return fh.page === q
    if (h > 0) return fh.pc === 'queued' && fh.page === q
    return fh.pc === 'idle' && ((s.dev[q] === null && (s.cpu[q] !== null || s.faultReq[q]!)) || (prefetching && s.faultReq[q]!))
  }
  /** DMA-maps the frame handler h walked and writes it into the device table (a UMR). */
  const program = (d: S, h: number) => {
    const fh = fhAt(d, h)
    postUmr(d)
    d.dev[fh.page!] = fh.frame
    d.mapped[fh.page!] = true
  }
  /** The fault handler resumes the stalled QP; the prefetch work just ends. */
  const resumeQp = (d: S, h: number) => {
    if (h === 0) d.faultReq[d.fh.page!] = false
    faultIdle(d, h)
  }

  /** Takes umem_mutex and checks the snapshot; programs the device unless that is split off (BB3). */
  const lockAndCheck = action(handlerParam, {
    actor: 'kernel',
    fairness: 'weak',
    guard: (s, a) => fhAt(s, handlerOf(a)).pc === 'ready' && s.mutex === 'free',
    effect: (d, a) => {
      const h = handlerOf(a)
      const fh = fhAt(d, h)
      d.mutex = 'fault'
      if (!noRetryCheck && d.mniSeq !== fh.snap) {
        fh.pc = 'mismatch'
      } else if (checkNotAtomic) {
        fh.pc = 'checked'
      } else {
        program(d, h)
        fh.pc = 'programmed'
      }
    },
  })
  const migratable = (s: Readonly<S>) => policy === 'naive' || s.key !== 'valid'

  /** Every action any policy uses; `present` below picks the ones of this policy. */
  const all = {
    // ---- the peer and the device -----------------------------------------------------------
    PeerWrite: action(
      { page: Page },
      {
        actor: 'peer',
        guard: (s) => s.peer === 'idle' && s.written < W,
        effect: (d, { page }) => {
          d.written += 1
          d.target = page
          d.peer = 'waiting'
        },
      },
    ),
    DmaStart: action({
      actor: 'device',
      fairness: 'weak',
      guard: (s) =>
        s.peer === 'waiting' && s.inflight === null && s.key === 'valid' && s.mr === 'live' && s.dev[s.target!] !== null,
      effect: (d) => void (d.inflight = d.dev[d.target!]!),
    }),
    DmaLand: action({
      actor: 'device',
      fairness: 'weak',
      guard: (s) => s.inflight !== null,
      effect: (d) => {
        d.frames[d.inflight!]!.data = d.written
        d.acked[d.target!] = d.written
        d.inflight = null
        d.peer = 'idle'
        d.target = null
        d.retry = maxRetry
      },
    }),
    AccessNak: action({
      actor: 'device',
      fairness: 'weak',
      guard: (s) => s.peer === 'waiting' && s.inflight === null && s.key !== 'valid',
      effect: (d) => void (d.peer = 'failed'),
    }),
    RaiseFault: action({
      actor: 'device',
      fairness: 'weak',
      guard: (s) =>
        s.peer === 'waiting' && s.inflight === null && s.key === 'valid' && s.dev[s.target!] === null && !s.faultReq[s.target!],
      effect: (d) => void (d.faultReq[d.target!] = true),
    }),
    StallNak: action({
      actor: 'device',
      fairness: 'weak',
      guard: (s) =>
        s.peer === 'waiting' && s.inflight === null && s.key === 'valid' && (s.mr !== 'live' || s.dev[s.target!] === null),
      effect: (d) => {
        if (d.retry > 0) {
          d.retry -= 1
          return
        }
        d.peer = 'failed'
        // iWARP: the RNIC terminates the stream, so the local QP errors too; on IB the
        // requester gives up alone (RNR retry exceeded) and the responder hears nothing.
        if (transport === 'iwarp') d.appEvent = true
      },
    }),

    // ---- the application ---------------------------------------------------------------------
    Dereg: action({
      actor: 'application',
      // Destroying the HW MR waits for in-flight DMA (zapWaitsForDma); then the pages are unpinned.
      guard: (s) => s.key === 'valid' && drained(s) && s.mr === 'live',
      effect: (d) => {
        d.key = 'revoked'
        clearDev(d)
      },
    }),
    DeregRevoke: action({
      actor: 'application',
      // Waits for page-fault and prefetch work on the key first (mlx5r_deref_wait_odp_mkey). The
      // variant reads the prefetch count before synchronize_srcu: a queued work is flushed, but a
      // prefetch that has passed the live check and not yet counted itself is not waited for.
      guard: (s) =>
        s.key === 'valid' &&
        s.dereg === 'none' &&
        s.fh.pc === 'idle' &&
        (prefetchPc(s) === 'idle' || (prefetchCountBeforeSync && prefetchPc(s) === 'advised')) &&
        drained(s) &&
        (revokeOutsideLock || s.mutex === 'free'),
      effect: (d) => {
        d.key = 'revoked'
        clearDev(d)
        for (let q = 0; q < P; q++) d.faultReq[q] = false
        if (revokeOutsideLock) {
          d.dereg = 'revoked'
        } else {
          d.mutex = 'dereg'
          d.alive = false
          d.dereg = 'revoking'
        }
      },
    }),
    DeregUnlock: action({
      actor: 'application',
      fairness: 'weak',
      guard: (s) => s.dereg === 'revoking',
      effect: (d) => {
        d.mutex = 'free'
        d.dereg = 'revoked'
      },
    }),
    DeregRelease: action({
      actor: 'application',
      fairness: 'weak',
      // mmu_interval_notifier_remove waits for a running invalidation; unmapping takes umem_mutex.
      // (The variant's synchronize_srcu comes here, after it read the prefetch count.)
      guard: (s) =>
        s.dereg === 'revoked' && noInvalidation(s) && s.mutex === 'free' && prefetchPc(s) !== 'advised',
      effect: (d) => {
        d.subscribed = false
        d.alive = false
        for (let q = 0; q < P; q++) d.mapped[q] = false
        d.dereg = 'released'
      },
    }),

    // ---- the kernel: plain migration (no coordination, or the MR no longer holds the page) ---
    Migrate: action(
      { page: Page, to: Frame },
      {
        actor: 'kernel',
        fairness: 'weak',
        guard: (s, { page, to }) => mayMove(s, page) && s.frames[to]!.use === 'free' && migratable(s),
        effect: (d, { page, to }) => {
          countMove(d, page)
          movePage(d, page, to)
        },
      },
    ),

    // ---- eliminate ---------------------------------------------------------------------------
    Eliminate: action({
      actor: 'kernel',
      fairness: 'weak',
      // The kernel wants a page back: destroy the MR (after in-flight DMA) and tell the app.
      guard: (s) => s.key === 'valid' && drained(s) && mayMoveSome(s),
      effect: (d) => {
        d.key = 'destroyed'
        clearDev(d)
        d.appEvent = true
      },
    }),

    // ---- suspend-resume ----------------------------------------------------------------------
    Suspend: action(
      { page: Page },
      {
        actor: 'kernel',
        fairness: 'weak',
        guard: (s, { page }) => s.key === 'valid' && s.mr === 'live' && mayMove(s, page),
        effect: (d, { page }) => {
          countMove(d, page)
          d.mr = 'suspending'
          d.migPage = page
        },
      },
    ),
    Drain: action({
      actor: 'device',
      fairness: 'weak',
      guard: (s) => s.mr === 'suspending' && s.inflight === null,
      effect: (d) => void (d.mr = 'suspended'),
    }),
    Copy: action(
      { to: Frame },
      {
        actor: 'kernel',
        fairness: 'weak',
        guard: (s, { to }) => s.mr === 'suspended' && s.frames[to]!.use === 'free',
        effect: (d, { to }) => {
          d.frames[to]!.use = 'page'
          d.frames[to]!.data = d.frames[d.cpu[d.migPage!]!]!.data
          d.migTo = to
          d.mr = 'copied'
        },
      },
    ),
    Remap: action({
      actor: 'kernel',
      fairness: 'weak',
      guard: (s) => s.mr === 'copied',
      effect: (d) => {
        const q = d.migPage!
        const from = d.cpu[q]!
        d.cpu[q] = d.migTo!
        d.dev[q] = d.migTo
        d.frames[from]!.use = 'kernel'
    d.frames[from]!.data = 0
        d.migTo = null
        d.mr = 'remapped'
      },
    }),
    Resume: action({
      actor: 'kernel',
      fairness: 'weak',
      guard: (s) => s.mr === 'remapped',
      effect: (d) => {
        d.mr = 'live'
        d.migPage = null
      },
    }),

    // ---- ODP: the driver's page-fault handler ------------------------------------------------
    // With `prefetches` >= 1 the prefetch work runs the same steps as handler 1.
    FaultBegin: action(
      { ...handlerParam, page: Page },
      {
        actor: 'kernel',
        fairness: 'weak',
        guard: (s, a) => {
          const fh = fhAt(s, handlerOf(a))
          return notInvalidating(s) && (snapAfterWalk ? fh.pc === 'walked' && fh.page === a.page : mayStart(s, a.page, handlerOf(a)))
        },
        effect: (d, a) => {
          const fh = fhAt(d, handlerOf(a))
          fh.page = a.page
          fh.snap = d.mniSeq
          fh.pc = snapAfterWalk ? 'ready' : 'snapped'
        },
      },
    ),
    FaultWalk: action(
      { ...handlerParam, page: Page },
      {
        actor: 'kernel',
        fairness: 'weak',
        guard: (s, a) => {
          const fh = fhAt(s, handlerOf(a))
          return snapAfterWalk ? mayStart(s, a.page, handlerOf(a)) : fh.pc === 'snapped' && fh.page === a.page
        },
        effect: (d, a) => {
          const fh = fhAt(d, handlerOf(a))
          fh.page = a.page
          fh.frame = d.cpu[a.page]!
          if (fh.frame !== null) {
            fh.pc = snapAfterWalk ? 'walked' : 'ready'
          } else if (unmapFaultRetries) {
            // hmm_range_fault's -EFAULT taken for -EBUSY: read_begin again, for ever.
            fh.pc = 'retry'
            fh.snap = 1
          } else {
            fh.pc = 'failed'
          }
        },
      },
    ),
    FaultCommit: lockAndCheck,
    FaultCheck: lockAndCheck,
    FaultUnlock: action(handlerParam, {
      actor: 'kernel',
      fairness: 'weak',
      guard: (s, a) => {
        const { pc } = fhAt(s, handlerOf(a))
        return pc === 'programmed' || pc === 'mismatch' || pc === 'checked'
      },
      effect: (d, a) => {
        const h = handlerOf(a)
        const fh = fhAt(d, h)
        d.mutex = 'free'
        if (fh.pc === 'programmed') resumeQp(d, h)
        else if (fh.pc === 'checked') fh.pc = 'unlocked'
        else {
          fh.pc = 'retry'
          fh.snap = 1
          fh.frame = null
        }
      },
    }),
    FaultProgram: action(handlerParam, {
      actor: 'kernel',
      fairness: 'weak',
      guard: (s, a) => fhAt(s, handlerOf(a)).pc === 'unlocked',
      effect: (d, a) => {
        program(d, handlerOf(a))
        resumeQp(d, handlerOf(a))
      },
    }),
    /**
     * The walk found the page unmapped (munmap, or exit: mmget_not_zero fails): the fault handler
     * resumes the QP with an error, so the access fails and the QP goes to error (an async event
     * to the application); a prefetch just ends.
     */
    FaultFail: action(handlerParam, {
      actor: 'kernel',
      fairness: 'weak',
      guard: (s, a) => fhAt(s, handlerOf(a)).pc === 'failed',
      effect: (d, a) => {
        const h = handlerOf(a)
        const q = fhAt(d, h).page!
        if (h === 0 && d.faultReq[q]) {
          d.faultReq[q] = false
          if (d.peer === 'waiting' && d.target === q) d.peer = 'failed'
          d.appEvent = true
        }
        faultIdle(d, h)
      },
    }),

    // ---- ODP: prefetch (ibv_advise_mr) ----------------------------------------------------------
    // mlx5_ib_advise_mr_prefetch: under SRCU, check that the MR is live, count the request on it
    // and queue the work; the work then runs the fault path as handler 1.
    PrefetchAdvise: action(
      { page: Page },
      {
        actor: 'application',
        guard: (s) => s.prefetched < p.prefetches && s.key === 'valid' && fhAt(s, 1).pc === 'idle',
        effect: (d, { page }) => {
          d.prefetched += 1
          const fh = fhAt(d, 1)
          fh.pc = 'advised'
          fh.page = page
        },
      },
    ),
    PrefetchQueue: action({
      actor: 'application',
      fairness: 'weak',
      guard: (s) => fhAt(s, 1).pc === 'advised',
      effect: (d) => void (fhAt(d, 1).pc = 'queued'),
    }),
    /** The work finds the MR's key gone, drops its count on the MR and ends. */
    PrefetchDrop: action({
      actor: 'kernel',
      fairness: 'weak',
      guard: (s) => fhAt(s, 1).pc === 'queued' && s.key !== 'valid',
      effect: (d) => faultIdle(d, 1),
    }),

    // ---- ODP: the mmu notifier invalidation around a migration -------------------------------
    // With `invalidations` = 2 two of them, of different pages, may be in flight at once (slot i).
    InvStart: action(
      { ...slotParam, page: Page },
      {
        actor: 'kernel',
        fairness: 'weak',
        guard: (s, a) => invAt(s, slotOf(a)).inv === 'idle' && !otherActive(s, slotOf(a), a.page) && mayMove(s, a.page),
        effect: (d, a) => {
          const { page } = a
          countMove(d, page)
          // mn_itree_inv_start_range: invalidate_seq |= 1 (already odd while another range runs).
          if (d.mmSeq % 2 === 0) d.mmSeq += 1
          const slot = invAt(d, slotOf(a))
          slot.invPage = page
          slot.inv = d.subscribed ? 'started' : 'returned'
        },
      },
    ),
    InvCallback: action(
      slotParam,
      {
        actor: 'kernel',
        fairness: 'weak',
        guard: (s, a) => invAt(s, slotOf(a)).inv === 'started' && s.mutex === 'free',
        effect: (d, a) => {
          d.mutex = 'invalidate'
          d.mniSeq = d.mmSeq
          const slot = invAt(d, slotOf(a))
          const q = slot.invPage!
          if (d.alive && d.mapped[q]) {
            postUmr(d)
            if (asyncZap) d.zapPending[q] = true
            else d.dev[q] = null
            d.mapped[q] = false
          }
          slot.inv = 'locked'
        },
      },
    ),
    InvUnlock: action(
      slotParam,
      {
        actor: 'kernel',
        fairness: 'weak',
        // A synchronous zap completes only after DMA already translated through it has landed
        // (zapWaitsForDma: a property of the device, not of the driver).
        guard: (s, a) => invAt(s, slotOf(a)).inv === 'locked' && (asyncZap || drained(s)),
        effect: (d, a) => {
          d.mutex = 'free'
          invAt(d, slotOf(a)).inv = 'returned'
        },
      },
    ),
    ZapComplete: action(
      { page: Page },
      {
        actor: 'device',
        fairness: 'weak',
        guard: (s, { page }) => s.zapPending[page]!,
        effect: (d, { page }) => {
          d.dev[page] = null
          d.zapPending[page] = false
        },
      },
    ),
    OsMutate: action(
      { ...slotParam, to: Frame },
      {
        actor: 'kernel',
        fairness: 'weak',
        guard: (s, a) => {
          const slot = invAt(s, slotOf(a))
          return slot.inv === 'returned' && slot.invPage !== s.unmapPage && s.frames[a.to]!.use === 'free'
        },
        effect: (d, a) => {
          const slot = invAt(d, slotOf(a))
          if (snapAfterWalk) unmapPinnedPage(d, slot.invPage!, a.to)
          else movePage(d, slot.invPage!, a.to)
          slot.inv = 'mutated'
        },
      },
    ),
    // With `unmap`: the application unmaps one page of the MR (munmap; with one page this is also
    // exit_mmap at process exit), an invalidation of its own whose OS change frees the frame.
    Munmap: action(
      { ...slotParam, page: Page },
      {
        actor: 'application',
        guard: (s, a) =>
          s.unmapPage === null && s.cpu[a.page] !== null && invAt(s, slotOf(a)).inv === 'idle' && !otherActive(s, slotOf(a), a.page),
        effect: (d, a) => {
          if (d.mmSeq % 2 === 0) d.mmSeq += 1
          d.unmapPage = a.page
          const slot = invAt(d, slotOf(a))
          slot.invPage = a.page
          slot.inv = d.subscribed ? 'started' : 'returned'
        },
      },
    ),
    OsUnmap: action(slotParam, {
      actor: 'kernel',
      fairness: 'weak',
      guard: (s, a) => {
        const slot = invAt(s, slotOf(a))
        return slot.inv === 'returned' && slot.invPage === s.unmapPage
      },
      effect: (d, a) => {
        const slot = invAt(d, slotOf(a))
        const q = slot.invPage!
        const from = d.cpu[q]!
        d.frames[from]!.use = 'kernel'
        d.frames[from]!.data = 0
        d.cpu[q] = null
        slot.inv = 'mutated'
      },
    }),
    InvEnd: action(
      slotParam,
      {
        actor: 'kernel',
        fairness: 'weak',
        guard: (s, a) => invAt(s, slotOf(a)).inv === 'mutated',
        effect: (d, a) => {
          // mn_itree_inv_end: the last range to end makes the sequence even (the variant: any range).
          const last = rangeEndIgnoresOthers || !otherActive(d, slotOf(a), null)
          if (last && d.mmSeq % 2 === 1) d.mmSeq += 1
          const slot = invAt(d, slotOf(a))
          slot.inv = 'idle'
          slot.invPage = null
        },
      },
    ),

    /** A stutter step, allowed only when nothing is in progress: the behaviour may end here. */
    Idle: action({
      actor: 'application',
      guard: quiescent,
      effect: () => {},
    }),
  }

  const odpOnly = new Set(['RaiseFault', 'DeregRevoke', 'DeregUnlock', 'DeregRelease', 'FaultBegin', 'FaultWalk', 'FaultCommit', 'FaultCheck', 'FaultUnlock', 'FaultProgram', 'FaultFail', 'PrefetchAdvise', 'PrefetchQueue', 'PrefetchDrop', 'InvStart', 'InvCallback', 'InvUnlock', 'ZapComplete', 'OsMutate', 'Munmap', 'OsUnmap', 'InvEnd'])
  const present = (name: keyof typeof all): boolean => {
    switch (name) {
      case 'StallNak':
        return !retryForever
      case 'Dereg':
      case 'Migrate':
        return !odp
      case 'Eliminate':
        return policy === 'eliminate'
      case 'Suspend':
      case 'Drain':
      case 'Copy':
      case 'Remap':
      case 'Resume':
        return policy === 'suspend-resume'
      case 'DeregUnlock':
        return odp && !revokeOutsideLock
      case 'FaultCommit':
        return odp && !checkNotAtomic
      case 'FaultCheck':
      case 'FaultProgram':
        return checkNotAtomic
      case 'ZapComplete':
        return asyncZap
      case 'FaultFail':
        return odp && p.unmap && !unmapFaultRetries
      case 'Munmap':
      case 'OsUnmap':
        return odp && p.unmap
      case 'PrefetchAdvise':
      case 'PrefetchQueue':
      case 'PrefetchDrop':
        return odp && prefetching
      default:
        return !odpOnly.has(name) || odp
    }
  }
  // Typed as the full set so that properties can name every action; only this policy's are present.
  const actions = Object.fromEntries(Object.entries(all).filter(([name]) => present(name as keyof typeof all))) as typeof all

  return spec({
    name: 'page-migration',
    about: POLICY_SOURCES[policy],
    constants: { ...p },
    init,
    actions,
  })
}

export type PageMigration = ReturnType<typeof build>
