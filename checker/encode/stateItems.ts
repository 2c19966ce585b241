/**
 * What symmetry reads off the state type: the symmetric index types in it (`symmetricTypes`,
 * numbered for a flat permutation by `numbered`), and every slot of the packed state as an item
 * (`stateItems`): its kind, its bits, its place in arrays indexed by symmetric types (map keys
 * naming members included, `keyPlace`), laid out as the codec lays it out.
 */
import { countValues, MAX_DOMAIN, type AnyType, type IndexType } from '../model/types.js'
import { valuesOf } from '../model/values.js'
import type { Codec } from './codec.js'
import { BitAllocator, bitsFor, isScalar, scalarSize } from './layout.js'
import type { SymmetricType } from './symmetryTypes.js'

/** Kinds of moving or renamed slots. */
export const PLAIN = 0
export const INDEX = 1
export const NULLABLE = 2
export const SET = 3
/** A set of compound values holding symmetric members (one bit per value of the member type). */
export const CSET = 4

export interface Item {
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

/**
 * The symmetric types, numbered: member i of the k-th is member `offset + i` of a Permutation.
 * Two different types of one name are refused.
 */
export function numbered(found: readonly IndexType[]): SymmetricType[] {
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

/** A slot's template as a path in the state (`inbox{*}!` is `inbox[*]`: a map's value at any key). */
const shownPath = (template: string): string => {
  const path = template.replace(/[!?"]/g, '').replace(/\{/g, '[').replace(/\}/g, ']')
  return path.includes('*') ? `${path}, * standing for a member of a symmetric index type` : path
}

/** Every slot of the state type as an Item, in the codec's allocation order, checked against the codec's layout. */
export function stateItems(vars: Readonly<Record<string, AnyType>>, codec: Codec, found: readonly IndexType[]): Item[] {
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
            `its state has a sequence (${shownPath(template)}) of values of the symmetric index type "${sym.name}", ` +
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
