/**
 * The symmetry canonicaliser on random state types, against a reference written on plain objects:
 * permuting packed words is permuting the decoded state (arrays indexed by a symmetric type move
 * their entries, members are renamed in scalars, options and sets, and in the members of sets of
 * records, tuples, options, ...), permutations compose as a group action, and the representative
 * is the same for every member of an orbit, lies in the orbit, and (strategy `full`) is the least
 * encoding of the orbit.
 */
import test from 'ava'
import { testProp, fc } from '@fast-check/ava'

const runs = { numRuns: Number(process.env['SYMMETRY_RUNS'] ?? 200) }
import { compileCodec, t, type AnyType } from '../../checker/index.js'
import { compileSymmetry, perms, type Permutation, type Symmetry } from '../../checker/encode/symmetry.js'
import { countValues, type IndexType } from '../../checker/model/types.js'
import { valuesOf } from '../../checker/model/values.js'

/** A state type with its symmetric types, as data (fast-check generates and shrinks it). */
type Desc =
  | { readonly kind: 'bool' }
  | { readonly kind: 'enum'; readonly n: number }
  | { readonly kind: 'int'; readonly n: number }
  | { readonly kind: 'sym'; readonly which: number }
  | { readonly kind: 'index'; readonly n: number }
  | { readonly kind: 'option'; readonly of: Desc }
  | { readonly kind: 'array'; readonly over: number | { readonly sym: number }; readonly of: Desc }
  | { readonly kind: 'record'; readonly fields: readonly Desc[] }
  | { readonly kind: 'set'; readonly of: Desc & { kind: 'sym' | 'enum' | 'index' } }
  | { readonly kind: 'seq'; readonly max: number; readonly of: Desc & { kind: 'enum' } }
  | { readonly kind: 'tuple'; readonly items: readonly Desc[] }
  /** A set of compound members (records, tuples, options, ... that may hold symmetric values). */
  | { readonly kind: 'cset'; readonly of: Desc }
  /** A map whose keys are scalars, or records and tuples of them (symmetric ones move their slots). */
  | { readonly kind: 'map'; readonly key: Desc; readonly of: Desc }

const scalar: fc.Arbitrary<Desc> = fc.oneof(
  fc.constant<Desc>({ kind: 'bool' }),
  fc.integer({ min: 1, max: 4 }).map((n): Desc => ({ kind: 'enum', n })),
  fc.integer({ min: 1, max: 5 }).map((n): Desc => ({ kind: 'int', n })),
  fc.integer({ min: 0, max: 1 }).map((which): Desc => ({ kind: 'sym', which })),
  fc.integer({ min: 0, max: 1 }).map((which): Desc => ({ kind: 'sym', which })),
  fc.integer({ min: 1, max: 3 }).map((n): Desc => ({ kind: 'index', n })),
)
const setDesc: fc.Arbitrary<Desc> = fc
  .oneof(
    fc.integer({ min: 0, max: 1 }).map((which) => ({ kind: 'sym' as const, which })),
    fc.integer({ min: 1, max: 3 }).map((n) => ({ kind: 'enum' as const, n })),
  )
  .map((of): Desc => ({ kind: 'set', of }))

/** Map keys: scalars, and records and tuples of them. */
const keyDesc: fc.Arbitrary<Desc> = fc.oneof(
  scalar,
  fc.array(scalar, { minLength: 1, maxLength: 2 }).map((fields): Desc => ({ kind: 'record', fields })),
  fc.array(scalar, { minLength: 1, maxLength: 2 }).map((items): Desc => ({ kind: 'tuple', items })),
)

/** Members of sets of compound values: records, tuples and options of scalars, inner sets, arrays over a symmetric type. */
const { member } = fc.letrec<{ member: Desc }>((tie) => ({
  member: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    tie('member')
      .filter((of) => of.kind !== 'option')
      .map((of): Desc => ({ kind: 'option', of })),
    fc.array(tie('member'), { minLength: 1, maxLength: 3 }).map((fields): Desc => ({ kind: 'record', fields })),
    fc.array(tie('member'), { minLength: 1, maxLength: 2 }).map((items): Desc => ({ kind: 'tuple', items })),
    setDesc,
    fc.record({ sym: fc.integer({ min: 0, max: 1 }), of: fc.constantFrom<Desc>({ kind: 'bool' }, { kind: 'sym', which: 0 }) }).map(({ sym, of }): Desc => ({ kind: 'array', over: { sym }, of })),
    fc.record({ key: scalar, of: scalar }).map(({ key, of }): Desc => ({ kind: 'map', key, of })),
  ),
}))

