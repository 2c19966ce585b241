/**
 * Pieces shared by the codec's code generators (encode/codec.ts, encode/scratchState.ts,
 * encode/successor.ts): how a field is accessed in generated code, and the value that encodes as
 * all zeros.
 */
import { MAX_DOMAIN, type AnyType, type MapType } from '../model/types.js'
import { valuesOf } from '../model/values.js'

const isIdentifier = (k: string) => /^[A-Za-z_$][\w$]*$/.test(k)

/** The code that reads field `k` of a record: `.k`, or `["k"]` when `k` is not an identifier. */
export const member = (k: string): string => (isIdentifier(k) ? `.${k}` : `[${JSON.stringify(k)}]`)

/** The value whose every slot encodes as zero. */
export function zeroValue(type: AnyType): unknown {
  switch (type.kind) {
    case 'bool':
      return false
    case 'int':
      return type.min
    case 'enum':
      return type.values[0]
    case 'index':
      return 0
    case 'option':
      return null
    case 'array':
      return Array.from({ length: type.length }, () => zeroValue(type.of))
    case 'tuple':
      return type.items.map(zeroValue)
    case 'record':
      return Object.fromEntries(Object.entries(type.fields).map(([k, f]) => [k, zeroValue(f)]))
    case 'set':
    case 'seq':
    case 'map':
      return []
  }
}

/**
 * The keys of a map type in domain order, with the access path of each key's value (`m["a"]`,
 * `m[{"rm":0}]`, as TLA+ writes `m[k]`) and the container path of its `[key, value]` pair.
 */
export function mapSlots(type: MapType, path: string): { readonly key: unknown; readonly value: string; readonly pair: string }[] {
  return valuesOf(type.key, MAX_DOMAIN).map((key, r) => ({ key, value: `${path}[${JSON.stringify(key)}]`, pair: `${path}{${r}}` }))
}
