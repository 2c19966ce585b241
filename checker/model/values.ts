/**
 * Every value of a finite type, in a fixed order: what an initial-state predicate is tried on
 * (`init: { where }`), and the members a set over records is a subset of. Values are frozen and
 * shared, so that enumerating a product allocates the values of each part once.
 *
 * The order: scalars in domain order; an option null first; arrays, tuples and records as
 * products, the first position (field) slowest; sets by the bitmask of their members, member i
 * being bit i; sequences by length, then as arrays.
 */
import type { AnyType } from './types.js'
import { domainValues } from './types.js'

/** How many values a type has (Infinity past 2^53, which no enumeration reaches). */
export function countValues(type: AnyType): number {
  switch (type.kind) {
    case 'bool':
    case 'int':
    case 'enum':
    case 'index':
      return type.kind === 'bool' ? 2 : type.kind === 'int' ? type.max - type.min + 1 : type.kind === 'enum' ? type.values.length : type.size
    case 'option':
      return 1 + countValues(type.of)
    case 'array':
      return countValues(type.of) ** type.length
    case 'record':
      return Object.values(type.fields).reduce((n, f) => n * countValues(f), 1)
    case 'set':
      return 2 ** countValues(type.of)
    case 'seq': {
      const n = countValues(type.of)
      let total = 0
      for (let k = 0; k <= type.maxLength && total < Infinity; k++) total += n ** k
      return total
    }
  }
}

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
    case 'seq': {
      const elements = enumerate(type.of)
      return Array.from({ length: type.maxLength + 1 }, (_, k) => product(Array.from({ length: k }, () => elements))).flatMap((vs) =>
        vs.map((v) => Object.freeze(v)),
      )
    }
  }
}

/** The tuples of a product, the first list varying slowest. */
export function product(lists: readonly (readonly unknown[])[]): unknown[][] {
  let out: unknown[][] = [[]]
  for (const list of lists) out = out.flatMap((prefix) => list.map((v) => [...prefix, v]))
  return out
}