const { desc } = fc.letrec<{ desc: Desc }>((tie) => ({
  desc: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    setDesc,
    // A sequence of values no permutation renames (one of symmetric values is refused: test/encode/seq.test.ts).
    fc.record({ max: fc.integer({ min: 0, max: 3 }), n: fc.integer({ min: 1, max: 3 }) }).map(({ max, n }): Desc => ({ kind: 'seq', max, of: { kind: 'enum', n } })),
    tie('desc')
      .filter((of) => of.kind !== 'option')
      .map((of): Desc => ({ kind: 'option', of })),
    member.map((of): Desc => ({ kind: 'cset', of })),
    fc
      .record({
        over: fc.oneof(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 1 }).map((sym) => ({ sym }))),
        of: tie('desc'),
      })
      .map(({ over, of }): Desc => ({ kind: 'array', over, of })),
    fc.array(tie('desc'), { minLength: 1, maxLength: 3 }).map((fields): Desc => ({ kind: 'record', fields })),
    fc.record({ key: keyDesc, of: tie('desc') }).map(({ key, of }): Desc => ({ kind: 'map', key, of })),
  ),
}))

interface Built {
  readonly vars: Record<string, AnyType>
  readonly syms: readonly (IndexType | undefined)[]
}

/** Builds `t.*` types: symmetric types 0 and 1 have the given sizes (each created once). */
function build(descs: readonly Desc[], sizes: readonly [number, number]): Built {
  const syms = sizes.map((n, i) => t.index(n, { name: `S${i}`, symmetric: true }))
  const of = (d: Desc): AnyType => {
    switch (d.kind) {
      case 'bool':
        return t.bool()
      case 'enum':
        return t.enum(...(Array.from({ length: d.n }, (_, i) => `e${i}`) as [string, ...string[]]))
      case 'int':
        return t.int(-1, d.n - 2)
      case 'sym':
        return syms[d.which]!
      case 'index':
        return t.index(d.n)
      case 'option':
        return t.option(of(d.of))
      case 'array':
        return typeof d.over === 'number' ? t.array(d.over, of(d.of)) : t.array(syms[d.over.sym]!, of(d.of))
      case 'record':
        return t.record(Object.fromEntries(d.fields.map((f, i) => [`f${i}`, of(f)])))
      case 'seq':
        return t.seq(of(d.of), d.max)
      case 'set':
        return t.set(of(d.of) as never)
      case 'tuple':
        return t.tuple(...d.items.map(of))
      case 'cset':
        return t.set(of(d.of))
      case 'map':
        return t.map(of(d.key), of(d.of))
    }
  }
  return { vars: Object.fromEntries(descs.map((d, i) => [`v${i}`, of(d)])), syms }
}

/** A random value of a type. */
function valueOf(type: AnyType): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'bool':
      return fc.boolean()
    case 'enum':
      return fc.constantFrom(...type.values)
    case 'int':
      return fc.integer({ min: type.min, max: type.max })
    case 'index':
      return fc.integer({ min: 0, max: type.size - 1 })
    case 'option':
      return fc.option(valueOf(type.of), { nil: null })
    case 'array':
      return fc.tuple(...Array.from({ length: type.length }, () => valueOf(type.of)))
    case 'tuple':
      return fc.tuple(...type.items.map(valueOf))
    case 'record':
      return fc.record(Object.fromEntries(Object.entries(type.fields).map(([k, f]) => [k, valueOf(f)])))
    case 'set':
      return fc.subarray<unknown>(valuesOf(type.of, Infinity) as unknown[])
    case 'seq':
      return fc.array(valueOf(type.of), { maxLength: type.maxLength })
    case 'map':
      // Some keys, in domain order, each with a value.
      return fc
        .subarray<unknown>(valuesOf(type.key, Infinity) as unknown[])
        .chain((keys) => fc.tuple(...keys.map((k) => valueOf(type.of).map((v) => [k, v]))))
  }
}

