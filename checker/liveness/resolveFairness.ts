/**
 * Which steps fairness speaks of, and how: the fairness conditions of a spec. Each is one
 * `WF_vars(A)` or `SF_vars(A)` where A is a set of action instances taken as one action:
 * - the `fairness` declared on an action, read per instance as TLA+ reads `\A p : WF_vars(A(p))`,
 *   with per-action overrides (the CLI's `--fairness Name=weak|strong|none`): one condition per
 *   instance;
 * - the spec's `fairness` groups (`WF_vars(A \/ \E i : B(i))`, one group per `per` value): one
 *   condition per group, over all its instances;
 * - a group with `when`, whose instance the state picks (`WF_vars(Return(c, alloc[c]))`): its
 *   steps count only from states where `when` accepts them, which the liveness phase works out on
 *   the behaviour graph (chosenFairness.ts), since it depends on more than the instance.
 */
import type { CompiledSpec } from '../compile/compile.js'
import type { FairGroup } from '../model/model.js'
import { CheckerError, validNames } from '../result/errors.js'

/** Fairness of one action as given on the command line or in options; `none` removes it. */
export type FairnessOverride = 'weak' | 'strong' | 'none'

/** No fairness; `WF_vars`; `SF_vars`. */
export const NOT_FAIR = 0
export const WEAK = 1
export const STRONG = 2

/** A condition whose steps count only where `when` accepts them in the step's first state. */
export interface ChosenCondition {
  readonly condition: number
  /** Its instances, ascending. */
  readonly instances: Int32Array
  readonly when: (s: unknown, step: { readonly action: string; readonly params: unknown }) => boolean
}

/** The fairness conditions of a spec, densely numbered 0..count-1. */
export interface FairInstances {
  readonly count: number
  /** Per condition: WEAK or STRONG. */
  readonly kind: Uint8Array
  /** Per condition: how it reads in TLA+ (`WF_vars(Enter(p=1))`), for messages. */
  readonly labels: readonly string[]
  /**
   * The conditions a step of instance i always counts for: `conditions[first[i] .. first[i+1])`
   * (per-instance fairness and groups without `when`).
   */
  readonly first: Int32Array
  readonly conditions: Int32Array
  /** Conditions firstGroup..count-1 are the spec's groups; those before, per-instance fairness. */
  readonly firstGroup: number
  /** The conditions with `when`, which the behaviour graph resolves per state. */
  readonly chosen: readonly ChosenCondition[]
  /** Per action (key order): NOT_FAIR, WEAK or STRONG after overrides (its own declaration only). */
  readonly ofAction: Uint8Array
}

const code = (f: FairnessOverride | undefined): number => (f === 'weak' ? WEAK : f === 'strong' ? STRONG : NOT_FAIR)
const form = (kind: number) => (kind === STRONG ? 'SF_vars' : 'WF_vars')

/** Reads the declared fairness of every instance and group, applying `override` by action name. */
export function resolveFairness(
  c: CompiledSpec,
  override: Readonly<Record<string, FairnessOverride>> = {},
): FairInstances {
  for (const [name, value] of Object.entries(override)) {
    if (!c.actionNames.includes(name)) {
      throw new CheckerError(
        'UNKNOWN_NAME',
        `Model "${c.spec.name}" has no action ${JSON.stringify(name)} to set fairness on. Its actions: ${validNames(c.actionNames)}.`,
      )
    }
    if (value !== 'weak' && value !== 'strong' && value !== 'none') {
      throw new CheckerError(
        'BAD_PARAM',
        `Fairness of action ${name}: ${JSON.stringify(value)} is not one of "weak", "strong", "none".`,
      )
    }
  }
  const ofAction = new Uint8Array(c.actionNames.length)
  c.actionNames.forEach((name, a) => {
    ofAction[a] = code(override[name] ?? c.spec.actions[name]?.fairness)
  })
  const kinds: number[] = []
  const labels: string[] = []
  /** Per instance, the conditions it always counts for. */
  const of: number[][] = c.instances.map(() => [])
  for (const inst of c.instances) {
    if (ofAction[inst.action] === NOT_FAIR) continue
    of[inst.id]!.push(kinds.length)
    kinds.push(ofAction[inst.action]!)
    labels.push(`${form(ofAction[inst.action]!)}(${inst.label})`)
  }
  const firstGroup = kinds.length
  const chosen: ChosenCondition[] = []
  const groups = (c.spec.fairness ?? []) as readonly FairGroup<unknown, { action: string; params: unknown }>[]
  groups.forEach((group, g) => {
    for (const { key, instances } of groupInstances(c, group, g)) {
      const k = kinds.length
      kinds.push(code(group.kind))
      const per = group.per === undefined ? '' : ` for ${JSON.stringify(key)}`
      labels.push(`${form(code(group.kind))}(${group.actions.join(' \\/ ')})${per}`)
      if (group.when !== undefined) chosen.push({ condition: k, instances: Int32Array.from(instances), when: (s, step) => group.when!(s as never, step as never) })
      else for (const id of instances) of[id]!.push(k)
    }
  })
  const first = new Int32Array(c.instances.length + 1)
  of.forEach((ks, i) => (first[i + 1] = first[i]! + ks.length))
  return {
    count: kinds.length,
    kind: Uint8Array.from(kinds),
    labels,
    first,
    conditions: Int32Array.from(of.flat()),
    firstGroup,
    chosen,
    ofAction,
  }
}

