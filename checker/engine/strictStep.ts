/**
 * The `strict` way to run an action: the effect gets an immer draft of a frozen state, so a guard
 * or property that mutates its input throws, and the result is a new frozen state. Used in
 * replay, simulation and tests; the search uses the `fast` path (decode, mutate, encode).
 */
import { freeze, produce } from 'immer'
import type { Instance } from './instances.js'

/** The successor of `state` under `instance`, or null when its guard is false. */
export function strictStep(state: unknown, instance: Instance): unknown | null {
  const { guard, effect } = instance.def
  if (guard !== undefined && !guard(state as any, instance.params)) return null
  return produce(state, (draft: any) => {
    const r = effect(draft, instance.params) as unknown
    // An effect returning a value would replace the draft under immer; ours only mutate.
    if (r !== undefined) throw new TypeError('an effect must mutate its draft and return nothing')
  })
}

/** A deeply frozen copy, so that guards and properties cannot change it unnoticed. */
export const frozen = <T>(state: T): T => freeze(structuredClone(state), true)
