/**
 * page-migration: a registered memory region whose pages the kernel wants to move (compaction,
 * NUMA balancing, CMA allocation, memory hot-unplug), and the ways an RDMA stack can keep the
 * device's translation honest while it happens (domain/BRIEF.md sections 0, B, C, E).
 *
 * Bestler's rule (2005 thread): the device's translation for a registered (key, VA) must never
 * name a frame the kernel has freed, moved or given to someone else; and an advertised R-Key is
 * a promise to the peer that the memory is there on demand. The `policy` parameter picks how
 * that is kept:
 *
 * - `naive`: the kernel moves the page and nobody tells the device (no pin, no notifier).
 * - `pin`: long-term pin (ib_umem_get + FOLL_LONGTERM); a pinned page never migrates. With
 *   `movable=false` (today's kernels) the pin first moves the page out of ZONE_MOVABLE; with
 *   `movable=true` (BC1, before "mm/gup: migrate pinned pages out of movable zone") the pin
 *   stays on the movable frame, so offlining that block can never finish: memory safety holds,
 *   C1 (PinNotMovable) fails at once and L-C1 fails (temporal, not checked yet).
 * - `eliminate` (Bestler option 1, what device disassociation does): the kernel destroys the MR
 *   on demand and queues an async event to the app in the same step; the peer's next access
 *   through the key is NAKed. The promise to the peer is broken, but never silently.
 * - `suspend-resume` (Bestler option 2 as proposed for RNIC-PI): suspend the MR, let the device
 *   drain in-flight DMA, copy, remap CPU and device tables together, resume. A remote access
 *   meanwhile stalls: on IB with an RNR NAK (rnr_retry=7 retries forever), on iWARP by a dropped
 *   segment and TCP retransmission, bounded by `tcpRetries`, then a Terminate.
 * - `odp`: On-Demand Paging as in Linux: mmu_interval_notifier invalidation (InvStart,
 *   driver callback under umem_mutex, OS change, InvEnd) against the driver page-fault path
 *   (read_begin snapshot, hmm walk without pinning, commit under umem_mutex with the
 *   sequence-number retry check). Lock releases are their own steps.
 * - ODP bug variants: `odp-no-retry-check` (BB1), `odp-snapshot-after-walk` (BB2),
 *   `odp-check-not-atomic` (BB3), `odp-async-zap` (BB4), `odp-revoke-outside-lock` (BB5,
 *   CVE-2025-21732), `odp-range-end-ignores-others` (needs `invalidations=2`, below),
 *   `odp-prefetch-count-before-sync` (needs `prefetches=1`) and `odp-unmap-fault-retries` (needs
 *   `unmap=true`), both below.
 *
 * Two invalidations in flight (`invalidations=2`; default 1). The kernel may invalidate two
 * different ranges of the MR at once (two migrations, or a migration beside a munmap): the mm's
 * invalidate_seq turns odd when the first starts (`|= 1`, so a second start leaves it odd) and
 * even only when the last ends (mn_itree_inv_end counts active_invalidate_ranges); both driver
 * callbacks stamp the subscription under umem_mutex. `odp` keeps every property with two in
 * flight (pages=2, frames=4: 24,295 states). `odp-range-end-ignores-others` makes the sequence
 * even when either range ends: read_begin then lets a fault through while the other range is
 * still being invalidated, the fault programs the frame that range is about to move
 * (NoStaleTranslation, 13 states), and a callback that stamps the subscription with the even
 * value leaves the next read_begin asleep for ever (a deadlock, 17 states). SeqParity breaks
 * first (7 states).
 *
 * Prefetch (`prefetches`; default 0). ibv_advise_mr queues prefetch work (mlx5_ib_advise_mr_prefetch:
 * under SRCU, check that the MR is live, count the request on it, queue the work), and the work runs
 * the same fault path (read_begin, walk, commit under umem_mutex with the retry check) as a second
 * handler beside the device's page-fault handler, on the same page or another; dereg waits for
 * both. `odp` keeps every property with one prefetch (1,493 states at the defaults; at 3 pages, 4
 * frames, 3 moves, 3 writes with `unmap=true` as well: 4,109,399 states, 52 s on a loaded 2-core
 * machine; with two invalidations, 2 pages and 4 frames: 2,978,543 states). Its bug:
 * `odp-prefetch-count-before-sync`, the dereg of "IB/mlx5: Protect against prefetch of invalid MR"
 * (a6bc3875f176) before "RDMA/mlx5: Order num_pending_prefetch properly with synchronize_srcu"
 * (aa116b810ac9): it clears `live`, reads the pending-prefetch count and flushes the work queue only
 * if it is non-zero, and only then waits for SRCU readers. A prefetch that passed the live check
 * before and counts itself after that read has its work run on the freed MR: PrefetchAdvise,
 * DeregRevoke, DeregUnlock, PrefetchQueue, DeregRelease, then the work's first step (NoUseOfFreedMr,
 * 7 states, the fix's own trace; there the work found the key gone and dropped its count on the
 * freed MR).
 *
 * munmap or exit during a fault (`unmap`; default false). The application unmaps one page of the MR
 * (munmap; with one page this is also exit_mmap at exit): an invalidation like a migration's, whose
 * OS change frees the frame and leaves the page unmapped. A fault whose walk then finds nothing
 * (hmm_range_fault -EFAULT; after exit, mmget_not_zero fails) fails: the fault handler resumes the
 * QP with an error, the peer's access fails and the application gets the QP's async event; a
 * prefetch just ends. `odp` keeps every property (684 states; RKeyHonoured does not count an access
 * to a page the application unmapped): the shortest failed fault took its snapshot before the munmap
 * and walks after it (11 states). No kernel fix was found for a bug here on an explicit ODP MR (the
 * nearest, "RDMA/odp: Ensure the mm is still alive before creating an implicit child",
 * a4e63bce1414, is about implicit children); `odp-unmap-fault-retries` is model-derived: the walk's
 * -EFAULT taken for -EBUSY, so the fault retries for ever and the stalled access never ends
 * (FaultResolves, WriteAnswered: a lasso whose loop, FaultBegin and FaultWalk, starts at state 9).
 *
 * State. Pages are virtual pages of the one MR; frames are physical frames. Frame 0 is the
 * ZONE_MOVABLE block the kernel may want back; the others are kernel-zone frames. Each frame
 * holds a small version number (`data`): the peer's k-th remote write stores k, so a write that
 * was acknowledged but landed elsewhere is visible as `data[cpu[p]] < acked[p]`. A migrated-away
 * frame is at once reused by the kernel (`use: 'kernel'`, contents reset): migration happens
 * because the kernel wants that frame (offline, CMA, a huge page), so "freed" and "reused" are
 * one step here. Fields that name a page or frame only while something is under way (the write's
 * `target`, `migPage`, `migTo`, `invPage`, `fh.page`) are null otherwise, so that no page or frame
 * is singled out when idle: pages are then interchangeable, and so are frames (the ZONE_MOVABLE
 * block is a mark in the frame's state); both are declared symmetric for `--symmetry on`.
 *
 * The remote peer has at most one outstanding RDMA Write; the device translates it (`DmaStart`),
 * then places the data and acknowledges (`DmaLand`), so DMA can be in flight while the kernel
 * acts. The ODP mm sequence starts at 2 and the subscription's at 1, as mmu_interval_notifier
 * does (mm.seq even when idle; mni.seq always odd).
 *
 * Simplifications, and why:
 * - Only migrations and, with `unmap`, one munmap change CPU page tables (no COW, swap): this model
 *   is about moving pages. `moves` bounds the number of background
 *   migrations (compaction, NUMA balancing) and `writes` the peer's writes, so every sequence
 *   number stays in a small range.
 * - Offlining is an intent of the kernel, not a budgeted event: the ZONE_MOVABLE block (frame 0)
 *   is being offlined from the start, and offline_pages keeps migrating the page out of it until
 *   the block is empty, so that move is not counted against `moves` and is weakly fair. Its
 *   destination comes from the rest of memory, which the few frames here stand for: while the
 *   block is still held, a background migration leaves one free frame for it. So L-C1
 *   (MovableBlockVacated) fails only where a design really keeps the page there (`pin` with
 *   `movable=true`, BC1), at every size.
 * - `zapWaitsForDma` (default on) is a hardware assumption, not driver code: a zap UMR, an mkey
 *   destroy or a key revocation completes only after DMA the device already translated through
 *   the old entry has landed. `odp`'s verdict rests on it (the invalidation callback returns when
 *   the zap completes, and the kernel then frees the frame); so does every dereg. Off, every
 *   design that revokes or zaps with a write in flight lands that write after the key is gone
 *   (NoAccessThroughInvalidKey) or in a frame the kernel took back (NoDmaToFreedFrame).
 * - `OsMutate` is unmap + copy + new PTE + reuse of the old frame in one step inside the
 *   notifier range. In the kernel the new PTE is installed after invalidate_range_end, but a
 *   walk in between waits on the migration entry, so nothing observable differs.
 * - The ODP fault handler can start on a device fault or on its own for a mapped page without
 *   translation, one page at a time; the prefetch work of ibv_advise_mr is a second handler only
 *   with `prefetches`, bounded by it so that every behaviour stays finite.
 * - Dereg of an ODP MR first waits for page-fault and prefetch work on the key
 *   (mlx5r_deref_wait_odp_mkey), so faults never race the revoke; only the invalidation does, which
 *   is the CVE's race (and a prefetch, in `odp-prefetch-count-before-sync`).
 * - Registration happened before the initial state. For `pin` with `movable=false` the initial
 *   placement is where ib_umem_get leaves the page: on a kernel-zone frame.
 * - An RC remote access error moves the QPs to error; the peer is then done (`failed`).
 * - Each behaviour is finite (budgets), so `Idle` is a stutter step allowed only when nothing
 *   is in progress (no lock held, no DMA in flight, no fault, invalidation, suspension or dereg
 *   half done). Deadlock checking stays on: a state with work in progress and no step enabled
 *   is a real deadlock.
 *
 * Size. The shipped design `odp` keeps every property, temporal ones included, at 4 pages, 6
 * frames, 4 moves, 4 writes: 4,088,009 distinct states, 67 s and 390 MiB peak on one worker
 * (`mrcheck check page-migration -p pages=4 -p frames=6 -p moves=4 -p writes=4`, a 2-core machine
 * under load); 4/6/3/3 takes 19 s (1,702,337 states). `pin` and `suspend-resume` stay under a
 * thousand states at those sizes.
 *
 * Where the checker disagreed with the brief:
 * - B3 as written ("a commit with snapshot s succeeds only if no InvStart covering the range
 *   happened after s") is violated by the correct `odp` policy: InvStart, then the fault commit
 *   (mni.seq still equals the snapshot, because the driver callback has not stamped it yet),
 *   then the callback, which zaps what the commit installed. That interleaving is the brief's
 *   own "commit before invalidation" case and is safe. What the code guarantees is "no
 *   invalidation *callback* ran after s", i.e. mni.seq still equals s; B3 is stated that way in
 *   properties/page-migration.ts (CommitMatchesSnapshot).
 * - BB2's trigger in hfi1 was munmap of pinned pages, not a migration (a pinned page does not
 *   migrate): under `odp-snapshot-after-walk` the kernel's event is munmap of the page and a new
 *   mapping of the buffer at the same address, and the old frame stays with the driver's pin
 *   (`use: 'pinned'`), never reused. The harm is the real one: the device writes into memory the
 *   process no longer maps (NoStaleTranslation, NoLostWrite), not into a frame the kernel reused.
 * - BB2 (snapshot after the walk) keeps that corrected B3 (the check itself is fine, the
 *   snapshot is simply too late) and breaks B1; only BB1 and BB3 break B3.
 * - BB1's shortest B1 counterexample has 7 steps, not the brief's "about 5": the brief's shape
 *   leaves out read_begin and the callback's unlock. The unchecked commit breaks B3 one step
 *   before B1. B2-B4 are declared mechanisms (how the code keeps B1, not a promise of its own),
 *   so a plain check goes on from the broken B3 to the broken B1 and prints the B1 trace first:
 *   its last state has the device translating page 0 to frame 0, which the kernel has taken back.
 * - Not in the brief: with a finite rnr_retry on IB, a stall (ODP fault or suspension) can end
 *   in RNR-retry-exceeded at the requester while the responder's application is never told,
 *   so NoSilentBreak fails as well as RKeyHonoured. On iWARP the Terminate reaches both sides.
 */
