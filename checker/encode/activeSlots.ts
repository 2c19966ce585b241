/**
 * The items a permutation moves or renames, as flat arrays with where each goes under a
 * permutation (`activeSlots`); per set of compound members, its member type's analysis
 * (`compoundSets`); and which symmetric types are plain, so that sorting alone is exact
 * (`plainTypes`).
 */
import type { AnyType } from '../model/types.js'
import { compoundMembers, type CompoundMembers } from './compoundMembers.js'
import { CSET, INDEX, SET, type Item } from './stateItems.js'
import type { SymmetricType } from './symmetryTypes.js'

/** The active items (the ones that move or are renamed), as flat arrays by item, and where each goes under a permutation. */
export interface ActiveSlots {
  readonly active: readonly Item[]
  readonly A: number
  /** Per word: the bits no active item holds, copied as they are. */
  readonly fixedMask: Uint32Array
  readonly kind: Int32Array
  readonly word: Int32Array
  readonly shift: Int32Array
  readonly mask: Int32Array
  readonly symOffset: Int32Array
  readonly guardWord: Int32Array
  readonly guardShift: Int32Array
  readonly slotOf: Int32Array
  readonly base: Int32Array
  readonly coordStart: Int32Array
  readonly cMember: Int32Array
  readonly cStride: Int32Array
  readonly setPieces: readonly Item['pieces'][]
  readonly singlePiece: Uint8Array
}

export function activeSlots(items: readonly Item[], types: readonly SymmetricType[], W: number): ActiveSlots {
  // Active items: the ones that move (inside a symmetric array) or are renamed (hold members).
  const active = items.filter((it) => it.coords.length > 0 || it.sym >= 0 || it.kind === CSET)
  const A = active.length
  const fixedMask = new Uint32Array(W).fill(0xffffffff)
  for (const it of active) {
    for (const p of it.kind === SET || it.kind === CSET ? it.pieces : [it]) {
      const m = p.width === 32 ? 0xffffffff : ((2 ** p.width - 1) << p.shift) >>> 0
      fixedMask[p.word] = (fixedMask[p.word]! & ~m) >>> 0
    }
  }
  const kind = Int32Array.from(active, (it) => it.kind)
  const word = Int32Array.from(active, (it) => it.word)
  const shift = Int32Array.from(active, (it) => it.shift)
  const mask = Int32Array.from(active, (it) => (it.width === 32 ? -1 : (1 << it.width) - 1))
  const symOffset = Int32Array.from(active, (it) => (it.sym >= 0 ? types[it.sym]!.offset : 0))
  // Only INDEX items need their guard: zeros stay zeros for every other kind.
  const guardWord = Int32Array.from(active, (it) => (it.kind === INDEX && it.guard !== null ? it.guard.word : -1))
  const guardShift = Int32Array.from(active, (it) => (it.guard === null ? 0 : it.guard.shift))

  // Destination of item j under a permutation: the item with the same template at the permuted
  // coordinates. slotOf[base[j] + Σ perm[coordMember] * stride] is that item.
  const slotIndex = new Map<string, number>()
  active.forEach((it, j) => slotIndex.set(`${it.template}@${it.coords.map((c) => c.i).join(',')}`, j))
  const templateBase = new Map<string, number>()
  const slotOfList: number[] = []
  const base = new Int32Array(A)
  const coordStart = new Int32Array(A + 1)
  const coordMember: number[] = []
  const coordStride: number[] = []
  active.forEach((it, j) => {
    const sizes = it.coords.map((c) => types[c.sym]!.size)
    let b = templateBase.get(it.template)
    if (b === undefined) {
      b = slotOfList.length
      templateBase.set(it.template, b)
      const total = sizes.reduce((x, y) => x * y, 1)
      const idx = new Array<number>(sizes.length).fill(0)
      for (let n = 0; n < total; n++) {
        let r = n
        for (let d = sizes.length - 1; d >= 0; d--) {
          idx[d] = r % sizes[d]!
          r = Math.floor(r / sizes[d]!)
        }
        slotOfList.push(slotIndex.get(`${it.template}@${idx.join(',')}`) ?? -1)
      }
    }
    base[j] = b
    coordStart[j] = coordMember.length
    let stride = 1
    const strides = sizes.map(() => 0)
    for (let d = sizes.length - 1; d >= 0; d--) {
      strides[d] = stride
      stride *= sizes[d]!
    }
    it.coords.forEach((c, d) => {
      coordMember.push(types[c.sym]!.offset + c.i)
      coordStride.push(strides[d]!)
    })
    coordStart[j + 1] = coordMember.length
  })
  const slotOf = Int32Array.from(slotOfList)
  const cMember = Int32Array.from(coordMember)
  const cStride = Int32Array.from(coordStride)
  const setPieces = active.map((it) => it.pieces)
  const singlePiece = Uint8Array.from(active, (it) => (it.kind === SET && it.pieces.length === 1 ? 1 : 0))
  return { active, A, fixedMask, kind, word, shift, mask, symOffset, guardWord, guardShift, slotOf, base, coordStart, cMember, cStride, setPieces, singlePiece }
}

/** Per active item, for a CSET: its member type's analysis (shared by the items of one type). */
export function compoundSets(active: readonly Item[], types: readonly SymmetricType[]): (CompoundMembers | undefined)[] {
  const byType = new Map<AnyType, CompoundMembers>()
  return active.map((it) => {
    if (it.kind !== CSET) return undefined
    let c = byType.get(it.of!)
    if (c === undefined) byType.set(it.of!, (c = compoundMembers(it.of!, types)))
    return c
  })
}

/**
 * A type is "plain" when its members are told apart only by their own entries (no pointer or
 * set of members inside any array entry, no nested symmetric array) and by global pointers and
 * sets, sliced sets of compound members among them (encode/compoundMembers.ts). Then members with
 * equal signatures are identical and swapping them changes nothing, so sorting alone is exact and
 * costs one rewrite per state.
 */
export function plainTypes(types: readonly SymmetricType[], active: readonly Item[], compound: readonly (CompoundMembers | undefined)[]): boolean[] {
  return types.map(
    (_, k) =>
      !active.some((it, j) => {
        const c = compound[j]
        if (c !== undefined) return (c.named.includes(k) && (c.slice === undefined || it.coords.length > 0)) || it.coords.some((x) => x.sym === k)
        return (
          (it.coords.length > 0 && it.sym === k) ||
          (it.coords.length > 1 && it.coords.some((c) => c.sym === k)) ||
          (it.coords.some((c) => c.sym === k) && it.sym >= 0)
        )
      }),
  )
}
