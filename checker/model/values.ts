/**
 * Every value of a finite type, in a fixed order: what an initial-state predicate is tried on
 * (`init: { where }`), and the members a set over records is a subset of. Values are frozen and
 * shared, so that enumerating a product allocates the values of each part once.
 *
 * The order: scalars in domain order; an option null first; arrays, tuples and records as
 * products, the first position (field) slowest; sets by the bitmask of their members, member i
 * being bit i; sequences by length, then as arrays; maps as arrays of options over their keys
 * (absent first), the first key slowest.
 */
import type { AnyType } from './types.js'
import { countValues, domainValues } from './types.js'

/** Every value of `type`, in the order of the header, frozen; throws RangeError past `limit` values. */
export function valuesOf(type: AnyType, limit: number): readonly unknown[] {
  const n = countValues(type)
  if (n > limit) {
    throw new RangeError(`a value of this type is one of ${n.toLocaleString('en-US')}, more than the ${limit.toLocaleString('en-US')} that may be enumerated`)
  }
  return enumerate(type)
}

function enumerate(type: AnyType): readonly unknown[] {
  switch (type.kind) {
    case 'bool':
    case 'int':
    case 'enum':
    case 'index':
      return domainValues(type)
    case 'option':
      return [null, ...enumerate(type.of)]
    case 'array':
      return product(Array.from({ length: type.length }, () => enumerate(type.of))).map((v) => Object.freeze(v))
    case 'tuple':
      return product(type.items.map(enumerate)).map((v) => Object.freeze(v))
    case 'record': {
      const keys = Object.keys(type.fields)
      return product(keys.map((k) => enumerate(type.fields[k]!))).map((v) =>
        Object.freeze(Object.fromEntries(keys.map((k, i) => [k, v[i]]))),
      )
    }
    case 'set': {
      const members = enumerate(type.of)
      return Array.from({ length: 2 ** members.length }, (_, mask) =>
        Object.freeze(members.filter((_, i) => Math.floor(mask / 2 ** i) % 2 === 1)),
      )
    }
    case 'map': {
      const keys = enumerate(type.key)
      const slots = [ABSENT, ...enumerate(type.of)]
      return product(keys.map(() => slots)).map((v) =>
        Object.freeze(v.flatMap((x, i) => (x === ABSENT ? [] : [Object.freeze([keys[i], x])]))),
      )
    }
    case 'seq': {
      const elements = enumerate(type.of)
      return Array.from({ length: type.maxLength + 1 }, (_, k) => product(Array.from({ length: k }, () => elements))).flatMap((vs) =>
        vs.map((v) => Object.freeze(v)),
      )
    }
  }
}

/**
 * The position of a value in `valuesOf(type)`, or -1 for a value outside the type: what orders and
 * packs the members of a set. A set value is ranked by its members whatever their order and
 * repeats, as the bitmask of their positions.
 */
export function rankOf(type: AnyType): (v: unknown) => number {
  switch (type.kind) {
    case 'bool':
      return (v) => (v === false ? 0 : v === true ? 1 : -1)
    case 'int':
    case 'index': {
      const min = type.kind === 'int' ? type.min : 0
      const max = type.kind === 'int' ? type.max : type.size - 1
      return (v) => (Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? (v as number) - min : -1)
    }
    case 'enum': {
      const at = new Map(type.values.map((x, i) => [x, i]))
      return (v) => at.get(v as string) ?? -1
    }
    case 'option': {
      const inner = rankOf(type.of)
      return (v) => (v === null ? 0 : inner(v) < 0 ? -1 : 1 + inner(v))
    }
    case 'array':
    case 'tuple': {
      const items = type.kind === 'array' ? Array.from({ length: type.length }, () => type.of) : type.items
      return productRank(items.map(rankOf), items.map(countValues), (v) =>
        Array.isArray(v) && v.length === items.length ? v : undefined,
      )
    }
    case 'record': {
      const keys = Object.keys(type.fields)
      const fields = keys.map((k) => type.fields[k]!)
      return productRank(fields.map(rankOf), fields.map(countValues), (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).length !== keys.length) return undefined
        return keys.map((k) => (Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined))
      })
    }
    case 'set': {
      const member = rankOf(type.of)
      return (v) => {
        if (!Array.isArray(v)) return -1
        let mask = 0
        for (const m of v) {
          const r = member(m)
          if (r < 0) return -1
          if (Math.floor(mask / 2 ** r) % 2 === 0) mask += 2 ** r
        }
        return mask
      }
    }
    case 'map': {
      const key = rankOf(type.key)
      const value = rankOf(type.of)
      const keys = countValues(type.key)
      const base = 1 + countValues(type.of)
      return (v) => {
        if (!Array.isArray(v)) return -1
        // Digit per key: 0 absent, 1 + the value's rank present; the first key slowest.
        const digits = new Map<number, number>()
        for (const pair of v) {
          if (!Array.isArray(pair) || pair.length !== 2) return -1
          const k = key(pair[0])
          const x = value(pair[1])
          if (k < 0 || x < 0 || digits.has(k)) return -1
          digits.set(k, 1 + x)
        }
        let r = 0
        for (let k = 0; k < keys; k++) r = r * base + (digits.get(k) ?? 0)
        return r
      }
    }
    case 'seq': {
      const n = countValues(type.of)
      const element = rankOf(type.of)
      const max = type.maxLength
      return (v) => {
        if (!Array.isArray(v) || v.length > max) return -1
        // The sequences shorter than v come first, then v among those of its length.
        let before = 0
        for (let k = 0; k < v.length; k++) before += n ** k
        let r = 0
        for (const x of v) {
          const e = element(x)
          if (e < 0) return -1
          r = r * n + e
        }
        return before + r
      }
    }
  }
}

/** The rank of a product's tuple, the first part slowest; `parts` splits a value or refuses it. */
function productRank(
  ranks: readonly ((v: unknown) => number)[],
  sizes: readonly number[],
  parts: (v: unknown) => readonly unknown[] | undefined,
): (v: unknown) => number {
  return (v) => {
    const p = parts(v)
    if (p === undefined) return -1
    let r = 0
    for (let i = 0; i < ranks.length; i++) {
      const x = ranks[i]!(p[i])
      if (x < 0) return -1
      r = r * sizes[i]! + x
    }
    return r
  }
}

/** A key without a value, while a map's values are enumerated. */
const ABSENT = Symbol('absent')

/** The tuples of a product, the first list varying slowest. */
export function product(lists: readonly (readonly unknown[])[]): unknown[][] {
  let out: unknown[][] = [[]]
  for (const list of lists) out = out.flatMap((prefix) => list.map((v) => [...prefix, v]))
  return out
}
