/**
 * EWD840: Dijkstra's termination detection on a ring (EWD 840, with Feijen and van Gasteren), as
 * Stephan Merz specifies it in the TLA+ examples repository (specifications/ewd840/EWD840.tla).
 * A token travels from node N-1 down to node 0; nodes activate each other and go passive; node 0
 * concludes termination on a white token when it is white and passive itself. Init lets active
 * and color take every value (2^N * 2^N * N initial states, here listed out).
 *
 * Fairness is `WF_vars(System)` with `System == InitiateProbe \/ \E i : PassToken(i)`: the token
 * moves on as long as some move of it is enabled, one fairness over the whole group, not one per
 * instance. With N = 3 TLC reports 302 distinct states, 2001 generated, depth 10, and every
 * invariant and Liveness hold (EWD840.cfg, manifest.json at tlaplus/Examples 32a32c7). `fairness`
 * picks the spec's group, the stronger per-instance reading, or none (Liveness then fails).
 * `refines` checks TDSpec, EWD840's refinement of SyncTerminationDetection, as the cfg does.
 */
import { defineModel, param } from '../../checker/index.js'
import { build, terminationDetected, type Ewd840Fairness } from './specs/ewd840.js'
import syncTerminationDetection from './syncTerminationDetection.js'
import ewd840Properties from '../../properties/examples/ewd840.js'

export * from './specs/ewd840.js'

export default defineModel({
  name: 'ewd840',
  summary: "Dijkstra's termination detection on a ring, fair over its token moves as one (302 states for 3).",
  params: {
    N: param.int(3, { min: 2, max: 5 }, 'number of nodes'),
    fairness: param.enum(['system', 'per-instance', 'none'] as const satisfies readonly Ewd840Fairness[], 'system', 'WF_vars(System) as one group, per instance, or none'),
  },
  build,
  properties: ewd840Properties,
  expectedBreaks: ({ fairness }) => (fairness === 'none' ? ['Liveness', 'TDSpec.Liveness'] : []),
  // TD == INSTANCE SyncTerminationDetection; PROPERTY TD!Spec, with terminationDetected the
  // predicate of the same name (EWD840.cfg checks it as TDSpec).
  refines: ({ N }) => ({
    TDSpec: {
      model: syncTerminationDetection,
      params: { N },
      map: (s) => ({ active: s.active, terminationDetected: terminationDetected(s) }),
      temporal: true,
    },
  }),
})
