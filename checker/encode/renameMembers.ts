/**
 * Renaming the members of symmetric index types inside a compound value, on its rank (its position
 * in the type's domain, model/values.ts) rather than on the value: what symmetry needs for a set of
 * records (tuples, options, ...) whose members hold symmetric values, packed as one bit per rank,
 * and for action parameters of such types, whose instances are numbered by rank.
 *
 * A permutation π renames every member v of a symmetric type to π(v), and moves the entries of an
 * array indexed by one (entry i goes to π(i)); a set inside the value gets its renamed members
 * (ranks are those of distinct members whatever their order, so re-sorting is implied). The rank
 * of the renamed value follows from the ranks of its parts, which is why no value is built: a
 * record's rank is its fields' ranks as digits of a mixed-radix number, first field slowest, an
 * option's is 0 for null and 1 + the inner rank, a set's the bitmask of its members' ranks, a
 * sequence's the count of shorter ones plus its elements as digits, a map's one digit per key (0
 * without a value, else 1 + the value's rank), whose place moves with the renamed key.
 */
import { countValues, type AnyType, type IndexType } from '../model/types.js'

/** `perm[offset + i]` is where member i of the symmetric type at `offset` goes (encode/symmetryTypes.ts). */
export type RankRenamer = (rank: number, perm: Int32Array) => number

/**
 * The renaming of ranks of `type` under a permutation, or undefined when no member of a symmetric
 * type can occur in its values (every permutation fixes them). `offsetOf` gives a symmetric type's
 * offset in the flat permutation, or -1 for a type that is not permuted.
 */
export function rankRenamer(type: AnyType, offsetOf: (t: IndexType) => number): RankRenamer | undefined {
  switch (type.kind) {
    case 'bool':
    case 'int':
    case 'enum':
      return undefined
    case 'index': {
      const off = offsetOf(type)
      return off < 0 ? undefined : (r, perm) => perm[off + r]! - off
    }
    case 'option': {
      const inner = rankRenamer(type.of, offsetOf)
      return inner === undefined ? undefined : (r, perm) => (r === 0 ? 0 : 1 + inner(r - 1, perm))
    }
    case 'array': {
      const off = type.index === undefined ? -1 : offsetOf(type.index)
      if (off < 0) return product(Array.from({ length: type.length }, () => type.of), offsetOf)
      return movedArray(type.length, type.of, off, offsetOf)
    }
    case 'tuple':
      return product(type.items, offsetOf)
    case 'record':
      return product(Object.values(type.fields), offsetOf)
    case 'set': {
      const inner = rankRenamer(type.of, offsetOf)
      if (inner === undefined) return undefined
      const members = countValues(type.of)
      return (r, perm) => {
        let out = 0
        for (let b = 0; b < members; b++) if (Math.floor(r / 2 ** b) % 2 === 1) out += 2 ** inner(b, perm)
        return out
      }
    }
    case 'map': {
      const key = rankRenamer(type.key, offsetOf)
      const inner = rankRenamer(type.of, offsetOf)
      if (key === undefined && inner === undefined) return undefined
      const keys = countValues(type.key)
      const base = 1 + countValues(type.of)
      const strides = Array.from({ length: keys }, (_, i) => base ** (keys - 1 - i))
      return (r, perm) => {
        let out = 0
        for (let i = 0; i < keys; i++) {
          const d = Math.floor(r / strides[i]!) % base
          if (d === 0) continue
          out += (inner === undefined ? d : 1 + inner(d - 1, perm)) * strides[key === undefined ? i : key(i, perm)]!
        }
        return out
      }
    }
    case 'seq': {
      const inner = rankRenamer(type.of, offsetOf)
      if (inner === undefined) return undefined
      const n = countValues(type.of)
      // before[k]: how many sequences are shorter than k.
      const before = [0]
      for (let k = 1; k <= type.maxLength + 1; k++) before.push(before[k - 1]! + n ** (k - 1))
      return (r, perm) => {
        let k = 0
        while (r >= before[k + 1]!) k++
        let digits = r - before[k]!
        let out = 0
        for (let i = 0, place = 1; i < k; i++, place *= n) {
          const d = digits % n
          digits = (digits - d) / n
          out += inner(d, perm) * place
        }
        return before[k]! + out
      }
    }
  }
}

/** A product (record, tuple, array of fixed positions): each part renamed in place, first part slowest. */
function product(parts: readonly AnyType[], offsetOf: (t: IndexType) => number): RankRenamer | undefined {
  const renamers = parts.map((p) => rankRenamer(p, offsetOf))
  if (renamers.every((f) => f === undefined)) return undefined
  const sizes = parts.map(countValues)
  const strides = sizes.map((_, i) => sizes.slice(i + 1).reduce((x, y) => x * y, 1))
  return (r, perm) => {
    let out = 0
    for (let i = 0; i < renamers.length; i++) {
      const d = Math.floor(r / strides[i]!) % sizes[i]!
      const f = renamers[i]
      out += (f === undefined ? d : f(d, perm)) * strides[i]!
    }
    return out
  }
}

/** An array indexed by a symmetric type: entry i, renamed, goes to position π(i). */
function movedArray(length: number, of: AnyType, off: number, offsetOf: (t: IndexType) => number): RankRenamer {
  const inner = rankRenamer(of, offsetOf)
  const e = countValues(of)
  const strides = Array.from({ length }, (_, i) => e ** (length - 1 - i))
  return (r, perm) => {
    let out = 0
    for (let i = 0; i < length; i++) {
      const d = Math.floor(r / strides[i]!) % e
      out += (inner === undefined ? d : inner(d, perm)) * strides[perm[off + i]! - off]!
    }
    return out
  }
}
