/**
 * State codec: plain state objects <-> packed 32-bit words. The encoder and decoder are compiled
 * once per spec into straight-line JavaScript (`new Function`): the search calls them for every
 * state, and unrolled field accesses are several times faster than walking the type tree.
 *
 * The encoder also checks that a value belongs to its type (range, enum member, missing or extra
 * record fields, array length) and reports the first offending field path.
 */
import { MAX_DOMAIN, type AnyType } from '../model/types.js'
import { rankOf, valuesOf } from '../model/values.js'
import { mapSlots, member, zeroValue } from './codegen.js'
import { BitAllocator, bitsFor, isScalar, scalarSize, type Leaf, type SetLeaf } from './layout.js'
import { scratchMaker, type ScratchState } from './scratchState.js'
import { compileSuccessors, type FieldCode, type Successors } from './successor.js'

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

/** The compiled codec of a spec, with its reusable state objects (encode/scratchState.ts, encode/successor.ts). */
export interface Codec extends Successors {
  readonly words: number
  readonly bits: number
  /** Writes the state's words at `out[at..]`; throws TypeViolation. */
  readonly encode: (state: unknown, out: Uint32Array, at: number) => void
  /** A fresh, mutable state object from `words[at..]`. */
  readonly decode: (words: Uint32Array, at: number) => any
  /** A fresh scratch state, for `decodeInto`. */
  readonly scratch: () => ScratchState
  /** Overwrites `scratch.state` with the state at `words[at..]`. */
  readonly decodeInto: (scratch: ScratchState, words: Uint32Array, at: number) => void
  /**
   * A key that an effect added to one of successor `x`'s own arrays besides its positions
   * (`a[-1] = v`), as the TypeViolation encoding would throw for it, or undefined. Such a key stays
   * on the reused array, so one look after many successors finds it.
   */
  readonly strayWrite: (x: any) => TypeViolation | undefined
  readonly leaves: readonly Leaf[]
  readonly setLeaves: readonly SetLeaf[]
  /** The access paths of the map fields, whose leaves are under them (`m["a"]`). */
  readonly mapPaths: readonly string[]
}

