/**
 * The value types of state variables and action parameters. Every type is finite, so the codec
 * can compute a fixed bit layout once per spec (see encode/layout.ts).
 */

/** A finite value type; `V` is the TypeScript type of its values (phantom). */
export type Type<V = unknown> = AnyType & TypeBase<V>

export interface TypeBase<V> {
  /** Phantom field carrying the value type; never set at run time. */
  readonly __value?: V
}

export type AnyType = BoolType | IntType | EnumType | IndexType | OptionType | ArrayType | TupleType | RecordType | SetType | SeqType | MapType

export interface BoolType {
  readonly kind: 'bool'
}
export interface IntType {
  readonly kind: 'int'
  readonly min: number
  readonly max: number
}
export interface EnumType {
  readonly kind: 'enum'
  readonly values: readonly string[]
}
/** 0..size-1: identifiers of interchangeable things (pages, frames, processes). */
export interface IndexType {
  readonly kind: 'index'
  readonly size: number
  readonly name: string
  readonly symmetric: boolean
}
export interface OptionType {
  readonly kind: 'option'
  readonly of: AnyType
}
export interface ArrayType {
  readonly kind: 'array'
  readonly length: number
  /** Set when the array is a function over an index type (its positions are that index). */
  readonly index: IndexType | undefined
  readonly of: AnyType
}
/** A fixed-length array whose positions have types of their own (TLA+ `<<a, b>>` in `A \X B`). */
export interface TupleType {
  readonly kind: 'tuple'
  readonly items: readonly AnyType[]
}
export interface RecordType {
  readonly kind: 'record'
  readonly fields: Readonly<Record<string, AnyType>>
}
/** A sequence of at most `maxLength` elements (TLA+ `Seq(T)`, bounded); values are arrays. */
export interface SeqType {
  readonly kind: 'seq'
  readonly maxLength: number
  readonly of: AnyType
}
/**
 * A subset of a small domain (scalars, or records, tuples, options, ... of them); values are arrays
 * of distinct members, kept in domain order (encode/rank.ts for compound members).
 */
export interface SetType {
  readonly kind: 'set'
  readonly of: AnyType
}
/**
 * A partial function from a small domain of keys to values (TLA+ `[x \in S |-> e]` for S a subset
 * of `key`); values are arrays of `[key, value]` pairs with distinct keys, kept in the keys' domain
 * order (model/values.ts).
 */
export interface MapType {
  readonly kind: 'map'
  readonly key: AnyType
  readonly of: AnyType
}

/** The TypeScript value type of a `t.*` type. */
export type ValueOf<T> = T extends TypeBase<infer V> ? V : never

type Fields = Record<string, Type<unknown>>
type RecordValue<F extends Fields> = { [K in keyof F]: ValueOf<F[K]> }
type TupleValue<T extends readonly Type<unknown>[]> = { -readonly [K in keyof T]: ValueOf<T[K]> }

/**
 * The most members an index type, an array, or a domain that is enumerated (an action parameter's,
 * a set's members) may have. An explicit-state search cannot use more, and a larger one would take
 * minutes and gigabytes to fail: it is refused when the spec is built.
 */
export const MAX_DOMAIN = 65_536

const tooLarge = (what: string, n: number): never => {
  throw new TypeError(`${what}: ${n.toLocaleString('en-US')} members is more than the ${MAX_DOMAIN.toLocaleString('en-US')} a domain may have`)
}

