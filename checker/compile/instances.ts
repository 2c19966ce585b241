/**
 * The action-instance table: every (action, parameter binding) pair, enumerated once per spec
 * in a fixed order (action key order, then parameter-domain order), so that an instance is a
 * small integer and a trace step costs one int.
 */
import type { Action, ParamDomain, Spec } from '../model/model.js'
import { domainValues, type AnyType } from '../model/types.js'
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

const valuesOf = (spec: string, action: string, name: string, domain: ParamDomain): readonly unknown[] => {
  if (Array.isArray(domain)) return domain
  try {
    return domainValues(domain as AnyType)
  } catch (e) {
    throw new CheckerError(
      'MODEL_DEFINITION',
      `Model "${spec}", action ${action}: parameter "${name}" has no finite domain to enumerate (${(e as Error).message}). ` +
        `Use a bool, int, enum or index type, or a list of values.`,
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
    const domains = names.map((p) => valuesOf(spec.name, name, p, def.params[p]!))
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
