/**
 * TwoPhase.tla as written (specifications/transaction_commit/TwoPhase.tla in the TLA+ examples
 * repository): the transaction manager and the resource managers talk through `msgs`, the set of
 * every message sent, a set of records (`[type |-> "Prepared", rm |-> rm]`, `[type |-> "Commit"]`).
 * With RM = {r1, r2, r3} TLC reports 288 distinct states, 1,146 generated, depth 11, and TPTypeOK
 * holding (TwoPhase.cfg, manifest.json); the module notes 50,816 states for six RMs. `refines`
 * checks `THEOREM TPSpec => TC!TCSpec` against tcommit. (`twophase` is the same protocol with the
 * messages as a set of RMs and two booleans.)
 */
import { defineModel, param } from '../../checker/index.js'
import { build } from './specs/twoPhaseMsgs.js'
import tcommit from './tcommit.js'
import twoPhaseMsgsProperties from '../../properties/examples/twoPhaseMsgs.js'

export * from './specs/twoPhaseMsgs.js'

export default defineModel({
  name: 'twophase-msgs',
  summary: 'Two-phase commit as TwoPhase.tla writes it: msgs a set of message records (288 states for 3).',
  params: { rms: param.int(3, { min: 1, max: 7 }, 'number of resource managers (RM)') },
  build,
  properties: twoPhaseMsgsProperties,
  // TC == INSTANCE TCommit; THEOREM TPSpec => TC!TCSpec.
  refines: ({ rms }) => ({ TCSpec: { model: tcommit, params: { rms }, map: (s) => ({ rmState: s.rmState }) } }),
})
