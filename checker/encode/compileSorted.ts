/**
 * The `sorted` strategy: members sorted by their signatures, and the least encoding over the
 * orders of tied members (all of them up to `tieLimit`).
 */
import type { ActiveSlots } from './activeSlots.js'
import type { Apply } from './compileApply.js'
import type { CompoundMembers } from './compoundMembers.js'
import { lessThanFor } from './lessThan.js'
import { factorial, permutationsOfCached } from './permutations.js'
import { signatureLayout } from './signatureLayout.js'
import { signatureReader } from './signatureReader.js'
import type { SymmetricType, Symmetry } from './symmetryTypes.js'

/** The `sorted` strategy (see encode/symmetry.ts's header comment). */
export function compileSorted(
  slots: ActiveSlots,
  compound: readonly (CompoundMembers | undefined)[],
  types: readonly SymmetricType[],
  plain: readonly boolean[],
  W: number,
  apply: Apply,
  tieLimit: number,
  stats: { inexact: number },
): Symmetry['canonicalize'] {
  const members = types.reduce((n, t) => n + t.size, 0)
  const layout = signatureLayout(slots, compound, types)
  const { sigLength, sigBase, sig } = layout
  const signatures = signatureReader(slots, layout)
  const lessThan = lessThanFor(W)
  const best = new Uint32Array(W)
  const cand = new Uint32Array(W)
  const order = types.map((t) => new Int32Array(t.size))
  const perm = new Int32Array(members)
  const bestPerm = new Int32Array(members)

  const compareSig = (at: number, L: number, a: number, b: number): number => {
    for (let c = 0; c < L; c++) {
      const d = sig[at + a * L + c]! - sig[at + b * L + c]!
      if (d !== 0) return d
    }
    return 0
  }

  // Tie groups of the current state: (type offset, first rank, members), enumerated as an odometer.
  interface Tie {
    readonly offset: number
    readonly start: number
    readonly members: Int32Array
    orders: Int32Array[]
  }

  return (words, at, permOut) => {
    signatures(words, at)
    const ties: Tie[] = []
    let combinations = 1
    types.forEach((t, k) => {
      const L = sigLength[k]!
      const s = sigBase[k]!
      const o = order[k]!
      for (let i = 0; i < t.size; i++) o[i] = i
      // Insertion sort: sizes are small, and it is stable.
      for (let i = 1; i < t.size; i++) {
        const x = o[i]!
        let p = i - 1
        while (p >= 0 && compareSig(s, L, o[p]!, x) > 0) {
          o[p + 1] = o[p]!
          p--
        }
        o[p + 1] = x
      }
      for (let r = 0; r < t.size; r++) perm[t.offset + o[r]!] = t.offset + r
      for (let r = 0; r < t.size; ) {
        let e = r + 1
        while (e < t.size && compareSig(s, L, o[r]!, o[e]!) === 0) e++
        if (e - r > 1 && !plain[k]) {
          combinations *= factorial(e - r)
          ties.push({ offset: t.offset, start: r, members: o.slice(r, e), orders: [] })
        }
        r = e
      }
    })
    if (ties.length === 0 || combinations > tieLimit) {
      if (combinations > tieLimit) stats.inexact++
      if (permOut !== undefined) permOut.set(perm)
      apply(words, at, perm, best, 0)
      for (let w = 0; w < W; w++) words[at + w] = best[w]!
      return
    }
    for (const tie of ties) tie.orders = permutationsOfCached(tie.members.length)
    const choice = new Int32Array(ties.length)
    let first = true
    for (;;) {
      for (let g = 0; g < ties.length; g++) {
        const tie = ties[g]!
        const q = tie.orders[choice[g]!]!
        for (let x = 0; x < q.length; x++) perm[tie.offset + tie.members[q[x]!]!] = tie.offset + tie.start + x
      }
      apply(words, at, perm, cand, 0)
      if (first || lessThan(cand, 0, best, 0)) {
        best.set(cand)
        bestPerm.set(perm)
        first = false
      }
      let g = 0
      while (g < ties.length && ++choice[g]! === ties[g]!.orders.length) choice[g++] = 0
      if (g === ties.length) break
    }
    for (let w = 0; w < W; w++) words[at + w] = best[w]!
    if (permOut !== undefined) permOut.set(bestPerm)
  }
}
