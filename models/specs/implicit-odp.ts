/**
 * The spec of implicit-odp (models/implicit-odp.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars, type StateOf } from '../../checker/index.js'

export const POLICIES = ['implicit-odp', 'bb6-parent-freed-under-child-work', 'bb6-child-destroy-queued-twice'] as const
export type Policy = (typeof POLICIES)[number]

/** What each policy is, and for a known bug, where it comes from (`mrcheck list`, reports). */
export const POLICY_SOURCES: Readonly<Record<Policy, string>> = {
  'implicit-odp':
    'shipped: mlx5 implicit ODP teardown (odp.c: __xa_cmpxchg in destroy_unused_implicit_child_mr, ' +
    'mlx5r_deref_wait_odp_mkey in the parent\'s dereg)',
  'bb6-parent-freed-under-child-work':
    'BB6: the parent freed while a child destroy work is queued, fixed by "IB/mlx5: Fix implicit ODP race" (de5ed007a03d)',
  'bb6-child-destroy-queued-twice':
    'BB6: CVE-2025-21714, a child destroy work queued twice, fixed by "RDMA/mlx5: Fix implicit ODP use after free"',
}

export interface ImplicitOdpParams {
  readonly policy: Policy
}

/** A queued or running work holds one reference each; the parent's own is the base one. */
const MAX_REFS = 3

const schema = {
  /** The parent implicit MR: `dereg` once its dereg dropped its own reference. */
  parent: t.enum('live', 'dereg', 'freed'),
  /** imr->mmkey.usecount. */
  refs: t.int(0, MAX_REFS),
  /** The child MR: in the parent's xarray; maps pages; its destroy work pending and/or running; freed. */
  child: t.record({ inXa: t.bool(), pages: t.bool(), pending: t.bool(), running: t.bool(), freed: t.bool() }),
}
export type ImplicitOdpState = StateOf<typeof schema>
type S = ImplicitOdpState

export const build = (p: ImplicitOdpParams) => {
  const { spec, action } = vars(schema)
  const { policy } = p
  const claimOnce = policy !== 'bb6-child-destroy-queued-twice'
  const waitForWork = policy !== 'bb6-parent-freed-under-child-work'

  /** destroy_unused_implicit_child_mr. */
  const destroyUnusedChild = (d: S) => {
    if (d.refs === 0) return // refcount_inc_not_zero failed: the parent's dereg frees the child
    if (claimOnce && !d.child.inXa) return // __xa_cmpxchg found another destroy already under way
    d.refs = Math.min(MAX_REFS, d.refs + 1)
    d.child.inXa = false
    d.child.pending = true // queue_work: a no-op if it is still pending
  }

  return spec({
    name: 'implicit-odp',
    about: POLICY_SOURCES[policy],
    constants: { maxRefs: MAX_REFS },
    init: {
      parent: 'live',
      refs: 1,
      child: { inXa: true, pages: true, pending: false, running: false, freed: false },
    },
    checkDeadlock: false,
    actions: {
      /** munmap of the child's slice: its notifier callback unmaps, and an empty child is destroyed. */
      Invalidate: action({
        guard: (s) => !s.child.freed,
        effect: (d) => {
          d.child.pages = false
          destroyUnusedChild(d)
        },
        actor: 'mm',
      }),
      /** The work queue picks the pending destroy work up (never while the same work runs). */
      WorkStart: action({
        guard: (s) => s.child.pending && !s.child.running,
        effect: (d) => {
          d.child.pending = false
          d.child.running = true
        },
        fairness: 'weak',
        actor: 'workqueue',
      }),
      /** free_implicit_child_mr_work: update the parent's XLT, dereg the child, drop the parent reference. */
      WorkFinish: action({
        guard: (s) => s.child.running,
        effect: (d) => {
          d.child.running = false
          d.child.freed = true
          d.refs = Math.max(0, d.refs - 1)
        },
        fairness: 'weak',
        actor: 'workqueue',
      }),
      /** ibv_dereg_mr of the parent: drop its own reference. */
      DeregStart: action({
        guard: (s) => s.parent === 'live',
        effect: (d) => {
          d.parent = 'dereg'
          d.refs = Math.max(0, d.refs - 1)
        },
        actor: 'application',
      }),
      /** Wait for deferred work (BB6, 2020: no wait), destroy the children still in the xarray, free the parent. */
      DeregFree: action({
        guard: (s) => s.parent === 'dereg' && (!waitForWork || s.refs === 0),
        effect: (d) => {
          if (d.child.inXa) {
            d.child.inXa = false
            d.child.freed = true
          }
          d.parent = 'freed'
        },
        fairness: 'weak',
        actor: 'kernel',
      }),
    },
  })
}

export type ImplicitOdp = ReturnType<typeof build>
