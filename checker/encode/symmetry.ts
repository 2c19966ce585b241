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
import { countValues, MAX_DOMAIN, type AnyType, type IndexType } from '../model/types.js'
import { valuesOf } from '../model/values.js'
import type { Codec } from './codec.js'
import { compoundMembers, type CompoundMembers } from './compoundMembers.js'
import { BitAllocator, bitsFor, isScalar, scalarSize } from './layout.js'

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

/** Permutation helpers on the flat representation. */
export const perms = {
  inverse(p: Permutation): Permutation {
    const q = new Int32Array(p.length)
    // Each type's block maps onto itself, so a flat inverse inverts every block.
    for (let i = 0; i < p.length; i++) q[p[i]!] = i
    return q
  },
  /** `(a ∘ b)(i) = a(b(i))`: first b, then a. */
  compose(a: Permutation, b: Permutation): Permutation {
    const q = new Int32Array(a.length)
    for (let i = 0; i < a.length; i++) q[i] = a[b[i]!]!
    return q
  },
  isIdentity(p: Permutation, types: readonly SymmetricType[]): boolean {
    for (const t of types) for (let i = 0; i < t.size; i++) if (p[t.offset + i] !== t.offset + i) return false
    return true
  },
}

/** Kinds of moving or renamed slots. */
const PLAIN = 0
const INDEX = 1
const NULLABLE = 2
const SET = 3
/** A set of compound values holding symmetric members (one bit per value of the member type). */
const CSET = 4

interface Item {
  readonly kind: number
  readonly word: number
  readonly shift: number
  readonly width: number
  /** The symmetric type of the value (INDEX, NULLABLE, SET), else -1. */
  readonly sym: number
  /** For SET: the pieces of the bitmask (32 members a piece). */
  readonly pieces: readonly { readonly word: number; readonly shift: number; readonly width: number; readonly first: number }[]
  /** The item with symmetric array positions wildcarded. */
  readonly template: string
  /** Positions in enclosing arrays indexed by symmetric types, outermost first. */
  readonly coords: readonly { readonly sym: number; readonly i: number }[]
  /**
   * The presence bit of the nearest enclosing option of a compound value, or null. A null option
   * encodes its inside as zeros, so a member slot inside it is renamed only when the bit is set:
   * renaming the stand-in zero would give words that no state encodes to.
   */
  readonly guard: { readonly word: number; readonly shift: number } | null
  /** For CSET: the member type. */
  readonly of?: AnyType
}

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1))

/** Every permutation of 0..n-1, in lexicographic order (identity first). */
function permutationsOf(n: number): Int32Array[] {
  const out: Int32Array[] = []
  const cur = new Int32Array(n)
  const used = new Uint8Array(n)
  const rec = (k: number) => {
    if (k === n) {
      out.push(cur.slice())
      return
    }
    for (let v = 0; v < n; v++) {
      if (used[v]) continue
      used[v] = 1
      cur[k] = v
      rec(k + 1)
      used[v] = 0
    }
  }
  rec(0)
  return out
}
const permutationCache = new Map<number, Int32Array[]>()
const permutationsOfCached = (n: number): Int32Array[] => {
  let list = permutationCache.get(n)
  if (list === undefined) permutationCache.set(n, (list = permutationsOf(n)))
  return list
}

/** The symmetric index types that occur in a state type, in first-occurrence order. */
export function symmetricTypes(vars: Readonly<Record<string, AnyType>>): IndexType[] {
  const found: IndexType[] = []
  const visit = (type: AnyType): void => {
    switch (type.kind) {
      case 'index':
        if (type.symmetric && !found.includes(type)) found.push(type)
        return
      case 'option':
        return visit(type.of)
      case 'array':
        if (type.index !== undefined) visit(type.index)
        return visit(type.of)
      case 'record':
        for (const f of Object.values(type.fields)) visit(f)
        return
      case 'tuple':
        for (const f of type.items) visit(f)
        return
      case 'set':
      case 'seq':
        return visit(type.of)
      case 'map':
        visit(type.key)
        return visit(type.of)
      default:
        return
    }
  }
  for (const v of Object.values(vars)) visit(v)
  return found
}

/**
 * Where the slot of map key `key` (of type `type`) sits for symmetry: its members of symmetric
 * types as coordinates (as positions in arrays indexed by them), the rest as a template. Keys that
 * hold symmetric members other than as scalars, records and tuples of them are refused.
 */
