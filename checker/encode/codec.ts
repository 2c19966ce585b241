/**
 * State codec: plain state objects <-> packed 32-bit words. The encoder and decoder are compiled
 * once per spec into straight-line JavaScript (`new Function`): the search calls them for every
 * state, and unrolled field accesses are several times faster than walking the type tree.
 *
 * The encoder also checks that a value belongs to its type (range, enum member, missing or extra
 * record fields, array length) and reports the first offending field path.
 */
import type { AnyType } from '../spec/types.js'
import { BitAllocator, bitsFor, isScalar, scalarSize, type Leaf, type SetLeaf } from './layout.js'

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

export interface Codec {
  readonly words: number
  readonly bits: number
  /** Writes the state's words at `out[at..]`; throws TypeViolation. */
  readonly encode: (state: unknown, out: Uint32Array, at: number) => void
  /** A fresh, mutable state object from `words[at..]`. */
  readonly decode: (words: Uint32Array, at: number) => any
  readonly leaves: readonly Leaf[]
  readonly setLeaves: readonly SetLeaf[]
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
    case 'record':
      return `a record with fields ${Object.keys(type.fields).join(', ')}`
    case 'set':
      return `an array of distinct members, each ${describe(type.of)}`
  }
}

const isIdentifier = (k: string) => /^[A-Za-z_$][\w$]*$/.test(k)
const member = (k: string) => (isIdentifier(k) ? `.${k}` : `[${JSON.stringify(k)}]`)

