/** StarvingMutex's properties: mutual exclusion, and that every waiting process gets in. */
import { forAll, leadsTo, properties } from '../../checker/index.js'
import type { StarvingMutex } from '../../models/examples/specs/starvingMutex.js'

export default properties<StarvingMutex, { N: number }>()(({ N }) => ({
  invariants: {
    MutualExclusion: (s) => s.pc.filter((x) => x === 'critical').length <= 1,
    OwnerIsCritical: (s) => (s.owner === null ? !s.pc.includes('critical') : s.pc[s.owner] === 'critical'),
  },
  temporal: {
    NoStarvation: forAll(N, (p) =>
      leadsTo(
        (s) => s.pc[p] === 'waiting',
        (s) => s.pc[p] === 'critical',
      ),
    ),
  },
  docs: {
    MutualExclusion: 'At most one process is in its critical section.',
    OwnerIsCritical: 'The lock is held exactly by the process in its critical section.',
    NoStarvation: 'Every waiting process eventually enters its critical section (waiting ~> critical).',
  },
}))
