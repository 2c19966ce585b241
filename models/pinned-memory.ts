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
 * SIMPLIFIED, AND WHY. One page and one registration: every invariant is per page. Check and pin
 * are one step (GUP takes the page under the page-table lock), so the BC3 race is the isolation
 * landing before that step. Frames are not symmetric (frame 0 is the target), and there is no
 * deadlock checking: a run ends when the application has done what it may (each application
 * step happens at most once), which is quiescence, not a deadlock.
 *
 * SIZE. `correct` keeps every property, temporal ones included, at frames=5 in a fraction of a
 * second (the state space is a few hundred states); frames=4 is the default.
 */
import { defineModel, param, t, vars, type StateOf } from '../checker/index.js'
import pinnedMemoryProperties from '../properties/pinned-memory.js'

export const POLICIES = [
  'correct',
  'bc1-pins-in-movable',
  'bc2-fast-gup-no-longterm-check',
  'bc3-isolation-race',
  'bc4-unpin-before-hw-destroy',
  'bc5-fork-without-cow-protection',
] as const
export type Policy = (typeof POLICIES)[number]

/** What each policy is, and for a known bug, where it comes from (`mrcheck list`, reports). */
export const POLICY_SOURCES: Readonly<Record<Policy, string>> = {
  correct:
    'shipped: FOLL_LONGTERM pins migrate out of ZONE_MOVABLE/CMA first (d1e153fea2a8, c991ffef7bce), ' +
    'isolated blocks included (1c563432588d); fork copies maybe-pinned pages for the child',
  'bc1-pins-in-movable': 'BC1: before "mm/gup: migrate pinned pages out of movable zone" (d1e153fea2a8)',
  'bc2-fast-gup-no-longterm-check':
    'BC2: "mm/gup: fix omission of check on FOLL_LONGTERM in gup fast path" (df3a0a21b698)',
  'bc3-isolation-race': 'BC3: "mm: fix is_pinnable_page against a cma page" (1c563432588d)',
  'bc4-unpin-before-hw-destroy':
    'BC4: unpin before the HW destroy (the order mlx5_ib_dereg_mr and __ib_umem_release keep); model-derived',
  'bc5-fork-without-cow-protection':
    'BC5: fork without MADV_DONTFORK (ibv_fork_init.3) before "mm: Do early cow for pinned pages during fork() for ptes" (Peter Xu, 2020)',
}

export interface PinnedMemoryParams {
  readonly policy: Policy
  readonly target: 'cma' | 'movable'
  readonly frames: number
  readonly madvDontfork: boolean
}

/** The frame the kernel reclaims. */
export const TARGET = 0

const schema = (p: PinnedMemoryParams) => {
  const Frame = t.index(p.frames, { name: 'Frame' })
  return {
    /**
     * Per frame: its pageblock is isolated (MIGRATE_ISOLATE), and who uses it (`pinOnly`: no
     * process maps it any more, the MR's pin still holds it).
     */
    frames: t.array(
      Frame,
      t.record({ isolated: t.bool(), use: t.enum('free', 'parent', 'child', 'shared', 'pinOnly', 'taken') }),
    ),
    /** The frame the parent's page maps to, and the child's (after a fork without DONTFORK). */
    parent: Frame,
    child: t.option(Frame),
    forked: t.bool(),
    /** The MR: registration progress, the pinned frame, the frame the device translates to. */
    mr: t.enum('none', 'registering', 'pinned', 'live', 'deregistering', 'done'),
    pin: t.option(Frame),
    hw: t.option(Frame),
    /** The kernel's reclaim of frame 0. */
    reclaim: t.enum('wanted', 'isolated', 'done'),
    /** Application steps already taken (each at most once). */
    parentWrote: t.bool(),
    childWrote: t.bool(),
  }
}
export type PinnedMemoryState = StateOf<ReturnType<typeof schema>>

