/**
 * The successor objects of the search: the state an effect changes, read from its parent's packed
 * words only where it is read, and packed again by encoding only the state variables it touched.
 *
 * `begin` makes a successor a copy of its parent by copying the parent's words, decoding nothing.
 * Every state variable of a successor is an accessor. Its first read decodes that variable from
 * the copied words into the object's own containers, and a write replaces it. A variable that can
 * change in place (an array, a record, a set) counts as touched once it is read, a scalar once it
 * is written. `pack` writes the parent's words with the touched variables encoded again, and
 * type-checked as `encode` would. Most effects touch two or three of a state's variables; the
 * others are neither decoded, copied nor compared. After packing, the object still reads as the
 * successor (its untouched variables from the parent's words), for the constraint and the
 * properties; packing into a row that symmetry then rewrites does not change it.
 *
 * The accessors are the object's own enumerable properties and the object is sealed, so that code
 * which spreads, lists or serializes the state sees its variables, and code which adds a field
 * throws, as with a plain sealed object. A successor's containers are its own: each first read
 * puts them back in place, so an effect that replaced, moved or aliased them cannot leak into the
 * next successor built in the same object.
 */
import { member } from './codegen.js'
import type { ScratchState } from './scratchState.js'

/** The code of one state variable, from the codec's generator (encode/codec.ts). */
export interface FieldCode {
  readonly key: string
  /** Whether its value can be changed in place. */
  readonly mutable: boolean
  /** decodeInto's statements for it: into `t[key]`, from words `w` at offset `o`, containers `own`. */
  readonly fill: readonly string[]
  /** Statements that encode `s[key]` into the words being patched (`x0`, `x1`, ...), containers `own`. */
  readonly patch: readonly string[]
}

/** What the generated code calls: the codec's constants and its error and set helpers. */
export interface CodecRuntime {
  readonly K: unknown[]
  readonly F: unknown
  readonly X: unknown
  readonly A: unknown
  readonly O: unknown
  readonly DK: unknown
  readonly SI: unknown
  readonly SC: unknown
}

export interface Successors {
  /** A fresh successor object. */
  readonly successor: () => any
  /** Makes successor `x` a copy of the state packed at `words[at..]`. */
  readonly begin: (x: any, words: Uint32Array, at: number) => void
  /** Writes the packed words of successor `x` at `out[at..]`; throws TypeViolation as `encode` does. */
  readonly pack: (x: any, out: Uint32Array, at: number) => void
  /** The arrays, records and sets successor `x` keeps and reuses (ScratchState.own). */
  readonly own: (x: any) => readonly unknown[]
}

/**
 * Compiles the successor objects of a spec of `words` words. A successor keeps, out of sight under a
 * symbol of its own (`Z`): its epoch `e` (one per `begin`), the parent's words `src`, the values of its
 * variables in a scratch state (`t`, with its containers `own`), and per variable i the epochs in
 * which it was last decoded (`f<i>`) and touched (`d<i>`).
 */
export function compileSuccessors(
  fields: readonly FieldCode[],
  words: number,
  scratch: () => ScratchState,
  { K, F, X, A, O, DK, SI, SC }: CodecRuntime,
): Successors {
  const stamps = fields.map((_, i) => `f${i}: 0, d${i}: 0`).join(', ')
  const fills = fields.map(({ fill }, i) => `function fill${i}(z) { const own = z.own, t = z.t, w = z.src, o = 0;\n${fill.join('\n')}\nz.f${i} = z.e }`)
  const accessors = fields.map(({ key, mutable }, i) => {
    const at = member(key)
    return `function get${i}() { const z = this[Z]; if (z.f${i} !== z.e) fill${i}(z); ${mutable ? `z.d${i} = z.e; ` : ''}return z.t${at} }
function set${i}(v) { const z = this[Z]; z.f${i} = z.d${i} = z.e; z.t${at} = v }`
  })
  const descriptors = fields.map(({ key }, i) => `${JSON.stringify(key)}: { get: get${i}, set: set${i}, enumerable: true }`)
  const xs = Array.from({ length: words }, (_, i) => `x${i} = pw[${i}]`)
  const patches = fields.map(({ patch }, i) => (patch.length === 0 ? '' : `if (z.d${i} === e) {\n${patch.join('\n')}\n}`))
  const source = `${fills.join('\n')}
${accessors.join('\n')}
const D = { ${descriptors.join(', ')} };
function successor() {
  const sc = scratch();
  const x = {};
  Object.defineProperty(x, Z, { value: { e: 0, src: new Uint32Array(${words}), own: sc.own, t: sc.state, ${stamps} } });
  Object.defineProperties(x, D);
  return Object.seal(x);
}
function begin(x, w, at) {
  const z = x[Z], src = z.src;
  z.e++;
  for (let i = 0; i < ${words}; i++) src[i] = w[at + i];
}
function pack(x, out, at) {
  const z = x[Z], e = z.e, own = z.own, s = z.t, pw = z.src;
  let ${xs.join(', ')};
${patches.filter((p) => p !== '').join('\n')}
${Array.from({ length: words }, (_, i) => `out[at + ${i}] = x${i};`).join('\n')}
}
function own(x) { return x[Z].own }
return { successor, begin, pack, own };`
  return new Function('Z', 'scratch', 'K', 'F', 'X', 'A', 'O', 'DK', 'SI', 'SC', source)(Symbol('successor'), scratch, K, F, X, A, O, DK, SI, SC)
}
