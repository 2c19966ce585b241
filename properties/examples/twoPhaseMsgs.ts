/** TwoPhase's invariants: TPTypeOK, as TwoPhase.cfg checks it, and TCConsistent. */
import { properties } from '../../checker/index.js'
import type { TwoPhaseMsgs } from '../../models/examples/specs/twoPhaseMsgs.js'

export default properties<TwoPhaseMsgs, { rms: number }>()(({ rms }) => ({
  invariants: {
    /** TPTypeOK's msgs \subseteq Message: a Prepared message names its RM, a Commit or an Abort none. */
    TPTypeOK: (s) => s.tmPrepared.length <= rms && s.msgs.every((m) => (m.type === 'Prepared') === (m.rm !== null)),
    /** TC!TCConsistent: no resource manager commits while another aborts. */
    TCConsistent: (s) => !(s.rmState.includes('committed') && s.rmState.includes('aborted')),
  },
  docs: {
    TPTypeOK: 'Every message is a Prepared message from an RM, or the Commit or the Abort.',
    TCConsistent: 'No resource manager commits while another aborts.',
  },
}))
