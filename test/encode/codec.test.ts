/**
 * The codec on random types and values: encode/decode round-trips, equal values and only equal
 * values share an encoding, and a value outside its type is rejected with a TypeViolation that
 * names the offending path.
 */
import test from 'ava'
import { testProp, fc } from '@fast-check/ava'
import { compileCodec, t, TypeViolation } from '../../checker/index.js'
import { countValues } from '../../checker/model/types.js'
import { typeOf, valuesOf as referenceValues, type TypeDesc } from '../helpers/randomModels.js'

// ---- Random types ---------------------------------------------------------------------------

const fieldName = fc.constantFrom('a', 'b', 'x1', '_y', '$z', 'with-dash', 'with space', '0', 'toString')

const scalar: fc.Arbitrary<TypeDesc & { kind: 'bool' | 'int' | 'enum' | 'index' }> = fc.oneof(
  fc.constant({ kind: 'bool' as const }),
  fc
    .tuple(fc.integer({ min: -1000, max: 1000 }), fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 ** 20 })))
    .map(([min, k]) => ({ kind: 'int' as const, min, max: min + k })),
  fc.constant({ kind: 'int' as const, min: -(2 ** 30), max: 2 ** 30 - 1 }),
  fc
    .uniqueArray(fc.constantFrom('a', 'b', 'c', 'idle', 'with space', 'constructor', '__proto__x', ''), { minLength: 1, maxLength: 5 })
    .map((values) => ({ kind: 'enum' as const, values })),
  fc.integer({ min: 1, max: 9 }).map((size) => ({ kind: 'index' as const, size })),
)

const setMember: fc.Arbitrary<TypeDesc & { kind: 'bool' | 'int' | 'enum' | 'index' }> = fc.oneof(
  scalar.filter((s) => s.kind !== 'int' || s.max - s.min < 80),
  // Domains of more than 32 members span several words.
  fc.integer({ min: 33, max: 70 }).map((size) => ({ kind: 'index' as const, size })),
)

/** Compound members of a set, with at most 40 values: records, tuples, options, sets and sequences of small scalars. */
const small = scalar.filter((d) => countValues(typeOf(d)) <= 4)
const part = fc.oneof(small, small.map((of): TypeDesc => ({ kind: 'option', of })))
const compoundMember: fc.Arbitrary<TypeDesc> = fc
  .oneof(
    fc
      .uniqueArray(fc.tuple(fieldName, part), { minLength: 1, maxLength: 2, selector: ([k]) => k })
      .map((fields): TypeDesc => ({ kind: 'record', fields: Object.fromEntries(fields) })),
    fc.array(part, { minLength: 1, maxLength: 2 }).map((items): TypeDesc => ({ kind: 'tuple', items })),
    small.map((of): TypeDesc => ({ kind: 'option', of })),
    small.map((of): TypeDesc => ({ kind: 'set', of })),
    fc.tuple(fc.integer({ min: 0, max: 2 }), small).map(([maxLength, of]): TypeDesc => ({ kind: 'seq', maxLength, of })),
  )
  .filter((d) => countValues(typeOf(d)) <= 40)

const { type: typeDesc } = fc.letrec<{ type: TypeDesc }>((tie) => ({
  type: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: scalar },
    tie('type')
      .filter((of) => of.kind !== 'option')
      .map((of): TypeDesc => ({ kind: 'option', of })),
    fc.tuple(fc.integer({ min: 0, max: 3 }), tie('type')).map(([length, of]): TypeDesc => ({ kind: 'array', length, of })),
    fc
      .uniqueArray(fc.tuple(fieldName, tie('type')), { minLength: 1, maxLength: 3, selector: ([k]) => k })
      .map((fields): TypeDesc => ({ kind: 'record', fields: Object.fromEntries(fields) })),
    fc.array(tie('type'), { minLength: 1, maxLength: 3 }).map((items): TypeDesc => ({ kind: 'tuple', items })),
    fc.oneof({ weight: 2, arbitrary: setMember }, compoundMember).map((of): TypeDesc => ({ kind: 'set', of })),
    fc.tuple(fc.integer({ min: 0, max: 4 }), tie('type')).map(([maxLength, of]): TypeDesc => ({ kind: 'seq', maxLength, of })),
    // Keys: scalars (some of more than 32 values) and compound values of small scalars.
    fc.tuple(fc.oneof(setMember.filter((k) => countValues(typeOf(k)) <= 40), compoundMember.filter((k) => countValues(typeOf(k)) <= 12)), tie('type'))
      .map(([key, of]): TypeDesc => ({ kind: 'map', key, of })),
  ),
}))

