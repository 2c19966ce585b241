/**
 * The policy matrix: every value of a model's matrix parameter (its policies and known-bug
 * variants), times every combination of the swept parameters, checked against every property the
 * model declares, one exhaustive run per row with `continue` so that each property gets its own
 * verdict and its own shortest counterexample. Each cell carries what the model expects of it
 * (`Model.expectedBreaks`), so that the matrix is a check of its own: a cell that differs from its
 * expectation is unexpected. A row whose spec declares symmetric sets is also searched with
 * symmetry reduction, for its safety properties, so that the two state counts stand side by side.
 */
import type { AnyModel, Spec } from '../model/model.js'
import type { CheckResult, Violation } from '../result/result.js'
import type { ModelSource } from '../search/workerProtocol.js'
import type { StoreMode } from '../search/bfs.js'
import { check, type CheckOptions } from './check.js'
import { instantiate } from '../compile/instantiate.js'
import { symmetricTypes } from '../encode/symmetry.js'
import type { PropertySet } from '../model/properties.js'
import { CheckerError, validNames } from '../result/errors.js'

export type CellStatus = 'holds' | 'fails' | 'unknown' | 'n/a'
/** What the model declares for a cell: broken on purpose, kept, or not a property of that row. */
export type Expectation = 'holds' | 'fails' | 'n/a'

export interface MatrixCell {
  readonly property: string
  readonly status: CellStatus
  readonly expected: Expectation
  /** The counterexample when the property fails. */
  readonly violation?: Violation
}

/** A cell whose verdict is known and differs from what the model declares. */
export const isUnexpected = (c: Pick<MatrixCell, 'status' | 'expected'>): boolean => c.status !== 'unknown' && c.status !== c.expected

/** Columns are grouped: promises (what a design guarantees), mechanisms, vacuity goals, liveness. */
export type PropertyGroup = 'promise' | 'mechanism' | 'vacuity' | 'liveness'
export const GROUPS: readonly PropertyGroup[] = ['promise', 'mechanism', 'vacuity', 'liveness']

export interface MatrixProperty {
  readonly name: string
  readonly group: PropertyGroup
  /** Its one-line meaning (PropertySet.docs). */
  readonly doc?: string
}

export interface MatrixRow {
  /** The row's position in the whole matrix (shards hold some rows; merging orders them by it). */
  readonly index: number
  /** The matrix parameter's value (the policy). */
  readonly value: string
  /** The swept parameters' values of this row, in sweep order. */
  readonly sweep: Readonly<Record<string, string>>
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
  /** Parameters given for every row: the model's matrix instance, then MatrixOptions.params. */
  readonly given: Readonly<Record<string, unknown>>
  /** The swept parameters and their values (one row per combination and policy). */
  readonly sweep: Readonly<Record<string, readonly string[]>>
  readonly properties: readonly MatrixProperty[]
  /** How many rows the whole matrix has (a shard holds fewer). */
  readonly rowCount: number
  readonly rows: readonly MatrixRow[]
}

export interface MatrixOptions {
  /** Parameters applied to every row, over the model's `matrix.instance`. */
  readonly params?: Readonly<Record<string, unknown>>
  /** Parameters to sweep (one row per combination), over the model's `matrix.sweep`. */
  readonly sweep?: Readonly<Record<string, readonly string[]>>
  /** Tiny instances: the parameters' defaults, not the model's `matrix.instance` (its sweep stays). */
  readonly quick?: boolean
  readonly maxStates?: number
  /** Per row (each of its searches). */
  readonly timeoutMs?: number
  /** Also search rows with symmetric sets under symmetry reduction (default true). */
  readonly symmetry?: boolean
  readonly store?: StoreMode
  readonly workers?: number
  /** Where worker threads load a row's model from (required with `workers` > 1). */
  readonly source?: (params: Readonly<Record<string, unknown>>) => ModelSource
  /** Run only the rows this returns true for (by their index in the whole matrix). */
  readonly select?: (index: number) => boolean
  readonly onRow?: (model: string, row: MatrixRow) => void
  /**
   * Runs each search of a row (default: `check`, here). The command line runs it in a thread of
   * its own, so that a row whose model's code never returns still ends at its time limit.
   */
  readonly run?: RowSearch
}

/** One search of a matrix row: the row's spec and properties, the search's options and the row's parameters. */
export type RowSearch = (
  spec: Spec,
  props: PropertySet<any, any>,
  options: RowSearchOptions,
  params: Readonly<Record<string, unknown>>,
) => Promise<CheckResult>

