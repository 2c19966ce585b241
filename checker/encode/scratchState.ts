/**
 * The search's reusable state object (`scratch`), which the codec's `decodeInto` overwrites in
 * place, so that decoding a state to expand it allocates nothing.
 */
import type { AnyType } from '../model/types.js'
import { mapSlots, member, zeroValue } from './codegen.js'
import { isScalar } from './layout.js'

/**
 * A reusable state object: `decodeInto` overwrites it in place. Its records are sealed (code that
 * adds or deletes a field throws), and each decoding first puts its own arrays and records back
 * in place, so that code which replaced, moved or aliased them cannot leak into the next state.
 */
export interface ScratchState {
  readonly state: any
  /** Its arrays and records, by container number (0 is `state` itself). */
  readonly own: readonly any[]
}

/**
 * The maker of fresh scratch states for a record of state variables. `containerOf` numbers each
 * array, record and set of the state by its access path (its place in ScratchState.own), the same
 * numbers the codec's generated code uses.
 */
export function scratchMaker(vars: Readonly<Record<string, AnyType>>, containerOf: (path: string) => number): () => ScratchState {
  // Fresh containers, registered by path, records sealed.
  const makeOwned = (type: AnyType, path: string, own: unknown[]): unknown => {
    if (isScalar(type)) return zeroValue(type)
    switch (type.kind) {
      case 'option':
        if (!isScalar(type.of)) makeOwned(type.of, path, own)
        return null
      case 'array':
      case 'tuple': {
        const items = type.kind === 'array' ? Array.from({ length: type.length }, () => type.of) : type.items
        const a = items.map((item, i) => makeOwned(item, `${path}[${i}]`, own))
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
      case 'seq': {
        // Element containers for every position, registered, though the sequence starts empty.
        for (let i = 0; i < type.maxLength; i++) makeOwned(type.of, `${path}[${i}]`, own)
        const a: unknown[] = []
        own[containerOf(path)] = a
        return a
      }
      case 'set': {
        const a: unknown[] = []
        own[containerOf(path)] = a
        return a
      }
      case 'map': {
        // A pair per key, registered, though the map starts empty.
        for (const slot of mapSlots(type, path)) own[containerOf(slot.pair)] = [slot.key, makeOwned(type.of, slot.value, own)]
        const a: unknown[] = []
        own[containerOf(path)] = a
        return a
      }
    }
  }
  return (): ScratchState => {
    const own: unknown[] = []
    const state = Object.seal(Object.fromEntries(Object.keys(vars).map((k) => [k, makeOwned(vars[k]!, k, own)])))
    own[0] = state
    return { state, own }
  }
}
