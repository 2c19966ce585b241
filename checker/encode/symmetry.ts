/**
 * Symmetry reduction on packed states: a canonical representative of a state's orbit under the
 * permutations of its symmetric index types (`t.index(n, { symmetric: true })`).
 *
 * Which bits move. A permutation π of a symmetric type T acts on a state in two ways, and both are
 * read off the variable types once per spec:
 * - every slot whose value is a member of T (`t.index` leaves, `t.option(T)` leaves, the members
 *   of a `t.set(T)` bitmask) has its value renamed: v becomes π(v);
 * - every array indexed by T (`t.array(T, ...)`) has its entries moved: entry i goes to π(i),
 *   with everything inside it (records, options, nested arrays, sets); a map's value at key k
 *   moves to the slot of the renamed key (`t.map(T, ...)`, or keys that are records and tuples with
 *   fields of T), as an entry of an array indexed by each of the key's members of T;
 * - a set of records (tuples, options, ...) holding members of T, packed as one bit per value of
 *   its member type, has each member renamed: the bit of value m moves to the bit of π · m, which
 *   puts the set back in domain order (encode/compoundMembers.ts).
 * Everything else stays where it is and is copied with one mask per word. Several symmetric types
 * are permuted independently: the group is the product of their symmetric groups.
 *
 * Why canonicalise instead of comparing against all permutations. TLC (TLCStateMut.fingerPrint)
 * and stateright both reduce by storing one representative per orbit; checking a new state
 * against every permutation of every stored state is what makes symmetry useless beyond a few
 * members (stateright#19: 10! fingerprints per state). Here a representative is computed once per
 * successor, on the packed words, before the visited set is consulted, so the search itself is
 * unchanged and stores one state per orbit.
 *
 * Two ways to find it, both exact (one representative per orbit, whichever member is given):
 * - `full`: the lexicographically least packed encoding over every element of the group. The
 *   group elements are tabulated once and the rewrite is compiled into straight-line code, so a
 *   state costs |G| rewrites and word comparisons (about 80 ns each for a one-word state).
 * - `sorted`: each member gets a signature that no permutation can change: the abstracted content
 *   of its own array entries (a pointer to a member of the same type becomes null, self or other;
 *   to another symmetric type null or set; a set of members its size and whether it holds the
 *   member itself), whether each global pointer or set names it, and how many entries of each
 *   array point to it. Members are sorted by signature; only permutations that respect that order
 *   are tried (all orders within each group of equal signatures) and the least encoding among
 *   them is the representative. Because the signature is invariant, the set of candidates is the
 *   same for every member of an orbit, so the result is canonical. If the ties allow more than
 *   `tieLimit` orders, ties are broken by the current member order instead: still sound (the
 *   result is in the state's orbit), no longer canonical (an orbit may be stored more than once).
 *   Those states are counted in `inexact`.
 *
 * `auto` (the default) picks `sorted` when every symmetric type is "plain" (members differ only
 * by their own entries and by global pointers and sets naming them: equal signatures then mean
 * identical members, so one sort is exact and a state costs one rewrite), else `full` when |G| is
 * at most `fullLimit` (6), else `sorted`. Measured on a process model with pointers between
 * members (an owner and a "last giver" per member), successors canonicalised per second: 3
 * members full 2.3M, sorted 1.9M; 4 members full 1.0M, sorted 1.2M; 5 members full 0.10M,
 * sorted 0.70M (unreduced search: 3.4M, 2.9M, 1.2M generated per second).
 *
 * What the types cannot show (the docs say so, and reduce/reduction.ts checks samples): the model
 * must treat members of T alike. Arithmetic on members (`(p + 1) % N` in a ring), a member named in
 * a constant or a closure, or a T member stored in an `t.int` field breaks symmetry.
 */
import type { AnyType } from '../model/types.js'
import { activeSlots, compoundSets, plainTypes } from './activeSlots.js'
import type { Codec } from './codec.js'
import { compileApply } from './compileApply.js'
import { compileFull } from './compileFull.js'
import { compileSorted } from './compileSorted.js'
import { factorial } from './permutations.js'
import { numbered, stateItems, symmetricTypes } from './stateItems.js'
import type { Permutation, Symmetry, SymmetryOptions } from './symmetryTypes.js'

export { perms } from './permutations.js'
export { symmetricTypes } from './stateItems.js'
export type { Permutation, SymmetricType, Symmetry, SymmetryOptions } from './symmetryTypes.js'

/**
 * Compiles the canonicaliser of a state type, or returns undefined when it has no symmetric index
 * type with two members or more. `codec` must be the codec of the same `vars`: its slot positions
 * are checked against the ones computed here.
 */
export function compileSymmetry(
  vars: Readonly<Record<string, AnyType>>,
  codec: Codec,
  options: SymmetryOptions = {},
): Symmetry | undefined {
  const found = symmetricTypes(vars).filter((t) => t.size >= 2)
  if (found.length === 0) return undefined
  const types = numbered(found)
  const members = types.reduce((n, t) => n + t.size, 0)
  const W = codec.words
  const slots = activeSlots(stateItems(vars, codec, found), types, W)
  const compound = compoundSets(slots.active, types)
  const apply = compileApply(slots, compound, types, W)
  const permute: Symmetry['permute'] = (src, srcAt, perm, dst, dstAt) => apply(src, srcAt, perm, dst, dstAt)
  const identity = (): Permutation => Int32Array.from({ length: members }, (_, i) => i)
  const order = types.reduce((x, t) => x * factorial(t.size), 1)
  const fullLimit = options.fullLimit ?? 6
  const plain = plainTypes(types, slots.active, compound)
  const strategy =
    options.strategy === 'full' || options.strategy === 'sorted'
      ? options.strategy
      : plain.every((x) => x) || order > fullLimit
        ? 'sorted'
        : 'full'
  if (strategy === 'full' && order > 40320) {
    throw new Error(`symmetry: the full strategy enumerates the group, and ${order} elements are too many`)
  }
  const stats = { inexact: 0 }
  const canonicalize =
    strategy === 'full' ? compileFull(types, W, apply) : compileSorted(slots, compound, types, plain, W, apply, options.tieLimit ?? 5040, stats)
  return {
    types,
    members,
    order,
    strategy,
    words: W,
    get inexact() {
      return stats.inexact
    },
    canonicalize,
    permute,
    identity,
  }
}
