/**
 * An independent reference for symmetry reduction, on plain objects and strict steps (no engine
 * code but the codec, whose encoding is the state's identity): every permutation of the symmetric
 * index types applied to a decoded state, the reachable states, their orbits counted by brute
 * force (each state's least encoding over all renamings), and whether a trace is a behaviour.
 */
import { isDeepStrictEqual } from 'node:util'
import { strictStep, type AnyType, type CheckResult, type CompiledSpec, type IndexType, type PropertySet, type TraceStep } from '../../checker/index.js'

/** Every permutation of 0..n-1. */
export const permutations = (n: number): number[][] =>
  n === 0 ? [[]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]))

/** Renames the members of the given index types in a plain state (arrays over them move their entries). */
export function rename(vars: Readonly<Record<string, AnyType>>, state: any, g: Map<IndexType, number[]>): any {
  const walk = (type: AnyType, v: any): any => {
    switch (type.kind) {
      case 'index':
        return g.get(type)?.[v] ?? v
      case 'option':
        return v === null ? null : walk(type.of, v)
      case 'array': {
        const items = (v as any[]).map((x) => walk(type.of, x))
        const p = type.index === undefined ? undefined : g.get(type.index)
        if (p === undefined) return items
        const out = new Array(items.length)
        items.forEach((x, i) => (out[p[i]!] = x))
        return out
      }
      case 'record':
        return Object.fromEntries(Object.entries(type.fields).map(([f, ft]) => [f, walk(ft, v[f])]))
      case 'tuple':
        return (v as any[]).map((x, i) => walk(type.items[i]!, x))
      // Members renamed one by one; `key` encodes the set, which puts them back in domain order.
      case 'set':
      case 'seq':
        return (v as any[]).map((x) => walk(type.of, x))
      // Keys and values renamed; `key` encodes the map, which puts its pairs back in key order.
      case 'map':
        return (v as any[]).map(([k, x]) => [walk(type.key, k), walk(type.of, x)])
      default:
        return v
    }
  }
  return Object.fromEntries(Object.entries(vars).map(([k, ty]) => [k, walk(ty, state[k])]))
}

/** The symmetric index types of a state type. */
export function symmetricTypesOf(vars: Readonly<Record<string, AnyType>>): IndexType[] {
  const out: IndexType[] = []
  const visit = (type: AnyType): void => {
    if (type.kind === 'index' && type.symmetric && !out.includes(type)) out.push(type)
    if (type.kind === 'option' || type.kind === 'set' || type.kind === 'seq') visit(type.of)
    if (type.kind === 'map') {
      visit(type.key)
      visit(type.of)
    }
    if (type.kind === 'array') {
      if (type.index !== undefined) visit(type.index)
      visit(type.of)
    }
    if (type.kind === 'record') Object.values(type.fields).forEach(visit)
    if (type.kind === 'tuple') type.items.forEach(visit)
  }
  Object.values(vars).forEach(visit)
  return out
}

export const key = (c: CompiledSpec, s: unknown) => {
  const w = new Uint32Array(c.codec.words)
  c.codec.encode(s, w, 0)
  return Array.from(w).join(',')
}

/** Every reachable state inside the constraint, by strict steps (no engine code). */
export function reachable(c: CompiledSpec): unknown[] {
  const seen = new Map<string, unknown>()
  const queue: any[] = []
  for (const s of c.init as any[]) {
    if (c.spec.constraint !== undefined && !c.spec.constraint(s)) continue
    const k = key(c, s)
    if (!seen.has(k)) seen.set(k, s), queue.push(s)
  }
  while (queue.length > 0) {
    const s = queue.shift()
    for (const inst of c.instances) {
      const n: any = strictStep(s, inst, c.canonical)
      if (n === null || (c.spec.constraint !== undefined && !c.spec.constraint(n))) continue
      const k = key(c, n)
      if (!seen.has(k)) seen.set(k, n), queue.push(n)
    }
  }
  return [...seen.values()]
}

/** The number of orbits among `states` under all permutations of the symmetric types. */
export function orbits(c: CompiledSpec, states: readonly unknown[]): number {
  const types = symmetricTypesOf(c.spec.vars)
  let group: Map<IndexType, number[]>[] = [new Map()]
  for (const ty of types) group = group.flatMap((g) => permutations(ty.size).map((p) => new Map([...g, [ty, p]])))
  const reps = new Set<string>()
  for (const s of states) {
    let best: string | undefined
    for (const g of group) {
      const k = key(c, rename(c.spec.vars, s, g))
      if (best === undefined || k < best) best = k
    }
    reps.add(best!)
  }
  return reps.size
}

/** Whether a trace is a behaviour of the unreduced model: an initial state, then strict steps. */
export function replays(c: CompiledSpec, trace: readonly TraceStep[]): string | null {
  if (trace.length === 0) return null
  if (!c.init.some((s) => isDeepStrictEqual(s, trace[0]!.state))) return 'the first state is not an initial state'
  for (let k = 1; k < trace.length; k++) {
    const step = trace[k]!
    const inst = c.instances.find((i) => i.label === step.action?.label)
    if (inst === undefined) return `step ${k}: no action ${step.action?.label}`
    const next = strictStep(trace[k - 1]!.state, inst, c.canonical)
    if (next === null || key(c, next) !== key(c, step.state)) return `step ${k}: ${inst.label} does not lead to the printed state`
  }
  return null
}

export const verdict = (r: CheckResult) => ({
  status: r.status,
  violated: r.violations.map((v) => `${v.kind}:${v.property}`).sort(),
})

/** Safety properties only: symmetry refuses temporal ones. */
export const safety = (props: PropertySet<any, any>): string[] => [
  ...Object.keys(props.invariants ?? {}),
  ...Object.keys(props.actionProperties ?? {}),
  ...Object.keys(props.reachable ?? {}),
]