const describe = (type: AnyType): string => {
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

/** Where a map has no pair for a key, while the pairs are sorted by key. */
const ABSENT = Symbol('absent')

/**
 * Compiles the codec of a record of state variables.
 *
 * One piece on purpose: `walk` emits, in one pass over the type, the encoder, the successor
 * patching, decodeInto and the decoder of every slot into the code buffers declared first, and
 * the four must agree on the slot allocation order, the temporaries and the container numbers
 * that those buffers and counters carry.
 */
export function compileCodec(vars: Readonly<Record<string, AnyType>>): Codec {
  const alloc = new BitAllocator()
  const leaves: Leaf[] = []
  const setLeaves: SetLeaf[] = []
  const mapPaths: string[] = []
  const consts: unknown[] = []
  const constRef = (v: unknown) => {
    consts.push(v)
    return `K[${consts.length - 1}]`
  }
  const enc: string[] = []
  // A successor's packing (encode/successor.ts): patches the slots of a field into words x0, x1, ...
  const patches: string[] = []
  // decodeInto.
  const into: string[] = []
  // Containers (arrays, records, sets) by access path: their number in ScratchState.own.
  const containers = new Map<string, number>([['', 0]])
  const containerOf = (path: string) => {
    if (!containers.has(path)) containers.set(path, containers.size)
    return containers.get(path)!
  }
  const words = new Map<number, string[]>()
  // The arrays of the state: container number, path and length (-1: a sequence, as long as it is).
  const arrays: [number, string, number][] = []
  let tmp = 0
  const decodeTemps: string[] = []
  const addToWord = (word: number, expr: string) => {
    const list = words.get(word) ?? []
    list.push(expr)
    words.set(word, list)
  }

  // Code for "c = code of scalar value v", failing with path p.
  const scalarCode = (type: AnyType & { kind: 'bool' | 'int' | 'enum' | 'index' }, v: string, fail: string) => {
    switch (type.kind) {
      case 'bool':
        return `(${v} === true ? 1 : ${v} === false ? 0 : ${fail})`
      case 'int':
        return `(Number.isInteger(${v}) && ${v} >= ${type.min} && ${v} <= ${type.max} ? ${v} - ${type.min} : ${fail})`
      case 'index':
        return `(Number.isInteger(${v}) && ${v} >= 0 && ${v} < ${type.size} ? ${v} : ${fail})`
      case 'enum': {
        // Up to 16 members: a chain of comparisons with string constants (pointer compares for the
        // interned strings a model uses) beats a dictionary lookup.
        if (type.values.length <= 16) {
          return `(${type.values.map((x, i) => `${v} === ${JSON.stringify(x)} ? ${i} : `).join('')}${fail})`
        }
        const table = constRef(Object.assign(Object.create(null), Object.fromEntries(type.values.map((x, i) => [x, i]))))
        return `(typeof ${v} === 'string' && ${table}[${v}] !== undefined ? ${table}[${v}] : ${fail})`
      }
    }
  }
  const scalarValue = (type: AnyType & { kind: 'bool' | 'int' | 'enum' | 'index' }, c: string) => {
    switch (type.kind) {
      case 'bool':
        return `(${c} === 1)`
      case 'int':
        return type.min === 0 ? c : `(${c} + ${type.min})`
      case 'index':
        return c
      case 'enum':
        return `${constRef(type.values)}[${c}]`
    }
  }
  const read = (word: number, shift: number, width: number) =>
    width === 32 ? `w[o + ${word}]` : width === 0 ? '0' : `((w[o + ${word}] >>> ${shift}) & ${2 ** width - 1})`
  const failCall = (path: string, v: string, type: AnyType) =>
    `F(${JSON.stringify(path)}, ${v}, ${JSON.stringify(describe(type))})`
  // Patching: "store code c into the slot (word, shift, width)" of the words being patched.
  const patch = (word: number, shift: number, width: number, c: string) =>
    width === 0
      ? ''
      : width === 32
        ? `x${word} = ${c};`
        : `x${word} = (x${word} & ${~((2 ** width - 1) << shift) | 0}) | (${c} << ${shift});`

  // Emits encoder and patching code for value expression `v` of `type` at `path`, and decodeInto's
  // code for its target `t` (an assignable expression); returns the decoder expression.
  const walk = (type: AnyType, v: string, path: string, t: string): string => {
    if (isScalar(type)) {
      const width = bitsFor(scalarSize(type))
      const { word, shift } = alloc.alloc(width)
      leaves.push({ path, word, shift, width, type, nullable: false })
      const c = `c${tmp++}`
      enc.push(`const ${c} = ${scalarCode(type, v, failCall(path, v, type))};`)
      if (width > 0) addToWord(word, shift === 0 ? c : `(${c} << ${shift})`)
      const code = `${c} = ${scalarCode(type, c, failCall(path, c, type))}; ${patch(word, shift, width, c)}`
      patches.push(`{ let ${c} = ${v}; ${code} }`)
      into.push(`${t} = ${scalarValue(type, read(word, shift, width))};`)
      return scalarValue(type, read(word, shift, width))
    }
    switch (type.kind) {
      case 'option': {
        if (isScalar(type.of)) {
          const width = bitsFor(scalarSize(type.of) + 1)
          const { word, shift } = alloc.alloc(width)
          leaves.push({ path, word, shift, width, type: type.of, nullable: true })
          const c = `c${tmp++}`
          enc.push(`const ${c} = ${v} === null ? 0 : 1 + ${scalarCode(type.of, v, failCall(path, v, type))};`)
          addToWord(word, shift === 0 ? c : `(${c} << ${shift})`)
          const e = `e${tmp++}`
          const code = `const ${c} = ${e} === null ? 0 : 1 + ${scalarCode(type.of, e, failCall(path, e, type))}; ${patch(word, shift, width, c)}`
          patches.push(`{ const ${e} = ${v}; ${code} }`)
          const r = `t${tmp++}`
          decodeTemps.push(r)
          const value = `((${r} = ${read(word, shift, width)}) === 0 ? null : ${scalarValue(type.of, `(${r} - 1)`)})`
          into.push(`{ let ${r}; ${t} = ${value}; }`)
          return value
        }
        const { word, shift } = alloc.alloc(1)
        const c = `c${tmp++}`
        enc.push(`const ${c} = ${v} === null ? 0 : 1;`)
        addToWord(word, shift === 0 ? c : `(${c} << ${shift})`)
        // A null option encodes its inner slots as zero; they are written from a stand-in.
        const inner = `u${tmp++}`
        const zero = constRef(zeroValue(type.of))
        enc.push(`const ${inner} = ${v} === null ? ${zero} : ${v};`)
        const e = `e${tmp++}`
        patches.push(
          `{ const ${e} = ${v};`,
          `const ${c} = ${e} === null ? 0 : 1; ${patch(word, shift, 1, c)}`,
          `const ${inner} = ${e} === null ? ${zero} : ${e};`,
        )
        into.push(`if (${read(word, shift, 1)} === 0) ${t} = null; else {`)
        const dec = walk(type.of, inner, path, t)
        into.push('}')
        patches.push('}')
        return `(${read(word, shift, 1)} === 0 ? null : ${dec})`
      }
      case 'array':
      case 'tuple': {
        const length = type.kind === 'array' ? type.length : type.items.length
        const itemType = (i: number) => (type.kind === 'array' ? type.of : type.items[i]!)
        const a = `a${tmp++}`
        const k = containerOf(path)
        arrays.push([k, path, length])
        // Only positions 0..length-1: a write at -1 or past the end is outside the type. A write past
        // the end of a successor's own array changes its length, which is checked; counting its keys
        // on every successor would slow the search markedly, so a stray key (`a[-1] = x`) on one of
        // them is looked for after many (strayWrite), and caught at once in strict mode, where every
        // successor is also encoded from an immer draft. An array an effect put in their place is
        // counted here.
        const positions = `{ let n = 0; for (const _ in ${a}) n++; if (n !== ${length}) A(${JSON.stringify(path)}, ${a}); }`
        enc.push(
          `const ${a} = ${v}; if (!Array.isArray(${a}) || ${a}.length !== ${length}) ${failCall(path, a, type)};`,
          positions,
        )
        patches.push(
          `{ const ${a} = ${v}; if (!Array.isArray(${a}) || ${a}.length !== ${length}) ${failCall(path, a, type)};`,
          `if (${a} !== own[${k}]) ${positions}`,
        )
        into.push(`{ const ${a} = own[${k}]; if (${t} !== ${a}) ${t} = ${a}; if (${a}.length !== ${length}) ${a}.length = ${length};`)
        const items = Array.from({ length }, (_, i) => walk(itemType(i), `${a}[${i}]`, `${path}[${i}]`, `${a}[${i}]`))
        into.push('}')
        patches.push('}')
        return `[${items.join(', ')}]`
      }
      case 'seq': {
        // The length, then `maxLength` element slots; the positions past the length encode as
        // zero, so that a sequence has one packed form.
        const max = type.maxLength
        const width = bitsFor(max + 1)
        const { word, shift } = alloc.alloc(width)
        const lengthType = { kind: 'int', min: 0, max } as const
        leaves.push({ path: `${path}.length`, word, shift, width, type: lengthType, nullable: false })
        const a = `a${tmp++}`
        const n = `c${tmp++}`
        const k = containerOf(path)
        arrays.push([k, path, -1])
        const positions = `{ let n = 0; for (const _ in ${a}) n++; if (n !== ${a}.length) A(${JSON.stringify(path)}, ${a}); }`
        const check = `if (!Array.isArray(${a}) || ${a}.length > ${max}) ${failCall(path, a, type)};`
        enc.push(`const ${a} = ${v}; ${check}`, positions, `const ${n} = ${a}.length;`)
        if (width > 0) addToWord(word, shift === 0 ? n : `(${n} << ${shift})`)
        patches.push(`{ const ${a} = ${v}; ${check}`, `if (${a} !== own[${k}]) ${positions}`, `const ${n} = ${a}.length; ${patch(word, shift, width, n)}`)
        into.push(`{ const ${a} = own[${k}]; if (${t} !== ${a}) ${t} = ${a}; const ${n} = ${read(word, shift, width)};`)
        const zero = constRef(zeroValue(type.of))
        const items = Array.from({ length: max }, (_, i) => {
          const u = `u${tmp++}`
          enc.push(`const ${u} = ${a}.length > ${i} ? ${a}[${i}] : ${zero};`)
          // A set element may be rewritten to its canonical form: written back when it is in the sequence.
          patches.push(`{ let ${u} = ${a}.length > ${i} ? ${a}[${i}] : ${zero};`)
          into.push(`if (${n} > ${i}) {`)
          const item = walk(type.of, u, `${path}[${i}]`, `${a}[${i}]`)
          into.push('}')
          patches.push(`if (${a}.length > ${i} && ${a}[${i}] !== ${u}) ${a}[${i}] = ${u}; }`)
          return item
        })
        into.push(`if (${a}.length !== ${n}) ${a}.length = ${n}; }`)
        patches.push('}')
        return `[${items.join(', ')}].slice(0, ${read(word, shift, width)})`
      }
      case 'record': {
        const r = `r${tmp++}`
        const keys = Object.keys(type.fields)
        const check = [
          `if (typeof ${r} !== 'object' || ${r} === null || Array.isArray(${r})) ${failCall(path, r, type)};`,
          `{ let n = 0; for (const _ in ${r}) n++; if (n !== ${keys.length}) X(${JSON.stringify(path)}, ${r}, ${constRef(keys)}); }`,
        ]
        enc.push(`const ${r} = ${v};`, ...check)
        const n = containerOf(path)
        // A record of the reusable state is sealed: no need to count its fields.
        patches.push(`{ const ${r} = ${v}; if (${r} !== own[${n}]) {`, ...check, '}')
        into.push(`{ const ${r} = own[${n}]; if (${t} !== ${r}) ${t} = ${r};`)
        const fields = keys.map(
          (k) =>
            `${JSON.stringify(k)}: ${walk(type.fields[k]!, `${r}${member(k)}`, path + member(k), `${r}${member(k)}`)}`,
        )
        into.push('}')
        patches.push('}')
        return `{ ${fields.join(', ')} }`
      }
      case 'set': {
        const of = type.of
        const size = setSize(of)
        const s = `s${tmp++}`
        enc.push(`const ${s} = ${v}; if (!Array.isArray(${s})) ${failCall(path, s, type)};`)
        const parts: { c: string; first: number; width: number; word: number; shift: number }[] = []
        for (let first = 0; first < size; first += 32) {
          const width = Math.min(32, size - first)
          const { word, shift } = alloc.alloc(width)
          setLeaves.push({ path, word, shift, width, type: of, first })
          const c = `c${tmp++}`
          parts.push({ c, first, width, word, shift })
          addToWord(word, shift === 0 ? `(${c} >>> 0)` : `(${c} << ${shift})`)
        }
        const m = `m${tmp++}`
        const bit = `b${tmp++}`
        // Whether the members came distinct and in domain order (each bit above the one before).
        const last = `l${tmp++}`
        const canonical = `k${tmp++}`
        const assign = parts
          .map((p) => `if (${bit} >= ${p.first} && ${bit} < ${p.first + p.width}) ${p.c} |= 1 << (${bit} - ${p.first});`)
          .join(' ')
        const scalar = isScalar(of)
        const domain = constRef(scalar ? domainOf(of) : valuesOf(of, MAX_DOMAIN))
        // A member of a compound type (a record, a tuple, ...) is found by its rank; a state gets
        // copies of the domain's (frozen, shared) values, its own to change as it may change any value.
        const memberCode = scalar
          ? `const ${bit} = ${scalarCode(of, m, failCall(path + '[]', m, of))};`
          : `const ${bit} = ${constRef(rankOf(of))}(${m}); if (${bit} < 0) O(${JSON.stringify(path + '[]')}, ${m}, ${constRef(of)});`
        const copier = scalar ? '' : constRef(copierOf(of))
        const SI = (args: string) => (scalar ? `SI(${args})` : `SC(${args}, ${copier})`)
        const members = `${parts.map((p) => `let ${p.c} = 0;`).join(' ')} let ${last} = -1, ${canonical} = true;
for (const ${m} of ${s}) { ${memberCode} ${assign} if (${bit} <= ${last}) ${canonical} = false; ${last} = ${bit}; }`
        enc.push(members)
        // A successor's set keeps the canonical value the store keeps (distinct members in domain
        // order), so that its properties see what a state decoded from the store would show. Compound
        // members are always written again: one in order may hold a set out of order.
        const own = containerOf(path)
        const rewrite = `if (${scalar ? `!${canonical}` : 'true'}) { const a = ${s} === own[${own}] ? ${s} : []; let n = 0; ${parts
          .map((p) => `n = ${SI(`a, n, ${domain}, ${p.first}, ${p.c}`)};`)
          .join(' ')} a.length = n; if (${s} !== a) ${v} = a; }`
        patches.push(
          `{ const ${s} = ${v}; if (!Array.isArray(${s})) ${failCall(path, s, type)};`,
          `{ ${members} ${parts.map((p) => patch(p.word, p.shift, p.width, p.c)).join(' ')} ${rewrite} } }`,
        )
        const a = `a${tmp++}`
        into.push(
          `{ const ${a} = own[${containerOf(path)}]; if (${t} !== ${a}) ${t} = ${a}; let n = 0;`,
          ...parts.map((p) => `n = ${SI(`${a}, n, ${domain}, ${p.first}, ${read(p.word, p.shift, p.width)}`)};`),
          `if (${a}.length !== n) ${a}.length = n; }`,
        )
        const copies = scalar ? '' : `.map(${copier})`
        if (parts.length === 1) return `S1(${domain}, ${read(parts[0]!.word, parts[0]!.shift, parts[0]!.width)})${copies}`
        const reads = parts.map((p) => `[${p.first}, ${read(p.word, p.shift, p.width)}]`).join(', ')
        return `S(${domain}, [${reads}])${copies}`
      }
      case 'map': {
        // One slot per key in domain order, as a `t.option(of)` would be packed: a scalar value and
        // its presence in one code (0: no pair), a compound value after a presence bit.
        mapPaths.push(path)
        const slots = mapSlots(type, path)
        const key = type.key
        const of = type.of
        const m = `m${tmp++}`
        const k = containerOf(path)
        arrays.push([k, path, -1])
        const positions = `{ let n = 0; for (const _ in ${m}) n++; if (n !== ${m}.length) A(${JSON.stringify(path)}, ${m}); }`
        const check = `if (!Array.isArray(${m})) ${failCall(path, m, type)};`
        const absent = constRef(ABSENT)
        const keyPath = JSON.stringify(`${path} (a key)`)
        const keyRank = (e: string) =>
          isScalar(key) ? scalarCode(key, `${e}[0]`, `F(${keyPath}, ${e}[0], ${JSON.stringify(describe(key))})`) : `${constRef(rankOf(key))}(${e}[0])`
        // The pairs by key rank (`absent` for a key without one), filled afresh by each encoding;
        // `canonical` turns false when the keys do not come in domain order.
        const byKey = (buf: string, canonical: string) => {
          const e = `e${tmp++}`
          const r = `r${tmp++}`
          const last = `l${tmp++}`
          return `${buf}.fill(${absent}); let ${last} = -1;
for (const ${e} of ${m}) { if (!Array.isArray(${e}) || ${e}.length !== 2) F(${JSON.stringify(`${path}[]`)}, ${e}, 'a [key, value] pair');
const ${r} = ${keyRank(e)};${isScalar(key) ? '' : ` if (${r} < 0) O(${keyPath}, ${e}[0], ${constRef(key)});`}
if (${buf}[${r}] !== ${absent}) DK(${JSON.stringify(path)}, ${m}, ${e}[0]); ${buf}[${r}] = ${e}; if (${r} <= ${last}) ${canonical} = false; ${last} = ${r}; }`
        }
        const encBuf = constRef(new Array(slots.length).fill(ABSENT))
        const patchBuf = constRef(new Array(slots.length).fill(ABSENT))
        // A successor's values by key rank, as its patching leaves them (a set inside one made canonical).
        const values = constRef(new Array(slots.length).fill(undefined))
        const canonical = `k${tmp++}`
        enc.push(`const ${m} = ${v}; ${check}`, positions, `{ let ${canonical} = true; ${byKey(encBuf, canonical)} }`)
        // Compound keys are always written again, as copies of the domain's values.
        patches.push(
          `{ const ${m} = ${v}; ${check}`,
          `if (${m} !== own[${k}]) ${positions}`,
          `let ${canonical} = ${isScalar(key)}; ${byKey(patchBuf, canonical)}`,
        )
        const a = `a${tmp++}`
        into.push(`{ const ${a} = own[${k}]; if (${t} !== ${a}) ${t} = ${a}; let n = 0;`)
        const keyCopy = isScalar(key) ? undefined : constRef(copierOf(key))
        const keyValue = (r: number) => (keyCopy === undefined ? JSON.stringify(slots[r]!.key) : `${keyCopy}(${constRef(slots[r]!.key)})`)
        const entries = slots.map((slot, r) => {
          const x = `x${tmp++}`
          const p = `p${tmp++}`
          const pair = `const ${p} = own[${containerOf(slot.pair)}]; ${a}[n++] = ${p}; ${p}[0] = ${keyValue(r)};`
          if (isScalar(of)) {
            const width = bitsFor(scalarSize(of) + 1)
            const { word, shift } = alloc.alloc(width)
            leaves.push({ path: slot.value, word, shift, width, type: of, nullable: true })
            const c = `c${tmp++}`
            const code = (from: string) =>
              `const ${x} = ${from}[${r}]; const ${c} = ${x} === ${absent} ? 0 : 1 + ${scalarCode(of, `${x}[1]`, failCall(slot.value, `${x}[1]`, of))};`
            enc.push(code(encBuf))
            addToWord(word, shift === 0 ? c : `(${c} << ${shift})`)
            patches.push(`{ ${code(patchBuf)} ${patch(word, shift, width, c)} ${values}[${r}] = ${x}[1]; }`)
            into.push(`{ const ${c} = ${read(word, shift, width)}; if (${c} !== 0) { ${pair} ${p}[1] = ${scalarValue(of, `(${c} - 1)`)}; } }`)
            const q = `t${tmp++}`
            decodeTemps.push(q)
            return `((${q} = ${read(word, shift, width)}) === 0 ? undefined : [${keyValue(r)}, ${scalarValue(of, `(${q} - 1)`)}])`
          }
          const { word, shift } = alloc.alloc(1)
          const c = `c${tmp++}`
          const u = `u${tmp++}`
          const zero = constRef(zeroValue(of))
          const code = (from: string) => `const ${x} = ${from}[${r}]; const ${c} = ${x} === ${absent} ? 0 : 1; let ${u} = ${x} === ${absent} ? ${zero} : ${x}[1];`
          enc.push(code(encBuf))
          addToWord(word, shift === 0 ? c : `(${c} << ${shift})`)
          patches.push(`{ ${code(patchBuf)} ${patch(word, shift, 1, c)}`)
          into.push(`if (${read(word, shift, 1)} !== 0) { ${pair}`)
          const value = walk(of, u, slot.value, `${p}[1]`)
          into.push('}')
          patches.push(`${values}[${r}] = ${u}; if (${x} !== ${absent} && ${x}[1] !== ${u}) ${canonical} = false; }`)
          return `(${read(word, shift, 1)} === 0 ? undefined : [${keyValue(r)}, ${value}])`
        })
        into.push(`if (${a}.length !== n) ${a}.length = n; }`)
        // A successor's map keeps the form the store keeps (its pairs in the keys' domain order, its
        // values canonical), rewritten into its own pairs: the pairs an effect put in may be shared.
        const pairs = constRef(Int32Array.from(slots, (slot) => containerOf(slot.pair)))
        const keys = constRef(slots.map((slot) => slot.key))
        patches.push(
          `if (!${canonical}) { const a = own[${k}]; let n = 0;
for (let r = 0; r < ${slots.length}; r++) { if (${patchBuf}[r] === ${absent}) continue; const p = own[${pairs}[r]]; p[0] = ${keyCopy === undefined ? `${keys}[r]` : `${keyCopy}(${keys}[r])`}; p[1] = ${values}[r]; a[n++] = p; }
a.length = n; if (${m} !== a) ${v} = a; } }`,
        )
        return `M([${entries.join(', ')}])`
      }
    }
  }

  // Per state variable: its code in decodeInto and in the patching, for successors (encode/successor.ts).
  const fieldCode: FieldCode[] = []
  const fields = Object.keys(vars).map((k) => {
    const fill = into.length
    const patch = patches.length
    const decoded = walk(vars[k]!, `s${member(k)}`, k, `t${member(k)}`)
    fieldCode.push({ key: k, mutable: isMutable(vars[k]!), fill: into.slice(fill), patch: patches.slice(patch) })
    return `${JSON.stringify(k)}: ${decoded}`
  })
  enc.unshift(
    `if (typeof s !== 'object' || s === null) F('', s, 'a state record');`,
    `{ let n = 0; for (const _ in s) n++; if (n !== ${Object.keys(vars).length}) X('', s, ${constRef(Object.keys(vars))}); }`,
  )
  const nWords = alloc.words
  for (let i = 0; i < nWords; i++) enc.push(`out[at + ${i}] = ${(words.get(i) ?? ['0']).join(' | ')};`)

  const F = (path: string, value: unknown, expected: string): never => {
    throw new TypeViolation(path, value, expected)
  }
  const X = (path: string, record: Record<string, unknown>, keys: string[]): void => {
    const at = (k: string) => (path === '' ? k : path + member(k))
    const extra = Object.keys(record).find((k) => !keys.includes(k))
    if (extra !== undefined) throw new TypeViolation(at(extra), record[extra], 'no such field')
    const missing = keys.find((k) => !(k in record))
    if (missing !== undefined) throw new TypeViolation(at(missing), undefined, 'a value')
  }
  const A = (path: string, array: unknown[]): void => {
    const extra = Object.keys(array).find((k) => !/^(0|[1-9][0-9]*)$/.test(k) || Number(k) >= array.length)
    if (extra !== undefined) {
      throw new TypeViolation(`${path}[${extra}]`, array[extra as never], `only positions 0..${array.length - 1}`)
    }
    const hole = array.findIndex((_, i) => !(i in array))
    throw new TypeViolation(`${path}[${hole}]`, undefined, 'a value')
  }
  const S = (members: unknown[], parts: [number, number][]): unknown[] => {
    const out: unknown[] = []
    for (const [first, mask] of parts) {
      for (let m = mask, b = 0; m !== 0; m >>>= 1, b++) if (m & 1) out.push(members[first + b])
    }
    return out
  }
  const S1 = (members: unknown[], mask: number): unknown[] => {
    const out: unknown[] = []
    for (let m = mask, b = 0; m !== 0; m >>>= 1, b++) if (m & 1) out.push(members[b])
    return out
  }
  // Writes the members of one set slot into `a` from index n on; returns the new count.
  const SI = (a: unknown[], n: number, members: unknown[], first: number, mask: number): number => {
    for (let m = mask, b = 0; m !== 0; m >>>= 1, b++) if (m & 1) a[n++] = members[first + b]
    return n
  }
  // A compound set member outside its type: the innermost part of it that is.
  const O = (path: string, value: unknown, type: AnyType): never => {
    switch (type.kind) {
      case 'option':
        if (value !== null && !isScalar(type.of)) O(path, value, type.of)
        break
      case 'array':
      case 'tuple':
        if (Array.isArray(value) && value.length === (type.kind === 'array' ? type.length : type.items.length)) {
          value.forEach((x, i) => rankOf(type.kind === 'array' ? type.of : type.items[i]!)(x) < 0 && O(`${path}[${i}]`, x, type.kind === 'array' ? type.of : type.items[i]!))
        }
        break
      case 'record':
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
          X(path, value as Record<string, unknown>, Object.keys(type.fields))
          for (const [k, f] of Object.entries(type.fields)) {
            const x = (value as Record<string, unknown>)[k]
            if (rankOf(f)(x) < 0) O(path + member(k), x, f)
          }
        }
        break
      case 'set':
        if (Array.isArray(value)) for (const x of value) if (rankOf(type.of)(x) < 0) O(`${path}[]`, x, type.of)
        break
      case 'seq':
        if (Array.isArray(value) && value.length <= type.maxLength) value.forEach((x, i) => rankOf(type.of)(x) < 0 && O(`${path}[${i}]`, x, type.of))
        break
      case 'map':
        if (Array.isArray(value)) {
          for (const pair of value) {
            if (!Array.isArray(pair) || pair.length !== 2) F(`${path}[]`, pair, 'a [key, value] pair')
            else if (rankOf(type.key)(pair[0]) < 0) O(`${path} (a key)`, pair[0], type.key)
            else if (rankOf(type.of)(pair[1]) < 0) O(`${path}[${JSON.stringify(pair[0])}]`, pair[1], type.of)
          }
        }
        break
    }
    return F(path, value, describe(type))
  }
  // A key given twice in a map.
  const DK = (path: string, map: unknown, key: unknown): never => {
    throw new TypeViolation(path, map, `[key, value] pairs with distinct keys (the key ${show(key)} appears twice)`)
  }
  // A map's pairs by key rank, without the keys it has no pair for.
  const M = (entries: unknown[]): unknown[] => entries.filter((e) => e !== undefined)
  // SI for compound members: writes copies.
  const SC = (a: unknown[], n: number, members: unknown[], first: number, mask: number, copy: (v: any) => unknown): number => {
    for (let m = mask, b = 0; m !== 0; m >>>= 1, b++) if (m & 1) a[n++] = copy(members[first + b])
    return n
  }
  const encode = new Function('K', 'F', 'X', 'A', 'O', 'DK', `return function encode(s, out, at) {\n${enc.join('\n')}\n}`)(consts, F, X, A, O, DK)
  const decodeInto = new Function(
    'K',
    'SI',
    'SC',
    `return function decodeInto(scratch, w, o) {\nconst own = scratch.own; const t = own[0];\n${into.join('\n')}\n}`,
  )(consts, SI, SC)
  const decode = new Function('K', 'S', 'S1', 'M', `return function decode(w, o) { ${decodeTemps.length ? `let ${decodeTemps.join(', ')};` : ''} return { ${fields.join(', ')} } }`)(consts, S, S1, M)
  const scratch = scratchMaker(vars, containerOf)
  const successors = compileSuccessors(fieldCode, nWords, scratch, { K: consts, F, X, A, O, DK, SI, SC })
  const strayWrite = (x: any): TypeViolation | undefined => {
    const own = successors.own(x)
    for (const [k, path, length] of arrays) {
      const a = own[k] as unknown[]
      let n = 0
      for (const _ in a) n++
      if (n === (length < 0 ? a.length : length)) continue
      try {
        A(path, a)
      } catch (e) {
        return e as TypeViolation
      }
    }
    return undefined
  }
  return { words: nWords, bits: alloc.bits, encode, decode, scratch, decodeInto, ...successors, strayWrite, leaves, setLeaves, mapPaths }
}

/** The maker of mutable copies of a type's values (a record's as one object literal). */
function copierOf(type: AnyType): (v: any) => unknown {
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

/** How many members a set's domain has: one bit each. */
const setSize = (of: AnyType): number => (isScalar(of) ? scalarSize(of) : valuesOf(of, MAX_DOMAIN).length)

/** Whether a value of this type can be changed in place (an array, a record, a set, or an option of one). */
const isMutable = (type: AnyType): boolean => !isScalar(type) && !(type.kind === 'option' && isScalar(type.of))

const domainOf = (type: AnyType & { kind: 'bool' | 'int' | 'enum' | 'index' }): unknown[] =>
  type.kind === 'bool'
    ? [false, true]
    : type.kind === 'enum'
      ? [...type.values]
      : Array.from({ length: scalarSize(type) }, (_, i) => (type.kind === 'int' ? type.min + i : i))
