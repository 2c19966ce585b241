/**
 * Copies of a decoded state, compiled once per spec as the codec is: `clone` (a fresh deep copy),
 * and the search loop's reusable state object (`scratch`) with `restore`, which overwrites it in
 * place with a copy of another state, so that expanding a state allocates nothing.
 */
import type { AnyType } from '../spec/types.js'
import { member, sameMembers, zeroValue } from './codegen.js'
import { isScalar } from './layout.js'

/**
 * A reusable state object for the search loop: `decodeInto` and `restore` overwrite it in place.
 * Its records are sealed (an effect that adds or deletes a field throws), and each restore first
 * puts its own arrays and records back in place, so an effect that replaced, moved or aliased them
 * cannot leak into the next step.
 */
export interface ScratchState {
  readonly state: any
  /** Its arrays and records, by container number (0 is `state` itself). */
  readonly own: readonly any[]
}

export interface StateCopies {
  /** A fresh deep copy of a well-typed state (one that `decode` made); cheaper than a second decode. */
  readonly clone: (state: any) => any
  /** A fresh scratch state. */
  readonly scratch: () => ScratchState
  /** Overwrites `scratch.state` with a copy of `state` (well-typed: one that decode made). */
  readonly restore: (scratch: ScratchState, state: any) => void
}

/**
 * Compiles the copies of a record of state variables. `containerOf` numbers each array, record
 * and set of the state by its access path (its place in ScratchState.own), the same numbers the
 * codec's `decodeInto` and `encodeFrom` use.
 */