function keyPlace(type: AnyType, key: unknown, found: readonly IndexType[], where: string): { template: string; coords: { sym: number; i: number }[] } {
  const coords: { sym: number; i: number }[] = []
  const walk = (t: AnyType, v: any): string => {
    if (t.kind === 'index' && found.includes(t)) {
      coords.push({ sym: found.indexOf(t), i: v as number })
      return '*'
    }
    if (t.kind === 'record') return `{${Object.keys(t.fields).map((k) => walk(t.fields[k]!, v[k])).join(',')}}`
    if (t.kind === 'tuple') return `[${t.items.map((item, i) => walk(item, v[i])).join(',')}]`
    const sym = symmetricTypes({ of: t }).find((x) => found.includes(x))
    if (sym !== undefined) {
      throw new Error(
        `its state has a map (${where}) whose keys hold members of the symmetric index type "${sym.name}" inside a ${t.kind}, ` +
          'which symmetry reduction does not rename (keys of such members, and records and tuples of them, it does); run without symmetry, or make that index type not symmetric',
      )
    }
    return JSON.stringify(v)
  }
  return { template: walk(type, key), coords }
}

type Apply = (src: Uint32Array, sa: number, perm: Permutation, dst: Uint32Array, da: number) => void

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

/**
 * The symmetric types, numbered: member i of the k-th is member `offset + i` of a Permutation.
 * Two different types of one name are refused.
 */
function numbered(found: readonly IndexType[]): SymmetricType[] {
  const byName = new Map<string, IndexType>()
  for (const t of found) {
    const other = byName.get(t.name)
    if (other !== undefined) {
      throw new Error(
        `two different symmetric index types are both named "${t.name}"; build the type once ` +
          `(const ${t.name} = t.index(n, { name: '${t.name}', symmetric: true })) and use it everywhere, ` +
          `or give them different names if they really are independent`,
      )
    }
    byName.set(t.name, t)
  }
  let offset = 0
  return found.map((type) => {
    const s = { type, name: type.name, size: type.size, offset }
    offset += type.size
    return s
  })
}

/** Every slot of the state type as an Item, in the codec's allocation order, checked against the codec's layout. */
function stateItems(vars: Readonly<Record<string, AnyType>>, codec: Codec, found: readonly IndexType[]): Item[] {
  const symOf = (t: AnyType): number => (t.kind === 'index' ? found.indexOf(t) : -1)

  // Walk the state type in the codec's allocation order (codec.ts `walk`).
  const alloc = new BitAllocator()
  const items: Item[] = []
  const leaves: { word: number; shift: number; width: number }[] = []
  const setLeaves: { word: number; shift: number; width: number }[] = []
  type Coords = Item['coords']
  type Guard = Item['guard']
  const walk = (type: AnyType, template: string, coords: Coords, guard: Guard): void => {
    if (isScalar(type)) {
      const width = bitsFor(scalarSize(type))
      const { word, shift } = alloc.alloc(width)
      leaves.push({ word, shift, width })
      const sym = symOf(type)
      if (width > 0) items.push({ kind: sym >= 0 ? INDEX : PLAIN, word, shift, width, sym, pieces: [], template, coords, guard })
      return
    }
    switch (type.kind) {
      case 'option': {
        if (isScalar(type.of)) {
          const width = bitsFor(scalarSize(type.of) + 1)
          const { word, shift } = alloc.alloc(width)
          leaves.push({ word, shift, width })
          const sym = symOf(type.of)
          items.push({ kind: sym >= 0 ? NULLABLE : PLAIN, word, shift, width, sym, pieces: [], template, coords, guard })
          return
        }
        const { word, shift } = alloc.alloc(1)
        items.push({ kind: PLAIN, word, shift, width: 1, sym: -1, pieces: [], template: template + '?', coords, guard })
        return walk(type.of, template + '!', coords, { word, shift })
      }
      case 'array': {
        const sym = type.index === undefined ? -1 : symOf(type.index)
        for (let i = 0; i < type.length; i++) {
          if (sym >= 0) walk(type.of, `${template}[*]`, [...coords, { sym, i }], guard)
          else walk(type.of, `${template}[${i}]`, coords, guard)
        }
        return
      }
      case 'record':
        for (const k of Object.keys(type.fields)) walk(type.fields[k]!, `${template}.${JSON.stringify(k)}`, coords, guard)
        return
      case 'tuple':
        type.items.forEach((item, i) => walk(item, `${template}[${i}]`, coords, guard))
        return
      case 'seq': {
        // Positions past the length hold zeros, which a permutation would rename: not supported.
        const sym = symmetricTypes({ of: type.of }).find((x) => found.includes(x))
        if (sym !== undefined) {
          throw new Error(
            `its state has a sequence (${template.replaceAll('"', '')}) of values of the symmetric index type "${sym.name}", ` +
              'which symmetry reduction does not rename yet; run without symmetry, or make that index type not symmetric',
          )
        }
        const width = bitsFor(type.maxLength + 1)
        const { word, shift } = alloc.alloc(width)
        leaves.push({ word, shift, width })
        if (width > 0) items.push({ kind: PLAIN, word, shift, width, sym: -1, pieces: [], template: `${template}#length`, coords, guard })
        for (let i = 0; i < type.maxLength; i++) walk(type.of, `${template}[${i}]`, coords, guard)
        return
      }
      case 'set': {
        const size = isScalar(type.of) ? scalarSize(type.of) : countValues(type.of)
        const sym = symOf(type.of)
        // A set of records (tuples, ...) holding symmetric values: its members are renamed by rank.
        const compound = !isScalar(type.of) && symmetricTypes({ of: type.of }).some((x) => found.includes(x))
        const pieces: Item['pieces'][number][] = []
        for (let first = 0; first < size; first += 32) {
          const width = Math.min(32, size - first)
          const { word, shift } = alloc.alloc(width)
          setLeaves.push({ word, shift, width })
          pieces.push({ word, shift, width, first })
          if (sym < 0 && !compound) items.push({ kind: PLAIN, word, shift, width, sym, pieces: [], template: `${template}#${first}`, coords, guard })
        }
        const p0 = pieces[0]!
        if (sym >= 0) items.push({ kind: SET, word: p0.word, shift: p0.shift, width: p0.width, sym, pieces, template, coords, guard })
        else if (compound) items.push({ kind: CSET, word: p0.word, shift: p0.shift, width: p0.width, sym, pieces, template, coords, guard, of: type.of })
        return
      }
      case 'map': {
        // Packed as a `t.option(of)` per key (codec.ts); the slot of a key naming symmetric members
        // moves with them.
        const value: AnyType = { kind: 'option', of: type.of }
        for (const key of valuesOf(type.key, MAX_DOMAIN)) {
          const place = keyPlace(type.key, key, found, template.replaceAll('"', ''))
          walk(value, `${template}{${place.template}}`, [...coords, ...place.coords], guard)
        }
        return
      }
    }
  }
  for (const k of Object.keys(vars)) walk(vars[k]!, JSON.stringify(k), [], null)
  const same = (a: readonly { word: number; shift: number; width: number }[], b: readonly { word: number; shift: number; width: number }[]) =>
    a.length === b.length && a.every((x, i) => x.word === b[i]!.word && x.shift === b[i]!.shift && x.width === b[i]!.width)
  if (alloc.words !== codec.words || !same(leaves, codec.leaves) || !same(setLeaves, codec.setLeaves)) {
    throw new Error('symmetry: the slot layout computed here differs from the codec\'s (encode/codec.ts changed?)')
  }
  return items
}

