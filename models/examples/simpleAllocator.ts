/**
 * SimpleAllocator: clients request sets of resources, the allocator hands out free ones they asked
 * for, and clients return them, as Stephan Merz specifies it in the TLA+ examples repository
 * (specifications/allocator/SimpleAllocator.tla).
 *
 * Each action takes a client and a set of resources, `S: t.set(Resource)`, as the spec's `\E c \in
 * Clients, S \in SUBSET Resources`: one instance per client and subset. Its fairness is the case
 * per-instance fairness cannot say: `\A c : WF_vars(Return(c, alloc[c]))` (the return of
 * everything c holds, an instance the state picks) and `\A c : SF_vars(\E S : Allocate(c, S))` (one
 * strong fairness per client over all its allocations). With 3 clients and 2 resources TLC reports
 * 400 distinct states, 1633 generated, depth 6, and every property holding (SimpleAllocator.cfg,
 * manifest.json at tlaplus/Examples 32a32c7). Without the fairness, a client may keep its
 * resources forever. Clients and resources are symmetric, as the spec's `Symmetry` says (symmetry
 * reduction checks the safety property only).
 */
import { defineModel, param } from '../../checker/index.js'
import { build } from './specs/simpleAllocator.js'
import simpleAllocatorProperties from '../../properties/examples/simpleAllocator.js'

export * from './specs/simpleAllocator.js'

export default defineModel({
  name: 'simple-allocator',
  summary: "Merz's simple resource allocator: fairness on the return the state picks, and per client over its allocations (400 states).",
  params: {
    clients: param.int(3, { min: 1, max: 4 }, 'number of clients'),
    resources: param.int(2, { min: 1, max: 3 }, 'number of resources'),
    fairness: param.enum(['spec', 'none'], 'spec', "the spec's fairness, or none"),
  },
  build,
  properties: simpleAllocatorProperties,
  expectedBreaks: ({ fairness }) => (fairness === 'none' ? ['ClientsWillReturn', 'ClientsWillObtain', 'InfOftenSatisfied'] : []),
})
