/**
 * The `strict` way to run an action: the effect gets an immer draft of a frozen state, so a guard
 * or property that mutates its input throws, and the result is a new frozen state. Used in
 * replay, simulation and tests; the search uses the `fast` path (decode, mutate, encode).
 */
import { freeze, produce } from 'immer'
import { show } from '../encode/TypeViolation.js'
import type { Instance } from './instances.js'

/**
 * The successor of `state` under `instance`, or null when its guard is false. `canonical` is the
 * compiled spec's (CompiledSpec.canonical): the successor is the state the store keeps, its set
 * fields distinct and in domain order.
 */
export function strictStep(state: unknown, instance: Instance, canonical: (s: unknown) => unknown): unknown | null {
  const { guard, effect } = instance.def
  if (guard !== undefined && !guard(state as any, instance.params)) return null
  const next = produce(state, (draft: any) => {
    const r = effect(draft, instance.params) as unknown
    // Under immer a returned value would replace the draft; the search's effects only mutate.
    if (r !== undefined) throw new EffectReturned(r)
  })
  return canonical(next)
}

/** An effect returned a value: effects change their draft and return nothing, in every mode. */
export class EffectReturned extends TypeError {
  constructor(readonly value: unknown) {
    super(`an effect must change its draft and return nothing (undefined), but it returned ${show(value)}`)
  }
}

/** A deeply frozen copy, so that guards and properties cannot change it unnoticed. */
export const frozen = <T>(state: T): T => freeze(structuredClone(state), true)