/** The reference: renames and moves members on a plain state object; `g[k][i]` is where member i of type k goes. */
function permuteObject(vars: Record<string, AnyType>, state: any, syms: readonly (IndexType | undefined)[], g: readonly number[][]): any {
  const which = (type: AnyType) => syms.findIndex((s) => s === type)
  const walk = (type: AnyType, v: any): any => {
    switch (type.kind) {
      case 'index': {
        const k = which(type)
        return k >= 0 ? g[k]![v]! : v
      }
      case 'option':
        return v === null ? null : walk(type.of, v)
      case 'array': {
        const items = (v as any[]).map((x) => walk(type.of, x))
        const k = type.index === undefined ? -1 : which(type.index)
        if (k < 0) return items
        const out = new Array(items.length)
        items.forEach((x, i) => (out[g[k]![i]!] = x))
        return out
      }
      case 'record':
        return Object.fromEntries(Object.entries(type.fields).map(([f, ft]) => [f, walk(ft, v[f])]))
      case 'tuple':
        return (v as any[]).map((x, i) => walk(type.items[i]!, x))
      case 'seq':
        return (v as any[]).map((x) => walk(type.of, x))
      case 'set':
        // Members renamed one by one; encoding puts them back in domain order.
        return (v as any[]).map((x) => walk(type.of, x))
      case 'map':
        return (v as [unknown, unknown][]).map(([k, x]) => [walk(type.key, k), walk(type.of, x)])
      default:
        return v
    }
  }
  return Object.fromEntries(Object.entries(vars).map(([k, ty]) => [k, walk(ty, state[k])]))
}

const flat = (sym: Symmetry, g: readonly number[][], syms: readonly (IndexType | undefined)[]): Permutation => {
  const p = sym.identity()
  for (const st of sym.types) {
    const k = syms.indexOf(st.type)
    for (let i = 0; i < st.size; i++) p[st.offset + i] = st.offset + g[k]![i]!
  }
  return p
}

/** Whether every set in a type has at most 64 possible members. */
function small(type: AnyType): boolean {
  switch (type.kind) {
    case 'set':
      return countValues(type.of) <= 64 && small(type.of)
    case 'option':
    case 'array':
    case 'seq':
      return small(type.of)
    case 'map':
      return countValues(type.key) <= 64 && small(type.of)
    case 'record':
      return Object.values(type.fields).every(small)
    case 'tuple':
      return type.items.every(small)
    default:
      return true
  }
}

/** Everything a property needs: a built type with a codec, some states, and group elements. */
const scenario = fc
  .record({
    descs: fc.array(desc, { minLength: 1, maxLength: 3 }),
    sizes: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })),
    seed: fc.integer(),
  })
  // Sets hold one bit per member value: keep their member types small.
  .filter(({ descs, sizes }) => {
    try {
      return Object.values(build(descs, sizes).vars).every(small)
    } catch {
      return false // a set whose member type has more values than a set may have
    }
  })
  .chain(({ descs, sizes, seed }) => {
    const built = build(descs, sizes)
    const perm = (n: number) => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n })
    const g = fc.tuple(perm(sizes[0]), perm(sizes[1]))
    return fc.record({
      built: fc.constant(built),
      descs: fc.constant(descs),
      seed: fc.constant(seed),
      state: fc.record(Object.fromEntries(Object.entries(built.vars).map(([k, ty]) => [k, valueOf(ty)]))),
      g: g,
      h: g,
    })
  })

const words = (codec: ReturnType<typeof compileCodec>, s: unknown) => {
  const w = new Uint32Array(codec.words)
  codec.encode(s, w, 0)
  return w
}
const permuted = (sym: Symmetry, w: Uint32Array, p: Permutation) => {
  const out = new Uint32Array(w.length)
  sym.permute(w, 0, p, out, 0)
  return out
}
const canon = (sym: Symmetry, w: Uint32Array, permOut?: Permutation) => {
  const out = w.slice()
  sym.canonicalize(out, 0, permOut)
  return out
}
const lexLess = (a: Uint32Array, b: Uint32Array) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!
  return false
}

testProp('permuting packed words = permuting the decoded state (reference on plain objects)', [scenario], (tt, sc) => {
  const codec = compileCodec(sc.built.vars)
  const sym = compileSymmetry(sc.built.vars, codec)
  if (sym === undefined) return tt.pass()
  const g = [sc.g[0], sc.g[1]]
  const w = words(codec, sc.state)
  const expected = words(codec, permuteObject(sc.built.vars, codec.decode(w, 0), sc.built.syms, g))
  tt.deepEqual(Array.from(permuted(sym, w, flat(sym, g, sc.built.syms))), Array.from(expected))
}, runs)

