/**
 * A permutation's action on a packed state, compiled per state layout into straight-line code:
 * `apply(src, sa, perm, dst, da)` writes perm · src[sa..] to dst[da..].
 */
import type { ActiveSlots } from './activeSlots.js'
import type { CompoundMembers } from './compoundMembers.js'
import { CSET, INDEX, NULLABLE, PLAIN, SET } from './stateItems.js'
import type { Permutation, SymmetricType } from './symmetryTypes.js'

export type Apply = (src: Uint32Array, sa: number, perm: Permutation, dst: Uint32Array, da: number) => void

/** `apply(src, sa, perm, dst, da)`: writes perm · src[sa..] to dst[da..]. */
export function compileApply(slots: ActiveSlots, compound: readonly (CompoundMembers | undefined)[], types: readonly SymmetricType[], W: number): Apply {
  const { A, fixedMask, kind, word, shift, mask, symOffset, guardWord, guardShift, slotOf, base, coordStart, cMember, cStride, setPieces, singlePiece } = slots
  /** Multi-piece sets (more than 32 members): member m of item j goes to member perm(m) of item d. */
  const moveWideSet = (src: Uint32Array, srcAt: number, j: number, d: number, perm: Permutation, dst: Uint32Array, dstAt: number) => {
    const off = symOffset[j]!
    const to = setPieces[d]!
    for (const p of setPieces[j]!) {
      let m = (src[srcAt + p.word]! >>> p.shift) & (p.width === 32 ? -1 : (1 << p.width) - 1)
      for (let b = 0; m !== 0; m >>>= 1, b++) {
        if ((m & 1) === 0) continue
        const nm = perm[off + p.first + b]! - off
        const q = to[nm >>> 5]!
        dst[dstAt + q.word] = dst[dstAt + q.word]! | (1 << (q.shift + nm - q.first))
      }
    }
  }

  /** A set of compound members: member r of item j goes to member rename(r) of item d. */
  const moveCompoundSet = (src: Uint32Array, srcAt: number, j: number, d: number, perm: Permutation, dst: Uint32Array, dstAt: number) => {
    const rename = compound[j]!.rename
    const to = setPieces[d]!
    for (const p of setPieces[j]!) {
      let m = (src[srcAt + p.word]! >>> p.shift) & (p.width === 32 ? -1 : (1 << p.width) - 1)
      for (let b = 0; m !== 0; m >>>= 1, b++) {
        if ((m & 1) === 0) continue
        const nm = rename(p.first + b, perm)
        const q = to[nm >>> 5]!
        dst[dstAt + q.word] = dst[dstAt + q.word]! | (1 << (q.shift + nm - q.first))
      }
    }
  }

  // `apply(src, sa, perm, dst, da)` writes perm · src, compiled into straight-line code like the
  // codec: one block per active item, with its word, shift, mask and renaming inlined. Where an
  // item goes depends on the permutation: DW/DS/DI give the word, shift and item of the slot at
  // base + Σ perm[member] * stride.
  const DW = Int32Array.from(slotOf, (d) => (d < 0 ? 0 : word[d]!))
  const DS = Int32Array.from(slotOf, (d) => (d < 0 ? 0 : shift[d]!))
  const code: string[] = ['let v = 0, m = 0, o = 0, x = 0;']
  for (let w = 0; w < W; w++) code.push(`dst[da + ${w}] = src[sa + ${w}] & ${fixedMask[w]! | 0};`)
  for (let j = 0; j < A; j++) {
    const moving = coordStart[j + 1]! > coordStart[j]!
    // perm holds global member numbers (type offset + index): take the offsets off in the constant.
    let constant = base[j]!
    const terms: string[] = []
    for (let c = coordStart[j]!; c < coordStart[j + 1]!; c++) {
      const off = types.find((t) => cMember[c]! >= t.offset && cMember[c]! < t.offset + t.size)!.offset
      constant -= off * cStride[c]!
      terms.push(`perm[${cMember[c]!}] * ${cStride[c]!}`)
    }
    terms.unshift(String(constant))
    const at = moving ? `x = ${terms.join(' + ')}; ` : ''
    const dw = moving ? 'DW[x]' : String(word[j]!)
    const ds = moving ? 'DS[x]' : String(shift[j]!)
    const read = `(src[sa + ${word[j]!}] >>> ${shift[j]!}) & ${mask[j]!}`
    const off = symOffset[j]!
    switch (kind[j]) {
      case PLAIN:
        code.push(`${at}dst[da + ${dw}] |= (${read}) << ${ds};`)
        break
      case INDEX: {
        const rename =
          guardWord[j]! < 0 ? `v = perm[${off} + v] - ${off};` : `if (((src[sa + ${guardWord[j]!}] >>> ${guardShift[j]!}) & 1) === 1) v = perm[${off} + v] - ${off};`
        code.push(`v = ${read}; ${rename} ${at}dst[da + ${dw}] |= v << ${ds};`)
        break
      }
      case NULLABLE:
        code.push(`v = ${read}; if (v !== 0) v = perm[${off} + v - 1] - ${off - 1}; ${at}dst[da + ${dw}] |= v << ${ds};`)
        break
      case SET:
        if (singlePiece[j] === 1) {
          code.push(
            `m = ${read}; o = 0; for (let b = ${off}; m !== 0; m >>>= 1, b++) if ((m & 1) !== 0) o |= 1 << (perm[b] - ${off}); ${at}dst[da + ${dw}] |= o << ${ds};`,
          )
        } else {
          code.push(`${moving ? `x = ${terms.join(' + ')}; ` : ''}H(src, sa, ${j}, ${moving ? 'DI[x]' : j}, perm, dst, da);`)
        }
        break
      case CSET:
        code.push(`${moving ? `x = ${terms.join(' + ')}; ` : ''}C(src, sa, ${j}, ${moving ? 'DI[x]' : j}, perm, dst, da);`)
        break
    }
  }
  const apply = new Function('DW', 'DS', 'DI', 'H', 'C', `return function apply(src, sa, perm, dst, da) {\n${code.join('\n')}\n}`)(
    DW,
    DS,
    slotOf,
    moveWideSet,
    moveCompoundSet,
  ) as Apply
  return apply
}
