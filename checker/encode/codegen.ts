/**
 * Pieces shared by the codec's code generators (encode/codec.ts, encode/scratchState.ts,
 * encode/successor.ts): how a field is accessed in generated code, and the value that encodes as
 * all zeros.
 */
import type { AnyType } from '../model/types.js'

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
      return []
  }
}
