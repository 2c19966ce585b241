/**
 * TCommit: the transaction commit specification of Gray and Lamport's "Consensus on Transaction
 * Commit" (specifications/transaction_commit/TCommit.tla in the TLA+ examples repository): each
 * resource manager prepares, then all commit or all abort. With RM = {r1, r2, r3} TLC reports 34
 * distinct states, 94 generated, depth 7, and TCTypeOK and TCConsistent holding (TCommit.cfg,
 * manifest.json). `twophase-msgs` refines it (TwoPhase's TC!TCSpec).
 */
import { defineModel, param } from '../../checker/index.js'
import { build } from './specs/tcommit.js'
import tcommitProperties from '../../properties/examples/tcommit.js'

export * from './specs/tcommit.js'

export default defineModel({
  name: 'tcommit',
  summary: 'Transaction commit (TCommit.tla): every resource manager commits or every one aborts (34 states for 3).',
  params: { rms: param.int(3, { min: 1, max: 8 }, 'number of resource managers (RM)') },
  build,
  properties: tcommitProperties,
})
