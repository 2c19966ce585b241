/**
 * The policy matrix: every value of a model's matrix parameter (its policies and known-bug
 * variants) checked against every property the model declares, one exhaustive run per row with
 * `continue` so that each property gets its own verdict and its own shortest counterexample.
 * A row whose spec declares symmetric sets is also searched with symmetry reduction, for its
 * safety properties (liveness is not checked under symmetry), so that the two state counts
 * stand side by side.
 */
import type { AnyModel, Spec } from '../spec/model.js'
import type { CheckResult, Violation } from '../report/result.js'
import { check } from './check.js'
import { instantiate } from '../engine/instantiate.js'
import { symmetricTypes } from '../encode/symmetry.js'
import type { PropertySet } from '../spec/properties.js'

export interface MatrixCell {
  readonly property: string
  readonly status: 'holds' | 'fails' | 'unknown'
  /** The counterexample when the property fails. */
  readonly violation?: Violation
}

export interface MatrixRow {
  /** The matrix parameter's value (the policy). */
  readonly value: string
  readonly params: Readonly<Record<string, unknown>>
  readonly distinct: number
  readonly complete: boolean
  readonly cells: readonly MatrixCell[]
  readonly result: CheckResult
  /** The safety search with symmetry reduction, when the spec declares symmetric sets. */
  readonly symmetric?: SymmetricRun
}

export interface SymmetricRun {
  /** The symmetric sets, e.g. `Page(2)`. */
  readonly sets: readonly string[]
  /** Distinct states, one per orbit. */
  readonly distinct: number
  readonly complete: boolean
  readonly durationMs: number
}

export interface ModelMatrix {
  readonly model: string
  readonly param: string
  /** Parameters given for every row (MatrixOptions.params). */
  readonly given: Readonly<Record<string, unknown>>
  readonly properties: readonly string[]
  readonly rows: readonly MatrixRow[]
}

export interface MatrixOptions {
  /** Parameters applied to every row (besides the matrix parameter). */
  readonly params?: Readonly<Record<string, unknown>>
  readonly maxStates?: number
  readonly timeoutMs?: number
  /** Also search rows with symmetric sets under symmetry reduction (default true). */
  readonly symmetry?: boolean
  readonly onRow?: (model: string, row: MatrixRow) => void
}

/** The values a model's matrix runs over: its matrix parameter's domain, or its defaults alone. */
export function matrixValues(model: AnyModel): { param: string; values: string[] } {
  const param = model.matrixParam
  const decl = param === undefined ? undefined : model.params[param]
  if (param === undefined || decl === undefined) return { param: '(defaults)', values: ['default'] }
  if (decl.kind === 'enum') return { param, values: [...decl.values] }
  if (decl.kind === 'bool') return { param, values: ['false', 'true'] }
  return { param, values: Array.from({ length: decl.max - decl.min + 1 }, (_, i) => String(decl.min + i)) }
}

export async function policyMatrix(model: AnyModel, options: MatrixOptions = {}): Promise<ModelMatrix> {
  const { param, values } = matrixValues(model)
  const rows: MatrixRow[] = []
  let properties: string[] = []
  for (const value of values) {
    const given = { ...options.params, ...(param === '(defaults)' ? {} : { [param]: value }) }
    const { params, spec, props } = instantiate(model, given)
    const result = await check(spec, props, {
      continue: true,
      ...(options.maxStates === undefined ? {} : { maxStates: options.maxStates }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    })
    const { invariants, actionProperties, reachable, temporal } = result.checked
    const names = [...invariants, ...actionProperties, ...reachable, ...temporal]
    if (result.complete) names.push('Deadlock')
    // Temporal properties left unchecked still get their column, as unknown.
    for (const n of [...names, ...(result.unchecked ?? [])]) if (!properties.includes(n)) properties.push(n)
    const cells = properties.map((property): MatrixCell => {
      const violation = result.violations.find((v) => v.property === property)
      if (violation !== undefined) return { property, status: 'fails', violation }
      const checked = names.includes(property) && result.status !== 'error'
      return { property, status: checked && result.complete ? 'holds' : 'unknown' }
    })
    const symmetric = options.symmetry === false ? undefined : await symmetricRun(spec, props, options)
    const row = {
      value,
      params,
      distinct: result.stats.distinct,
      complete: result.complete,
      cells,
      result,
      ...(symmetric === undefined ? {} : { symmetric }),
    }
    rows.push(row)
    options.onRow?.(model.name, row)
  }
  // A property first seen in a later row gets a cell in the earlier rows too.
  properties = properties.filter((p) => p !== 'Deadlock' || rows.some((r) => r.cells.some((c) => c.property === p && c.status === 'fails')))
  const full = rows.map((r) => ({
    ...r,
    cells: properties.map((p) => r.cells.find((c) => c.property === p) ?? { property: p, status: 'unknown' as const }),
  }))
  return { model: model.name, param, given: options.params ?? {}, properties, rows: full }
}

/** The row's safety properties checked with symmetry reduction, or undefined without symmetric sets. */
async function symmetricRun(spec: Spec, props: PropertySet<any, any>, options: MatrixOptions): Promise<SymmetricRun | undefined> {
  const sets = symmetricTypes(spec.vars).filter((t) => t.size >= 2)
  if (sets.length === 0) return undefined
  const safety = [
    ...Object.keys(props.invariants ?? {}),
    ...Object.keys(props.actionProperties ?? {}),
    ...Object.keys(props.reachable ?? {}),
  ]
  const result = await check(spec, props, {
    continue: true,
    symmetry: true,
    only: safety,
    ...(options.maxStates === undefined ? {} : { maxStates: options.maxStates }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  })
  return {
    sets: sets.map((t) => `${t.name}(${t.size})`),
    distinct: result.stats.distinct,
    complete: result.complete,
    durationMs: result.stats.durationMs,
  }
}
