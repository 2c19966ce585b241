/** SyncTerminationDetection's properties, as the published spec states them. */
import { leadsTo, properties } from '../../checker/index.js'
import type { SyncTerminationDetection } from '../../models/examples/specs/syncTerminationDetection.js'

const terminated = (s: { active: readonly boolean[] }) => s.active.every((a) => !a)

export default properties<SyncTerminationDetection, { N: number }>()(() => ({
  invariants: {
    TDCorrect: (s) => !s.terminationDetected || terminated(s),
  },
  temporal: {
    Liveness: leadsTo((s) => terminated(s), (s) => s.terminationDetected),
  },
  docs: {
    TDCorrect: 'Termination is detected only when every node is passive.',
    Liveness: 'Once every node is passive, termination is detected (terminated ~> terminationDetected).',
  },
}))
