/**
 * The public types of symmetry reduction: a symmetric index type as a permutation numbers it, a
 * permutation (a group element), the options a canonicaliser is compiled with, and what a compiled
 * canonicaliser offers (encode/symmetry.ts compiles one).
 */
import type { IndexType } from '../model/types.js'

/** One symmetric index type, with where its members sit in a flat permutation. */
export interface SymmetricType {
  readonly type: IndexType
  readonly name: string
  readonly size: number
  /** `perm[offset + i]` is the new index of member i. */
  readonly offset: number
}

/**
 * A group element: for each symmetric type, a permutation of its members, concatenated;
 * `perm[type.offset + i]` is where member i goes.
 */
export type Permutation = Int32Array

export interface SymmetryOptions {
  /** `full` tries every group element; `sorted` only orders consistent with signatures. */
  readonly strategy?: 'auto' | 'full' | 'sorted'
  /** `auto` uses `full` up to this group order (unless every type is plain); default 6. */
  readonly fullLimit?: number
  /** `sorted` tries at most this many orders of tied members per state; default 5040. */
  readonly tieLimit?: number
}

/** A compiled canonicaliser for one state layout. */
export interface Symmetry {
  readonly types: readonly SymmetricType[]
  /** Members over all symmetric types: the length of a Permutation. */
  readonly members: number
  /** The group order, the product of the factorials of the sizes. */
  readonly order: number
  readonly strategy: 'full' | 'sorted'
  readonly words: number
  /** States whose ties exceeded `tieLimit` and got a sound but not canonical representative. */
  readonly inexact: number
  /**
   * Rewrites `words[at..]` to the representative of its orbit. With `permOut`, also writes the
   * group element σ used: representative = σ · state.
   */
  canonicalize(words: Uint32Array, at: number, permOut?: Permutation): void
  /** Writes `perm · src[srcAt..]` to `dst[dstAt..]` (`dst` must not overlap `src`). */
  permute(src: Uint32Array, srcAt: number, perm: Permutation, dst: Uint32Array, dstAt: number): void
  identity(): Permutation
}
