/**
 * What the codec's generator (encode/codec.ts) hands to the code of a set or a map
 * (encode/emitSet.ts, encode/emitMap.ts): the code buffers being written, the slot allocator and
 * the counters they share, and the code of a scalar slot.
 */
import type { AnyType } from '../model/types.js'
import type { BitAllocator, Leaf, SetLeaf } from './layout.js'
import { describe } from './TypeViolation.js'

export type ScalarType = AnyType & { kind: 'bool' | 'int' | 'enum' | 'index' }

/** The generator's state, shared by every slot it emits (encode/codec.ts says what each part holds). */
export interface CodecEmitter {
  readonly alloc: BitAllocator
  readonly leaves: Leaf[]
  readonly setLeaves: SetLeaf[]
  readonly mapPaths: string[]
  readonly arrays: [number, string, number][]
  readonly enc: string[]
  readonly patches: string[]
  readonly into: string[]
  readonly decodeTemps: string[]
  /** The number of the next temporary (names `c3`, `a4`, ...). */
  readonly next: () => number
  readonly constRef: (v: unknown) => string
  readonly containerOf: (path: string) => number
  readonly addToWord: (word: number, expr: string) => void
  readonly scalarCode: (type: ScalarType, v: string, fail: string) => string
  readonly scalarValue: (type: ScalarType, c: string) => string
  readonly walk: (type: AnyType, v: string, path: string, t: string) => string
}

/** Code reading the slot (word, shift, width) of the words `w` at offset `o`. */
export const read = (word: number, shift: number, width: number) =>
  width === 32 ? `w[o + ${word}]` : width === 0 ? '0' : `((w[o + ${word}] >>> ${shift}) & ${2 ** width - 1})`
/** Code throwing a TypeViolation for `v` at `path`. */
export const failCall = (path: string, v: string, type: AnyType) =>
  `F(${JSON.stringify(path)}, ${v}, ${JSON.stringify(describe(type))})`
// Patching: "store code c into the slot (word, shift, width)" of the words being patched.
export const patch = (word: number, shift: number, width: number, c: string) =>
  width === 0
    ? ''
    : width === 32
      ? `x${word} = ${c};`
      : `x${word} = (x${word} & ${~((2 ** width - 1) << shift) | 0}) | (${c} << ${shift});`
