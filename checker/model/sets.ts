/**
 * Membership in set fields by value, for members that are records, tuples or other compound
 * values (TLA+ `m \in msgs`, `msgs \ {m}`): `includes` and `indexOf` compare objects by identity,
 * and an effect builds a new record each time. Set fields of scalars may use either.
 */

/** Whether two values of one type are equal: scalars by `===`, arrays and records member by member. */
export function equalValues(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equalValues(x, b[i]))
  if (Array.isArray(b)) return false
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && equalValues((a as never)[k], (b as never)[k]))
}

/** `value \in set`: whether a member of `set` equals `value`. */
export function has<V>(set: readonly V[], value: V): boolean {
  return set.some((m) => equalValues(m, value))
}

/** `set' = set \ {value}` in an effect: removes every member equal to `value`; says whether there was one. */
export function remove<V>(set: V[], value: V): boolean {
  let kept = 0
  for (let i = 0; i < set.length; i++) if (!equalValues(set[i], value)) set[kept++] = set[i]!
  const removed = kept < set.length
  if (removed) set.length = kept
  return removed
}
