/**
 * A value outside its declared type: the error the codec throws (TypeViolation), how it shows the
 * value (`show`) and how it names the type (`describe`).
 */
import type { AnyType } from '../model/types.js'

/** A value outside its declared type. */
export class TypeViolation extends Error {
  constructor(
    readonly path: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${path || 'state'} = ${show(value)} is outside its type: expected ${expected}`)
  }
}

export function show(value: unknown): string {
  if (value === undefined) return 'undefined (missing)'
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  try {
    const text = JSON.stringify(value)
    return text === undefined ? String(value) : text.length > 80 ? text.slice(0, 77) + '...' : text
  } catch {
    return 'an object with a cycle'
  }
}

/** The type in words, as a TypeViolation states what was expected. */
export const describe = (type: AnyType): string => {
  switch (type.kind) {
    case 'bool':
      return 'a boolean'
    case 'int':
      return `an integer in ${type.min}..${type.max}`
    case 'enum':
      return `one of ${type.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'index':
      return `an integer in 0..${type.size - 1} (${type.name})`
    case 'option':
      return `null or ${describe(type.of)}`
    case 'array':
      return `an array of length ${type.length}`
    case 'tuple':
      return `a tuple (an array) of length ${type.items.length}`
    case 'record':
      return `a record with fields ${Object.keys(type.fields).join(', ')}`
    case 'set':
      return `an array of distinct members, each ${describe(type.of)}`
    case 'seq':
      return `a sequence (an array) of at most ${type.maxLength} elements`
    case 'map':
      return `an array of [key, value] pairs with distinct keys, each key ${describe(type.key)}`
  }
}
