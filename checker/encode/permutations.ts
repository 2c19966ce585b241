/**
 * Permutations on their flat representation (`perms`: inverse, composition, identity test) and
 * every permutation of a few members, enumerated in lexicographic order.
 */
import type { Permutation, SymmetricType } from './symmetryTypes.js'

/** Permutation helpers on the flat representation. */
export const perms = {
  inverse(p: Permutation): Permutation {
    const q = new Int32Array(p.length)
    // Each type's block maps onto itself, so a flat inverse inverts every block.
    for (let i = 0; i < p.length; i++) q[p[i]!] = i
    return q
  },
  /** `(a ∘ b)(i) = a(b(i))`: first b, then a. */
  compose(a: Permutation, b: Permutation): Permutation {
    const q = new Int32Array(a.length)
    for (let i = 0; i < a.length; i++) q[i] = a[b[i]!]!
    return q
  },
  isIdentity(p: Permutation, types: readonly SymmetricType[]): boolean {
    for (const t of types) for (let i = 0; i < t.size; i++) if (p[t.offset + i] !== t.offset + i) return false
    return true
  },
}

export const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1))

/** Every permutation of 0..n-1, in lexicographic order (identity first). */
export function permutationsOf(n: number): Int32Array[] {
  const out: Int32Array[] = []
  const cur = new Int32Array(n)
  const used = new Uint8Array(n)
  const rec = (k: number) => {
    if (k === n) {
      out.push(cur.slice())
      return
    }
    for (let v = 0; v < n; v++) {
      if (used[v]) continue
      used[v] = 1
      cur[k] = v
      rec(k + 1)
      used[v] = 0
    }
  }
  rec(0)
  return out
}
const permutationCache = new Map<number, Int32Array[]>()
export const permutationsOfCached = (n: number): Int32Array[] => {
  let list = permutationCache.get(n)
  if (list === undefined) permutationCache.set(n, (list = permutationsOf(n)))
  return list
}