/** The active items (the ones that move or are renamed), as flat arrays by item, and where each goes under a permutation. */
interface ActiveSlots {
  readonly active: readonly Item[]
  readonly A: number
  /** Per word: the bits no active item holds, copied as they are. */
  readonly fixedMask: Uint32Array
  readonly kind: Int32Array
  readonly word: Int32Array
  readonly shift: Int32Array
  readonly mask: Int32Array
  readonly symOffset: Int32Array
  readonly guardWord: Int32Array
  readonly guardShift: Int32Array
  readonly slotOf: Int32Array
  readonly base: Int32Array
  readonly coordStart: Int32Array
  readonly cMember: Int32Array
  readonly cStride: Int32Array
  readonly setPieces: readonly Item['pieces'][]
  readonly singlePiece: Uint8Array
}

function activeSlots(items: readonly Item[], types: readonly SymmetricType[], W: number): ActiveSlots {
  // Active items: the ones that move (inside a symmetric array) or are renamed (hold members).
  const active = items.filter((it) => it.coords.length > 0 || it.sym >= 0 || it.kind === CSET)
  const A = active.length
  const fixedMask = new Uint32Array(W).fill(0xffffffff)
  for (const it of active) {
    for (const p of it.kind === SET || it.kind === CSET ? it.pieces : [it]) {
      const m = p.width === 32 ? 0xffffffff : ((2 ** p.width - 1) << p.shift) >>> 0
      fixedMask[p.word] = (fixedMask[p.word]! & ~m) >>> 0
    }
  }
  const kind = Int32Array.from(active, (it) => it.kind)
  const word = Int32Array.from(active, (it) => it.word)
  const shift = Int32Array.from(active, (it) => it.shift)
  const mask = Int32Array.from(active, (it) => (it.width === 32 ? -1 : (1 << it.width) - 1))
  const symOffset = Int32Array.from(active, (it) => (it.sym >= 0 ? types[it.sym]!.offset : 0))
  // Only INDEX items need their guard: zeros stay zeros for every other kind.
  const guardWord = Int32Array.from(active, (it) => (it.kind === INDEX && it.guard !== null ? it.guard.word : -1))
  const guardShift = Int32Array.from(active, (it) => (it.guard === null ? 0 : it.guard.shift))

  // Destination of item j under a permutation: the item with the same template at the permuted
  // coordinates. slotOf[base[j] + Σ perm[coordMember] * stride] is that item.
  const slotIndex = new Map<string, number>()
  active.forEach((it, j) => slotIndex.set(`${it.template}@${it.coords.map((c) => c.i).join(',')}`, j))
  const templateBase = new Map<string, number>()
  const slotOfList: number[] = []
  const base = new Int32Array(A)
  const coordStart = new Int32Array(A + 1)
  const coordMember: number[] = []
  const coordStride: number[] = []
  active.forEach((it, j) => {
    const sizes = it.coords.map((c) => types[c.sym]!.size)
    let b = templateBase.get(it.template)
    if (b === undefined) {
      b = slotOfList.length
      templateBase.set(it.template, b)
      const total = sizes.reduce((x, y) => x * y, 1)
      const idx = new Array<number>(sizes.length).fill(0)
      for (let n = 0; n < total; n++) {
        let r = n
        for (let d = sizes.length - 1; d >= 0; d--) {
          idx[d] = r % sizes[d]!
          r = Math.floor(r / sizes[d]!)
        }
        slotOfList.push(slotIndex.get(`${it.template}@${idx.join(',')}`) ?? -1)
      }
    }
    base[j] = b
    coordStart[j] = coordMember.length
    let stride = 1
    const strides = sizes.map(() => 0)
    for (let d = sizes.length - 1; d >= 0; d--) {
      strides[d] = stride
      stride *= sizes[d]!
    }
    it.coords.forEach((c, d) => {
      coordMember.push(types[c.sym]!.offset + c.i)
      coordStride.push(strides[d]!)
    })
    coordStart[j + 1] = coordMember.length
  })
  const slotOf = Int32Array.from(slotOfList)
  const cMember = Int32Array.from(coordMember)
  const cStride = Int32Array.from(coordStride)
  const setPieces = active.map((it) => it.pieces)
  const singlePiece = Uint8Array.from(active, (it) => (it.kind === SET && it.pieces.length === 1 ? 1 : 0))
  return { active, A, fixedMask, kind, word, shift, mask, symOffset, guardWord, guardShift, slotOf, base, coordStart, cMember, cStride, setPieces, singlePiece }
}

