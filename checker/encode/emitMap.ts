/**
 * The code of a map slot (`t.map(key, of)`): one slot per key, in the keys' domain order. Part of
 * the codec's generator (encode/codec.ts), into whose code buffers it writes.
 */
import type { MapType } from '../model/types.js'
import { rankOf } from '../model/values.js'
import { failCall, patch, read, type CodecEmitter } from './codecEmitter.js'
import { mapSlots, zeroValue } from './codegen.js'
import { copierOf } from './copierOf.js'
import { bitsFor, isScalar, scalarSize } from './layout.js'
import { describe } from './TypeViolation.js'

/** Where a map has no pair for a key, while the pairs are sorted by key. */
const ABSENT = Symbol('absent')

/** Emits the code of map `type` for value expression `v` at `path`, decodeInto target `t`; returns the decoder expression. */
export function emitMap(emitter: CodecEmitter, type: MapType, v: string, path: string, t: string): string {
  const { alloc, leaves, mapPaths, arrays, enc, patches, into, decodeTemps, next, constRef, containerOf, addToWord, scalarCode, scalarValue, walk } = emitter
  // One slot per key in domain order, as a `t.option(of)` would be packed: a scalar value and
  // its presence in one code (0: no pair), a compound value after a presence bit.
  mapPaths.push(path)
  const slots = mapSlots(type, path)
  const key = type.key
  const of = type.of
  const m = `m${next()}`
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
    const e = `e${next()}`
    const r = `r${next()}`
    const last = `l${next()}`
    return `${buf}.fill(${absent}); let ${last} = -1;
for (const ${e} of ${m}) { if (!Array.isArray(${e}) || ${e}.length !== 2) F(${JSON.stringify(`${path}[]`)}, ${e}, 'a [key, value] pair');
const ${r} = ${keyRank(e)};${isScalar(key) ? '' : ` if (${r} < 0) O(${keyPath}, ${e}[0], ${constRef(key)});`}
if (${buf}[${r}] !== ${absent}) DK(${JSON.stringify(path)}, ${m}, ${e}[0]); ${buf}[${r}] = ${e}; if (${r} <= ${last}) ${canonical} = false; ${last} = ${r}; }`
  }
  const encBuf = constRef(new Array(slots.length).fill(ABSENT))
  const patchBuf = constRef(new Array(slots.length).fill(ABSENT))
  // A successor's values by key rank, as its patching leaves them (a set inside one made canonical).
  const values = constRef(new Array(slots.length).fill(undefined))
  const canonical = `k${next()}`
  enc.push(`const ${m} = ${v}; ${check}`, positions, `{ let ${canonical} = true; ${byKey(encBuf, canonical)} }`)
  // Compound keys are always written again, as copies of the domain's values.
  patches.push(
    `{ const ${m} = ${v}; ${check}`,
    `if (${m} !== own[${k}]) ${positions}`,
    `let ${canonical} = ${isScalar(key)}; ${byKey(patchBuf, canonical)}`,
  )
  const a = `a${next()}`
  into.push(`{ const ${a} = own[${k}]; if (${t} !== ${a}) ${t} = ${a}; let n = 0;`)
  const keyCopy = isScalar(key) ? undefined : constRef(copierOf(key))
  const keyValue = (r: number) => (keyCopy === undefined ? JSON.stringify(slots[r]!.key) : `${keyCopy}(${constRef(slots[r]!.key)})`)
  const entries = slots.map((slot, r) => {
    const x = `x${next()}`
    const p = `p${next()}`
    const pair = `const ${p} = own[${containerOf(slot.pair)}]; ${a}[n++] = ${p}; ${p}[0] = ${keyValue(r)};`
    if (isScalar(of)) {
      const width = bitsFor(scalarSize(of) + 1)
      const { word, shift } = alloc.alloc(width)
      leaves.push({ path: slot.value, word, shift, width, type: of, nullable: true })
      const c = `c${next()}`
      const code = (from: string) =>
        `const ${x} = ${from}[${r}]; const ${c} = ${x} === ${absent} ? 0 : 1 + ${scalarCode(of, `${x}[1]`, failCall(slot.value, `${x}[1]`, of))};`
      enc.push(code(encBuf))
      addToWord(word, shift === 0 ? c : `(${c} << ${shift})`)
      patches.push(`{ ${code(patchBuf)} ${patch(word, shift, width, c)} ${values}[${r}] = ${x}[1]; }`)
      into.push(`{ const ${c} = ${read(word, shift, width)}; if (${c} !== 0) { ${pair} ${p}[1] = ${scalarValue(of, `(${c} - 1)`)}; } }`)
      const q = `t${next()}`
      decodeTemps.push(q)
      return `((${q} = ${read(word, shift, width)}) === 0 ? undefined : [${keyValue(r)}, ${scalarValue(of, `(${q} - 1)`)}])`
    }
    const { word, shift } = alloc.alloc(1)
    const c = `c${next()}`
    const u = `u${next()}`
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