/** Compiles the codec of a record of state variables. */
export function compileCodec(vars: Readonly<Record<string, AnyType>>): Codec {
  const alloc = new BitAllocator()
  const leaves: Leaf[] = []
  const setLeaves: SetLeaf[] = []
  const consts: unknown[] = []
  const constRef = (v: unknown) => {
    consts.push(v)
    return `K[${consts.length - 1}]`
  }
  const enc: string[] = []
  const words = new Map<number, string[]>()
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

  // Emits encoder code for value expression `v` of `type` at `path`; returns the decoder expression.
  const walk = (type: AnyType, v: string, path: string): string => {
    if (isScalar(type)) {
      const width = bitsFor(scalarSize(type))
      const { word, shift } = alloc.alloc(width)
      leaves.push({ path, word, shift, width, type, nullable: false })
      const c = `c${tmp++}`
      enc.push(`const ${c} = ${scalarCode(type, v, failCall(path, v, type))};`)
      if (width > 0) addToWord(word, shift === 0 ? c : `(${c} << ${shift})`)
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
          const r = `t${tmp++}`
          decodeTemps.push(r)
          return `((${r} = ${read(word, shift, width)}) === 0 ? null : ${scalarValue(type.of, `(${r} - 1)`)})`
        }
        const { word, shift } = alloc.alloc(1)
        const c = `c${tmp++}`
        enc.push(`const ${c} = ${v} === null ? 0 : 1;`)
        addToWord(word, shift === 0 ? c : `(${c} << ${shift})`)
        // A null option encodes its inner slots as zero; they are written from a stand-in.
        const inner = `u${tmp++}`
        enc.push(`const ${inner} = ${v} === null ? ${constRef(zeroValue(type.of))} : ${v};`)
        const d = walk(type.of, inner, path)
        return `(${read(word, shift, 1)} === 0 ? null : ${d})`
      }
      case 'array': {
        const a = `a${tmp++}`
        enc.push(
          `const ${a} = ${v}; if (!Array.isArray(${a}) || ${a}.length !== ${type.length}) ${failCall(path, a, type)};`,
        )
        const items = Array.from({ length: type.length }, (_, i) => walk(type.of, `${a}[${i}]`, `${path}[${i}]`))
        return `[${items.join(', ')}]`
      }
      case 'record': {
        const r = `r${tmp++}`
        const keys = Object.keys(type.fields)
        enc.push(
          `const ${r} = ${v}; if (typeof ${r} !== 'object' || ${r} === null || Array.isArray(${r})) ${failCall(path, r, type)};`,
          `{ let n = 0; for (const _ in ${r}) n++; if (n !== ${keys.length}) X(${JSON.stringify(path)}, ${r}, ${constRef(keys)}); }`,
        )
        const fields = keys.map((k) => `${JSON.stringify(k)}: ${walk(type.fields[k]!, `${r}${member(k)}`, path + member(k))}`)
        return `{ ${fields.join(', ')} }`
      }
      case 'set': {
        const of = type.of
        const size = scalarSize(of)
        const s = `s${tmp++}`
        enc.push(`const ${s} = ${v}; if (!Array.isArray(${s})) ${failCall(path, s, type)};`)
        const parts: { c: string; first: number; width: number; word: number; shift: number }[] = []
        for (let first = 0; first < size; first += 32) {
          const width = Math.min(32, size - first)
          const { word, shift } = alloc.alloc(width)
          setLeaves.push({ path, word, shift, width, type: of, first })
          const c = `c${tmp++}`
          enc.push(`let ${c} = 0;`)
          parts.push({ c, first, width, word, shift })
          addToWord(word, shift === 0 ? `(${c} >>> 0)` : `(${c} << ${shift})`)
        }
        const m = `m${tmp++}`
        const bit = `b${tmp++}`
        const assign = parts
          .map((p) => `if (${bit} >= ${p.first} && ${bit} < ${p.first + p.width}) ${p.c} |= 1 << (${bit} - ${p.first});`)
          .join(' ')
        enc.push(
          `for (const ${m} of ${s}) { const ${bit} = ${scalarCode(of, m, failCall(path + '[]', m, of))}; ${assign} }`,
        )
        const members = constRef(domainOf(of))
        const reads = parts.map((p) => `[${p.first}, ${read(p.word, p.shift, p.width)}]`).join(', ')
        return `S(${members}, [${reads}])`
      }
    }
  }

  const fields = Object.keys(vars).map((k) => `${JSON.stringify(k)}: ${walk(vars[k]!, `s${member(k)}`, k)}`)
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
    const extra = Object.keys(record).find((k) => !keys.includes(k))
    if (extra !== undefined) throw new TypeViolation(`${path}${member(extra)}`, record[extra], 'no such field')
    const missing = keys.find((k) => !(k in record))
    if (missing !== undefined) throw new TypeViolation(`${path}${member(missing)}`, undefined, 'a value')
  }
  const S = (members: unknown[], parts: [number, number][]): unknown[] => {
    const out: unknown[] = []
    for (const [first, mask] of parts) {
      for (let m = mask, b = 0; m !== 0; m >>>= 1, b++) if (m & 1) out.push(members[first + b])
    }
    return out
  }
  const encode = new Function('K', 'F', 'X', `return function encode(s, out, at) {\n${enc.join('\n')}\n}`)(consts, F, X)
  const decode = new Function('K', 'S', `return function decode(w, o) { ${decodeTemps.length ? `let ${decodeTemps.join(', ')};` : ''} return { ${fields.join(', ')} } }`)(consts, S)
  return { words: nWords, bits: alloc.bits, encode, decode, leaves, setLeaves }
}

const domainOf = (type: AnyType & { kind: 'bool' | 'int' | 'enum' | 'index' }): unknown[] =>
  type.kind === 'bool'
    ? [false, true]
    : type.kind === 'enum'
      ? [...type.values]
      : Array.from({ length: scalarSize(type) }, (_, i) => (type.kind === 'int' ? type.min + i : i))

/** The value whose every slot encodes as zero. */
function zeroValue(type: AnyType): unknown {
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
    case 'record':
      return Object.fromEntries(Object.entries(type.fields).map(([k, f]) => [k, zeroValue(f)]))
    case 'set':
      return []
  }
}
