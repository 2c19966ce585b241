/**
 * SyncTerminationDetection: the high-level specification of termination detection that EWD840
 * refines (Stephan Merz, specifications/ewd840/SyncTerminationDetection.tla in the TLA+ examples
 * repository): nodes terminate and wake each other up, and termination may be detected, at once or
 * later, once every node is passive; WF_vars(DetectTermination). With N = 7 TLC reports 129
 * distinct states, depth 1 (every state is initial) and TDCorrect and Liveness holding
 * (manifest.json at tlaplus/Examples 32a32c7). Quiescence, [](terminated => []terminated), is not
 * a form mrcheck checks.
 */
import { defineModel, param } from '../../checker/index.js'
import { build } from './specs/syncTerminationDetection.js'
import syncProperties from '../../properties/examples/syncTerminationDetection.js'

export * from './specs/syncTerminationDetection.js'

export default defineModel({
  name: 'sync-termination-detection',
  summary: 'Termination detection on a ring, synchronously: the abstract spec EWD840 refines (129 states for 7).',
  params: { N: param.int(3, { min: 1, max: 8 }, 'number of nodes') },
  build,
  properties: syncProperties,
})
