/**
 * The spec of simple-allocator (models/examples/simpleAllocator.ts): its state, actions and
 * parameters, kept apart so that the properties import them without a circle.
 */
import { t, vars } from '../../../checker/index.js'

export type AllocatorFairness = 'spec' | 'none'

/** A set of resources as a bitmask (action parameters range over numbers): bit r is resource r. */
export const members = (mask: number, resources: number): number[] =>
  Array.from({ length: resources }, (_, r) => r).filter((r) => ((mask >>> r) & 1) === 1)
export const maskOf = (set: readonly number[]): number => set.reduce((m, r) => m | (1 << r), 0)

export const build = ({ clients, resources, fairness }: { clients: number; resources: number; fairness: AllocatorFairness }) => {
  const Client = t.index(clients, { name: 'Client' })
  const Resource = t.index(resources, { name: 'Resource' })
  const { spec, action } = vars({
    unsat: t.array(Client, t.set(Resource)),
    alloc: t.array(Client, t.set(Resource)),
  })
  // S \in SUBSET Resources \ {{}}, as a bitmask: the empty set enables no action.
  const Subset = t.int(1, 2 ** resources - 1)
  const available = (alloc: readonly (readonly number[])[]) => ~alloc.reduce((m, a) => m | maskOf(a), 0)
  return spec({
    name: 'simple-allocator',
    constants: { clients, resources, fairness },
    init: { unsat: Array.from({ length: clients }, () => []), alloc: Array.from({ length: clients }, () => []) },
    actions: {
      Request: action({ c: Client, S: Subset }, {
        guard: (s, { c }) => s.unsat[c]!.length === 0 && s.alloc[c]!.length === 0,
        effect: (d, { c, S }) => void (d.unsat[c] = members(S, resources)),
      }),
      Allocate: action({ c: Client, S: Subset }, {
        guard: (s, { c, S }) => (S & ~(available(s.alloc) & maskOf(s.unsat[c]!))) === 0,
        effect: (d, { c, S }) => {
          d.alloc[c] = members(maskOf(d.alloc[c]!) | S, resources)
          d.unsat[c] = members(maskOf(d.unsat[c]!) & ~S, resources)
        },
      }),
      Return: action({ c: Client, S: Subset }, {
        guard: (s, { c, S }) => (S & ~maskOf(s.alloc[c]!)) === 0,
        effect: (d, { c, S }) => void (d.alloc[c] = members(maskOf(d.alloc[c]!) & ~S, resources)),
      }),
    },
    fairness:
      fairness === 'none'
        ? []
        : [
            // \A c : WF_vars(Return(c, alloc[c])): the instance that returns everything c holds.
            { kind: 'weak', actions: ['Return'], per: (step) => step.params.c, when: (s, step) => step.params.S === maskOf(s.alloc[step.params.c]!) },
            // \A c : SF_vars(\E S \in SUBSET Resources : Allocate(c, S))
            { kind: 'strong', actions: ['Allocate'], per: (step) => step.params.c },
          ],
  })
}

export type SimpleAllocator = ReturnType<typeof build>
