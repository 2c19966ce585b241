/**
 * Counterexamples in the Informal Trace Format (ITF, Apalache ADR-015, also written by Quint), so
 * that other tools can load them and `mrcheck replay` can check them again.
 *
 * A trace is one JSON object: `#meta`, `vars` (the variable names), `states` (one object per
 * state, each with its own `#meta` and one key per variable) and, for a lasso, `loop` (the index
 * of the state the last state steps back to). Values follow the variables' `t.*` types:
 *
 *   t.bool, t.enum            plain JSON booleans and strings
 *   t.int, t.index            `{ "#bigint": "42" }` (always; plain numbers are read too)
 *   t.array                   a JSON array
 *   t.record                  a JSON object (field names must not start with `#`)
 *   t.set                     `{ "#set": [...] }`, members in domain order (any order is read)
 *   t.map                     `{ "#map": [[key, value], ...] }`, keys in domain order (any order is read)
 *   t.option                  `{ "tag": "Some", "value": v }` or `{ "tag": "None", "value": { "#tup": [] } }`
 *                             (Quint's Option variant; a plain `null` is read too)
 *
 * `#meta` of the trace records where it came from (`source`: the built-in model name or the
 * model file, `params`: the model's parameters), so a trace of ours replays without naming the
 * model again. Each state's `#meta` records the step that led to it: `action` (the label, e.g.
 * `Enter(p=1)`), `actionName` and `params`; the initial state has only `index`.
 *
 * Reading (defensive, since a trace file is input from outside) is in readItf.ts.
 */
import type { AnyType } from '../model/types.js'
import type { Spec } from '../model/model.js'
import type { TraceStep, Violation } from '../result/result.js'

/** A value as ITF writes it. */
export type ItfValue =
  | boolean
  | string
  | number
  | null
  | { readonly '#bigint': string }
  | { readonly '#set': readonly ItfValue[] }
  | { readonly '#tup': readonly ItfValue[] }
  | { readonly '#map': readonly (readonly [ItfValue, ItfValue])[] }
  | { readonly tag: string; readonly value: ItfValue }
  | readonly ItfValue[]
  | { readonly [field: string]: ItfValue }

/** The `#meta` of one state: the step that led to it (absent on an initial state). */
export interface ItfStateMeta {
  readonly index: number
  /** The action instance's label, e.g. `Migrate(page=1, to=2)`. */
  readonly action?: string
  readonly actionName?: string
  readonly params?: Readonly<Record<string, unknown>>
}

/** One state: a value per variable, plus its `#meta`. */
export interface ItfState {
  readonly '#meta'?: ItfStateMeta
  readonly [variable: string]: ItfValue | ItfStateMeta | undefined
}

/** The `#meta` of a trace written by mrcheck. Other writers may put anything here. */
export interface ItfMeta {
  readonly format: 'ITF'
  readonly 'format-description': string
  /** The built-in model name or the model file the trace belongs to. */
  readonly source: string
  readonly status: 'violation'
  readonly description: string
  readonly timestamp?: number
  /** The violated property, its kind, and the model's name. */
  readonly property: string
  readonly kind: string
  readonly model: string
  /** The model's parameters (`--param name=value`), enough to rebuild the spec. */
  readonly params: Readonly<Record<string, unknown>>
  readonly generator: string
  /** For a lasso: the step from the last state back to state `loop` (absent: stuttering). */
  readonly loopAction?: { readonly action: string; readonly actionName: string; readonly params: Readonly<Record<string, unknown>> }
}

/** A whole ITF trace, as written to a `.itf.json` file (one JSON object, never an array). */
export interface ItfTrace {
  readonly '#meta'?: ItfMeta | Readonly<Record<string, unknown>>
  readonly vars: readonly string[]
  readonly states: readonly ItfState[]
  readonly loop?: number
}

const FORMAT_DESCRIPTION = 'https://apalache-mc.org/docs/adr/015adr-trace.html'