testProp('permutations act as a group: identity fixes, (g ∘ h) · x = g · (h · x)', [scenario], (tt, sc) => {
  const codec = compileCodec(sc.built.vars)
  const sym = compileSymmetry(sc.built.vars, codec)
  if (sym === undefined) return tt.pass()
  const w = words(codec, sc.state)
  const g = flat(sym, [sc.g[0], sc.g[1]], sc.built.syms)
  const h = flat(sym, [sc.h[0], sc.h[1]], sc.built.syms)
  tt.deepEqual(Array.from(permuted(sym, w, sym.identity())), Array.from(w))
  tt.deepEqual(Array.from(permuted(sym, permuted(sym, w, h), g)), Array.from(permuted(sym, w, perms.compose(g, h))))
  tt.deepEqual(Array.from(permuted(sym, permuted(sym, w, g), perms.inverse(g))), Array.from(w))
}, runs)

for (const strategy of ['full', 'sorted', 'auto'] as const) {
  testProp(`${strategy}: the representative lies in the orbit and is the same for every member of it`, [scenario], (tt, sc) => {
    const codec = compileCodec(sc.built.vars)
    const sym = compileSymmetry(sc.built.vars, codec, { strategy })
    if (sym === undefined) return tt.pass()
    const w = words(codec, sc.state)
    const sigma = sym.identity()
    const r = canon(sym, w, sigma)
    tt.deepEqual(Array.from(r), Array.from(permuted(sym, w, sigma)), 'representative = σ · state')
    // Decodes and re-encodes to itself: the words are a real state's encoding.
    tt.deepEqual(Array.from(words(codec, codec.decode(r, 0))), Array.from(r))
    const other = permuted(sym, w, flat(sym, [sc.g[0], sc.g[1]], sc.built.syms))
    tt.deepEqual(Array.from(canon(sym, other)), Array.from(r), 'same representative for g · state')
    tt.is(sym.inexact, 0)
  }, runs)
}

testProp('full: the representative is the least encoding in the orbit', [scenario], (tt, sc) => {
  const codec = compileCodec(sc.built.vars)
  const sym = compileSymmetry(sc.built.vars, codec, { strategy: 'full' })
  if (sym === undefined) return tt.pass()
  const w = words(codec, sc.state)
  const r = canon(sym, w)
  const g = flat(sym, [sc.g[0], sc.g[1]], sc.built.syms)
  tt.false(lexLess(permuted(sym, w, g), r))
}, runs)

testProp('sorted with a tiny tie limit: still in the orbit (sound), counted as inexact', [scenario], (tt, sc) => {
  const codec = compileCodec(sc.built.vars)
  const sym = compileSymmetry(sc.built.vars, codec, { strategy: 'sorted', tieLimit: 1 })
  if (sym === undefined) return tt.pass()
  const w = words(codec, sc.state)
  const sigma = sym.identity()
  const r = canon(sym, w, sigma)
  tt.deepEqual(Array.from(r), Array.from(permuted(sym, w, sigma)))
}, runs)

test('a type without symmetric index types (or only one member) has no canonicaliser', (tt) => {
  const vars = { a: t.array(t.index(3, { name: 'P' }), t.bool()), b: t.index(1, { symmetric: true }) }
  tt.is(compileSymmetry(vars, compileCodec(vars)), undefined)
})

test('two different symmetric types with one name are refused', (tt) => {
  const A = t.index(3, { name: 'Proc', symmetric: true })
  const B = t.index(3, { name: 'Proc', symmetric: true })
  const vars = { a: t.array(A, t.bool()), b: t.option(B) }
  tt.throws(() => compileSymmetry(vars, compileCodec(vars)), { message: /both named "Proc"/ })
})

test('TwoPhase-shaped state: sorting by signature picks the same representative for all 120 renamings', (tt) => {
  const RM = t.index(5, { name: 'RM', symmetric: true })
  const vars = {
    rmState: t.array(RM, t.enum('working', 'prepared', 'committed', 'aborted')),
    tmState: t.enum('init', 'done'),
    tmPrepared: t.set(RM),
    prepared: t.set(RM),
  }
  const codec = compileCodec(vars)
  const state = { rmState: ['prepared', 'working', 'aborted', 'prepared', 'aborted'], tmState: 'init', tmPrepared: [3], prepared: [0, 3, 4] }
  for (const strategy of ['full', 'sorted'] as const) {
    const sym = compileSymmetry(vars, codec, { strategy })!
    const reps = new Set<string>()
    const all = (n: number): number[][] =>
      n === 0 ? [[]] : all(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]))
    for (const g of all(5)) {
      const moved = words(codec, permuteObject(vars, state, [RM], [g]))
      reps.add(Array.from(canon(sym, moved)).join(','))
    }
    tt.is(reps.size, 1, strategy)
  }
})