/** Per active item, for a CSET: its member type's analysis (shared by the items of one type). */
function compoundSets(active: readonly Item[], types: readonly SymmetricType[]): (CompoundMembers | undefined)[] {
  const byType = new Map<AnyType, CompoundMembers>()
  return active.map((it) => {
    if (it.kind !== CSET) return undefined
    let c = byType.get(it.of!)
    if (c === undefined) byType.set(it.of!, (c = compoundMembers(it.of!, types)))
    return c
  })
}

/** `apply(src, sa, perm, dst, da)`: writes perm · src[sa..] to dst[da..]. */
function compileApply(slots: ActiveSlots, compound: readonly (CompoundMembers | undefined)[], types: readonly SymmetricType[], W: number): Apply {
  const { A, fixedMask, kind, word, shift, mask, symOffset, guardWord, guardShift, slotOf, base, coordStart, cMember, cStride, setPieces, singlePiece } = slots
  /** Multi-piece sets (more than 32 members): member m of item j goes to member perm(m) of item d. */
  const moveWideSet = (src: Uint32Array, srcAt: number, j: number, d: number, perm: Permutation, dst: Uint32Array, dstAt: number) => {
    const off = symOffset[j]!
    const to = setPieces[d]!
    for (const p of setPieces[j]!) {
      let m = (src[srcAt + p.word]! >>> p.shift) & (p.width === 32 ? -1 : (1 << p.width) - 1)
      for (let b = 0; m !== 0; m >>>= 1, b++) {
        if ((m & 1) === 0) continue
        const nm = perm[off + p.first + b]! - off
        const q = to[nm >>> 5]!
        dst[dstAt + q.word] = dst[dstAt + q.word]! | (1 << (q.shift + nm - q.first))
      }
    }
  }

  /** A set of compound members: member r of item j goes to member rename(r) of item d. */
  const moveCompoundSet = (src: Uint32Array, srcAt: number, j: number, d: number, perm: Permutation, dst: Uint32Array, dstAt: number) => {
    const rename = compound[j]!.rename
    const to = setPieces[d]!
    for (const p of setPieces[j]!) {
      let m = (src[srcAt + p.word]! >>> p.shift) & (p.width === 32 ? -1 : (1 << p.width) - 1)
      for (let b = 0; m !== 0; m >>>= 1, b++) {
        if ((m & 1) === 0) continue
        const nm = rename(p.first + b, perm)
        const q = to[nm >>> 5]!
        dst[dstAt + q.word] = dst[dstAt + q.word]! | (1 << (q.shift + nm - q.first))
      }
    }
  }

  // `apply(src, sa, perm, dst, da)` writes perm · src, compiled into straight-line code like the
  // codec: one block per active item, with its word, shift, mask and renaming inlined. Where an
  // item goes depends on the permutation: DW/DS/DI give the word, shift and item of the slot at
  // base + Σ perm[member] * stride.
  const DW = Int32Array.from(slotOf, (d) => (d < 0 ? 0 : word[d]!))
  const DS = Int32Array.from(slotOf, (d) => (d < 0 ? 0 : shift[d]!))
  const code: string[] = ['let v = 0, m = 0, o = 0, x = 0;']
  for (let w = 0; w < W; w++) code.push(`dst[da + ${w}] = src[sa + ${w}] & ${fixedMask[w]! | 0};`)
  for (let j = 0; j < A; j++) {
    const moving = coordStart[j + 1]! > coordStart[j]!
    // perm holds global member numbers (type offset + index): take the offsets off in the constant.
    let constant = base[j]!
    const terms: string[] = []
    for (let c = coordStart[j]!; c < coordStart[j + 1]!; c++) {
      const off = types.find((t) => cMember[c]! >= t.offset && cMember[c]! < t.offset + t.size)!.offset
      constant -= off * cStride[c]!
      terms.push(`perm[${cMember[c]!}] * ${cStride[c]!}`)
    }
    terms.unshift(String(constant))
    const at = moving ? `x = ${terms.join(' + ')}; ` : ''
    const dw = moving ? 'DW[x]' : String(word[j]!)
    const ds = moving ? 'DS[x]' : String(shift[j]!)
    const read = `(src[sa + ${word[j]!}] >>> ${shift[j]!}) & ${mask[j]!}`
    const off = symOffset[j]!
    switch (kind[j]) {
      case PLAIN:
        code.push(`${at}dst[da + ${dw}] |= (${read}) << ${ds};`)
        break
      case INDEX: {
        const rename =
          guardWord[j]! < 0 ? `v = perm[${off} + v] - ${off};` : `if (((src[sa + ${guardWord[j]!}] >>> ${guardShift[j]!}) & 1) === 1) v = perm[${off} + v] - ${off};`
        code.push(`v = ${read}; ${rename} ${at}dst[da + ${dw}] |= v << ${ds};`)
        break
      }
      case NULLABLE:
        code.push(`v = ${read}; if (v !== 0) v = perm[${off} + v - 1] - ${off - 1}; ${at}dst[da + ${dw}] |= v << ${ds};`)
        break
      case SET:
        if (singlePiece[j] === 1) {
          code.push(
            `m = ${read}; o = 0; for (let b = ${off}; m !== 0; m >>>= 1, b++) if ((m & 1) !== 0) o |= 1 << (perm[b] - ${off}); ${at}dst[da + ${dw}] |= o << ${ds};`,
          )
        } else {
          code.push(`${moving ? `x = ${terms.join(' + ')}; ` : ''}H(src, sa, ${j}, ${moving ? 'DI[x]' : j}, perm, dst, da);`)
        }
        break
      case CSET:
        code.push(`${moving ? `x = ${terms.join(' + ')}; ` : ''}C(src, sa, ${j}, ${moving ? 'DI[x]' : j}, perm, dst, da);`)
        break
    }
  }
  const apply = new Function('DW', 'DS', 'DI', 'H', 'C', `return function apply(src, sa, perm, dst, da) {\n${code.join('\n')}\n}`)(
    DW,
    DS,
    slotOf,
    moveWideSet,
    moveCompoundSet,
  ) as Apply
  return apply
}