const build = (p: PinnedMemoryParams) => {
  const { policy, frames: F } = p
  const { spec, action } = vars(schema(p))
  type S = PinnedMemoryState
  const Frame = t.index(F, { name: 'Frame' })
  const normal = (f: number) => f !== TARGET
  const kind = (f: number) => (f === TARGET ? p.target : 'normal')

  /** Whether the long-term pin must first migrate the page off frame f (the policy's check). */
  const unpinnable = (s: Readonly<S>, f: number): boolean => {
    const isolated = s.frames[f]!.isolated
    switch (policy) {
      case 'bc1-pins-in-movable':
        return kind(f) === 'cma' || isolated
      case 'bc2-fast-gup-no-longterm-check':
        return false
      case 'bc3-isolation-race':
        // is_migrate_cma_page: an isolated CMA pageblock reads MIGRATE_ISOLATE, not MIGRATE_CMA.
        return kind(f) === 'movable' || (kind(f) === 'cma' && !isolated)
      default:
        return kind(f) !== 'normal' || isolated
    }
  }
  const freeNormal = (s: Readonly<S>, to: number) => normal(to) && s.frames[to]!.use === 'free'
  /** Moves whoever maps frame `from` to frame `to` (a migration: same contents, new frame). */
  const migrate = (d: S, from: number, to: number) => {
    d.frames[to]!.use = d.frames[from]!.use
    d.frames[from]!.use = 'free'
    if (d.parent === from) d.parent = to
    if (d.child === from) d.child = to
  }
  /** A write to a COW-shared frame gives the writer a copy in `to`. */
  const breakCow = (d: S, writer: 'parent' | 'child', to: number) => {
    const from = writer === 'parent' ? d.parent : d.child!
    d.frames[from]!.use = writer === 'parent' ? 'child' : 'parent'
    d.frames[to]!.use = writer
    if (writer === 'parent') d.parent = to
    else d.child = to
  }
  const pinned = (s: Readonly<S>, f: number) => s.pin === f
  /** unpin_user_pages: a frame only the pin still held is freed. */
  const unpin = (d: S) => {
    if (d.pin !== null && d.frames[d.pin]!.use === 'pinOnly') d.frames[d.pin]!.use = 'free'
    d.pin = null
  }

  return spec({
    name: 'pinned-memory',
    about: POLICY_SOURCES[policy],
    constants: { ...p },
    init: {
      frames: Array.from({ length: F }, (_, f) => ({ isolated: false, use: f === TARGET ? ('parent' as const) : ('free' as const) })),
      parent: TARGET,
      child: null,
      forked: false,
      mr: 'none',
      pin: null,
      hw: null,
      reclaim: 'wanted',
      parentWrote: false,
      childWrote: false,
    },
    checkDeadlock: false,
    actions: {
      // ---- the kernel's reclaim of frame 0 (CMA allocation or offline) ---------------------------
      ReclaimIsolate: action({
        guard: (s) => s.reclaim === 'wanted',
        effect: (d) => {
          d.frames[TARGET]!.isolated = true
          d.reclaim = 'isolated'
        },
        fairness: 'weak',
        actor: 'kernel',
      }),
      ReclaimMigrate: action(
        { to: Frame },
        {
          guard: (s, { to }) =>
            s.reclaim === 'isolated' && s.frames[TARGET]!.use !== 'free' && !pinned(s, TARGET) && freeNormal(s, to),
          effect: (d, { to }) => migrate(d, TARGET, to),
          fairness: 'weak',
          actor: 'kernel',
        },
      ),
      ReclaimTake: action({
        guard: (s) => s.reclaim === 'isolated' && s.frames[TARGET]!.use === 'free',
        effect: (d) => {
          d.frames[TARGET]!.use = 'taken'
          d.reclaim = 'done'
        },
        fairness: 'weak',
        actor: 'kernel',
      }),

      // ---- registration: ib_umem_get (GUP, FOLL_LONGTERM), then the driver ----------------------
      RegMr: action({
        guard: (s) => s.mr === 'none',
        effect: (d) => void (d.mr = 'registering'),
        actor: 'application',
      }),
      GupMigrate: action(
        { to: Frame },
        {
          guard: (s, { to }) => s.mr === 'registering' && unpinnable(s, s.parent) && freeNormal(s, to),
          effect: (d, { to }) => migrate(d, d.parent, to),
          fairness: 'weak',
          actor: 'kernel',
        },
      ),
      /** FOLL_WRITE on a page the child shares copy-on-write: the parent gets its own copy first. */
      GupUnshare: action(
        { to: Frame },
        {
          guard: (s, { to }) => s.mr === 'registering' && s.frames[s.parent]!.use === 'shared' && freeNormal(s, to),
          effect: (d, { to }) => breakCow(d, 'parent', to),
          fairness: 'weak',
          actor: 'kernel',
        },
      ),
      GupPin: action({
        guard: (s) => s.mr === 'registering' && !unpinnable(s, s.parent) && s.frames[s.parent]!.use !== 'shared',
        effect: (d) => {
          d.pin = d.parent
          d.mr = 'pinned'
        },
        fairness: 'weak',
        actor: 'kernel',
      }),
      ProgramHw: action({
        guard: (s) => s.mr === 'pinned',
        effect: (d) => {
          d.hw = d.pin
          d.mr = 'live'
        },
        fairness: 'weak',
        actor: 'kernel',
      }),

      // ---- dereg: HW destroy, then unpin (BC4: the other way round) ------------------------------
      DeregMr: action({
        guard: (s) => s.mr === 'live',
        effect: (d) => {
          if (policy === 'bc4-unpin-before-hw-destroy') unpin(d)
          else d.hw = null
          d.mr = 'deregistering'
        },
        actor: 'application',
      }),
      DeregFinish: action({
        guard: (s) => s.mr === 'deregistering',
        effect: (d) => {
          unpin(d)
          d.hw = null
          d.mr = 'done'
        },
        fairness: 'weak',
        actor: 'kernel',
      }),

      // ---- fork and copy-on-write ------------------------------------------------------------------
      Fork: action(
        { to: Frame },
        {
          guard: (s, { to }) => !s.forked && (p.madvDontfork || policy === 'bc5-fork-without-cow-protection' || !pinned(s, s.parent) ? to === s.parent : freeNormal(s, to)),
          effect: (d, { to }) => {
            d.forked = true
            if (p.madvDontfork) return
            if (to === d.parent) {
              d.frames[to]!.use = 'shared'
            } else {
              // The maybe-pinned page is copied for the child at fork time.
              d.frames[to]!.use = 'child'
            }
            d.child = to
          },
          actor: 'application',
        },
      ),
      ParentWrite: action(
        { to: Frame },
        {
          guard: (s, { to }) =>
            !s.parentWrote && (s.frames[s.parent]!.use === 'shared' ? freeNormal(s, to) : to === s.parent),
          effect: (d, { to }) => {
            d.parentWrote = true
            if (to !== d.parent) breakCow(d, 'parent', to)
          },
          actor: 'application',
        },
      ),
      ChildWrite: action(
        { to: Frame },
        {
          guard: (s, { to }) =>
            s.child !== null && !s.childWrote && (s.frames[s.child]!.use === 'shared' ? freeNormal(s, to) : to === s.child),
          effect: (d, { to }) => {
            d.childWrote = true
            if (to !== d.child) breakCow(d, 'child', to)
          },
          actor: 'application',
        },
      ),
      ChildExit: action({
        guard: (s) => s.child !== null,
        effect: (d) => {
          const f = d.child!
          d.frames[f]!.use = d.frames[f]!.use === 'shared' ? 'parent' : pinned(d, f) ? 'pinOnly' : 'free'
          d.child = null
        },
        actor: 'application',
      }),
    },
  })
}

export type PinnedMemory = ReturnType<typeof build>

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
    frames: param.int(4, { min: 4, max: 6 }, 'physical frames; frame 0 is the reclaim target, the others are normal'),
    madvDontfork: param.bool(false, 'the application marks the MR buffer MADV_DONTFORK (ibv_fork_init)'),
  },
  matrixParam: 'policy',
  // BC1 shows only with a ZONE_MOVABLE target, BC3 only with a CMA one.
  matrix: { sweep: { target: ['cma', 'movable'] } },
  build,
  properties: pinnedMemoryProperties,
  expectedBreaks,
})
