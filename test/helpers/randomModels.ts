/**
 * Random finite transition systems as real mrcheck models, for testing the engine against a
 * naive reference. A model has 1-3 state variables of small `t.*` types (bool, int ranges,
 * enums, options, arrays, tuples, records, sets of scalars and of records and tuples, sequences,
 * maps), so its whole state type has at most ~64 values, and 1-4 actions with 0-2 parameters (lists
 * of values, scalar types, and records, tuples, options, sets: `\E S \in SUBSET T`, and maps). Everything else is a random table over state numbers
 * (positions in `states`, the enumeration of the state type):
 *
 * - guard of instance i in state s: `guards[i][s]`;
 * - effect of instance i in state s: the state `effects[i][s]` (assigned variable by variable);
 * - initial states, state constraint, invariants ("bad" states), action properties ("bad"
 *   (from, to) pairs) and reachability goals: sets of state numbers.
 */
import fc from 'fast-check'
import { t, vars, type AnyType, type PropertySet, type Spec } from '../../checker/index.js'

/** A state-variable type as data, so that fast-check can generate and shrink it. */
export type TypeDesc =
  | { readonly kind: 'bool' }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'index'; readonly size: number }
  | { readonly kind: 'option'; readonly of: TypeDesc }
  | { readonly kind: 'array'; readonly length: number; readonly of: TypeDesc }
  | { readonly kind: 'tuple'; readonly items: readonly TypeDesc[] }
  | { readonly kind: 'record'; readonly fields: Readonly<Record<string, TypeDesc>> }
  | { readonly kind: 'set'; readonly of: TypeDesc }
  | { readonly kind: 'seq'; readonly maxLength: number; readonly of: TypeDesc }
  | { readonly kind: 'map'; readonly key: TypeDesc; readonly of: TypeDesc }

/** The `t.*` type a description stands for. */
export function typeOf(d: TypeDesc): AnyType {
  switch (d.kind) {
    case 'bool':
      return t.bool()
    case 'int':
      return t.int(d.min, d.max)
    case 'enum':
      return t.enum(...(d.values as [string, ...string[]]))
    case 'index':
      return t.index(d.size)
    case 'option':
      return t.option(typeOf(d.of))
    case 'array':
      return t.array(d.length, typeOf(d.of))
    case 'tuple':
      return t.tuple(...d.items.map(typeOf))
    case 'record':
      return t.record(Object.fromEntries(Object.entries(d.fields).map(([k, f]) => [k, typeOf(f)])))
    case 'set':
      return t.set(typeOf(d.of))
    case 'seq':
      return t.seq(typeOf(d.of), d.maxLength)
    case 'map':
      return t.map(typeOf(d.key), typeOf(d.of))
  }
}

/** Every value of a type, in a fixed order (sets as subsets in domain order). */
export function valuesOf(d: TypeDesc): unknown[] {
  switch (d.kind) {
    case 'bool':
      return [false, true]
    case 'int':
      return Array.from({ length: d.max - d.min + 1 }, (_, i) => d.min + i)
    case 'enum':
      return [...d.values]
    case 'index':
      return Array.from({ length: d.size }, (_, i) => i)
    case 'option':
      return [null, ...valuesOf(d.of)]
    case 'array':
      return product(Array.from({ length: d.length }, () => valuesOf(d.of)))
    case 'tuple':
      return product(d.items.map(valuesOf))
    case 'record': {
      const keys = Object.keys(d.fields)
      return product(keys.map((k) => valuesOf(d.fields[k]!))).map((vs) => Object.fromEntries(keys.map((k, i) => [k, vs[i]])))
    }
    case 'set': {
      const members = valuesOf(d.of)
      return Array.from({ length: 2 ** members.length }, (_, mask) => members.filter((_, i) => (mask >> i) & 1))
    }
    case 'seq': {
      const elements = valuesOf(d.of)
      return Array.from({ length: d.maxLength + 1 }, (_, n) => product(Array.from({ length: n }, () => elements))).flat()
    }
    case 'map': {
      // Per key absent or one of the values, the first key slowest; pairs in the keys' order.
      const keys = valuesOf(d.key)
      const absent = Symbol('absent')
      return product(keys.map(() => [absent, ...valuesOf(d.of)])).map((vs) => vs.flatMap((v, i) => (v === absent ? [] : [[keys[i], v]])))
    }
  }
}

