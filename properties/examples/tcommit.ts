/** TCommit's invariants, as TCommit.cfg checks them. */
import { properties } from '../../checker/index.js'
import type { TCommit } from '../../models/examples/specs/tcommit.js'

export default properties<TCommit, { rms: number }>()(({ rms }) => ({
  invariants: {
    /** TCTypeOK == rmState \in [RM -> {"working", "prepared", "committed", "aborted"}] */
    TCTypeOK: (s) => s.rmState.length === rms && s.rmState.every((x) => ['working', 'prepared', 'committed', 'aborted'].includes(x)),
    /** TCConsistent == \A r1, r2 \in RM : ~ (rmState[r1] = "aborted" /\ rmState[r2] = "committed") */
    TCConsistent: (s) => !(s.rmState.includes('aborted') && s.rmState.includes('committed')),
  },
  docs: {
    TCTypeOK: 'Every resource manager is working, prepared, committed or aborted.',
    TCConsistent: 'No resource manager commits while another aborts.',
  },
}))
