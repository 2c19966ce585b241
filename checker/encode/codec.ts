/**
 * State codec: plain state objects <-> packed 32-bit words. The encoder and decoder are compiled
 * once per spec into straight-line JavaScript (`new Function`): the search calls them for every
 * state, and unrolled field accesses are several times faster than walking the type tree.
 *
 * The encoder also checks that a value belongs to its type (range, enum member, missing or extra
 * record fields, array length) and reports the first offending field path.
 */
import type { AnyType } from '../model/types.js'
import { failCall, patch, read, type CodecEmitter, type ScalarType } from './codecEmitter.js'
import { A, DK, F, M, O, S, S1, SC, SI, X } from './codecRuntime.js'
import { member, zeroValue } from './codegen.js'
import { emitMap } from './emitMap.js'
import { emitSet } from './emitSet.js'
import { BitAllocator, bitsFor, isScalar, scalarSize, type Leaf, type SetLeaf } from './layout.js'
import { scratchMaker, type ScratchState } from './scratchState.js'
import { compileSuccessors, type FieldCode, type Successors } from './successor.js'
import type { TypeViolation } from './TypeViolation.js'

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

/**
 * Compiles the codec of a record of state variables.
 *
 * One piece on purpose: `walk` emits, in one pass over the type, the encoder, the successor
 * patching, decodeInto and the decoder of every slot into the code buffers declared first, and
 * the four must agree on the slot allocation order, the temporaries and the container numbers
 * that those buffers and counters carry. Sets and maps are emitted by encode/emitSet.ts and
 * encode/emitMap.ts, into the same buffers and with the same counters (`emitter`).
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
  const scalarCode = (type: ScalarType, v: string, fail: string) => {
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
  const scalarValue = (type: ScalarType, c: string) => {
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
      case 'set':
        return emitSet(emitter, type, v, path, t)
      case 'map':
        return emitMap(emitter, type, v, path, t)
    }
  }
  const emitter: CodecEmitter = {
    alloc, leaves, setLeaves, mapPaths, arrays, enc, patches, into, decodeTemps,
    next: () => tmp++,
    constRef, containerOf, addToWord, scalarCode, scalarValue, walk,
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

/** Whether a value of this type can be changed in place (an array, a record, a set, or an option of one). */
const isMutable = (type: AnyType): boolean => !isScalar(type) && !(type.kind === 'option' && isScalar(type.of))