/** A state schema: 1-3 variables with random types. */
const schemaDesc = fc.uniqueArray(fc.tuple(fc.constantFrom('v', 'w', 'pc', 'odd-name'), typeDesc), {
  minLength: 1,
  maxLength: 3,
  selector: ([k]) => k,
})

// ---- Random values of a type ----------------------------------------------------------------

const domain = (d: TypeDesc & { kind: 'bool' | 'int' | 'enum' | 'index' }): unknown[] =>
  d.kind === 'bool'
    ? [false, true]
    : d.kind === 'enum'
      ? [...d.values]
      : d.kind === 'index'
        ? Array.from({ length: d.size }, (_, i) => i)
        : Array.from({ length: d.max - d.min + 1 }, (_, i) => d.min + i)

function valueOf(d: TypeDesc): fc.Arbitrary<unknown> {
  switch (d.kind) {
    case 'bool':
      return fc.boolean()
    case 'int':
      return fc.integer({ min: d.min, max: d.max })
    case 'enum':
      return fc.constantFrom(...d.values)
    case 'index':
      return fc.nat({ max: d.size - 1 })
    case 'option':
      return fc.option(valueOf(d.of), { nil: null })
    case 'array':
      return fc.tuple(...Array.from({ length: d.length }, () => valueOf(d.of)))
    case 'tuple':
      return fc.tuple(...d.items.map(valueOf))
    case 'record':
      return fc.record(Object.fromEntries(Object.entries(d.fields).map(([k, f]) => [k, valueOf(f)])))
    case 'set': {
      const members = d.of.kind === 'bool' || d.of.kind === 'int' || d.of.kind === 'enum' || d.of.kind === 'index' ? domain(d.of) : referenceValues(d.of)
      // A subset, in domain order.
      return fc.array(fc.boolean(), { minLength: members.length, maxLength: members.length }).map((keep) => members.filter((_, i) => keep[i]))
    }
    case 'seq':
      return fc.array(valueOf(d.of), { maxLength: d.maxLength })
    case 'map': {
      const keys = d.key.kind === 'bool' || d.key.kind === 'int' || d.key.kind === 'enum' || d.key.kind === 'index' ? domain(d.key) : referenceValues(d.key)
      // Some keys, in domain order, each with a value.
      return fc
        .array(fc.boolean(), { minLength: keys.length, maxLength: keys.length })
        .chain((keep) => fc.tuple(...keys.filter((_, i) => keep[i]).map((k) => valueOf(d.of).map((v) => [k, v]))))
    }
  }
}

const stateOf = (schema: readonly (readonly [string, TypeDesc])[]) =>
  fc.record(Object.fromEntries(schema.map(([k, d]) => [k, valueOf(d)]))) as fc.Arbitrary<Record<string, unknown>>

const codecOf = (schema: readonly (readonly [string, TypeDesc])[]) =>
  compileCodec(Object.fromEntries(schema.map(([k, d]) => [k, typeOf(d)])))

/** A schema with two states of it. */
const schemaAndStates = schemaDesc.chain((schema) => fc.tuple(fc.constant(schema), stateOf(schema), stateOf(schema)))

// ---- Round trips ----------------------------------------------------------------------------

testProp(
  'decode(encode(s)) deep-equals s, as a fresh mutable object, and encode(decode(w)) gives w back',
  [schemaAndStates],
  (tt, [schema, s]) => {
    const codec = codecOf(schema)
    const words = new Uint32Array(codec.words + 2)
    codec.encode(s, words, 1)
    const back = codec.decode(words, 1)
    tt.deepEqual(back, s)
    tt.false(Object.isFrozen(back))
    tt.not(back, s)
    const again = new Uint32Array(codec.words + 2)
    codec.encode(back, again, 1)
    tt.deepEqual(again, words)
    tt.is(words[0], 0, 'writes nothing before its offset')
    tt.is(words[codec.words + 1], 0, 'writes nothing after its words')
  },
  { numRuns: 300 },
)

testProp(
  'two states share an encoding exactly when they are equal',
  [schemaAndStates],
  (tt, [schema, a, b]) => {
    const codec = codecOf(schema)
    const wa = new Uint32Array(codec.words)
    const wb = new Uint32Array(codec.words)
    codec.encode(a, wa, 0)
    codec.encode(b, wb, 0)
    tt.is(wa.every((w, i) => w === wb[i]), JSON.stringify(a) === JSON.stringify(b))
  },
  { numRuns: 300 },
)

// ---- Values outside their type --------------------------------------------------------------

const isIdentifier = (k: string) => /^[A-Za-z_$][\w$]*$/.test(k)
const member = (k: string) => (isIdentifier(k) ? `.${k}` : `[${JSON.stringify(k)}]`)

