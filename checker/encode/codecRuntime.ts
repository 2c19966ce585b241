/**
 * What the codec's generated code calls (encode/codec.ts, encode/successor.ts): the throwers of
 * TypeViolation for a value outside its type (F, X, A, O, DK), and the builders of decoded sets and
 * maps (S, S1, SI, SC, M). None holds state of its own, so every compiled codec shares them.
 */
import type { AnyType } from '../model/types.js'
import { rankOf } from '../model/values.js'
import { member } from './codegen.js'
import { isScalar } from './layout.js'
import { describe, show, TypeViolation } from './TypeViolation.js'

// A value outside its type.
export const F = (path: string, value: unknown, expected: string): never => {
  throw new TypeViolation(path, value, expected)
}
// A record with a field too many or too few: the first such field.
export const X = (path: string, record: Record<string, unknown>, keys: string[]): void => {
  const at = (k: string) => (path === '' ? k : path + member(k))
  const extra = Object.keys(record).find((k) => !keys.includes(k))
  if (extra !== undefined) throw new TypeViolation(at(extra), record[extra], 'no such field')
  const missing = keys.find((k) => !(k in record))
  if (missing !== undefined) throw new TypeViolation(at(missing), undefined, 'a value')
}
// An array with a key besides its positions, or a hole: the first such key.
export const A = (path: string, array: unknown[]): void => {
  const extra = Object.keys(array).find((k) => !/^(0|[1-9][0-9]*)$/.test(k) || Number(k) >= array.length)
  if (extra !== undefined) {
    throw new TypeViolation(`${path}[${extra}]`, array[extra as never], `only positions 0..${array.length - 1}`)
  }
  const hole = array.findIndex((_, i) => !(i in array))
  throw new TypeViolation(`${path}[${hole}]`, undefined, 'a value')
}
// A decoded set: the members of its slots' masks, each slot's from `first` on.
export const S = (members: unknown[], parts: [number, number][]): unknown[] => {
  const out: unknown[] = []
  for (const [first, mask] of parts) {
    for (let m = mask, b = 0; m !== 0; m >>>= 1, b++) if (m & 1) out.push(members[first + b])
  }
  return out
}
// S for a set of one slot.
export const S1 = (members: unknown[], mask: number): unknown[] => {
  const out: unknown[] = []
  for (let m = mask, b = 0; m !== 0; m >>>= 1, b++) if (m & 1) out.push(members[b])
  return out
}
// Writes the members of one set slot into `a` from index n on; returns the new count.
export const SI = (a: unknown[], n: number, members: unknown[], first: number, mask: number): number => {
  for (let m = mask, b = 0; m !== 0; m >>>= 1, b++) if (m & 1) a[n++] = members[first + b]
  return n
}
// A compound set member outside its type: the innermost part of it that is.
export const O = (path: string, value: unknown, type: AnyType): never => {
  switch (type.kind) {
    case 'option':
      if (value !== null && !isScalar(type.of)) O(path, value, type.of)
      break
    case 'array':
    case 'tuple':
      if (Array.isArray(value) && value.length === (type.kind === 'array' ? type.length : type.items.length)) {
        value.forEach((x, i) => rankOf(type.kind === 'array' ? type.of : type.items[i]!)(x) < 0 && O(`${path}[${i}]`, x, type.kind === 'array' ? type.of : type.items[i]!))
      }
      break
    case 'record':
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        X(path, value as Record<string, unknown>, Object.keys(type.fields))
        for (const [k, f] of Object.entries(type.fields)) {
          const x = (value as Record<string, unknown>)[k]
          if (rankOf(f)(x) < 0) O(path + member(k), x, f)
        }
      }
      break
    case 'set':
      if (Array.isArray(value)) for (const x of value) if (rankOf(type.of)(x) < 0) O(`${path}[]`, x, type.of)
      break
    case 'seq':
      if (Array.isArray(value) && value.length <= type.maxLength) value.forEach((x, i) => rankOf(type.of)(x) < 0 && O(`${path}[${i}]`, x, type.of))
      break
    case 'map':
      if (Array.isArray(value)) {
        for (const pair of value) {
          if (!Array.isArray(pair) || pair.length !== 2) F(`${path}[]`, pair, 'a [key, value] pair')
          else if (rankOf(type.key)(pair[0]) < 0) O(`${path} (a key)`, pair[0], type.key)
          else if (rankOf(type.of)(pair[1]) < 0) O(`${path}[${JSON.stringify(pair[0])}]`, pair[1], type.of)
        }
      }
      break
  }
  return F(path, value, describe(type))
}
// A key given twice in a map.
export const DK = (path: string, map: unknown, key: unknown): never => {
  throw new TypeViolation(path, map, `[key, value] pairs with distinct keys (the key ${show(key)} appears twice)`)
}
// A map's pairs by key rank, without the keys it has no pair for.
export const M = (entries: unknown[]): unknown[] => entries.filter((e) => e !== undefined)
// SI for compound members: writes copies.
export const SC = (a: unknown[], n: number, members: unknown[], first: number, mask: number, copy: (v: any) => unknown): number => {
  for (let m = mask, b = 0; m !== 0; m >>>= 1, b++) if (m & 1) a[n++] = copy(members[first + b])
  return n
}
