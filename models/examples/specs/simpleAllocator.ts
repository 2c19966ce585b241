/**
 * The spec of simple-allocator (models/examples/simpleAllocator.ts): its state, actions and
 * parameters, kept apart so that the properties import them without a circle.
 */
import { equalValues, t, vars } from '../../../checker/index.js'

export type AllocatorFairness = 'spec' | 'none'

export const build = ({ clients, resources, fairness }: { clients: number; resources: number; fairness: AllocatorFairness }) => {
  // Symmetry == Permutations(Clients) \cup Permutations(Resources)
  const Client = t.index(clients, { name: 'Client', symmetric: true })
  const Resource = t.index(resources, { name: 'Resource', symmetric: true })
  const { spec, action } = vars({
    unsat: t.array(Client, t.set(Resource)),
    alloc: t.array(Client, t.set(Resource)),
  })
  // Next == \E c \in Clients, S \in SUBSET Resources : Request(c, S) \/ Allocate(c, S) \/ Return(c, S)
  const Subset = t.set(Resource)
  // available == Resources \ (UNION {alloc[c] : c \in Clients})
  const available = (alloc: readonly (readonly number[])[], r: number) => alloc.every((a) => !a.includes(r))
  return spec({
    name: 'simple-allocator',
    constants: { clients, resources, fairness },
    init: { unsat: Array.from({ length: clients }, () => []), alloc: Array.from({ length: clients }, () => []) },
    actions: {
      Request: action({ c: Client, S: Subset }, {
        guard: (s, { c, S }) => s.unsat[c]!.length === 0 && s.alloc[c]!.length === 0 && S.length > 0,
        effect: (d, { c, S }) => void (d.unsat[c] = [...S]), // unsat' = [unsat EXCEPT ![c] = S]
      }),
      Allocate: action({ c: Client, S: Subset }, {
        // S # {} /\ S \subseteq available \cap unsat[c]
        guard: (s, { c, S }) => S.length > 0 && S.every((r) => available(s.alloc, r) && s.unsat[c]!.includes(r)),
        effect: (d, { c, S }) => {
          d.alloc[c]!.push(...S) // alloc' = [alloc EXCEPT ![c] = @ \cup S]
          d.unsat[c] = d.unsat[c]!.filter((r) => !S.includes(r)) // unsat' = [unsat EXCEPT ![c] = @ \ S]
        },
      }),
      Return: action({ c: Client, S: Subset }, {
        guard: (s, { c, S }) => S.length > 0 && S.every((r) => s.alloc[c]!.includes(r)),
        effect: (d, { c, S }) => void (d.alloc[c] = d.alloc[c]!.filter((r) => !S.includes(r))),
      }),
    },
    fairness:
      fairness === 'none'
        ? []
        : [
            // \A c : WF_vars(Return(c, alloc[c])): the instance that returns everything c holds.
            { kind: 'weak', actions: ['Return'], per: (step) => step.params.c, when: (s, step) => equalValues(step.params.S, s.alloc[step.params.c]) },
            // \A c : SF_vars(\E S \in SUBSET Resources : Allocate(c, S))
            { kind: 'strong', actions: ['Allocate'], per: (step) => step.params.c },
          ],
  })
}

export type SimpleAllocator = ReturnType<typeof build>