export function compileCopies(vars: Readonly<Record<string, AnyType>>, containerOf: (path: string) => number): StateCopies {
  let tmp = 0
  // clone: helper functions (for long arrays of compound values) and temporaries.
  const cloneHelpers: string[] = []
  const cloneTemps: string[] = []
  // restore's statements.
  const rest: string[] = []

  // clone: an expression copying well-typed value `v` of `type`.
  const cloneExpr = (type: AnyType, v: string): string => {
    if (isScalar(type)) return v
    switch (type.kind) {
      case 'set':
        return `${v}.slice()`
      case 'option': {
        if (isScalar(type.of)) return v
        const o = `o${tmp++}`
        cloneTemps.push(o)
        return `((${o} = ${v}) === null ? null : ${cloneExpr(type.of, o)})`
      }
      case 'array': {
        if (isScalar(type.of)) return `${v}.slice()`
        const a = `a${tmp++}`
        cloneTemps.push(a)
        if (type.length <= 16) {
          const items = Array.from({ length: type.length }, (_, i) => cloneExpr(type.of, `${a}[${i}]`))
          return `(${a} = ${v}, [${items.join(', ')}])`
        }
        const h = `h${tmp++}`
        const temps = cloneTemps.splice(0)
        const body = cloneExpr(type.of, 'x')
        const inner = cloneTemps.splice(0)
        cloneTemps.push(...temps)
        cloneHelpers.push(
          `function ${h}(x) { ${inner.length ? `let ${inner.join(', ')};` : ''} return ${body} }`,
        )
        return `(${a} = ${v}, M(${a}, ${h}))`
      }
      case 'record': {
        const r = `r${tmp++}`
        cloneTemps.push(r)
        const fields = Object.keys(type.fields).map((k) => `${JSON.stringify(k)}: ${cloneExpr(type.fields[k]!, `${r}${member(k)}`)}`)
        return `(${r} = ${v}, { ${fields.join(', ')} })`
      }
    }
  }

  // restore: code making assignable `t` a copy of well-typed value `v`, using the scratch's own containers.
  const restoreCode = (type: AnyType, t: string, v: string, path: string): void => {
    if (isScalar(type) || (type.kind === 'option' && isScalar(type.of))) {
      rest.push(`${t} = ${v};`)
      return
    }
    switch (type.kind) {
      case 'option': {
        const o = `o${tmp++}`
        rest.push(`{ const ${o} = ${v}; if (${o} === null) ${t} = null; else {`)
        restoreCode(type.of, t, o, path)
        rest.push('} }')
        return
      }
      case 'array': {
        const a = `a${tmp++}`
        const b = `b${tmp++}`
        rest.push(
          `{ const ${a} = own[${containerOf(path)}]; if (${t} !== ${a}) ${t} = ${a}; if (${a}.length !== ${type.length}) ${a}.length = ${type.length}; const ${b} = ${v};`,
        )
        for (let i = 0; i < type.length; i++) restoreCode(type.of, `${a}[${i}]`, `${b}[${i}]`, `${path}[${i}]`)
        rest.push('}')
        return
      }
      case 'record': {
        const r = `r${tmp++}`
        const q = `q${tmp++}`
        rest.push(`{ const ${r} = own[${containerOf(path)}]; if (${t} !== ${r}) ${t} = ${r}; const ${q} = ${v};`)
        for (const k of Object.keys(type.fields)) restoreCode(type.fields[k]!, `${r}${member(k)}`, `${q}${member(k)}`, path + member(k))
        rest.push('}')
        return
      }
      case 'set': {
        const a = `a${tmp++}`
        const b = `b${tmp++}`
        rest.push(`{ const ${a} = own[${containerOf(path)}]; if (${t} !== ${a}) ${t} = ${a}; const ${b} = ${v}; if (!Q(${a}, ${b})) C(${a}, ${b}); }`)
        return
      }
    }
  }
  // The scratch state: fresh containers, registered by path, records sealed.
  const makeOwned = (type: AnyType, path: string, own: unknown[]): unknown => {
    if (isScalar(type)) return zeroValue(type)
    switch (type.kind) {
      case 'option':
        if (!isScalar(type.of)) makeOwned(type.of, path, own)
        return null
      case 'array': {
        const a = Array.from({ length: type.length }, (_, i) => makeOwned(type.of, `${path}[${i}]`, own))
        own[containerOf(path)] = a
        return a
      }
      case 'record': {
        const r = Object.seal(
          Object.fromEntries(Object.keys(type.fields).map((k) => [k, makeOwned(type.fields[k]!, path + member(k), own)])),
        )
        own[containerOf(path)] = r
        return r
      }
      case 'set': {
        const a: unknown[] = []
        own[containerOf(path)] = a
        return a
      }
    }
  }

  for (const k of Object.keys(vars)) restoreCode(vars[k]!, `t${member(k)}`, `s${member(k)}`, k)
  const cloneFields = Object.keys(vars).map((k) => `${JSON.stringify(k)}: ${cloneExpr(vars[k]!, `s${member(k)}`)}`)

  // Makes `a` the copy of set `b`.
  const C = (a: unknown[], b: unknown[]): void => {
    for (let i = 0; i < b.length; i++) a[i] = b[i]
    a.length = b.length
  }
  // Maps a long array through the copy of its items.
  const M = (a: unknown[], f: (x: unknown) => unknown): unknown[] => {
    const out = new Array<unknown>(a.length)
    for (let i = 0; i < a.length; i++) out[i] = f(a[i])
    return out
  }
  const restore = new Function(
    'Q',
    'C',
    `return function restore(scratch, s) {\nconst own = scratch.own; const t = own[0];\n${rest.join('\n')}\n}`,
  )(sameMembers, C)
  const scratch = (): ScratchState => {
    const own: unknown[] = []
    const state = Object.seal(Object.fromEntries(Object.keys(vars).map((k) => [k, makeOwned(vars[k]!, k, own)])))
    own[0] = state
    return { state, own }
  }
  const clone = new Function(
    'M',
    `${cloneHelpers.join('\n')}\nreturn function clone(s) { ${cloneTemps.length ? `let ${cloneTemps.join(', ')};` : ''} return { ${cloneFields.join(', ')} } }`,
  )(M)
  return { clone, scratch, restore }
}
