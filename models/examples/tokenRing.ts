/**
 * Dijkstra's self-stabilizing token ring (EWD426), as in the TLA+ examples (ewd426/TokenRing.tla):
 * N nodes with counters in 0..M-1, node 0 creates a token when its counter equals the last node's,
 * the others copy their left neighbour's counter. Every assignment of the counters is an initial
 * state (an init predicate), and from each the ring stabilizes to one token. At N = M = 6 every
 * state is initial: 46,656 distinct states, 248,832 generated, depth 1, as TLC publishes.
 *
 * Fairness is the spec's WF_vars(Next), one group over every action (spec fairness), not one per
 * instance: Stab holds under it, as every infinite behaviour stabilizes (Dijkstra's central-daemon
 * argument).
 */
import { defineModel, param } from '../../checker/index.js'
import { build } from './specs/tokenRing.js'
import tokenRingProperties from '../../properties/examples/tokenRing.js'

export * from './specs/tokenRing.js'

export default defineModel({
  name: 'tokenRing',
  summary: "Dijkstra's self-stabilizing token ring (EWD426): every initial state stabilizes.",
  params: {
    nodes: param.int(6, { min: 1, max: 8 }, 'N, the number of nodes'),
    values: param.int(6, { min: 1, max: 8 }, 'M, the counter values 0..M-1 (N <= M + 1 for stabilization)'),
  },
  build,
  properties: tokenRingProperties,
})