import { defineModel, param } from '../checker/index.js'
import { POLICIES, type Policy, POLICY_SOURCES, type PageMigrationParams, type PageMigrationState, build, stale } from './specs/page-migration.js'
import mrContract, { deviceMap } from './mr-contract.js'
import pageMigrationProperties from '../properties/page-migration.js'

export * from './specs/page-migration.js'

/** What a device that acknowledges a zap or revocation with DMA still in flight breaks (zapWaitsForDma off). */
const UNDRAINED = ['NoLostWrite', 'NoSilentBreak', 'NoDmaToFreedFrame', 'NoAccessThroughInvalidKey']
/** What a wrong translation breaks: the device writes through a frame the kernel took back. */
const STALE = ['NoStaleTranslation', 'NoLostWrite', 'NoSilentBreak', 'NoDmaToFreedFrame']
const BREAKS: Record<Policy, readonly string[]> = {
  naive: STALE,
  pin: [],
  eliminate: ['RKeyHonoured'],
  'suspend-resume': [],
  odp: [],
  'odp-no-retry-check': [...STALE, 'CommitMatchesSnapshot'],
  'odp-snapshot-after-walk': STALE,
  'odp-check-not-atomic': [...STALE, 'ZappedOnReturn', 'CommitMatchesSnapshot'],
  'odp-async-zap': [...STALE, 'ZappedOnReturn'],
  'odp-revoke-outside-lock': ['NoUpdateForRevokedKey'],
  // The fault that read_begin let through programs a frame about to move; a subscription stamped
  // with the even value makes the next read_begin sleep for ever.
  'odp-range-end-ignores-others': [...STALE, 'SeqParity', 'Deadlock', 'FaultResolves', 'WriteAnswered'],
  // The prefetch work, queued after dereg read its count, runs on the freed MR.
  'odp-prefetch-count-before-sync': ['NoUseOfFreedMr'],
  // A fault on an unmapped page retries for ever: the stalled QP and the peer's write wait for good.
  'odp-unmap-fault-retries': ['FaultResolves', 'WriteAnswered'],
}