/** The options of a row's search: plain data, as a thread can be given them. */
export type RowSearchOptions = Omit<CheckOptions, 'signal' | 'onProgress' | 'progressIntervalMs'>

/** The values a model's matrix runs over: its matrix parameter's domain, or its defaults alone. */
export function matrixValues(model: AnyModel): { param: string; values: string[] } {
  const param = model.matrixParam
  const decl = param === undefined ? undefined : model.params[param]
  if (param === undefined || decl === undefined) return { param: '(defaults)', values: ['default'] }
  if (decl.kind === 'enum') return { param, values: [...decl.values] }
  if (decl.kind === 'bool') return { param, values: ['false', 'true'] }
  return { param, values: Array.from({ length: decl.max - decl.min + 1 }, (_, i) => String(decl.min + i)) }
}

/** One row to run: its parameters, spec and properties, and what it is expected to break. */
interface PlannedRow {
  readonly index: number
  readonly value: string
  readonly sweep: Record<string, string>
  readonly params: Record<string, unknown>
  readonly spec: Spec
  readonly props: PropertySet<any, any>
  readonly breaks: ReadonlySet<string>
}

/**
 * The rows of a model's matrix, in order: policies, then sweep combinations within each. Every
 * row is built before any search, so that a bad parameter or expectation is refused at once and
 * the columns do not depend on which rows a shard runs.
 */
export function planMatrix(model: AnyModel, options: Pick<MatrixOptions, 'params' | 'sweep' | 'quick'> = {}) {
  const { param } = matrixValues(model)
  let { values } = matrixValues(model)
  const given = { ...(options.quick ? {} : model.matrix?.instance), ...options.params }
  const sweep: Record<string, readonly string[]> = {}
  for (const [name, listed] of Object.entries({ ...model.matrix?.sweep, ...options.sweep })) {
    const vs = (listed ?? []).map(String)
    if (name === param) {
      const unknown = vs.filter((v) => !values.includes(v))
      if (unknown.length > 0) {
        throw new CheckerError('BAD_PARAM', `Model "${model.name}", parameter "${param}": ${validNames(unknown)} not among its values ${validNames(values)}.`)
      }
      values = values.filter((v) => vs.includes(v))
    }
    else if (!(name in (options.params ?? {}))) sweep[name] = vs
  }
  if (param !== '(defaults)') delete given[param]
  const combos = Object.entries(sweep).reduce<Record<string, string>[]>(
    (acc, [name, vs]) => acc.flatMap((c) => vs.map((v) => ({ ...c, [name]: v }))),
    [{}],
  )
  const rows: PlannedRow[] = []
  for (const value of values) {
    for (const combo of combos) {
      const inst = instantiate(model, { ...given, ...combo, ...(param === '(defaults)' ? {} : { [param]: value }) })
      rows.push({ index: rows.length, value, sweep: combo, ...inst, breaks: expectedBreaks(model, inst.params, inst.props) })
    }
  }
  // The given values as the model reads them (typed, not as typed on a command line).
  const resolved = Object.fromEntries(Object.keys(given).map((k) => [k, rows[0]?.params[k] ?? given[k]]))
  return { param, given: resolved, sweep, rows, properties: matrixProperties(rows) }
}

/** The model's declared breaks for one instance, each checked to be one of its properties. */
function expectedBreaks(model: AnyModel, params: Record<string, unknown>, props: PropertySet<any, any>): Set<string> {
  const names = [...propertyNames(props), 'Deadlock']
  const breaks = model.expectedBreaks?.(params as never) ?? []
  for (const b of breaks) {
    if (!names.includes(b)) {
      throw new CheckerError(
        'MODEL_DEFINITION',
        `Model "${model.name}" at ${JSON.stringify(params)}: expectedBreaks names "${b}", which is not one of its properties (${validNames(names)}).`,
      )
    }
  }
  return new Set(breaks)
}

const propertyNames = (props: PropertySet<any, any>) => [
  ...Object.keys(props.invariants ?? {}),
  ...Object.keys(props.actionProperties ?? {}),
  ...Object.keys(props.reachable ?? {}),
  ...Object.keys(props.temporal ?? {}),
]