/** A position inside a state: its path as the codec names it, its type and how to replace the value there. */
interface Site {
  readonly path: string
  readonly value: unknown
  readonly type: TypeDesc
  readonly get: (s: any) => any
  readonly set: (s: any, v: unknown) => void
}

function sitesOf(d: TypeDesc, value: unknown, path: string, get: (s: any) => any, set: (s: any, v: unknown) => void): Site[] {
  const here: Site = { path, value, type: d, get, set }
  switch (d.kind) {
    case 'option':
      return value === null ? [here] : [here, ...sitesOf(d.of, value, path, get, set).slice(1)]
    case 'array':
    case 'seq':
    case 'tuple':
      return [
        here,
        ...(value as unknown[]).flatMap((x, i) =>
          sitesOf(d.kind === 'tuple' ? d.items[i]! : d.of, x, `${path}[${i}]`, (s) => get(s)[i], (s, v) => void (get(s)[i] = v)),
        ),
      ]
    case 'record':
      return [
        here,
        ...Object.entries(d.fields).flatMap(([k, f]) =>
          sitesOf(f, (value as Record<string, unknown>)[k], `${path}${member(k)}`, (s) => get(s)[k], (s, v) => void (get(s)[k] = v)),
        ),
      ]
    case 'map':
      // A value is named by its key, as TLA+ writes `m[k]`.
      return [
        here,
        ...(value as [unknown, unknown][]).flatMap(([k, x], i) =>
          sitesOf(d.of, x, `${path}[${JSON.stringify(k)}]`, (s) => get(s)[i][1], (s, v) => void (get(s)[i][1] = v)),
        ),
      ]
    default:
      return [here]
  }
}

/** Ways to break the value at a site: the broken value, or an edit of the container, and the path to expect. */
interface Breakage {
  readonly what: string
  readonly apply: (s: any) => void
  readonly path: string
  /** Replaces the value (rather than editing it in place). */
  readonly replaces?: true
}

function breakages(site: Site): Breakage[] {
  const replace = (what: string, v: unknown): Breakage => ({ what, apply: (s: any) => site.set(s, v), path: site.path, replaces: true })
  const common = [replace('undefined', undefined), replace('a function', () => 0)]
  const d = site.type
  switch (d.kind) {
    case 'bool':
      return [...common, replace('1', 1), replace('"true"', 'true'), replace('null', null)]
    case 'int':
      return [
        ...common,
        replace('max + 1', d.max + 1),
        replace('min - 1', d.min - 1),
        replace('NaN', NaN),
        replace('a fraction', d.min + 0.5),
        replace('a numeric string', String(d.min)),
        replace('Infinity', Infinity),
      ]
    case 'enum':
      return [...common, replace('an unknown string', 'no-such-value'), replace('a number', 0), replace('"toString"', 'toString')]
    case 'index':
      return [...common, replace('size', d.size), replace('-1', -1), replace('NaN', NaN)]
    case 'option': {
      // null is a member; a null option can only be replaced, a present one also edited inside.
      const inner = breakages({ ...site, type: d.of }).filter((b) => b.what !== 'null')
      return site.value === null ? inner.filter((b) => b.replaces) : inner
    }
    case 'array':
    case 'tuple':
      return [
        ...common,
        replace('an object', {}),
        { what: 'one element too many', apply: (s) => void site.get(s).push(site.get(s)[0] ?? null), path: site.path },
        ...((d.kind === 'array' ? d.length : d.items.length) > 0 ? [{ what: 'one element too few', apply: (s: any) => void site.get(s).pop(), path: site.path }] : []),
      ]
    case 'record': {
      const first = Object.keys(d.fields)[0]!
      return [
        ...common,
        replace('null', null),
        replace('an array', []),
        { what: 'a missing field', apply: (s) => void delete site.get(s)[first], path: `${site.path}${member(first)}` },
        { what: 'an extra field', apply: (s) => void (site.get(s)['extra-field'] = 1), path: `${site.path}["extra-field"]` },
      ]
    }
    case 'seq': {
      const grow: Breakage = {
        what: 'one element past maxLength',
        apply: (s) => {
          const a = site.get(s)
          while (a.length <= d.maxLength) a.push(a[0] ?? null)
        },
        path: site.path,
      }
      const hole: Breakage = { what: 'a hole', apply: (s) => void (site.get(s).length = 1), path: `${site.path}[0]` }
      return [...common, replace('an object', {}), grow, ...(d.maxLength > 0 && Array.isArray(site.value) && site.value.length === 0 ? [hole] : [])]
    }
    case 'set': {
      // A compound member (a record, a tuple, ...) that is not one at all is named as the member.
      const bad = d.of.kind === 'enum' ? 'no-such-value' : d.of.kind === 'bool' ? 2 : d.of.kind === 'index' ? d.of.size : d.of.kind === 'int' ? d.of.max + 1 : 'no-such-value'
      return [
        ...common,
        replace('an object', {}),
        { what: 'a member outside the domain', apply: (s) => void site.get(s).push(bad), path: `${site.path}[]` },
      ]
    }
    case 'map': {
      const bad = d.key.kind === 'enum' ? 'no-such-value' : d.key.kind === 'bool' ? 2 : d.key.kind === 'index' ? d.key.size : d.key.kind === 'int' ? d.key.max + 1 : 'no-such-value'
      const pairs = Array.isArray(site.value) ? (site.value as [unknown, unknown][]) : []
      return [
        ...common,
        replace('an object', {}),
        { what: 'a key outside the domain', apply: (s) => void site.get(s).push([bad, null]), path: `${site.path} (a key)` },
        { what: 'a pair that is not one', apply: (s) => void site.get(s).push([bad]), path: `${site.path}[]` },
        ...(pairs.length > 0
          ? [{ what: 'a key twice', apply: (s: any) => void site.get(s).push(structuredClone(pairs[0]!)), path: site.path }]
          : []),
      ]
    }
  }
}

