/**
 * The code of a set slot (`t.set(of)`): one bit per member of the domain, in words of 32 bits. Part
 * of the codec's generator (encode/codec.ts), into whose code buffers it writes.
 */
import { MAX_DOMAIN, type AnyType, type SetType } from '../model/types.js'
import { rankOf, valuesOf } from '../model/values.js'
import { failCall, patch, read, type CodecEmitter } from './codecEmitter.js'
import { copierOf } from './copierOf.js'
import { isScalar, scalarSize } from './layout.js'

/** Emits the code of set `type` for value expression `v` at `path`, decodeInto target `t`; returns the decoder expression. */
export function emitSet(emitter: CodecEmitter, type: SetType, v: string, path: string, t: string): string {
  const { alloc, setLeaves, enc, patches, into, next, constRef, containerOf, addToWord, scalarCode } = emitter
  const of = type.of
  const size = setSize(of)
  const s = `s${next()}`
  enc.push(`const ${s} = ${v}; if (!Array.isArray(${s})) ${failCall(path, s, type)};`)
  const parts: { c: string; first: number; width: number; word: number; shift: number }[] = []
  for (let first = 0; first < size; first += 32) {
    const width = Math.min(32, size - first)
    const { word, shift } = alloc.alloc(width)
    setLeaves.push({ path, word, shift, width, type: of, first })
    const c = `c${next()}`
    parts.push({ c, first, width, word, shift })
    addToWord(word, shift === 0 ? `(${c} >>> 0)` : `(${c} << ${shift})`)
  }
  const m = `m${next()}`
  const bit = `b${next()}`
  // Whether the members came distinct and in domain order (each bit above the one before).
  const last = `l${next()}`
  const canonical = `k${next()}`
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
  const a = `a${next()}`
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

/** How many members a set's domain has: one bit each. */
const setSize = (of: AnyType): number => (isScalar(of) ? scalarSize(of) : valuesOf(of, MAX_DOMAIN).length)

const domainOf = (type: AnyType & { kind: 'bool' | 'int' | 'enum' | 'index' }): unknown[] =>
  type.kind === 'bool'
    ? [false, true]
    : type.kind === 'enum'
      ? [...type.values]
      : Array.from({ length: scalarSize(type) }, (_, i) => (type.kind === 'int' ? type.min + i : i))