const product = (lists: readonly (readonly unknown[])[]): unknown[][] =>
  lists.reduce<unknown[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]])

/** Small scalar types (1-4 values). */
export const scalarDesc: fc.Arbitrary<TypeDesc & { kind: 'bool' | 'int' | 'enum' | 'index' }> = fc.oneof(
  fc.constant({ kind: 'bool' as const }),
  fc
    .tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 3 }))
    .map(([min, k]) => ({ kind: 'int' as const, min, max: min + k })),
  fc.integer({ min: 1, max: 3 }).map((n) => ({ kind: 'enum' as const, values: ['a', 'b', 'c-d'].slice(0, n) })),
  fc.integer({ min: 1, max: 3 }).map((size) => ({ kind: 'index' as const, size })),
)

/** State-variable types with at most a handful of values. */
export const smallTypeDesc: fc.Arbitrary<TypeDesc> = fc.oneof(
  { weight: 4, arbitrary: scalarDesc },
  { weight: 1, arbitrary: fc.constant<TypeDesc>({ kind: 'option', of: { kind: 'int', min: 0, max: 1 } }) },
  { weight: 1, arbitrary: fc.constant<TypeDesc>({ kind: 'array', length: 2, of: { kind: 'bool' } }) },
  {
    weight: 1,
    arbitrary: fc.constant<TypeDesc>({ kind: 'record', fields: { x: { kind: 'bool' }, 'y-z': { kind: 'enum', values: ['p', 'q'] } } }),
  },
  { weight: 1, arbitrary: fc.constant<TypeDesc>({ kind: 'set', of: { kind: 'enum', values: ['x', 'y'] } }) },
  { weight: 1, arbitrary: fc.constant<TypeDesc>({ kind: 'tuple', items: [{ kind: 'bool' }, { kind: 'enum', values: ['a', 'b'] }] }) },
  {
    weight: 1,
    arbitrary: fc.constant<TypeDesc>({
      kind: 'set',
      of: { kind: 'record', fields: { type: { kind: 'enum', values: ['p', 'q'] }, n: { kind: 'option', of: { kind: 'index', size: 1 } } } },
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constant<TypeDesc>({ kind: 'set', of: { kind: 'tuple', items: [{ kind: 'index', size: 2 }, { kind: 'set', of: { kind: 'bool' } }] } }),
  },
  { weight: 1, arbitrary: fc.constant<TypeDesc>({ kind: 'seq', maxLength: 2, of: { kind: 'bool' } }) },
  {
    weight: 1,
    arbitrary: fc.constant<TypeDesc>({ kind: 'seq', maxLength: 2, of: { kind: 'record', fields: { s: { kind: 'set', of: { kind: 'index', size: 2 } } } } }),
  },
  {
    weight: 1,
    arbitrary: fc.constant<TypeDesc>({ kind: 'option', of: { kind: 'array', length: 1, of: { kind: 'bool' } } }),
  },
  { weight: 1, arbitrary: fc.constant<TypeDesc>({ kind: 'map', key: { kind: 'enum', values: ['x', 'y'] }, of: { kind: 'bool' } }) },
  {
    weight: 1,
    arbitrary: fc.constant<TypeDesc>({
      kind: 'map',
      key: { kind: 'tuple', items: [{ kind: 'bool' }, { kind: 'index', size: 1 }] },
      of: { kind: 'record', fields: { s: { kind: 'set', of: { kind: 'bool' } } } },
    }),
  },
)

/** A parameter domain: an explicit list or a small type. */
export type ParamDesc = { readonly list: readonly (number | string)[] } | { readonly type: TypeDesc }

const paramDesc: fc.Arbitrary<ParamDesc> = fc.oneof(
  fc.integer({ min: 1, max: 3 }).map((n) => ({ list: [10, 'twenty', 30].slice(0, n) })),
  fc.constant({ type: { kind: 'bool' as const } }),
  fc.integer({ min: 1, max: 2 }).map((size) => ({ type: { kind: 'index' as const, size } })),
  // Compound parameters: one instance per value of the type.
  fc.constantFrom<ParamDesc>(
    { type: { kind: 'set', of: { kind: 'index', size: 2 } } },
    { type: { kind: 'record', fields: { a: { kind: 'bool' }, b: { kind: 'option', of: { kind: 'index', size: 1 } } } } },
    { type: { kind: 'tuple', items: [{ kind: 'enum', values: ['x', 'y'] }, { kind: 'int', min: 0, max: 1 }] } },
    { type: { kind: 'option', of: { kind: 'enum', values: ['x', 'y'] } } },
    { type: { kind: 'map', key: { kind: 'index', size: 2 }, of: { kind: 'bool' } } },
  ),
)

/** A parameter's values, in the engine's enumeration order (valuesOf's). */
export const paramValues = (p: ParamDesc): unknown[] => ('list' in p ? [...p.list] : valuesOf(p.type))

export interface Shape {
  readonly vars: readonly TypeDesc[]
  readonly actions: readonly (readonly ParamDesc[])[]
}

export interface Tables {
  readonly init: readonly number[]
  /** Per instance (global instance order), per state number. */
  readonly guards: readonly (readonly boolean[])[]
  readonly effects: readonly (readonly number[])[]
  /** Per state: inside the constraint? Absent: no constraint. */
  readonly constraint: readonly boolean[] | null
  readonly invariants: readonly (readonly number[])[]
  /** Bad (from, to) pairs, encoded `from * N + to`. */
  readonly actionProperties: readonly (readonly number[])[]
  readonly reachable: readonly (readonly number[])[]
  readonly checkDeadlock: boolean
  /**
   * Per instance: whether its effect writes only the leaves that change, inside the existing
   * arrays and records (as hand-written effects do), or replaces every variable with a copy.
   */
  readonly inPlace: readonly boolean[]
  /** Per instance, per state: 0, or where running the instance there throws: 1 its guard, 2 its effect. Null: nothing throws. */
  readonly throws: readonly (readonly number[])[] | null
}

export interface RandomModel {
  readonly spec: Spec
  readonly props: PropertySet<any, any>
  readonly shape: Shape
  readonly tables: Tables
  /** Every value of the state type; a state's number is its position. */
  readonly states: readonly Record<string, unknown>[]
  /** The number of a state (throws on a value outside the type). */
  readonly indexOf: (s: unknown) => number
  /** A one-line summary, for test logs. */
  readonly summary: string
}

const MAX_STATES = 64

const shapeArb: fc.Arbitrary<Shape> = fc
  .record({
    vars: fc.array(smallTypeDesc, { minLength: 2, maxLength: 3, size: 'max' }),
    actions: fc.array(fc.array(paramDesc, { maxLength: 2 }), { minLength: 1, maxLength: 4, size: 'max' }),
  })
  .filter((s) => s.vars.reduce((n, v) => n * valuesOf(v).length, 1) <= MAX_STATES)

const instancesOf = (shape: Shape): number => shape.actions.reduce((n, ps) => n + ps.reduce((m, p) => m * paramValues(p).length, 1), 0)

const badSet = (n: number, max: number) => fc.uniqueArray(fc.noBias(fc.nat({ max: n - 1 })), { maxLength: max })

/** Random tables for a shape with `n` states and `k` instances. */
const tablesArb = (n: number, k: number): fc.Arbitrary<Tables> =>
  fc.record({
    init: fc.array(fc.noBias(fc.nat({ max: n - 1 })), { minLength: 1, maxLength: 3 }),
    guards: fc.array(fc.array(fc.noBias(fc.nat({ max: 3 })).map((x) => x !== 0), { minLength: n, maxLength: n }), { minLength: k, maxLength: k }),
    // Unbiased: fast-check's usual bias towards small numbers would send most steps to state 0
    // and put most states outside the constraint.
    effects: fc.array(fc.array(fc.noBias(fc.nat({ max: n - 1 })), { minLength: n, maxLength: n }), { minLength: k, maxLength: k }),
    constraint: fc.option(fc.array(fc.noBias(fc.nat({ max: 7 })).map((x) => x !== 0), { minLength: n, maxLength: n }), { freq: 3 }),
    invariants: fc.array(badSet(n, 1), { maxLength: 3 }),
    actionProperties: fc.array(badSet(n * n, 4), { maxLength: 2 }),
    reachable: fc.array(badSet(n, 2), { maxLength: 2 }),
    checkDeadlock: fc.boolean(),
    inPlace: fc.array(fc.boolean(), { minLength: k, maxLength: k }),
    throws: fc.constant(null),
  })
  // The first initial state is inside the constraint: a model with none inside it is refused.
  .map((t) => (t.constraint === null ? t : { ...t, constraint: t.constraint.map((inside, s) => inside || s === t.init[0]) }))

/** Guards or effects that throw in about one (instance, state) pair in 20. */
const throwsArb = (n: number, k: number): fc.Arbitrary<readonly (readonly number[])[]> =>
  fc.array(fc.array(fc.noBias(fc.nat({ max: 39 })).map((x) => (x < 2 ? x + 1 : 0)), { minLength: n, maxLength: n }), {
    minLength: k,
    maxLength: k,
  })

/**
 * The same set value written the way a careless effect might: its members in reverse order, the
 * first one again at the end (`['x', 'y']` as `['y', 'x', 'x']`); a map's pairs in reverse order;
 * other values as they are.
 */
export function messy(d: TypeDesc, v: unknown): unknown {
  if (v === null) return v
  switch (d.kind) {
    case 'set': {
      const members = (v as unknown[]).map((x) => messy(d.of, x))
      return members.length === 0 ? [] : [...members].reverse().concat([structuredClone(members[0])])
    }
    case 'map':
      // Pairs in reverse key order, their values messy.
      return (v as [unknown, unknown][]).map(([k, x]) => [k, messy(d.of, x)]).reverse()
    case 'option':
      return messy(d.of, v)
    case 'array':
    case 'seq':
      return (v as unknown[]).map((x) => messy(d.of, x))
    case 'tuple':
      return (v as unknown[]).map((x, i) => messy(d.items[i]!, x))
    case 'record':
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, messy(d.fields[k]!, x)]))
    default:
      return v
  }
}

