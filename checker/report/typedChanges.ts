/**
 * The changes between two states read with the state's types: a map's value changes at its key
 * (`leases["r1"]: "c0" -> "c1"`, where the untyped diff of its [key, value] pairs would say
 * `leases[0][1]`), a key that comes or goes shows as such, and a set changes as a whole (its
 * members' positions mean nothing). Values that do not fit their type (a trace with a type error)
 * are compared as the untyped diff compares them.
 */
import { isDeepStrictEqual } from 'node:util'
import type { AnyType } from '../model/types.js'
import { diffStates, fieldPath, isRecord, type Change } from '../result/diff.js'

/** Stands for the value of a map's key that is not there. */
export const NO_KEY: unique symbol = Symbol('no key')

const isPairs = (v: unknown): v is [unknown, unknown][] => Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2)
const keyOf = (k: unknown): string => (typeof k === 'number' ? String(k) : JSON.stringify(k))

/** The changes from state `a` to state `b` whose variables have the types `vars`. */
export function typedChanges(a: unknown, b: unknown, vars: Readonly<Record<string, AnyType>>): Change[] {
  if (!isRecord(a) || !isRecord(b)) return diffStates(a, b)
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])]
  return names.flatMap((k) => (vars[k] === undefined ? diffStates(a[k], b[k], k) : changesIn(a[k], b[k], vars[k], k)))
}

function changesIn(a: unknown, b: unknown, type: AnyType, path: string): Change[] {
  if (Object.is(a, b)) return []
  switch (type.kind) {
    case 'map':
      return isPairs(a) && isPairs(b) ? mapChanges(a, b, type.of, path) : diffStates(a, b, path)
    case 'set':
      return isDeepStrictEqual(a, b) ? [] : [{ path, from: a, to: b }]
    case 'record':
      if (!isRecord(a) || !isRecord(b)) break
      return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) =>
        type.fields[k] === undefined ? diffStates(a[k], b[k], fieldPath(path, k)) : changesIn(a[k], b[k], type.fields[k], fieldPath(path, k)),
      )
    case 'array':
    case 'seq':
    case 'tuple':
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) break
      return a.flatMap((x, i) => {
        const of = type.kind === 'tuple' ? type.items[i] : type.of
        return of === undefined ? diffStates(x, b[i], `${path}[${i}]`) : changesIn(x, b[i], of, `${path}[${i}]`)
      })
    case 'option':
      if (a === null || b === null) break
      return changesIn(a, b, type.of, path)
  }
  return diffStates(a, b, path)
}

function mapChanges(a: [unknown, unknown][], b: [unknown, unknown][], of: AnyType, path: string): Change[] {
  const before = new Map(a.map(([k, v]) => [keyOf(k), v] as const))
  const after = new Map(b.map(([k, v]) => [keyOf(k), v] as const))
  const keys = [...new Set([...before.keys(), ...after.keys()])]
  return keys.flatMap((k) => {
    const at = `${path}[${k}]`
    if (!before.has(k)) return [{ path: at, from: NO_KEY, to: after.get(k) }]
    if (!after.has(k)) return [{ path: at, from: before.get(k), to: NO_KEY }]
    return changesIn(before.get(k), after.get(k), of, at)
  })
}
