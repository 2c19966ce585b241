/** Two-phase commit's safety property. */
import { properties } from '../../checker/index.js'
import type { TwoPhase } from '../../models/examples/specs/twophase.js'

export default properties<TwoPhase, { rms: number }>()(() => ({
  invariants: {
    /** TCConsistent: no resource manager commits while another aborts. */
    TCConsistent: (s) => !(s.rmState.includes('committed') && s.rmState.includes('aborted')),
  },
  docs: { TCConsistent: 'No resource manager commits while another aborts.' },
}))