/**
 * A type is "plain" when its members are told apart only by their own entries (no pointer or
 * set of members inside any array entry, no nested symmetric array) and by global pointers and
 * sets, sliced sets of compound members among them (encode/compoundMembers.ts). Then members with
 * equal signatures are identical and swapping them changes nothing, so sorting alone is exact and
 * costs one rewrite per state.
 */
function plainTypes(types: readonly SymmetricType[], active: readonly Item[], compound: readonly (CompoundMembers | undefined)[]): boolean[] {
  return types.map(
    (_, k) =>
      !active.some((it, j) => {
        const c = compound[j]
        if (c !== undefined) return (c.named.includes(k) && (c.slice === undefined || it.coords.length > 0)) || it.coords.some((x) => x.sym === k)
        return (
          (it.coords.length > 0 && it.sym === k) ||
          (it.coords.length > 1 && it.coords.some((c) => c.sym === k)) ||
          (it.coords.some((c) => c.sym === k) && it.sym >= 0)
        )
      }),
  )
}

/** Whether the W words at `a[aAt..]` come before those at `b[bAt..]`. */
const lessThanFor =
  (W: number) =>
  (a: Uint32Array, aAt: number, b: Uint32Array, bAt: number): boolean => {
    for (let w = 0; w < W; w++) {
      const x = a[aAt + w]!
      const y = b[bAt + w]!
      if (x !== y) return x < y
    }
    return false
  }

