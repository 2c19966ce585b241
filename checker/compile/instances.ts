/**
 * The action-instance table: every (action, parameter binding) pair, enumerated once per spec
 * in a fixed order (action key order, then parameter-domain order), so that an instance is a
 * small integer and a trace step costs one int.
 */
import type { Action, ParamDomain, Spec } from '../model/model.js'
import { MAX_DOMAIN, type AnyType } from '../model/types.js'
import { valuesOf } from '../model/values.js'
import { CheckerError } from '../result/errors.js'

export interface Instance {
  readonly id: number
  /** Index of the action in the spec's key order. */
  readonly action: number
  readonly name: string
  readonly params: Readonly<Record<string, unknown>>
  /** `Migrate(page=1, to=2)` */
  readonly label: string
  readonly def: Action<any, any>
}

/**
 * A parameter's values: a list as given, or every value of its type in the order the store keeps
 * values in (model/values.ts: a set's members in domain order, sets by the bitmask of their
 * members, records and tuples with their first field slowest), frozen and shared by the instances.
 */
const domainOf = (spec: string, action: string, name: string, domain: ParamDomain): readonly unknown[] => {
  if (Array.isArray(domain)) return domain
  try {
    return valuesOf(domain as AnyType, MAX_DOMAIN)
  } catch (e) {
    throw new CheckerError(
      'MODEL_DEFINITION',
      `Model "${spec}", action ${action}: parameter "${name}" has too many values to enumerate (${(e as Error).message}). ` +
        `A parameter's type may have at most ${MAX_DOMAIN.toLocaleString('en-US')} values.`,
    )
  }
}

/** Formats an action instance like TLC: `Name(a=1, b="x")`, or just `Name` without parameters. */
export function formatLabel(name: string, params: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
  return parts.length === 0 ? name : `${name}(${parts.join(', ')})`
}

/** The most action instances a spec may have: each state is tried against every one. */
export const MAX_INSTANCES = 1 << 20

export function enumerateInstances(spec: Spec): Instance[] {
  const out: Instance[] = []
  Object.entries(spec.actions).forEach(([name, def], action) => {
    if (typeof def?.effect !== 'function') {
      throw new CheckerError('MODEL_DEFINITION', `Model "${spec.name}": action ${name} has no effect function.`)
    }
    const names = Object.keys(def.params)
    const domains = names.map((p) => domainOf(spec.name, name, p, def.params[p]!))
    const count = domains.reduce((n, d) => n * d.length, 1)
    if (out.length + count > MAX_INSTANCES) {
      throw new CheckerError(
        'MODEL_DEFINITION',
        `Model "${spec.name}": action ${name} has ${count.toLocaleString('en-US')} instances (one per binding of its parameters), ` +
          `which makes more than the ${MAX_INSTANCES.toLocaleString('en-US')} a spec may have.`,
      )
    }
    const binding: Record<string, unknown> = {}
    const rec = (i: number) => {
      if (i === names.length) {
        const params = Object.freeze({ ...binding })
        out.push({ id: out.length, action, name, params, label: formatLabel(name, params), def })
        return
      }
      for (const v of domains[i]!) {
        binding[names[i]!] = v
        rec(i + 1)
      }
    }
    rec(0)
  })
  return out
}
