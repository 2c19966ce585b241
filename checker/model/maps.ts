/**
 * Reading and changing map fields (`t.map(K, V)`), whose values are arrays of `[key, value]` pairs
 * with distinct keys: keys are compared by value (records and tuples member by member), as TLA+
 * compares them. The TLA+ forms: `get` is `m[k]` (undefined outside `DOMAIN m`), `hasKey` is
 * `k \in DOMAIN m`, `put` is `[m EXCEPT ![k] = v]` or `m @@ (k :> v)`, `removeKey` is
 * `[x \in DOMAIN m \ {k} |-> m[x]]`. A new key goes at the end; the store keeps the pairs in the
 * keys' domain order, which is what properties and the next step see.
 */
import { equalValues } from './sets.js'

/** A map field's value: `[key, value]` pairs with distinct keys. */
export type MapValue<K, V> = [K, V][]

const find = <K, V>(m: readonly (readonly [K, V])[], key: K): number => m.findIndex((pair) => equalValues(pair[0], key))

/** `m[key]`: the value at `key`, or undefined when `key` is not in `DOMAIN m`. */
export function get<K, V>(m: readonly (readonly [K, V])[], key: K): V | undefined {
  const i = find(m, key)
  return i < 0 ? undefined : m[i]![1]
}

/** `key \in DOMAIN m`. */
export function hasKey<K, V>(m: readonly (readonly [K, V])[], key: K): boolean {
  return find(m, key) >= 0
}

/** `m' = [m EXCEPT ![key] = value]`, or `m @@ (key :> value)` for a new key, in an effect. */
export function put<K, V>(m: MapValue<K, V>, key: K, value: V): void {
  const i = find(m, key)
  if (i < 0) m.push([key, value])
  else m[i]![1] = value
}

/** Removes `key` from `DOMAIN m` in an effect; says whether it was there. */
export function removeKey<K, V>(m: MapValue<K, V>, key: K): boolean {
  const i = find(m, key)
  if (i >= 0) m.splice(i, 1)
  return i >= 0
}