/** The `full` strategy: the least of the state's images under every group element. */
function compileFull(types: readonly SymmetricType[], W: number, apply: Apply): Symmetry['canonicalize'] {
  const lessThan = lessThanFor(W)
  const best = new Uint32Array(W)
  const cand = new Uint32Array(W)
  // Every group element, identity first.
  let group: Int32Array[] = [new Int32Array(0)]
  for (const t of types) {
    const local = permutationsOf(t.size)
    const next: Int32Array[] = []
    for (const g of group) {
      for (const p of local) {
        const q = new Int32Array(g.length + t.size)
        q.set(g)
        for (let i = 0; i < t.size; i++) q[g.length + i] = t.offset + p[i]!
        next.push(q)
      }
    }
    group = next
  }
  const G = group.length
  return (words, at, permOut) => {
    let bestIndex = 0
    for (let w = 0; w < W; w++) best[w] = words[at + w]!
    for (let n = 1; n < G; n++) {
      apply(words, at, group[n]!, cand, 0)
      if (lessThan(cand, 0, best, 0)) {
        best.set(cand)
        bestIndex = n
      }
    }
    for (let w = 0; w < W; w++) words[at + w] = best[w]!
    if (permOut !== undefined) permOut.set(group[bestIndex]!)
  }
}

/**
 * Where the `sorted` strategy keeps each member's signature. Signature components per type: [A]
 * own entries of depth-1 arrays of the type, [B] global pointers and sets naming a member, [C]
 * in-degree counts from depth-1 array entries, [D] what sets of compound members say of a member:
 * its slice of a sliced global one (30 rests a component), else per template the count of set
 * members naming it there.
 */
interface SignatureLayout {
  readonly sigLength: number[]
  readonly sigBase: number[]
  readonly sig: Int32Array
  readonly ownAt: Int32Array
  readonly selfMember: Int32Array
  readonly refBase: Int32Array
  readonly refStride: Int32Array
  readonly refMode: Int32Array
  readonly compound: readonly CompoundSignature[]
}

/** [D] of one CSET item: member v's slice starts at `sliceAt + v * sliceStride` (-1: not sliced), its count at template t at `at[t] + v * stride[t]`. */
interface CompoundSignature {
  readonly j: number
  readonly members: CompoundMembers
  readonly sliceAt: number
  readonly sliceStride: number
  readonly at: Int32Array
  readonly stride: Int32Array
}

/** Bits of a slice kept in one signature component. */
const SLICE_BITS = 30

function signatureLayout(slots: ActiveSlots, compound: readonly (CompoundMembers | undefined)[], types: readonly SymmetricType[]): SignatureLayout {
  const { active, A } = slots
  // Signature components per type: [A] own entries of depth-1 arrays of the type, [B] global
  // pointers and sets naming a member, [C] in-degree counts from depth-1 array entries.
  const sigLength = types.map(() => 0)
  const compOwn = new Int32Array(A).fill(-1)
  const compGlobal = new Int32Array(A).fill(-1)
  const compIn = new Int32Array(A).fill(-1)
  const ownTemplate = types.map(() => new Map<string, number>())
  const inTemplate = types.map(() => new Map<string, number>())
  active.forEach((it, j) => {
    if (it.coords.length === 1) {
      const k = it.coords[0]!.sym
      let c = ownTemplate[k]!.get(it.template)
      if (c === undefined) ownTemplate[k]!.set(it.template, (c = sigLength[k]!++))
      compOwn[j] = c
      if (it.sym >= 0) {
        let d = inTemplate[it.sym]!.get(it.template)
        if (d === undefined) inTemplate[it.sym]!.set(it.template, (d = sigLength[it.sym]!++))
        compIn[j] = d
      }
    } else if (it.coords.length === 0 && it.sym >= 0) {
      compGlobal[j] = sigLength[it.sym]!++
    }
  })
  // [D]: per CSET item, the first component of its slice, or per template its count's component.
  const compoundTemplate = types.map(() => new Map<string, number>())
  const compoundParts = active.flatMap((it, j) => {
    const members = compound[j]
    if (members === undefined) return []
    const slice = it.coords.length === 0 ? members.slice : undefined
    let sliceComp = -1
    if (slice !== undefined) {
      sliceComp = sigLength[slice.sym]!
      sigLength[slice.sym]! += Math.ceil(slice.rests / SLICE_BITS)
    }
    const comps = Array.from(members.templateSym, (k, t) => {
      if (slice !== undefined) return -1
      const key = `${it.template}#${t}`
      let c = compoundTemplate[k]!.get(key)
      if (c === undefined) compoundTemplate[k]!.set(key, (c = sigLength[k]!++))
      return c
    })
    return [{ j, members, sliceComp, comps }]
  })
  // One flat signature array: member i of type k starts at sigBase[k] + i * sigLength[k]. Per
  // item, where its own component goes (ownAt), and where the members it names are counted or
  // marked (refBase + member * refStride; refMode 1 counts, 2 marks).
  const sigBase = types.map(() => 0)
  for (let k = 1; k < types.length; k++) sigBase[k] = sigBase[k - 1]! + types[k - 1]!.size * sigLength[k - 1]!
  const sigTotal = types.reduce((x, t, k) => x + t.size * sigLength[k]!, 0)
  const sig = new Int32Array(sigTotal)
  const ownAt = new Int32Array(A).fill(-1)
  const selfMember = new Int32Array(A).fill(-1)
  const refBase = new Int32Array(A)
  const refStride = new Int32Array(A)
  const refMode = new Int32Array(A)
  active.forEach((it, j) => {
    if (it.coords.length === 1) {
      const rs = it.coords[0]!.sym
      ownAt[j] = sigBase[rs]! + it.coords[0]!.i * sigLength[rs]! + compOwn[j]!
      if (it.sym >= 0) {
        refMode[j] = 1
        refBase[j] = sigBase[it.sym]! + compIn[j]!
        refStride[j] = sigLength[it.sym]!
        if (it.sym === rs) selfMember[j] = it.coords[0]!.i
      }
    } else if (compGlobal[j]! >= 0) {
      refMode[j] = 2
      refBase[j] = sigBase[it.sym]! + compGlobal[j]!
      refStride[j] = sigLength[it.sym]!
    }
  })
  const compoundSignatures = compoundParts.map(({ j, members, sliceComp, comps }): CompoundSignature => {
    const k = members.slice?.sym ?? 0
    return {
      j,
      members,
      sliceAt: sliceComp < 0 ? -1 : sigBase[k]! + sliceComp,
      sliceStride: sigLength[k]!,
      at: Int32Array.from(comps, (c, t) => (c < 0 ? 0 : sigBase[members.templateSym[t]!]! + c)),
      stride: Int32Array.from(members.templateSym, (kt) => sigLength[kt]!),
    }
  })
  return { sigLength, sigBase, sig, ownAt, selfMember, refBase, refStride, refMode, compound: compoundSignatures }
}

