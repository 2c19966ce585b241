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

export type AnyType = BoolType | IntType | EnumType | IndexType | OptionType | ArrayType | RecordType | SetType | SeqType

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
/** A subset of a small domain; values are arrays of distinct members, kept in domain order. */
export interface SetType {
  readonly kind: 'set'
  readonly of: IntType | EnumType | IndexType | BoolType
}

/** The TypeScript value type of a `t.*` type. */
export type ValueOf<T> = T extends TypeBase<infer V> ? V : never

type Fields = Record<string, Type<unknown>>
type RecordValue<F extends Fields> = { [K in keyof F]: ValueOf<F[K]> }

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
  option: <V>(of: Type<V>): Type<V | null> => ({ kind: 'option', of }) as unknown as Type<V | null>,
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
  /** A subset of a bool, int, enum or index domain, as an array of members in domain order. */
  set: <V extends string | number | boolean>(of: Type<V>): Type<V[]> => {
    const k = (of as AnyType).kind
    if (k !== 'int' && k !== 'enum' && k !== 'index' && k !== 'bool') {
      throw new TypeError(`t.set: members must be bool, int, enum or index values, not ${k}`)
    }
    if (k === 'int') {
      const { min, max } = of as unknown as IntType
      if (max - min + 1 > MAX_DOMAIN) tooLarge(`t.set(t.int(${min}, ${max}))`, max - min + 1)
    }
    return { kind: 'set', of } as unknown as Type<V[]>
  },
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
