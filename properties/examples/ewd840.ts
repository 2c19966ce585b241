/** EWD840's properties, as the published spec states them (EWD840.tla). */
import { leadsTo, properties } from '../../checker/index.js'
import { terminationDetected, type Ewd840 } from '../../models/examples/specs/ewd840.js'

export default properties<Ewd840, { N: number }>()(() => ({
  invariants: {
    TerminationDetection: (s) => !terminationDetected(s) || s.active.every((a) => !a),
    Inv: (s) =>
      s.active.every((a, i) => !(s.tpos < i) || !a) || s.color.some((c, j) => j <= s.tpos && c === 'black') || s.tcolor === 'black',
  },
  temporal: {
    Liveness: leadsTo((s) => s.active.every((a) => !a), terminationDetected),
  },
  docs: {
    TerminationDetection: 'A white token at node 0 that is white and passive means every node is passive.',
    Inv: "Dijkstra's inductive invariant (P0 \\/ P1 \\/ P2).",
    Liveness: 'Once every node is passive, termination is detected ((\\A i : ~active[i]) ~> terminationDetected).',
  },
}))