const brokenStates = schemaDesc.chain((schema) =>
  stateOf(schema).chain((state) => {
    const sites = schema.flatMap(([k, d]) =>
      sitesOf(d, state[k], k, (s) => s[k], (s, v) => void (s[k] = v)),
    )
    return fc.constantFrom(...sites.flatMap(breakages)).map((b) => ({ schema, state, breakage: b }))
  }),
)

testProp(
  'a value outside its type is rejected with a TypeViolation naming its path',
  [brokenStates],
  (tt, { schema, state, breakage }) => {
    const codec = codecOf(schema)
    const broken = structuredClone(state)
    breakage.apply(broken)
    const error = tt.throws(() => codec.encode(broken, new Uint32Array(codec.words), 0), { instanceOf: TypeViolation })
    tt.is(error?.path, breakage.path, breakage.what)
    tt.true(error?.message.startsWith(`${breakage.path} = `), error?.message)
  },
  { numRuns: 500 },
)

test('messages say the value and what was expected', (tt) => {
  const codec = compileCodec({ pc: t.array(2, t.enum('idle', 'busy')), n: t.int(0, 3), r: t.record({ 'a-b': t.option(t.bool()) }) })
  const words = new Uint32Array(codec.words)
  const message = (s: unknown) => tt.throws(() => codec.encode(s, words, 0), { instanceOf: TypeViolation })?.message
  const ok = { pc: ['idle', 'busy'], n: 0, r: { 'a-b': null } }
  tt.is(message({ ...ok, n: 4 }), 'n = 4 is outside its type: expected an integer in 0..3')
  tt.is(message({ ...ok, n: NaN }), 'n = NaN is outside its type: expected an integer in 0..3')
  tt.is(message({ ...ok, pc: ['idle', 'gone'] }), 'pc[1] = "gone" is outside its type: expected one of "idle", "busy"')
  tt.is(message({ ...ok, pc: ['idle'] }), 'pc = ["idle"] is outside its type: expected an array of length 2')
  tt.is(message({ ...ok, r: { 'a-b': 1 } }), 'r["a-b"] = 1 is outside its type: expected null or a boolean')
  tt.is(message({ ...ok, r: {} }), 'r["a-b"] = undefined (missing) is outside its type: expected a value')
  tt.is(message({ ...ok, r: { 'a-b': null, c: 2 } }), 'r.c = 2 is outside its type: expected no such field')
  tt.is(message(null), 'state = null is outside its type: expected a state record')
})

test('an option of an option is refused where the type is built: null would mean two values', (tt) => {
  tt.throws(() => t.option(t.option(t.bool())), { instanceOf: TypeError, message: /t\.option\(t\.option\(\.\.\.\)\): null would stand both/ })
  tt.notThrows(() => t.option(t.record({ inner: t.option(t.bool()) })))
})

test('a missing or extra state variable is named like the variable itself', (tt) => {
  const codec = compileCodec({ n: t.int(0, 3) })
  const words = new Uint32Array(codec.words)
  tt.is(tt.throws(() => codec.encode({}, words, 0), { instanceOf: TypeViolation })?.path, 'n')
  tt.is(tt.throws(() => codec.encode({ n: 0, extra: 1 }, words, 0), { instanceOf: TypeViolation })?.path, 'extra')
})