/** The parameter without which each concurrency variant is the shipped design. */
const NEEDS: Partial<Record<Policy, (p: PageMigrationParams) => boolean>> = {
  'odp-range-end-ignores-others': (p) => p.invalidations >= 2,
  'odp-prefetch-count-before-sync': (p) => p.prefetches >= 1,
  'odp-unmap-fault-retries': (p) => p.unmap,
}

/**
 * The promises of this model that the MR contract makes too: an instance that breaks one of them
 * breaks MrContract. RKeyHonoured is not one: the contract lets a key go if the application is told.
 */
const CONTRACT = ['NoStaleTranslation', 'NoLostWrite', 'NoSilentBreak', 'NoDmaToFreedFrame', 'NoAccessThroughInvalidKey']

/**
 * The contract's state a page-migration state stands for: the key (a key the kernel destroyed is
 * withdrawn), whether the application knows of a break (its event, or its own dereg), whether the device map agrees with the kernel's, the peer's
 * write, and what the application reads at each page (the data of the frame the kernel maps it to).
 */
const contractOf = (s: Readonly<PageMigrationState>) => {
  let consistent = true
  for (let q = 0; q < s.cpu.length; q++) if (stale(s, q)) consistent = false
  return {
    key: s.key === 'destroyed' ? 'withdrawn' : s.key,
    told: s.appEvent || s.key === 'revoked',
    deviceMap: deviceMap(consistent),
    peer: s.peer,
    target: s.target,
    written: s.written,
    acked: s.acked,
    // A page the application unmapped (with `unmap`) reads nothing that could contradict the peer.
    mem: s.cpu.map((f, q) => (f === null ? s.acked[q]! : s.frames[f]!.data)),
  }
}

