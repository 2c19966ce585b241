/**
 * Mutable copies of a type's values: what a decoded state gets in place of the shared, frozen
 * members of a set's or a map's domain, its own to change (encode/emitSet.ts, encode/emitMap.ts).
 */
import type { AnyType } from '../model/types.js'
import { member } from './codegen.js'
import { isScalar } from './layout.js'

/** The maker of mutable copies of a type's values (a record's as one object literal). */
export function copierOf(type: AnyType): (v: any) => unknown {
  switch (type.kind) {
    case 'bool':
    case 'int':
    case 'enum':
    case 'index':
      return (v) => v
    case 'option': {
      const inner = copierOf(type.of)
      return (v) => (v === null ? null : inner(v))
    }
    case 'array':
    case 'seq':
    case 'set': {
      const item = copierOf(type.of)
      return isScalar(type.of) ? (v: unknown[]) => v.slice() : (v: unknown[]) => v.map(item)
    }
    case 'map': {
      const key = copierOf(type.key)
      const value = copierOf(type.of)
      return (v: [unknown, unknown][]) => v.map(([k, x]) => [key(k), value(x)])
    }
    case 'tuple': {
      const items = type.items.map(copierOf)
      return (v: unknown[]) => v.map((x, i) => items[i]!(x))
    }
    case 'record': {
      const keys = Object.keys(type.fields)
      const fields = keys.map((k) => (isScalar(type.fields[k]!) ? `v${member(k)}` : `C[${keys.indexOf(k)}](v${member(k)})`))
      return new Function('C', `return function copy(v) { return { ${keys.map((k, i) => `${JSON.stringify(k)}: ${fields[i]}`).join(', ')} } }`)(
        keys.map((k) => copierOf(type.fields[k]!)),
      )
    }
  }
}