/** The instances of fairness group number `g`, split by its `per` value. */
function groupInstances(
  c: CompiledSpec,
  group: FairGroup<unknown, { action: string; params: unknown }>,
  g: number,
): { key: unknown; instances: number[] }[] {
  const where = `Model "${c.spec.name}", fairness group ${g + 1}`
  if (group === null || typeof group !== 'object' || (group.kind !== 'weak' && group.kind !== 'strong')) {
    throw new CheckerError('MODEL_DEFINITION', `${where}: kind must be "weak" or "strong".`)
  }
  if (!Array.isArray(group.actions) || group.actions.length === 0) {
    throw new CheckerError('MODEL_DEFINITION', `${where}: actions must name at least one action.`)
  }
  for (const name of group.actions) {
    if (!c.actionNames.includes(name)) {
      throw new CheckerError(
        'MODEL_DEFINITION',
        `${where} names ${JSON.stringify(name)}, which is not an action. Its actions: ${validNames(c.actionNames)}.`,
      )
    }
  }
  for (const f of ['per', 'when'] as const) {
    if (group[f] !== undefined && typeof group[f] !== 'function') {
      throw new CheckerError('MODEL_DEFINITION', `${where}: ${f} must be a function of the step.`)
    }
  }
  const byKey = new Map<string, { key: unknown; instances: number[] }>()
  for (const inst of c.instances) {
    if (!group.actions.includes(inst.name)) continue
    let key: unknown
    let id = ''
    if (group.per !== undefined) {
      try {
        key = group.per({ action: inst.name, params: inst.params })
      } catch (e) {
        throw new CheckerError('EVALUATION', `${where}: per threw ${e instanceof Error ? e.message : String(e)} on ${inst.label}.`)
      }
      const keyId = valueId(key)
      if (keyId === undefined) {
        throw new CheckerError(
          'MODEL_DEFINITION',
          `${where}: per must return a value of a declared type (a string, number, boolean, null, or an array or record of them); on ${inst.label} it returned ${printed(key)}.`,
        )
      }
      id = keyId
    }
    let entry = byKey.get(id)
    if (entry === undefined) byKey.set(id, (entry = { key, instances: [] }))
    entry.instances.push(inst.id)
  }
  return [...byKey.values()]
}

/**
 * A string naming `value` that is equal for values `equalValues` calls equal (records whatever
 * their key order; arrays, hence tuples, sets and sequences, member by member), or undefined for
 * what no declared type holds (a function, undefined, NaN, a class instance).
 */
function valueId(value: unknown): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined
  if (Array.isArray(value)) {
    const members = value.map(valueId)
    return members.includes(undefined) ? undefined : `[${members.join(',')}]`
  }
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return undefined
  const fields: string[] = []
  for (const k of Object.keys(value).sort()) {
    const v = valueId((value as Record<string, unknown>)[k])
    if (v === undefined) return undefined
    fields.push(`${JSON.stringify(k)}:${v}`)
  }
  return `{${fields.join(',')}}`
}

function printed(value: unknown): string {
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return 'an array holding such a value'
  if (typeof value !== 'object' || value === null) return String(value)
  if (Object.getPrototypeOf(value) === Object.prototype) return 'a record holding such a value'
  return `an object of class ${(value as object).constructor?.name ?? 'none'}`
}