/**
 * The properties an instance is meant to break: the policy's bug or given-up promise, the BC1 pin
 * in ZONE_MOVABLE, a stall that cannot last (iWARP, or a finite rnr_retry on IB, where the
 * responder is not told), and a device without the DMA-drain guarantee.
 */
const expectedBreaks = (p: PageMigrationParams): readonly string[] => {
  const out = new Set(BREAKS[p.policy])
  // One range at a time, no prefetch, no munmap: each such variant is then the shipped design.
  if (NEEDS[p.policy]?.(p) === false) out.clear()
  // A peer that gives up (iWARP, a finite rnr_retry) is answered even by a fault that never ends.
  if (p.policy === 'odp-unmap-fault-retries' && !(p.transport === 'ib' && p.rnrRetry === 7)) out.delete('WriteAnswered')
  const stalls = p.policy === 'suspend-resume' || p.policy.startsWith('odp')
  if (p.policy === 'pin' && p.movable) out.add('PinNotMovable').add('MovableBlockVacated')
  if (stalls && p.transport === 'iwarp') out.add('RKeyHonoured')
  if (stalls && p.transport === 'ib' && p.rnrRetry < 7) out.add('RKeyHonoured').add('NoSilentBreak')
  if (!p.zapWaitsForDma) {
    for (const name of UNDRAINED) out.add(name)
    if (p.policy === 'eliminate') out.add('PeerLearnsOfBreak')
  }
  if (CONTRACT.some((name) => out.has(name))) out.add('MrContract')
  return [...out]
}

