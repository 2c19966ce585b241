/** SimpleAllocator's properties, as the published spec states them (SimpleAllocator.tla). */
import { alwaysEventually, forAll, leadsTo, properties } from '../../checker/index.js'
import type { SimpleAllocator } from '../../models/examples/specs/simpleAllocator.js'

export default properties<SimpleAllocator, { clients: number; resources: number }>()(({ clients, resources }) => ({
  invariants: {
    ResourceMutex: (s) => s.alloc.every((a, c1) => s.alloc.every((b, c2) => c1 === c2 || a.every((r) => !b.includes(r)))),
  },
  temporal: {
    ClientsWillReturn: forAll(clients, (c) => leadsTo((s) => s.unsat[c]!.length === 0, (s) => s.alloc[c]!.length === 0)),
    ClientsWillObtain: forAll(clients * resources, (k) => {
      const c = Math.floor(k / resources)
      const r = k % resources
      return leadsTo((s) => s.unsat[c]!.includes(r), (s) => s.alloc[c]!.includes(r))
    }),
    InfOftenSatisfied: forAll(clients, (c) => alwaysEventually((s) => s.unsat[c]!.length === 0)),
  },
  docs: {
    ResourceMutex: 'No resource is allocated to two clients.',
    ClientsWillReturn: 'A client with nothing outstanding returns what it holds (unsat[c] = {} ~> alloc[c] = {}).',
    ClientsWillObtain: 'A resource a client asks for is allocated to it (r \\in unsat[c] ~> r \\in alloc[c]).',
    InfOftenSatisfied: "Each client's requests are satisfied again and again ([]<>(unsat[c] = {})).",
  },
}))
