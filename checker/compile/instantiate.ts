/**
 * A model at given parameters: the parameters resolved against their declarations, then the
 * spec and its properties built.
 */
import type { AnyModel, ParamDecl } from '../model/model.js'
import type { PropertySet } from '../model/properties.js'
import type { Refinement, Spec } from '../model/model.js'
import { withRefinements } from './refinement.js'
import { CheckerError, validNames } from '../result/errors.js'

/** A model's parameter values: defaults overridden by `given`, each checked against its declaration. */
export function resolveParams(model: AnyModel, given: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const decls = model.params
  const out: Record<string, unknown> = {}
  for (const name of Object.keys(given)) {
    if (!(name in decls)) {
      throw new CheckerError(
        'BAD_PARAM',
        `Model "${model.name}" has no parameter "${name}". Its parameters: ${validNames(Object.keys(decls))}.`,
      )
    }
  }
  for (const [name, decl] of Object.entries(decls)) {
    out[name] = name in given ? coerce(model.name, name, decl, given[name]) : decl.default
  }
  return out
}

function coerce(model: string, name: string, decl: ParamDecl, raw: unknown): unknown {
  const bad = (expected: string): never => {
    throw new CheckerError('BAD_PARAM', `Model "${model}", parameter "${name}": ${JSON.stringify(raw)} is not ${expected}.`)
  }
  switch (decl.kind) {
    case 'int': {
      const v = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw
      if (typeof v !== 'number' || !Number.isInteger(v) || v < decl.min || v > decl.max) {
        bad(`an integer in ${decl.min}..${decl.max}`)
      }
      return v
    }
    case 'bool':
      if (raw === true || raw === 'true') return true
      if (raw === false || raw === 'false') return false
      return bad('true or false')
    case 'enum':
      if (typeof raw !== 'string' || !decl.values.includes(raw)) return bad(`one of ${validNames(decl.values)}`)
      return raw
  }
}

/** Builds a model's spec and properties at the given parameters. */
export function instantiate(model: AnyModel, given: Readonly<Record<string, unknown>> = {}) {
  const params = resolveParams(model, given)
  let spec: Spec
  let props: PropertySet<any, any>
  let refines: Readonly<Record<string, Refinement<any>>> | undefined
  try {
    spec = model.build(params as never)
    props = model.properties(params as never)
    refines = model.refines?.(params as never)
  } catch (e) {
    if (e instanceof CheckerError) throw e
    throw new CheckerError(
      'MODEL_DEFINITION',
      `Model "${model.name}" failed to build with ${JSON.stringify(params)}: ${(e as Error).message ?? String(e)}`,
    )
  }
  spec = { ...spec, constants: { ...params, ...spec.constants } }
  if (refines !== undefined) props = withRefinements(spec, props, refines, (m, p) => instantiate(m, p))
  return { params, spec, props }
}
