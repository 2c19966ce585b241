/**
 * What symmetry (encode/symmetry.ts) knows about the members of a set of records, tuples, options,
 * ... that hold members of symmetric index types: such a set is packed as one bit per value of the
 * member type (its rank), and a permutation moves bit r to the rank of the renamed value
 * (encode/renameMembers.ts), which re-sorts the set into domain order as a side effect.
 *
 * The `sorted` strategy also needs what a member of a symmetric type looks like from inside such a
 * set, in a form no permutation changes. Worked out once per member type, over its whole domain:
 * - Where a value names members: each occurrence of a symmetric value in it (a field, a tuple
 *   position, an option's inside, a member of an inner set, an element of a sequence, a map's key
 *   or value), by a
 *   template of its path (positions in arrays indexed by a symmetric type left out), so that "how
 *   many members of the set name v at template T" is invariant.
 * - Whether it is sliced: every value names at most one member, always at the same template, and
 *   nothing in it is indexed by a symmetric type. Then a value is (its one member v, the rest), and
 *   the rest is the same in the renamed value; the set, seen from member v, is the set of rests of
 *   its members naming v (TwoPhase's `msgs` seen from a resource manager: which of Prepared,
 *   Commit, Abort it has sent). Members with equal slices can be swapped without changing the set,
 *   so sorting by slices is exact; the renaming is a table lookup.
 */
import { MAX_DOMAIN, type AnyType, type IndexType } from '../model/types.js'
import { valuesOf } from '../model/values.js'
import { rankRenamer, type RankRenamer } from './renameMembers.js'

/** A symmetric type as stateItems.ts numbers it: its members are `offset .. offset + size - 1` of a permutation. */
interface Numbered {
  readonly type: IndexType
  readonly size: number
  readonly offset: number
}

/** The occurrences of symmetric members in every value of a member type, and its slices when it is sliced. */
export interface CompoundMembers {
  /** The rank of the renamed value: the bit a member moves to. */
  readonly rename: RankRenamer
  /** The symmetric types (their numbers) that occur, as values or as the index of an array. */
  readonly named: readonly number[]
  /** Templates: per template, the number of the symmetric type its values are members of. */
  readonly templateSym: Int32Array
  /** Per rank r, its occurrences `occStart[r] .. occStart[r + 1]`: template and member named. */
  readonly occStart: Int32Array
  readonly occTemplate: Int32Array
  readonly occMember: Int32Array
  /** Present when sliced: per rank, the member named (-1: none) and the number of its rest; how many rests there are. */
  readonly slice?: { readonly sym: number; readonly member: Int32Array; readonly rest: Int32Array; readonly rests: number }
}

/** Analyses member type `of` for the symmetric types `types` (see the header). */
export function compoundMembers(of: AnyType, types: readonly Numbered[]): CompoundMembers {
  const symOf = (t: IndexType) => types.findIndex((s) => s.type === t)
  const offsetOf = (t: IndexType) => types.find((s) => s.type === t)?.offset ?? -1
  const values = valuesOf(of, MAX_DOMAIN)
  const templates = new Map<string, number>()
  const templateSym: number[] = []
  const occStart = new Int32Array(values.length + 1)
  const occTemplate: number[] = []
  const occMember: number[] = []
  /** The symmetric types that index arrays inside the values. */
  const indexing = new Set<number>()
  // A value with its one named member replaced, as the key of its rest (sliced types only).
  const restKeys: string[] = []

  /** Visits `v` of type `type`, recording occurrences; returns the value with named members blanked. */
  const walk = (type: AnyType, v: any, template: string): unknown => {
    switch (type.kind) {
      case 'index': {
        const k = symOf(type)
        if (k < 0) return v
        let t = templates.get(template)
        if (t === undefined) {
          templates.set(template, (t = templateSym.length))
          templateSym.push(k)
        }
        occTemplate.push(t)
        occMember.push(v as number)
        return -1
      }
      case 'bool':
      case 'int':
      case 'enum':
        return v
      case 'option':
        return v === null ? null : [walk(type.of, v, template + '!')]
      case 'array': {
        const k = type.index === undefined ? -1 : symOf(type.index)
        const symmetric = k >= 0
        if (symmetric) indexing.add(k)
        return (v as unknown[]).map((x, i) => walk(type.of, x, `${template}[${symmetric ? '*' : i}]`))
      }
      case 'tuple':
        return (v as unknown[]).map((x, i) => walk(type.items[i]!, x, `${template}[${i}]`))
      case 'record':
        return Object.keys(type.fields).map((k) => walk(type.fields[k]!, v[k], `${template}.${JSON.stringify(k)}`))
      case 'set':
      case 'seq':
        return (v as unknown[]).map((x) => walk(type.of, x, `${template}[]`))
      case 'map': {
        // A value's place names its key: left out where the key names symmetric members.
        const moving = rankRenamer(type.key, offsetOf) !== undefined
        return (v as [unknown, unknown][]).map(([k, x]) => [
          walk(type.key, k, `${template}#key`),
          walk(type.of, x, `${template}[${moving ? '*' : JSON.stringify(k)}]`),
        ])
      }
    }
  }
  values.forEach((v, r) => {
    restKeys.push(JSON.stringify(walk(of, v, '')))
    occStart[r + 1] = occTemplate.length
  })
  const rename = rankRenamer(of, offsetOf)!
  const named = [...new Set([...templateSym, ...indexing])]
  const base = { rename, named, templateSym: Int32Array.from(templateSym), occStart, occTemplate: Int32Array.from(occTemplate), occMember: Int32Array.from(occMember) }
  const sliced = indexing.size === 0 && templates.size === 1 && values.every((_, r) => occStart[r + 1]! - occStart[r]! <= 1)
  if (!sliced) return base

  // Sliced: rests numbered in order of first appearance, and the value of each (rest, member) pair.
  const sym = templateSym[0]!
  const { size, offset } = types[sym]!
  const member = new Int32Array(values.length).fill(-1)
  const rest = new Int32Array(values.length).fill(-1)
  const restOf = new Map<string, number>()
  values.forEach((_, r) => {
    if (occStart[r + 1] === occStart[r]) return
    member[r] = occMember[occStart[r]!]!
    let q = restOf.get(restKeys[r]!)
    if (q === undefined) restOf.set(restKeys[r]!, (q = restOf.size))
    rest[r] = q
  })
  const back = new Int32Array(restOf.size * size).fill(-1)
  for (let r = 0; r < values.length; r++) {
    if (rest[r]! < 0) continue
    const at = rest[r]! * size + member[r]!
    // Two values alike (an option of an option has two nulls): rename by the ranks' arithmetic.
    if (back[at] !== -1) return base
    back[at] = r
  }
  return {
    ...base,
    rename: (r, perm) => {
      const q = rest[r]!
      return q < 0 ? r : back[q * size + perm[offset + member[r]!]! - offset]!
    },
    slice: { sym, member, rest, rests: restOf.size },
  }
}
