/**
 * The bit layout of a spec's state: every scalar ("leaf") gets a fixed word and bit offset,
 * computed once from the variable types. A leaf never straddles two 32-bit words, so reading one
 * is a shift and a mask.
 */
import type { AnyType, EnumType, IndexType, IntType, BoolType } from '../model/types.js'

/** One scalar slot of the packed state. */
export interface Leaf {
  /** Access path from the state root, as JavaScript (`.mrs[1].state`). */
  readonly path: string
  readonly word: number
  readonly shift: number
  readonly width: number
  readonly type: BoolType | IntType | EnumType | IndexType
  /** An option of a scalar: code 0 is null, code c > 0 is the scalar with code c - 1. */
  readonly nullable: boolean
}

/** A subset of a small domain packed as a bitmask, member i bit i; large domains span several leaves. */
export interface SetLeaf {
  readonly path: string
  readonly word: number
  readonly shift: number
  readonly width: number
  /** The members' type (a scalar, or a compound type whose values are ranked: model/values.ts). */
  readonly type: AnyType
  /** The first domain member (by position) this slot holds. */
  readonly first: number
}

export interface Layout {
  readonly words: number
  readonly bits: number
}

export function scalarSize(type: BoolType | IntType | EnumType | IndexType): number {
  switch (type.kind) {
    case 'bool':
      return 2
    case 'int':
      return type.max - type.min + 1
    case 'enum':
      return type.values.length
    case 'index':
      return type.size
  }
}

export const bitsFor = (values: number): number => (values <= 1 ? 0 : Math.ceil(Math.log2(values)))

/** Allocates bit slots one after another, never across a word boundary. */
export class BitAllocator {
  private word = 0
  private bit = 0
  alloc(width: number): { word: number; shift: number } {
    if (width > 32) throw new RangeError(`a slot of ${width} bits does not fit a 32-bit word`)
    if (this.bit + width > 32) {
      this.word++
      this.bit = 0
    }
    const at = { word: this.word, shift: this.bit }
    this.bit += width
    return at
  }
  get words(): number {
    return this.bit === 0 ? Math.max(this.word, 1) : this.word + 1
  }
  get bits(): number {
    return this.word * 32 + this.bit
  }
}

export const isScalar = (type: AnyType): type is BoolType | IntType | EnumType | IndexType =>
  type.kind === 'bool' || type.kind === 'int' || type.kind === 'enum' || type.kind === 'index'