/** A value of `type` in ITF. Throws a TypeError (naming `path`) for a value outside its type. */
export function encodeItfValue(type: AnyType, value: unknown, path = 'state'): ItfValue {
  const bad = (): never => {
    throw new TypeError(`${path} = ${JSON.stringify(value)} does not fit its ${type.kind} type`)
  }
  switch (type.kind) {
    case 'bool':
      return typeof value === 'boolean' ? value : bad()
    case 'enum':
      return typeof value === 'string' ? value : bad()
    case 'int':
    case 'index':
      return Number.isSafeInteger(value) ? { '#bigint': String(value) } : bad()
    case 'option':
      return value === null
        ? { tag: 'None', value: { '#tup': [] } }
        : { tag: 'Some', value: encodeItfValue(type.of, value, path) }
    case 'array':
      return Array.isArray(value) ? value.map((v, i) => encodeItfValue(type.of, v, `${path}[${i}]`)) : bad()
    case 'tuple':
      return Array.isArray(value) && value.length === type.items.length
        ? { '#tup': value.map((v, i) => encodeItfValue(type.items[i]!, v, `${path}[${i}]`)) }
        : bad()
    case 'seq':
      return Array.isArray(value) && value.length <= type.maxLength ? value.map((v, i) => encodeItfValue(type.of, v, `${path}[${i}]`)) : bad()
    case 'set':
      return Array.isArray(value) ? { '#set': value.map((v) => encodeItfValue(type.of, v, `${path}[]`)) } : bad()
    case 'map':
      return Array.isArray(value) && value.every((pair) => Array.isArray(pair) && pair.length === 2)
        ? {
            '#map': value.map(([k, v]: [unknown, unknown]) => [
              encodeItfValue(type.key, k, `${path} (a key)`),
              encodeItfValue(type.of, v, `${path}[${JSON.stringify(k)}]`),
            ]),
          }
        : bad()
    case 'record': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad()
      const out: Record<string, ItfValue> = {}
      for (const [k, ft] of Object.entries(type.fields)) {
        if (k.startsWith('#')) throw new TypeError(`${path}.${k}: ITF record fields must not start with "#"`)
        out[k] = encodeItfValue(ft, (value as Record<string, unknown>)[k], `${path}.${k}`)
      }
      return out
    }
  }
}

/** Where a trace came from, recorded in its `#meta`. */
export interface ItfSource {
  /** The built-in model name or the model file (as `loadModel` resolved it). */
  readonly source: string
  /** The model's parameters. */
  readonly params: Readonly<Record<string, unknown>>
  /** Omit for byte-stable output. */
  readonly timestamp?: number
  /** e.g. `mrcheck 0.1.0` */
  readonly generator?: string
}

/** One state of a behaviour in ITF, with the step that led to it in its `#meta`. */
export function encodeItfState(spec: Pick<Spec, 'vars'>, step: TraceStep, index: number): ItfState {
  const meta: ItfStateMeta =
    step.action === null
      ? { index }
      : { index, action: step.action.label, actionName: step.action.name, params: step.action.params }
  const out: Record<string, unknown> = { '#meta': meta }
  const state = step.state as Record<string, unknown>
  for (const [name, type] of Object.entries(spec.vars)) out[name] = encodeItfValue(type, state[name], name)
  return out as ItfState
}

/** A counterexample as an ITF trace object. */
export function traceToItf(spec: Pick<Spec, 'name' | 'vars'>, v: Violation, from: ItfSource): ItfTrace {
  // Lassos from the liveness phase carry the step that closes the cycle.
  const loopAction = (v as { readonly loopAction?: TraceStep['action'] }).loopAction
  const meta: ItfMeta = {
    format: 'ITF',
    'format-description': FORMAT_DESCRIPTION,
    source: from.source,
    status: 'violation',
    description: v.message,
    ...(from.timestamp === undefined ? {} : { timestamp: from.timestamp }),
    property: v.property,
    kind: v.kind,
    model: spec.name,
    params: from.params,
    generator: from.generator ?? 'mrcheck',
    ...(v.loopStart !== undefined && loopAction
      ? { loopAction: { action: loopAction.label, actionName: loopAction.name, params: loopAction.params } }
      : {}),
  }
  return {
    '#meta': meta,
    vars: Object.keys(spec.vars),
    states: v.trace.map((step, i) => encodeItfState(spec, step, i)),
    ...(v.loopStart === undefined ? {} : { loop: v.loopStart }),
  }
}

/**
 * Where several counterexamples go: the first to `file`, the k-th (k >= 2) to `file` with `-k`
 * before its extension (`cex.itf.json`, `cex-2.itf.json`, `cex-3.itf.json`; `out` -> `out-2`).
 */
export function numberedPath(file: string, k: number): string {
  if (k <= 1) return file
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'))
  const base = file.slice(slash + 1)
  const ext = base.endsWith('.itf.json') ? '.itf.json' : base.lastIndexOf('.') > 0 ? base.slice(base.lastIndexOf('.')) : ''
  return `${file.slice(0, file.length - ext.length)}-${k}${ext}`
}
