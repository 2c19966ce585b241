/**
 * Path-level differences between two states, so that a change deep inside a record shows as
 * its path (`mrs[1].state: "valid" -> "invalid"`) instead of the whole variable.
 */
export interface Change {
  readonly path: string
  readonly from: unknown
  readonly to: unknown
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
/** The path of field `k` below `path` (`.k`, or `["k"]` for a key that is not a name). */
export const fieldPath = (path: string, k: string) => path + (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`)

/** The leaf-most paths at which `a` and `b` differ; arrays of equal length and records are walked. */
export function diffStates(a: unknown, b: unknown, path = ''): Change[] {
  if (Object.is(a, b)) return []
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((x, i) => diffStates(x, b[i], `${path}[${i}]`))
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    return keys.flatMap((k) => diffStates(a[k], b[k], path === '' ? k : fieldPath(path, k)))
  }
  return [{ path, from: a, to: b }]
}
