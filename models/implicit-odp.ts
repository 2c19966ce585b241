/**
 * implicit-odp: the teardown of an implicit On-Demand Paging MR in mlx5 (brief, area B, BB6).
 *
 * WHAT IS MODELLED
 * An implicit ODP MR (the parent, `imr`: one key for the whole address space) with one child MR
 * (`mtt`) that a page fault created for one slice of it, present in the parent's
 * `implicit_children` xarray and mapping pages. The actors, from drivers/infiniband/hw/mlx5/odp.c:
 * - the mm (`Invalidate`): an munmap of the child's slice. The child's mmu_interval_notifier
 *   callback (mlx5_ib_invalidate_range, under the child's umem_mutex) unmaps the pages; finding
 *   the child with no pages left (`!umem_odp->npages && mr->parent`), it calls
 *   destroy_unused_implicit_child_mr: take a reference on the parent's mkey
 *   (refcount_inc_not_zero on `imr->mmkey.usecount`; refused once the parent's dereg dropped its
 *   own), take the child out of the xarray, and queue `free_implicit_child_mr_work`, since freeing
 *   an MR sleeps. The callback fires for any munmap of the range, also one that finds it empty.
 * - the work queue (`WorkStart`, `WorkFinish`): the queued work starts (it is no longer pending,
 *   so a second queue_work queues it again; a work item never runs twice at once), then
 *   free_implicit_child_mr_work updates the parent's translation (mlx5r_umr_update_xlt on
 *   `mr->parent`), deregisters the child (its notifier is removed: no callback after this; the
 *   child's memory is freed), and drops its reference on the parent (mlx5r_deref_odp_mkey).
 * - the application (`DeregStart`, `DeregFree`): ibv_dereg_mr of the parent. mlx5_ib_free_odp_mr
 *   drops the parent's own reference, waits until no deferred work holds one
 *   (mlx5r_deref_wait_odp_mkey), destroys the children still in the xarray, and frees the parent.
 *
 * POLICIES (`policy`, the matrix parameter)
 * - `implicit-odp`: as shipped since "RDMA/mlx5: Fix implicit ODP use after free"
 *   (CVE-2025-21714): the destroy takes the child out of the xarray with __xa_cmpxchg and queues
 *   the work only if it was the one that removed it; the parent's dereg waits for deferred work.
 * - `bb6-parent-freed-under-child-work` (BB6, the brief's shape; "IB/mlx5: Fix implicit ODP race",
 *   de5ed007a03d, 2020): the parent's dereg does not wait for the queued child destroy, frees the
 *   parent, and the work then updates the freed parent's translation (NoUseOfFreedParent).
 * - `bb6-child-destroy-queued-twice` (BB6, CVE-2025-21714): the destroy erases the child from the
 *   xarray unconditionally (xa_erase) and queues the work every time. A second munmap of the
 *   emptied slice, while the first destroy work is running, queues the work again; the first run
 *   frees the child and the second runs on freed memory (NoUseOfFreedChild), the trace in the fix.
 *
 * SIMPLIFICATIONS AND WHY
 * - One child: both races are between one child's destroy and the parent's dereg or a second
 *   invalidation of the same child; other children add copies of the same steps.
 * - Page faults are left out: a fault after the child left the xarray creates a new child object
 *   (implicit_get_child_mr), which does not touch the one being destroyed.
 * - The invalidation callback is one step: it runs under the child's umem_mutex, and nothing in
 *   the teardown waits for that lock except the work's own update, which follows it.
 * - The parent's reference count is the base reference (1 while the parent is not being
 *   deregistered) plus one per queued or running destroy work (at most 2 here).
 *
 * DEADLOCK CHECKING: off: a run ends with the parent freed and nothing left to do.
 *
 * SIZE: every policy is a few dozen states (under a second); the shipped design keeps both
 * properties.
 *
 * WHAT THE CHECKER FOUND (pinned in test/models/implicit-odp.test.ts)
 * - implicit-odp: every property holds, 11 states.
 * - bb6-parent-freed-under-child-work: NoUseOfFreedParent in 6 states:
 *   Invalidate (child empty, work queued), WorkStart, DeregStart, DeregFree (the parent freed under
 *   the running work), WorkFinish (updates the freed parent), as the brief's shape.
 * - bb6-child-destroy-queued-twice: NoUseOfFreedChild in 6 states: Invalidate, WorkStart,
 *   Invalidate (queues the running work again), WorkFinish (frees the child), WorkStart (the
 *   second run on the freed child). 13 and 29 states.
 */
import { defineModel, param } from '../checker/index.js'
import { POLICIES, type Policy, POLICY_SOURCES, type ImplicitOdpParams, build } from './specs/implicit-odp.js'
import implicitOdpProperties from '../properties/implicit-odp.js'

export * from './specs/implicit-odp.js'

const BREAKS: Record<Policy, readonly string[]> = {
  'implicit-odp': [],
  'bb6-parent-freed-under-child-work': ['NoUseOfFreedParent'],
  'bb6-child-destroy-queued-twice': ['NoUseOfFreedChild'],
}

export default defineModel({
  name: 'implicit-odp',
  summary: 'The teardown of an mlx5 implicit ODP MR: child destroy work against a second invalidation and the parent\'s dereg (BB6).',
  params: {
    policy: param.enum(POLICIES, 'implicit-odp', 'implicit-odp (as shipped), or one of the known buggy variants of BB6', POLICY_SOURCES),
  },
  matrixParam: 'policy',
  build,
  properties: implicitOdpProperties,
  expectedBreaks: (p: ImplicitOdpParams) => BREAKS[p.policy],
})
