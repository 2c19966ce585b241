/** Peterson's properties: mutual exclusion, and no starvation under weak fairness. */
import { forAll, leadsTo, properties } from '../../checker/index.js'
import type { Peterson } from '../../models/examples/specs/peterson.js'

export default properties<Peterson, { bug: string }>()(() => ({
  invariants: {
    /** Never both processes in the critical section. */
    MutualExclusion: (s) => !(s.pc[0] === 'critical' && s.pc[1] === 'critical'),
  },
  reachable: {
    /** A vacuity guard: the critical section is reachable at all. */
    SomeoneEnters: (s) => s.pc.includes('critical'),
  },
  temporal: {
    /** A process that raised its flag eventually enters. */
    NoStarvation: forAll(2, (p) => leadsTo<{ pc: string[] }>((s) => s.pc[p] === 'flagged', (s) => s.pc[p] === 'critical')),
  },
  docs: {
    MutualExclusion: 'Never both processes in the critical section.',
    SomeoneEnters: 'The critical section is reachable.',
    NoStarvation: 'A process that raised its flag eventually enters (under weak fairness).',
  },
}))