/** Fills `layout.sig` with the signatures of the members in the state at `words[at..]`. */
function signatureReader(slots: ActiveSlots, layout: SignatureLayout): (words: Uint32Array, at: number) => void {
  const { A, kind, word, shift, mask, setPieces, guardWord, guardShift } = slots
  const { sig, ownAt, selfMember, refBase, refStride, refMode, compound } = layout
  const OTHER_TYPE = 3
  /** Whether member slot j of the state at `w[at..]` holds a member (not a null option's stand-in). */
  const present = (w: Uint32Array, at: number, j: number): boolean =>
    guardWord[j]! < 0 || ((w[at + guardWord[j]!]! >>> guardShift[j]!) & 1) === 1

  /** Records member `v` named by item j (a pointer, or a member of a set). */
  const named = (j: number, v: number) => {
    const at = refBase[j]! + v * refStride[j]!
    if (refMode[j] === 1) sig[at] = sig[at]! + 1
    else sig[at] = 1
  }

  /** [D] of a set of compound members: the slices of the members named, or the counts per template. */
  const compoundSignature = (words: Uint32Array, at: number, cs: CompoundSignature) => {
    const { members: m, sliceAt, sliceStride, stride } = cs
    const slice = m.slice
    for (const p of setPieces[cs.j]!) {
      let bits = (words[at + p.word]! >>> p.shift) & (p.width === 32 ? -1 : (1 << p.width) - 1)
      for (let r = p.first; bits !== 0; bits >>>= 1, r++) {
        if ((bits & 1) === 0) continue
        if (sliceAt >= 0) {
          const q = slice!.rest[r]!
          if (q < 0) continue
          const x = sliceAt + slice!.member[r]! * sliceStride + Math.floor(q / SLICE_BITS)
          sig[x] = sig[x]! | (1 << q % SLICE_BITS)
          continue
        }
        for (let o = m.occStart[r]!; o < m.occStart[r + 1]!; o++) {
          const t = m.occTemplate[o]!
          const x = cs.at[t]! + m.occMember[o]! * stride[t]!
          sig[x] = sig[x]! + 1
        }
      }
    }
  }
  /** How many members set item j has. */
  const size = (words: Uint32Array, at: number, j: number): number => {
    let n = 0
    for (const p of setPieces[j]!) {
      let bits = (words[at + p.word]! >>> p.shift) & (p.width === 32 ? -1 : (1 << p.width) - 1)
      for (; bits !== 0; bits >>>= 1) n += bits & 1
    }
    return n
  }

  return (words: Uint32Array, at: number): void => {
    sig.fill(0)
    for (const cs of compound) compoundSignature(words, at, cs)
    for (let j = 0; j < A; j++) {
      const own = ownAt[j]!
      const mode = refMode[j]!
      if (own < 0 && mode === 0) continue
      const k = kind[j]!
      if (k === CSET) {
        sig[own] = size(words, at, j)
        continue
      }
      if (k === SET) {
        let count = 0
        let self = 0
        const me = selfMember[j]!
        for (const p of setPieces[j]!) {
          let m = (words[at + p.word]! >>> p.shift) & (p.width === 32 ? -1 : (1 << p.width) - 1)
          for (let b = p.first; m !== 0; m >>>= 1, b++) {
            if ((m & 1) === 0) continue
            count++
            if (b === me) self = 1
            named(j, b)
          }
        }
        if (own >= 0) sig[own] = count * 2 + self
        continue
      }
      let v = (words[at + word[j]!]! >>> shift[j]!) & mask[j]!
      if (k === PLAIN) {
        sig[own] = v
        continue
      }
      if (k === INDEX && !present(words, at, j)) continue
      if (k === NULLABLE) {
        if (v === 0) continue
        v--
      }
      // Own component: 0 absent, 1 self, 2 another member of the row's type, 3 another type.
      if (own >= 0) sig[own] = selfMember[j]! < 0 ? OTHER_TYPE : v === selfMember[j] ? 1 : 2
      named(j, v)
    }
  }
}

