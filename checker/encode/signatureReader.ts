/**
 * Reading the members' signatures (signatureLayout.ts) off a packed state, for the `sorted`
 * strategy.
 */
import type { ActiveSlots } from './activeSlots.js'
import { SLICE_BITS, type CompoundSignature, type SignatureLayout } from './signatureLayout.js'
import { CSET, INDEX, NULLABLE, PLAIN, SET } from './stateItems.js'

/** Fills `layout.sig` with the signatures of the members in the state at `words[at..]`. */
export function signatureReader(slots: ActiveSlots, layout: SignatureLayout): (words: Uint32Array, at: number) => void {
  const { A, kind, word, shift, mask, setPieces, guardWord, guardShift } = slots
  const { sig, ownAt, selfMember, refBase, refStride, refMode, compound } = layout
  const OTHER_TYPE = 3
  /** Whether member slot j of the state at `w[at..]` holds a member (not a null option's stand-in). */
  const present = (w: Uint32Array, at: number, j: number): boolean =>
    guardWord[j]! < 0 || ((w[at + guardWord[j]!]! >>> guardShift[j]!) & 1) === 1

  /** Records member `v` named by item j (a pointer, or a member of a set). */
  const named = (j: number, v: number) => {
    const at = refBase[j]! + v * refStride[j]!
    if (refMode[j] === 1) sig[at] = sig[at]! + 1
    else sig[at] = 1
  }

  /** [D] of a set of compound members: the slices of the members named, or the counts per template. */
  const compoundSignature = (words: Uint32Array, at: number, cs: CompoundSignature) => {
    const { members: m, sliceAt, sliceStride, stride } = cs
    const slice = m.slice
    for (const p of setPieces[cs.j]!) {
      let bits = (words[at + p.word]! >>> p.shift) & (p.width === 32 ? -1 : (1 << p.width) - 1)
      for (let r = p.first; bits !== 0; bits >>>= 1, r++) {
        if ((bits & 1) === 0) continue
        if (sliceAt >= 0) {
          const q = slice!.rest[r]!
          if (q < 0) continue
          const x = sliceAt + slice!.member[r]! * sliceStride + Math.floor(q / SLICE_BITS)
          sig[x] = sig[x]! | (1 << q % SLICE_BITS)
          continue
        }
        for (let o = m.occStart[r]!; o < m.occStart[r + 1]!; o++) {
          const t = m.occTemplate[o]!
          const x = cs.at[t]! + m.occMember[o]! * stride[t]!
          sig[x] = sig[x]! + 1
        }
      }
    }
  }
  /** How many members set item j has. */
  const size = (words: Uint32Array, at: number, j: number): number => {
    let n = 0
    for (const p of setPieces[j]!) {
      let bits = (words[at + p.word]! >>> p.shift) & (p.width === 32 ? -1 : (1 << p.width) - 1)
      for (; bits !== 0; bits >>>= 1) n += bits & 1
    }
    return n
  }

  return (words: Uint32Array, at: number): void => {
    sig.fill(0)
    for (const cs of compound) compoundSignature(words, at, cs)
    for (let j = 0; j < A; j++) {
      const own = ownAt[j]!
      const mode = refMode[j]!
      if (own < 0 && mode === 0) continue
      const k = kind[j]!
      if (k === CSET) {
        sig[own] = size(words, at, j)
        continue
      }
      if (k === SET) {
        let count = 0
        let self = 0
        const me = selfMember[j]!
        for (const p of setPieces[j]!) {
          let m = (words[at + p.word]! >>> p.shift) & (p.width === 32 ? -1 : (1 << p.width) - 1)
          for (let b = p.first; m !== 0; m >>>= 1, b++) {
            if ((m & 1) === 0) continue
            count++
            if (b === me) self = 1
            named(j, b)
          }
        }
        if (own >= 0) sig[own] = count * 2 + self
        continue
      }
      let v = (words[at + word[j]!]! >>> shift[j]!) & mask[j]!
      if (k === PLAIN) {
        sig[own] = v
        continue
      }
      if (k === INDEX && !present(words, at, j)) continue
      if (k === NULLABLE) {
        if (v === 0) continue
        v--
      }
      // Own component: 0 absent, 1 self, 2 another member of the row's type, 3 another type.
      if (own >= 0) sig[own] = selfMember[j]! < 0 ? OTHER_TYPE : v === selfMember[j] ? 1 : 2
      named(j, v)
    }
  }
}
