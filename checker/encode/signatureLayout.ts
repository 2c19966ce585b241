/**
 * Where the `sorted` strategy keeps the members' signatures: one flat array, the components of
 * each symmetric type's members side by side, and per active item where what it says of a member
 * is written.
 */
import type { ActiveSlots } from './activeSlots.js'
import type { CompoundMembers } from './compoundMembers.js'
import type { SymmetricType } from './symmetryTypes.js'

/**
 * Where the `sorted` strategy keeps each member's signature. Signature components per type: [A]
 * own entries of depth-1 arrays of the type, [B] global pointers and sets naming a member, [C]
 * in-degree counts from depth-1 array entries, [D] what sets of compound members say of a member:
 * its slice of a sliced global one (30 rests a component), else per template the count of set
 * members naming it there.
 */
export interface SignatureLayout {
  readonly sigLength: number[]
  readonly sigBase: number[]
  readonly sig: Int32Array
  readonly ownAt: Int32Array
  readonly selfMember: Int32Array
  readonly refBase: Int32Array
  readonly refStride: Int32Array
  readonly refMode: Int32Array
  readonly compound: readonly CompoundSignature[]
}

/** [D] of one CSET item: member v's slice starts at `sliceAt + v * sliceStride` (-1: not sliced), its count at template t at `at[t] + v * stride[t]`. */
export interface CompoundSignature {
  readonly j: number
  readonly members: CompoundMembers
  readonly sliceAt: number
  readonly sliceStride: number
  readonly at: Int32Array
  readonly stride: Int32Array
}

/** Bits of a slice kept in one signature component. */
export const SLICE_BITS = 30

export function signatureLayout(slots: ActiveSlots, compound: readonly (CompoundMembers | undefined)[], types: readonly SymmetricType[]): SignatureLayout {
  const { active, A } = slots
  // Signature components per type: [A] own entries of depth-1 arrays of the type, [B] global
  // pointers and sets naming a member, [C] in-degree counts from depth-1 array entries.
  const sigLength = types.map(() => 0)
  const compOwn = new Int32Array(A).fill(-1)
  const compGlobal = new Int32Array(A).fill(-1)
  const compIn = new Int32Array(A).fill(-1)
  const ownTemplate = types.map(() => new Map<string, number>())
  const inTemplate = types.map(() => new Map<string, number>())
  active.forEach((it, j) => {
    if (it.coords.length === 1) {
      const k = it.coords[0]!.sym
      let c = ownTemplate[k]!.get(it.template)
      if (c === undefined) ownTemplate[k]!.set(it.template, (c = sigLength[k]!++))
      compOwn[j] = c
      if (it.sym >= 0) {
        let d = inTemplate[it.sym]!.get(it.template)
        if (d === undefined) inTemplate[it.sym]!.set(it.template, (d = sigLength[it.sym]!++))
        compIn[j] = d
      }
    } else if (it.coords.length === 0 && it.sym >= 0) {
      compGlobal[j] = sigLength[it.sym]!++
    }
  })
  // [D]: per CSET item, the first component of its slice, or per template its count's component.
  const compoundTemplate = types.map(() => new Map<string, number>())
  const compoundParts = active.flatMap((it, j) => {
    const members = compound[j]
    if (members === undefined) return []
    const slice = it.coords.length === 0 ? members.slice : undefined
    let sliceComp = -1
    if (slice !== undefined) {
      sliceComp = sigLength[slice.sym]!
      sigLength[slice.sym]! += Math.ceil(slice.rests / SLICE_BITS)
    }
    const comps = Array.from(members.templateSym, (k, t) => {
      if (slice !== undefined) return -1
      const key = `${it.template}#${t}`
      let c = compoundTemplate[k]!.get(key)
      if (c === undefined) compoundTemplate[k]!.set(key, (c = sigLength[k]!++))
      return c
    })
    return [{ j, members, sliceComp, comps }]
  })
  // One flat signature array: member i of type k starts at sigBase[k] + i * sigLength[k]. Per
  // item, where its own component goes (ownAt), and where the members it names are counted or
  // marked (refBase + member * refStride; refMode 1 counts, 2 marks).
  const sigBase = types.map(() => 0)
  for (let k = 1; k < types.length; k++) sigBase[k] = sigBase[k - 1]! + types[k - 1]!.size * sigLength[k - 1]!
  const sigTotal = types.reduce((x, t, k) => x + t.size * sigLength[k]!, 0)
  const sig = new Int32Array(sigTotal)
  const ownAt = new Int32Array(A).fill(-1)
  const selfMember = new Int32Array(A).fill(-1)
  const refBase = new Int32Array(A)
  const refStride = new Int32Array(A)
  const refMode = new Int32Array(A)
  active.forEach((it, j) => {
    if (it.coords.length === 1) {
      const rs = it.coords[0]!.sym
      ownAt[j] = sigBase[rs]! + it.coords[0]!.i * sigLength[rs]! + compOwn[j]!
      if (it.sym >= 0) {
        refMode[j] = 1
        refBase[j] = sigBase[it.sym]! + compIn[j]!
        refStride[j] = sigLength[it.sym]!
        if (it.sym === rs) selfMember[j] = it.coords[0]!.i
      }
    } else if (compGlobal[j]! >= 0) {
      refMode[j] = 2
      refBase[j] = sigBase[it.sym]! + compGlobal[j]!
      refStride[j] = sigLength[it.sym]!
    }
  })
  const compoundSignatures = compoundParts.map(({ j, members, sliceComp, comps }): CompoundSignature => {
    const k = members.slice?.sym ?? 0
    return {
      j,
      members,
      sliceAt: sliceComp < 0 ? -1 : sigBase[k]! + sliceComp,
      sliceStride: sigLength[k]!,
      at: Int32Array.from(comps, (c, t) => (c < 0 ? 0 : sigBase[members.templateSym[t]!]! + c)),
      stride: Int32Array.from(members.templateSym, (kt) => sigLength[kt]!),
    }
  })
  return { sigLength, sigBase, sig, ownAt, selfMember, refBase, refStride, refMode, compound: compoundSignatures }
}
