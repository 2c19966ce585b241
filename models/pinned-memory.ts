/**
 * pinned-memory: a long-term pinned MR (ib_umem_get: pin_user_pages_fast with FOLL_LONGTERM) while
 * the kernel wants its frame back (a CMA allocation or the offline of a ZONE_MOVABLE block), and
 * the process forks (brief section C).
 *
 * WHAT IS MODELLED. One page of the process (the MR's buffer) on `frames` physical frames. Frame 0
 * is the target the kernel reclaims: a CMA area (`target=cma`) or a ZONE_MOVABLE block
 * (`target=movable`); the others are normal kernel-zone frames. The page starts on frame 0.
 * - The kernel's reclaim is an intent pursued under weak fairness (alloc_contig_range,
 *   offline_pages): isolate frame 0 (MIGRATE_ISOLATE), migrate whatever page is on it to a free
 *   normal frame, then take the frame. A pinned page cannot be migrated: the reclaim retries for
 *   ever (L-C1 fails).
 * - Registration (ibv_reg_mr): GUP looks at the page's frame; a long-term pin of a frame in
 *   ZONE_MOVABLE, in a CMA pageblock or in an isolated pageblock first migrates the page to a
 *   normal frame (`GupMigrate`), then pins it (`GupPin`); then the driver programs the device
 *   (`ProgramHw`). Dereg: HW destroy, then unpin (`DeregDestroyHw`, `DeregUnpin`).
 * - fork: without MADV_DONTFORK the child shares the page copy-on-write; the first write from either
 *   side gets a copy. Since "mm: Do early cow for pinned pages during fork() for ptes" (2020)
 *   the kernel copies a maybe-DMA-pinned page for the child at fork time, so the parent keeps the
 *   pinned frame.
 *   `madvDontfork` (ibv_fork_init, RDMAV_FORK_SAFE) keeps the child from getting the VMA at all.
 *
 * POLICIES (`policy`): `correct`, and the known bugs
 * - `bc1-pins-in-movable`: the long-term check ignores ZONE_MOVABLE (before d1e153fea2a8);
 * - `bc2-fast-gup-no-longterm-check`: the lockless fast path skips the FOLL_LONGTERM check
 *   (fixed by df3a0a21b698), so a CMA frame is pinned long-term;
 * - `bc3-isolation-race`: the check looks only at the pageblock migratetype being CMA; a CMA
 *   allocation that already isolated the block turned it into MIGRATE_ISOLATE, so the page is
 *   pinned (fixed by 1c563432588d);
 * - `bc4-unpin-before-hw-destroy`: dereg unpins before the HW destroy;
 * - `bc5-fork-without-cow-protection`: fork shares the pinned page COW (old kernels); the
 *   parent's next write moves the parent to a copy and the device keeps writing the child's page.
 *
 * TWO MRS ON ONE PAGE (`mrs=2`; default 1). The application registers the same buffer twice (two
 * ibv_reg_mr calls, as libraries sharing a buffer do): each MR pins the page (the page's pin count
 * is the number of MRs that pin it) and programs its own HW translation; dereg of one unpins only
 * its own pin. A page another MR pins cannot be migrated, so a registration that would have to
 * move it off the reclaim target fails (`GupFail`: ib_umem_get returns an error). Every invariant
 * holds per MR. `correct` keeps every property with both MRs live on the page (5,608 states at
 * the defaults); a dereg that releases the pages the other MR still pins (one pin per page, not a
 * count) leaves the other MR's device translation on an unpinned page: DeviceFrameIsPinned fails
 * at mrs=2 only (test/models/pinned-memory.test.ts, a test mutant: no kernel fix is known).
 *
 * SIMPLIFIED, AND WHY. One page (and by default one registration): every invariant is per page. Check and pin
 * are one step (GUP takes the page under the page-table lock), so the BC3 race is the isolation
 * landing before that step. Frames are not symmetric (frame 0 is the target), and there is no
 * deadlock checking: a run ends when the application has done what it may (each application
 * step happens at most once), which is quiescence, not a deadlock.
 *
 * SIZE. frames=4 is the default. The state space grows with the square of `frames` (the free
 * normal frames are interchangeable but not declared symmetric, frame 0 being the target), and
 * frames beyond 6 add no new behaviour. Measured, `correct` with target=movable keeping every
 * property, L-C1 included (`mrcheck check pinned-memory -p frames=N -p target=movable`, on a
 * shared 2-core machine): frames=6, 2,212 states in 0.2 s; frames=128, 1,078,008 states in 34 s,
 * the largest instance in about a minute; frames=160 (the parameter's bound), 1,685,432 states in
 * 102 s.
 */
import { defineModel, param } from '../checker/index.js'
import { POLICIES, type Policy, POLICY_SOURCES, type PinnedMemoryParams, build } from './specs/pinned-memory.js'
import pinnedMemoryProperties from '../properties/pinned-memory.js'

export * from './specs/pinned-memory.js'

const BREAKS: Record<Policy, readonly string[]> = {
  correct: [],
  'bc1-pins-in-movable': ['PinNotMovable', 'TargetReclaimed'],
  'bc2-fast-gup-no-longterm-check': ['PinNotMovable', 'TargetReclaimed'],
  'bc3-isolation-race': ['PinNotMovable', 'TargetReclaimed'],
  // Once unpinned, a fork shares the page copy-on-write (only maybe-pinned pages are copied), and
  // the parent's next write moves it off the frame the device still translates to.
  'bc4-unpin-before-hw-destroy': ['DeviceFrameIsPinned', 'DeviceSeesParentPage'],
  'bc5-fork-without-cow-protection': ['DeviceSeesParentPage'],
}

/** BC1 needs a ZONE_MOVABLE target and BC3 a CMA one; DONTFORK keeps the child away from the page. */
const expectedBreaks = (p: PinnedMemoryParams): readonly string[] => {
  if (p.policy === 'bc1-pins-in-movable' && p.target !== 'movable') return []
  if (p.policy === 'bc3-isolation-race' && p.target !== 'cma') return []
  if (p.policy === 'bc5-fork-without-cow-protection' && p.madvDontfork) return []
  if (p.policy === 'bc4-unpin-before-hw-destroy' && p.madvDontfork) return ['DeviceFrameIsPinned']
  return BREAKS[p.policy]
}

export default defineModel({
  name: 'pinned-memory',
  summary: 'A long-term pinned MR against CMA allocation, ZONE_MOVABLE offline and fork: the GUP checks, unpin order, COW.',
  params: {
    policy: param.enum(POLICIES, 'correct', 'correct, or one of the known buggy variants BC1-BC5', POLICY_SOURCES),
    target: param.enum(['cma', 'movable'], 'cma', 'what frame 0 is: a CMA area being allocated or a ZONE_MOVABLE block being offlined'),
    frames: param.int(4, { min: 4, max: 160 }, 'physical frames; frame 0 is the reclaim target, the others are normal'),
    madvDontfork: param.bool(false, 'the application marks the MR buffer MADV_DONTFORK (ibv_fork_init)'),
    mrs: param.int(1, { min: 1, max: 2 }, 'MRs registered on the same buffer page (each pins it: the page\'s pin count)'),
  },
  matrixParam: 'policy',
  // BC1 shows only with a ZONE_MOVABLE target, BC3 only with a CMA one.
  matrix: { sweep: { target: ['cma', 'movable'] } },
  build,
  properties: pinnedMemoryProperties,
  expectedBreaks,
})