/** The type constructors, in TLA+ terms: BOOLEAN, a..b, enumerations, functions, records, SUBSET. */
export const t = {
  bool: (): Type<boolean> => ({ kind: 'bool' }) as Type<boolean>,
  int: (min: number, max: number): Type<number> => {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min > max || max - min >= 2 ** 32) {
      throw new TypeError(`t.int(${min}, ${max}): bounds must be integers with min <= max and fewer than 2^32 values`)
    }
    return { kind: 'int', min, max } as Type<number>
  },
  enum: <const E extends readonly [string, ...string[]]>(...values: E): Type<E[number]> => {
    if (new Set(values).size !== values.length) throw new TypeError(`t.enum(${values.join(', ')}): duplicate value`)
    return { kind: 'enum', values } as unknown as Type<E[number]>
  },
  /** `0..size-1`, named after what it indexes; `symmetric` marks its members interchangeable. */
  index: (size: number, options: { name?: string; symmetric?: boolean } = {}): Type<number> & IndexType => {
    if (!Number.isInteger(size) || size < 1) throw new TypeError(`t.index(${size}): size must be a positive integer`)
    if (size > MAX_DOMAIN) tooLarge(`t.index(${size})`, size)
    return { kind: 'index', size, name: options.name ?? 'index', symmetric: options.symmetric ?? false } as Type<number> &
      IndexType
  },
  /** `of` or null (TLA+ `T \cup {NoValue}`); an option of an option is refused, as null would mean both. */
  option: <V>(of: Type<V>): Type<V | null> => {
    if ((of as AnyType).kind === 'option') {
      throw new TypeError('t.option(t.option(...)): null would stand both for no value and for an inner option without one; use an enum or a record')
    }
    return { kind: 'option', of } as unknown as Type<V | null>
  },
  /** A fixed-length array; given an index type, a function from that index (TLA+ `[Proc -> T]`). */
  array: <V>(length: number | (Type<number> & IndexType), of: Type<V>): Type<V[]> => {
    const index = typeof length === 'number' ? undefined : length
    const n = typeof length === 'number' ? length : length.size
    if (!Number.isInteger(n) || n < 0) throw new TypeError(`t.array(${n}): length must be a non-negative integer`)
    if (n > MAX_DOMAIN) tooLarge(`t.array(${n})`, n)
    return { kind: 'array', length: n, index, of } as unknown as Type<V[]>
  },
  record: <F extends Fields>(fields: F): Type<RecordValue<F>> =>
    ({ kind: 'record', fields }) as unknown as Type<RecordValue<F>>,
  /** A tuple (TLA+ `A \X B`): an array whose position i has type `items[i]`. */
  tuple: <const T extends readonly Type<unknown>[]>(...items: T): Type<TupleValue<T>> =>
    ({ kind: 'tuple', items }) as unknown as Type<TupleValue<T>>,
  /**
   * A sequence of at most `maxLength` elements of `of` (TLA+ `Seq(T)` with a bound), as an array:
   * effects use `push`, `shift`, `q[0]` (Head), `q.slice(1)` (Tail), `q.length` (Len). Packed as
   * its length and `maxLength` element slots; growing past the bound is a type error.
   */
  seq: <V>(of: Type<V>, maxLength: number): Type<V[]> => {
    if (!Number.isInteger(maxLength) || maxLength < 0) throw new TypeError(`t.seq(${maxLength}): maxLength must be a non-negative integer`)
    if (maxLength > MAX_DOMAIN) tooLarge(`t.seq(${maxLength})`, maxLength)
    return { kind: 'seq', maxLength, of } as unknown as Type<V[]>
  },
  /**
   * A subset of a small domain (TLA+ `SUBSET T`), as an array of distinct members in domain order:
   * scalars, or records, tuples, options, arrays, sets and sequences of them with at most
   * MAX_DOMAIN values in all (`t.set(t.record({ type: t.enum('Commit', 'Abort'), rm: RM }))`).
   */
  set: <V>(of: Type<V>): Type<V[]> => {
    const n = countValues(of as AnyType)
    if (n > MAX_DOMAIN) tooLarge(`t.set(${(of as AnyType).kind === 'int' ? `t.int(${(of as IntType).min}, ${(of as IntType).max})` : `a ${(of as AnyType).kind}`})`, n)
    return { kind: 'set', of } as unknown as Type<V[]>
  },
  /**
   * A partial function from `key` (a small domain, as a set's members) to `of` (TLA+
   * `[x \in S |-> e]` with S a subset of `key`, Quint's `Map`), as an array of `[key, value]`
   * pairs with distinct keys in the keys' domain order: effects read and change it with `get`,
   * `put`, `hasKey` and `removeKey` (model/maps.ts). Packed as one slot per key, each a presence
   * flag and the value's bits (a `t.option(of)` per key).
   */
  map: <K, V>(key: Type<K>, of: Type<V>): Type<[K, V][]> => {
    const n = countValues(key as AnyType)
    if (n > MAX_DOMAIN) tooLarge(`t.map(${(key as AnyType).kind === 'int' ? `t.int(${(key as IntType).min}, ${(key as IntType).max})` : `a ${(key as AnyType).kind}`}, ...)'s keys`, n)
    return { kind: 'map', key, of } as unknown as Type<[K, V][]>
  },
}

/** How many values a type has (Infinity past 2^53, which no enumeration reaches). */
export function countValues(type: AnyType): number {
  switch (type.kind) {
    case 'bool':
    case 'int':
    case 'enum':
    case 'index':
      return type.kind === 'bool' ? 2 : type.kind === 'int' ? type.max - type.min + 1 : type.kind === 'enum' ? type.values.length : type.size
    case 'option':
      return 1 + countValues(type.of)
    case 'array':
      return countValues(type.of) ** type.length
    case 'tuple':
      return type.items.reduce((n, f) => n * countValues(f), 1)
    case 'record':
      return Object.values(type.fields).reduce((n, f) => n * countValues(f), 1)
    case 'set':
      return 2 ** countValues(type.of)
    case 'map':
      return (1 + countValues(type.of)) ** countValues(type.key)
    case 'seq': {
      const n = countValues(type.of)
      let total = 0
      for (let k = 0; k <= type.maxLength && total < Infinity; k++) total += n ** k
      return total
    }
  }
}

/** Every value of a scalar type, in domain order (parameter domains and set members). */
export function domainValues(type: AnyType): (string | number | boolean)[] {
  switch (type.kind) {
    case 'bool':
      return [false, true]
    case 'int':
      if (type.max - type.min + 1 > MAX_DOMAIN) tooLarge(`t.int(${type.min}, ${type.max})`, type.max - type.min + 1)
      return Array.from({ length: type.max - type.min + 1 }, (_, i) => type.min + i)
    case 'enum':
      return [...type.values]
    case 'index':
      return Array.from({ length: type.size }, (_, i) => i)
    default:
      throw new TypeError(`a ${type.kind} type has no small domain to enumerate`)
  }
}