/**
 * Builds the model for a shape and its tables. With `messySets`, its initial states and effects
 * write every set value with duplicates and out of domain order (`messy`): the same model, as far
 * as a set is a set.
 */
export function buildRandomModel(shape: Shape, tables: Tables, { messySets = false } = {}): RandomModel {
  const names = shape.vars.map((_, i) => `v${i}`)
  const schema = Object.fromEntries(shape.vars.map((d, i) => [names[i]!, typeOf(d)]))
  const states = product(shape.vars.map(valuesOf)).map((vs) => Object.fromEntries(names.map((k, i) => [k, vs[i]])))
  const index = new Map(states.map((s, i) => [key(names, s), i]))
  const indexOf = (s: unknown) => {
    const i = index.get(key(names, s as Record<string, unknown>))
    if (i === undefined) throw new Error(`not a state of the model: ${JSON.stringify(s)}`)
    return i
  }
  const n = states.length
  const write = (s: Record<string, unknown>): Record<string, unknown> =>
    messySets ? Object.fromEntries(names.map((k, i) => [k, messy(shape.vars[i]!, s[k])])) : s
  const { spec, action } = vars(schema as Record<string, ReturnType<typeof t.bool>>)
  let first = 0
  const actions = Object.fromEntries(
    shape.actions.map((params, a) => {
      const pnames = params.map((_, j) => `p${j}`)
      const domains = params.map(paramValues)
      const base = first
      first += domains.reduce((m, d) => m * d.length, 1)
      // The instance number of a parameter binding, in the engine's enumeration order (values
      // compared by their JSON: a compound parameter is a value, not a particular object).
      const positions = domains.map((d) => new Map(d.map((v, i) => [JSON.stringify(v), i])))
      const instance = (p: Record<string, unknown>) =>
        base + pnames.reduce((acc, name, j) => acc * domains[j]!.length + positions[j]!.get(JSON.stringify(p[name]))!, 0)
      const decl = Object.fromEntries(params.map((p, j) => [pnames[j]!, 'list' in p ? p.list : typeOf(p.type)]))
      const def = action(decl as never, {
        guard: (s: any, p: any) => {
          if (tables.throws?.[instance(p)]![indexOf(s)] === 1) throw new Error(`guard of instance ${instance(p)}`)
          return tables.guards[instance(p)]![indexOf(s)]!
        },
        effect: (d: any, p: any) => {
          const i = instance(p)
          if (tables.throws?.[i]![indexOf(d)] === 2) throw new Error(`effect of instance ${i}`)
          const target = write(states[tables.effects[i]![indexOf(d)]!]!)
          for (const k of names) {
            if (tables.inPlace[i]) assignInPlace(d, k, target[k])
            else d[k] = structuredClone(target[k])
          }
        },
      })
      return [`A${a}`, def]
    }),
  )
  const constraint = tables.constraint
  const built = spec({
    name: 'random',
    init: tables.init.map((i) => structuredClone(write(states[i]!))) as never,
    actions: actions as never,
    ...(constraint === null ? {} : { constraint: (s: unknown) => constraint[indexOf(s)]! }),
    checkDeadlock: tables.checkDeadlock,
  })
  const props: PropertySet<any, any> = {
    invariants: Object.fromEntries(tables.invariants.map((bad, i) => [`Inv${i}`, (s: unknown) => !bad.includes(indexOf(s))])),
    actionProperties: Object.fromEntries(
      tables.actionProperties.map((bad, i) => [`Act${i}`, (s: unknown, next: unknown) => !bad.includes(indexOf(s) * n + indexOf(next))]),
    ),
    reachable: Object.fromEntries(tables.reachable.map((goal, i) => [`Goal${i}`, (s: unknown) => goal.includes(indexOf(s))])),
  }
  const summary =
    `${messySets ? 'messy sets, ' : ''}${n} states (${shape.vars.map((v) => v.kind).join(', ')}), ${instancesOf(shape)} instances of ${shape.actions.length} actions, ` +
    `${tables.init.length} init, ${tables.invariants.length} inv, ${tables.actionProperties.length} act, ` +
    `${tables.reachable.length} goals, constraint ${constraint !== null}, deadlock ${tables.checkDeadlock}`
  return { spec: built, props, shape, tables, states, indexOf, summary }
}