/** The `sorted` strategy (see the header comment). */
function compileSorted(
  slots: ActiveSlots,
  compound: readonly (CompoundMembers | undefined)[],
  types: readonly SymmetricType[],
  plain: readonly boolean[],
  W: number,
  apply: Apply,
  tieLimit: number,
  stats: { inexact: number },
): Symmetry['canonicalize'] {
  const members = types.reduce((n, t) => n + t.size, 0)
  const layout = signatureLayout(slots, compound, types)
  const { sigLength, sigBase, sig } = layout
  const signatures = signatureReader(slots, layout)
  const lessThan = lessThanFor(W)
  const best = new Uint32Array(W)
  const cand = new Uint32Array(W)
  const order = types.map((t) => new Int32Array(t.size))
  const perm = new Int32Array(members)
  const bestPerm = new Int32Array(members)

  const compareSig = (at: number, L: number, a: number, b: number): number => {
    for (let c = 0; c < L; c++) {
      const d = sig[at + a * L + c]! - sig[at + b * L + c]!
      if (d !== 0) return d
    }
    return 0
  }

  // Tie groups of the current state: (type offset, first rank, members), enumerated as an odometer.
  interface Tie {
    readonly offset: number
    readonly start: number
    readonly members: Int32Array
    orders: Int32Array[]
  }

  return (words, at, permOut) => {
    signatures(words, at)
    const ties: Tie[] = []
    let combinations = 1
    types.forEach((t, k) => {
      const L = sigLength[k]!
      const s = sigBase[k]!
      const o = order[k]!
      for (let i = 0; i < t.size; i++) o[i] = i
      // Insertion sort: sizes are small, and it is stable.
      for (let i = 1; i < t.size; i++) {
        const x = o[i]!
        let p = i - 1
        while (p >= 0 && compareSig(s, L, o[p]!, x) > 0) {
          o[p + 1] = o[p]!
          p--
        }
        o[p + 1] = x
      }
      for (let r = 0; r < t.size; r++) perm[t.offset + o[r]!] = t.offset + r
      for (let r = 0; r < t.size; ) {
        let e = r + 1
        while (e < t.size && compareSig(s, L, o[r]!, o[e]!) === 0) e++
        if (e - r > 1 && !plain[k]) {
          combinations *= factorial(e - r)
          ties.push({ offset: t.offset, start: r, members: o.slice(r, e), orders: [] })
        }
        r = e
      }
    })
    if (ties.length === 0 || combinations > tieLimit) {
      if (combinations > tieLimit) stats.inexact++
      if (permOut !== undefined) permOut.set(perm)
      apply(words, at, perm, best, 0)
      for (let w = 0; w < W; w++) words[at + w] = best[w]!
      return
    }
    for (const tie of ties) tie.orders = permutationsOfCached(tie.members.length)
    const choice = new Int32Array(ties.length)
    let first = true
    for (;;) {
      for (let g = 0; g < ties.length; g++) {
        const tie = ties[g]!
        const q = tie.orders[choice[g]!]!
        for (let x = 0; x < q.length; x++) perm[tie.offset + tie.members[q[x]!]!] = tie.offset + tie.start + x
      }
      apply(words, at, perm, cand, 0)
      if (first || lessThan(cand, 0, best, 0)) {
        best.set(cand)
        bestPerm.set(perm)
        first = false
      }
      let g = 0
      while (g < ties.length && ++choice[g]! === ties[g]!.orders.length) choice[g++] = 0
      if (g === ties.length) break
    }
    for (let w = 0; w < W; w++) words[at + w] = best[w]!
    if (permOut !== undefined) permOut.set(bestPerm)
  }
}
