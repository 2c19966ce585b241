/**
 * A spec's initial states, from whichever way its `init` states them: one state, a list, a
 * predicate over the declared types (`{ where }`, TLA+'s `x \in T /\ P(x)`: every state of the
 * variables' types is tried, in the order of model/values.ts), or a generator (`{ generate }`,
 * optionally filtered by `where`). Each state is type-checked. A state found twice is kept twice,
 * as TLC counts it generated twice; `distinct` counts it once.
 */
import type { InitPredicate, Spec } from '../model/model.js'
import { countValues } from '../model/types.js'
import { valuesOf } from '../model/values.js'
import type { Codec } from '../encode/codec.js'
import { show, TypeViolation } from '../encode/TypeViolation.js'
import { CheckerError } from '../result/errors.js'

/** The most candidate states an `init: { where }` may make the checker try. */
export const MAX_INITIAL_CANDIDATES = 10_000_000

/** Whether `init` is a predicate or a generator rather than a state (a state has no function-valued field). */
export function isInitPredicate(init: unknown): init is InitPredicate<unknown> {
  if (typeof init !== 'object' || init === null || Array.isArray(init)) return false
  const keys = Object.keys(init)
  const { where, generate } = init as Record<string, unknown>
  return (
    keys.length > 0 &&
    keys.every((k) => k === 'where' || k === 'generate') &&
    (where === undefined || typeof where === 'function') &&
    (generate === undefined || typeof generate === 'function')
  )
}

/** A spec's initial states, in the order found, and how many of them differ. */
export interface InitialStates {
  readonly states: readonly unknown[]
  readonly distinct: number
}

/**
 * The initial states of `spec`, as `keep` makes them (the store's canonical form).
 * Throws CheckerError naming the model for a state outside its type, a predicate that throws, or
 * more candidates than MAX_INITIAL_CANDIDATES.
 */
export function initialStates(spec: Spec, codec: Codec, keep: (s: unknown) => unknown): InitialStates {
  const fail = (why: string): never => {
    throw new CheckerError('MODEL_DEFINITION', `Model "${spec.name}": ${why}`)
  }
  const words = new Uint32Array(codec.words)
  const seen = new Set<string>()
  const out: unknown[] = []
  const add = (s: unknown, which: string) => {
    try {
      codec.encode(s, words, 0)
    } catch (e) {
      if (!(e instanceof TypeViolation)) throw e
      fail(`${which}: ${e.message}`)
    }
    seen.add(words.join(','))
    out.push(keep(s))
  }
  const init = spec.init as unknown
  if (!isInitPredicate(init)) {
    ;(Array.isArray(init) ? init : [init]).forEach((s, i) => add(s, `initial state ${i}`))
    return { states: out, distinct: seen.size }
  }
  const where = init.where
  const accepts = (s: unknown): boolean => {
    if (where === undefined) return true
    let ok: unknown
    try {
      ok = where(s as never)
    } catch (e) {
      fail(`its init predicate (where) threw on ${show(s)}: ${(e as Error)?.message ?? String(e)}`)
    }
    if (typeof ok !== 'boolean') fail(`its init predicate (where) returned ${show(ok)} on ${show(s)}, not a boolean`)
    return ok as boolean
  }
  if (init.generate !== undefined) {
    let i = 0
    for (const s of init.generate()) {
      if (++i > MAX_INITIAL_CANDIDATES) fail(`its init generator gave more than ${MAX_INITIAL_CANDIDATES.toLocaleString('en-US')} states`)
      if (accepts(s)) add(s, `generated initial state ${i - 1}`)
    }
    return { states: out, distinct: seen.size }
  }
  enumerateStates(spec, fail, (s) => {
    if (accepts(s)) add(s, 'an initial state')
  })
  return { states: out, distinct: seen.size }
}

/** Calls `visit` on every state of the spec's variable types (a fresh, frozen object each). */
function enumerateStates(spec: Spec, fail: (why: string) => never, visit: (s: unknown) => void): void {
  const names = Object.keys(spec.vars)
  const total = names.reduce((n, k) => n * countValues(spec.vars[k]!), 1)
  if (total > MAX_INITIAL_CANDIDATES) {
    fail(
      `its init predicate (where) ranges over ${total.toLocaleString('en-US')} states of the declared types, more than the ` +
        `${MAX_INITIAL_CANDIDATES.toLocaleString('en-US')} the checker tries; give a generator (init: { generate }) that yields fewer candidates.`,
    )
  }
  const lists = names.map((k) => valuesOf(spec.vars[k]!, MAX_INITIAL_CANDIDATES))
  if (lists.some((l) => l.length === 0)) return
  // An odometer over the variables, the first one slowest.
  const at = names.map(() => 0)
  for (;;) {
    const s: Record<string, unknown> = {}
    for (let i = 0; i < names.length; i++) s[names[i]!] = lists[i]![at[i]!]
    visit(Object.freeze(s))
    let i = names.length - 1
    while (i >= 0 && ++at[i]! === lists[i]!.length) at[i--] = 0
    if (i < 0) return
  }
}