/** Sets `container[k]` to `value` by writing only what differs, inside arrays and records of the same shape. */
function assignInPlace(container: any, k: string | number, value: unknown): void {
  const now = container[k]
  const sameShape =
    typeof value === 'object' &&
    value !== null &&
    typeof now === 'object' &&
    now !== null &&
    Array.isArray(value) === Array.isArray(now) &&
    (!Array.isArray(value) || value.length === now.length)
  if (sameShape) {
    for (const [j, v] of Object.entries(value)) assignInPlace(now, Array.isArray(value) ? Number(j) : j, v)
  } else if (Array.isArray(value) && Array.isArray(now)) {
    // A set of another size: rewritten in the array the state already has.
    now.length = 0
    now.push(...value)
  } else if (JSON.stringify(now) !== JSON.stringify(value)) {
    container[k] = structuredClone(value)
  }
}

const key = (names: readonly string[], s: Record<string, unknown>) => names.map((k) => JSON.stringify(s[k])).join('|')

/** Random models with at least one set or map variable, as pairs: writing canonical sets and maps, and writing them messily. */
export const randomSetModels: fc.Arbitrary<readonly [RandomModel, RandomModel]> = shapeArb
  .filter((shape) => shape.vars.some((v) => v.kind === 'set' || v.kind === 'map'))
  .chain((shape) => {
    const n = shape.vars.reduce((m, v) => m * valuesOf(v).length, 1)
    return tablesArb(n, instancesOf(shape)).map(
      (tables) => [buildRandomModel(shape, tables), buildRandomModel(shape, tables, { messySets: true })] as const,
    )
  })

/** Random models: a shape, then tables that fit it. */
export const randomModel: fc.Arbitrary<RandomModel> = shapeArb.chain((shape) => {
  const n = shape.vars.reduce((m, v) => m * valuesOf(v).length, 1)
  return tablesArb(n, instancesOf(shape)).map((tables) => buildRandomModel(shape, tables))
})

/** Random models whose guards and effects sometimes throw (see `Tables.throws`). */
export const randomThrowingModel: fc.Arbitrary<RandomModel> = shapeArb.chain((shape) => {
  const n = shape.vars.reduce((m, v) => m * valuesOf(v).length, 1)
  const k = instancesOf(shape)
  return fc
    .tuple(tablesArb(n, k), throwsArb(n, k))
    .map(([tables, throws]) => buildRandomModel(shape, { ...tables, throws }))
})
