/** DiningPhilosophers' properties: neighbours never eat together, and nobody starves. */
import { alwaysEventually, forAll, properties } from '../../checker/index.js'
import type { Philosophers } from '../../models/examples/specs/philosophers.js'

export default properties<Philosophers, { NP: number }>()(({ NP }) => {
  const forksOf = (p: number) => [p, (p + 1) % NP]
  const shareFork = (p: number, q: number) => forksOf(p).some((f) => forksOf(q).includes(f))
  return {
    invariants: {
      ExclusiveAccess: (s) =>
        s.pc.every((x, p) => x !== 'Eat' || s.pc.every((y, q) => q === p || y !== 'Eat' || !shareFork(p, q))),
    },
    temporal: {
      NobodyStarves: forAll(NP, (p) => alwaysEventually((s) => !s.hungry[p])),
    },
    docs: {
      ExclusiveAccess: 'Two philosophers who share a fork never eat at the same time.',
      NobodyStarves: 'Every philosopher eats again and again ([]<>~hungry[p] for every p).',
    },
  }
})
