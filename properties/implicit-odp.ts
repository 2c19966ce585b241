/**
 * implicit-odp's properties: no destroy work touches a freed parent or a freed child (BB6), and
 * vacuity guards that the teardown paths are taken.
 */
import { properties } from '../checker/index.js'
import type { ImplicitOdp, ImplicitOdpParams, ImplicitOdpState } from '../models/specs/implicit-odp.js'

type S = Readonly<ImplicitOdpState>

export default properties<ImplicitOdp, ImplicitOdpParams>(() => ({
  actionProperties: {
    // free_implicit_child_mr_work updates the parent's translation before it drops its reference.
    NoUseOfFreedParent: (s, _n, step) => step.action !== 'WorkFinish' || s.parent !== 'freed',
    NoUseOfFreedChild: (s, _n, step) => (step.action !== 'WorkStart' && step.action !== 'WorkFinish') || !s.child.freed,
  },
  reachable: {
    ChildDestroyedByWork: (s: S) => s.child.freed && s.parent !== 'freed',
    ParentFreed: (s: S) => s.parent === 'freed',
  },
  docs: {
    NoUseOfFreedParent:
      "A child's destroy work never updates the translation of a freed parent: the parent's dereg waits for " +
      'deferred work. Fails: bb6-parent-freed-under-child-work.',
    NoUseOfFreedChild:
      'A destroy work never runs on a child that is already freed: a child is destroyed once. Fails: ' +
      'bb6-child-destroy-queued-twice (CVE-2025-21714).',
    ChildDestroyedByWork: 'Vacuity guard: the deferred destroy frees the child while the parent exists.',
    ParentFreed: "Vacuity guard: the parent's dereg completes.",
  },
}))