export default defineModel({
  name: 'page-migration',
  summary: 'A registered MR whose pages the kernel moves: naive, pin, eliminate, suspend-resume, ODP and ODP bugs.',
  params: {
    policy: param.enum(
      POLICIES,
      'odp',
      'how the device translation is kept in step with the kernel; odp-* are known bugs',
      POLICY_SOURCES,
    ),
    transport: param.enum(['ib', 'iwarp'], 'ib', 'how a stalled remote access waits: RNR NAK (ib) or TCP retransmission (iwarp)'),
    movable: param.bool(false, 'pin: leave the long-term pin in ZONE_MOVABLE (BC1, before the 2021 gup fix)'),
    pages: param.int(1, { min: 1, max: 5 }, 'virtual pages in the MR'),
    frames: param.int(2, { min: 2, max: 7 }, 'physical frames (at least pages + 1); frame 0 is ZONE_MOVABLE'),
    moves: param.int(1, { min: 0, max: 5 }, 'how many migrations the kernel may start'),
    writes: param.int(1, { min: 0, max: 5 }, 'how many RDMA Writes the peer may post'),
    rnrRetry: param.int(7, { min: 0, max: 7 }, 'IB rnr_retry; 7 retries forever'),
    tcpRetries: param.int(1, { min: 0, max: 3 }, 'iWARP: TCP retransmissions before the connection is terminated'),
    invalidations: param.int(1, { min: 1, max: 2 }, 'ODP: invalidations of different pages that may be in flight at once'),
    prefetches: param.int(0, { min: 0, max: 2 }, 'ODP: prefetch requests (ibv_advise_mr) the application may make; the work races page faults and dereg'),
    unmap: param.bool(false, 'ODP: the application may unmap a page of the MR (munmap, or exit) while faults run'),
    zapWaitsForDma: param.bool(
      true,
      'hardware assumption: a zap UMR or key revocation completes only after DMA already translated through it has landed',
    ),
  },
  matrixParam: 'policy',
  matrix: { instance: { pages: 3, frames: 4, moves: 3, writes: 3 }, sweep: { transport: ['ib', 'iwarp'] } },
  build,
  properties: pageMigrationProperties,
  expectedBreaks,
  refines: ({ pages, writes }) => ({ MrContract: { model: mrContract, params: { pages, writes }, map: contractOf } }),
})