/** The columns: every property of any row, grouped, in order of first appearance within a group (refinements last among the promises). */
function matrixProperties(rows: readonly PlannedRow[]): MatrixProperty[] {
  const found = new Map<string, MatrixProperty>()
  const add = (name: string, group: PropertyGroup, doc: string | undefined) => {
    if (!found.has(name)) found.set(name, { name, group, ...(doc === undefined ? {} : { doc }) })
  }
  const refined = new Map<string, string | undefined>()
  for (const { props, spec } of rows) {
    const mechanisms = new Set(props.mechanisms ?? [])
    const doc = (n: string) => props.docs?.[n]
    const refinements = new Set(props.refinements ?? [])
    for (const n of [...Object.keys(props.invariants ?? {}), ...Object.keys(props.actionProperties ?? {})]) {
      if (!refinements.has(n)) add(n, mechanisms.has(n) ? 'mechanism' : 'promise', doc(n))
    }
    if (spec.checkDeadlock) add('Deadlock', 'promise', 'Every reachable state has a next step (the spec checks for deadlock).')
    for (const n of refinements) if (!refined.has(n)) refined.set(n, doc(n))
    for (const n of Object.keys(props.reachable ?? {})) add(n, 'vacuity', doc(n))
    for (const n of Object.keys(props.temporal ?? {})) add(n, 'liveness', doc(n))
  }
  for (const [n, doc] of refined) add(n, 'promise', doc)
  return GROUPS.flatMap((g) => [...found.values()].filter((p) => p.group === g))
}

export async function policyMatrix(model: AnyModel, options: MatrixOptions = {}): Promise<ModelMatrix> {
  const plan = planMatrix(model, options)
  const rows: MatrixRow[] = []
  for (const planned of plan.rows) {
    if (options.select !== undefined && !options.select(planned.index)) continue
    const row = await runRow(planned, plan.properties, options)
    rows.push(row)
    options.onRow?.(model.name, row)
  }
  return { model: model.name, param: plan.param, given: plan.given, sweep: plan.sweep, properties: plan.properties, rowCount: plan.rows.length, rows }
}

async function runRow(planned: PlannedRow, properties: readonly MatrixProperty[], options: MatrixOptions): Promise<MatrixRow> {
  const { spec, props, params } = planned
  const result = await search(options)(spec, props, { continue: true, ...searchOptions(options, params) }, params)
  const { invariants, actionProperties, reachable, temporal } = result.checked
  const checked = new Set([...invariants, ...actionProperties, ...reachable, ...temporal])
  const own = new Set(propertyNames(props))
  const cells = properties.map(({ name }): MatrixCell => {
    const applies = name === 'Deadlock' ? spec.checkDeadlock : own.has(name)
    const expected: Expectation = !applies ? 'n/a' : planned.breaks.has(name) ? 'fails' : 'holds'
    if (!applies) return { property: name, status: 'n/a', expected }
    const violation = result.violations.find((v) => v.property === name)
    if (violation !== undefined) return { property: name, status: 'fails', expected, violation }
    const known = (name === 'Deadlock' || checked.has(name)) && result.status !== 'error' && result.complete
    return { property: name, status: known ? 'holds' : 'unknown', expected }
  })
  const symmetric = options.symmetry === false ? undefined : await symmetricRun(spec, props, options, params)
  return {
    index: planned.index,
    value: planned.value,
    sweep: planned.sweep,
    params,
    distinct: result.stats.distinct,
    complete: result.complete,
    cells,
    result,
    ...(symmetric === undefined ? {} : { symmetric }),
  }
}

const search = (options: MatrixOptions): RowSearch => options.run ?? ((spec, props, o) => check(spec, props, o))

function searchOptions(options: MatrixOptions, params: Readonly<Record<string, unknown>>) {
  const parallel = (options.workers ?? 1) > 1 && options.source !== undefined
  return {
    ...(options.maxStates === undefined ? {} : { maxStates: options.maxStates }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(parallel ? { workers: options.workers!, source: options.source!(params) } : {}),
  }
}

/** The row's safety properties checked with symmetry reduction, or undefined without symmetric sets. */
async function symmetricRun(
  spec: Spec,
  props: PropertySet<any, any>,
  options: MatrixOptions,
  params: Readonly<Record<string, unknown>>,
): Promise<SymmetricRun | undefined> {
  const sets = symmetricTypes(spec.vars).filter((t) => t.size >= 2)
  if (sets.length === 0) return undefined
  const safety = [
    ...Object.keys(props.invariants ?? {}),
    ...Object.keys(props.actionProperties ?? {}),
    ...Object.keys(props.reachable ?? {}),
  ]
  const result = await search(options)(spec, props, { continue: true, symmetry: true, only: safety, ...searchOptions(options, params) }, params)
  return {
    sets: sets.map((t) => `${t.name}(${t.size})`),
    distinct: result.stats.distinct,
    complete: result.complete,
    durationMs: result.stats.durationMs,
  }
}
