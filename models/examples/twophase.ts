/**
 * Two-phase commit with a transaction manager and RM resource managers, after TwoPhase.tla in the
 * TLA+ examples. Messages are a set, as in the original: the Prepared messages are the set of RMs
 * that sent one, and Commit and Abort are booleans. With RM = 3: 288 distinct states.
 */
import { defineModel, param } from '../../checker/index.js'
import { build } from './specs/twophase.js'
import twoPhaseProperties from '../../properties/examples/twophase.js'

export * from './specs/twophase.js'

export default defineModel({
  name: 'twophase',
  summary: 'Two-phase commit: a transaction manager and RM resource managers (TwoPhase.tla).',
  params: { rms: param.int(3, { min: 1, max: 8 }, 'number of resource managers') },
  build,
  properties: twoPhaseProperties,
})
