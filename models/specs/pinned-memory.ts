/**
 * The spec of pinned-memory (models/pinned-memory.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars, type StateOf } from '../../checker/index.js'

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
  readonly mrs: number
}

/** The frame the kernel reclaims. */
export const TARGET = 0

const MR_STATES = ['none', 'registering', 'pinned', 'live', 'deregistering', 'done'] as const

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
    mr: t.enum(...MR_STATES),
    pin: t.option(Frame),
    hw: t.option(Frame),
    /** With `mrs` = 2: the second MR on the same buffer (an MR index m >= 1 is `more[m - 1]`). */
    more: t.array(p.mrs - 1, t.record({ mr: t.enum(...MR_STATES), pin: t.option(Frame), hw: t.option(Frame) })),
    /** The kernel's reclaim of frame 0. */
    reclaim: t.enum('wanted', 'isolated', 'done'),
    /** Application steps already taken (each at most once). */
    parentWrote: t.bool(),
    childWrote: t.bool(),
  }
}
export type PinnedMemoryState = StateOf<ReturnType<typeof schema>>

/** One MR's fields. */
export interface MrFields {
  mr: (typeof MR_STATES)[number]
  pin: number | null
  hw: number | null
}
/** MR m: MR 0 is the state's own mr/pin/hw, MR m >= 1 is more[m - 1] (a draft's as well). */
export function mrAt(s: PinnedMemoryState, m: number): MrFields
export function mrAt(s: Readonly<PinnedMemoryState>, m: number): Readonly<MrFields>
export function mrAt(s: PinnedMemoryState, m: number): MrFields {
  return m === 0 ? s : s.more[m - 1]!
}

export const build = (p: PinnedMemoryParams) => {
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
  const mrIds = Array.from({ length: p.mrs }, (_, m) => m)
  /**
   * The MR parameter of the registration and dereg actions, only with two MRs, so that an
   * action's label (`GupPin`) stays what it was with one; `mrOf` reads it as MR 0 there.
   */
  const mrParam = (p.mrs > 1 ? { m: mrIds } : {}) as { m: readonly number[] }
  const mrOf = (a: { readonly m: number }): number => a.m ?? 0
  /** Whether some MR pins frame f (the page's pin count is above zero). */
  const pinned = (s: Readonly<S>, f: number) => mrIds.some((m) => mrAt(s, m).pin === f)
  /** unpin_user_pages for MR m: a frame no process maps is freed when its last pin goes. */
  const unpin = (d: S, m: number) => {
    const x = mrAt(d, m)
    const f = x.pin
    x.pin = null
    if (f !== null && d.frames[f]!.use === 'pinOnly' && !pinned(d, f)) d.frames[f]!.use = 'free'
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
      more: Array.from({ length: p.mrs - 1 }, () => ({ mr: 'none' as const, pin: null, hw: null })),
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
      RegMr: action(
        mrParam,
        {
          guard: (s, a) => mrAt(s, mrOf(a)).mr === 'none',
          effect: (d, a) => void (mrAt(d, mrOf(a)).mr = 'registering'),
          actor: 'application',
        },
      ),
      /** A page another MR already pins cannot be migrated: only an unpinned page moves. */
      GupMigrate: action(
        { ...mrParam, to: Frame },
        {
          guard: (s, a) =>
            mrAt(s, mrOf(a)).mr === 'registering' && unpinnable(s, s.parent) && !pinned(s, s.parent) && freeNormal(s, a.to),
          effect: (d, { to }) => migrate(d, d.parent, to),
          fairness: 'weak',
          actor: 'kernel',
        },
      ),
      /**
       * With two MRs: the page must move off frame f but another MR's pin holds it there, so the
       * migration fails and so does the registration (ib_umem_get returns an error; nothing pinned).
       */
      GupFail: action(
        mrParam,
        {
          guard: (s, a) => mrAt(s, mrOf(a)).mr === 'registering' && unpinnable(s, s.parent) && pinned(s, s.parent),
          effect: (d, a) => void (mrAt(d, mrOf(a)).mr = 'done'),
          fairness: 'weak',
          actor: 'kernel',
        },
      ),
      /** FOLL_WRITE on a page the child shares copy-on-write: the parent gets its own copy first. */
      GupUnshare: action(
        { ...mrParam, to: Frame },
        {
          guard: (s, a) => mrAt(s, mrOf(a)).mr === 'registering' && s.frames[s.parent]!.use === 'shared' && freeNormal(s, a.to),
          effect: (d, { to }) => breakCow(d, 'parent', to),
          fairness: 'weak',
          actor: 'kernel',
        },
      ),
      GupPin: action(
        mrParam,
        {
          guard: (s, a) =>
            mrAt(s, mrOf(a)).mr === 'registering' && !unpinnable(s, s.parent) && s.frames[s.parent]!.use !== 'shared',
          effect: (d, a) => {
            const x = mrAt(d, mrOf(a))
            x.pin = d.parent
            x.mr = 'pinned'
          },
          fairness: 'weak',
          actor: 'kernel',
        },
      ),
      ProgramHw: action(
        mrParam,
        {
          guard: (s, a) => mrAt(s, mrOf(a)).mr === 'pinned',
          effect: (d, a) => {
            const x = mrAt(d, mrOf(a))
            x.hw = x.pin
            x.mr = 'live'
          },
          fairness: 'weak',
          actor: 'kernel',
        },
      ),

      // ---- dereg: HW destroy, then unpin (BC4: the other way round) ------------------------------
      DeregMr: action(
        mrParam,
        {
          guard: (s, a) => mrAt(s, mrOf(a)).mr === 'live',
          effect: (d, a) => {
            if (policy === 'bc4-unpin-before-hw-destroy') unpin(d, mrOf(a))
            else mrAt(d, mrOf(a)).hw = null
            mrAt(d, mrOf(a)).mr = 'deregistering'
          },
          actor: 'application',
        },
      ),
      DeregFinish: action(
        mrParam,
        {
          guard: (s, a) => mrAt(s, mrOf(a)).mr === 'deregistering',
          effect: (d, a) => {
            unpin(d, mrOf(a))
            const x = mrAt(d, mrOf(a))
            x.hw = null
            x.mr = 'done'
          },
          fairness: 'weak',
          actor: 'kernel',
        },
      ),

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
