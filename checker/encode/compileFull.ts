/**
 * The `full` strategy: the canonical representative as the least image of a state under every
 * element of the group, tabulated once.
 */
import type { Apply } from './compileApply.js'
import { lessThanFor } from './lessThan.js'
import { permutationsOf } from './permutations.js'
import type { SymmetricType, Symmetry } from './symmetryTypes.js'

/** The `full` strategy: the least of the state's images under every group element. */
export function compileFull(types: readonly SymmetricType[], W: number, apply: Apply): Symmetry['canonicalize'] {
  const lessThan = lessThanFor(W)
  const best = new Uint32Array(W)
  const cand = new Uint32Array(W)
  // Every group element, identity first.
  let group: Int32Array[] = [new Int32Array(0)]
  for (const t of types) {
    const local = permutationsOf(t.size)
    const next: Int32Array[] = []
    for (const g of group) {
      for (const p of local) {
        const q = new Int32Array(g.length + t.size)
        q.set(g)
        for (let i = 0; i < t.size; i++) q[g.length + i] = t.offset + p[i]!
        next.push(q)
      }
    }
    group = next
  }
  const G = group.length
  return (words, at, permOut) => {
    let bestIndex = 0
    for (let w = 0; w < W; w++) best[w] = words[at + w]!
    for (let n = 1; n < G; n++) {
      apply(words, at, group[n]!, cand, 0)
      if (lessThan(cand, 0, best, 0)) {
        best.set(cand)
        bestIndex = n
      }
    }
    for (let w = 0; w < W; w++) words[at + w] = best[w]!
    if (permOut !== undefined) permOut.set(group[bestIndex]!)
  }
}
