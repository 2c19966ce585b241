/**
 * Reading ITF traces (see itf.ts for the format), defensively: an ITF file is input from outside.
 * The text is size- and depth-checked before it is parsed, `__proto__` keys are refused, numbers
 * must be safe integers inside their type, and every error is a CheckerError('BAD_INPUT') naming
 * the file and the JSON path. Reading is lenient where other writers differ from ours: plain JSON
 * numbers for integers, set members in any order, `null` or Quint's None for an empty option,
 * `#tup` for arrays, and Quint's `mbt::actionTaken` / `mbt::nondetPicks` as the step taken.
 */
import type { AnyType } from '../model/types.js'
import type { Spec } from '../model/model.js'
import { rankOf } from '../model/values.js'
import { CheckerError, validNames } from '../result/errors.js'

/** Files larger than this are refused before they are parsed. */
export const MAX_ITF_BYTES = 64 * 1024 * 1024
/** Deeper JSON nesting is refused (a state of ours is rarely deeper than 10). */
export const MAX_ITF_DEPTH = 64
const MAX_BIGINT_DIGITS = 40

/** The step recorded for a state (ours in `#meta`; Quint's `mbt::actionTaken` / `mbt::nondetPicks`). */
export interface StepHint {
  readonly actionName?: string
  readonly label?: string
  readonly params?: Readonly<Record<string, unknown>>
}

/** An ITF trace checked for shape, not yet read against a model. */
export interface ParsedItf {
  readonly file: string
  /** The trace's `#meta`, or an empty object. Free-form: check fields before use. */
  readonly meta: Readonly<Record<string, unknown>>
  readonly vars: readonly string[]
  /** The raw ITF values, one record of variables per state. */
  readonly states: readonly Readonly<Record<string, unknown>>[]
  /** Per state: the step recorded as leading to it, if any. */
  readonly hints: readonly (StepHint | undefined)[]
  readonly loop?: number
  /** The recorded step from the last state back to state `loop` (`#meta.loopAction`). */
  readonly loopHint?: StepHint
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Refuses nesting deeper than `max` with a linear scan, before JSON.parse builds anything. */
function checkDepth(text: string, max: number): number | undefined {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) inString = false
    } else if (c === 34) inString = true
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) return i
    } else if (c === 93 || c === 125) depth--
  }
  return undefined
}

/** Walks parsed JSON (depth already bounded) and refuses `__proto__` keys anywhere. */
function findProtoKey(v: unknown, path: string): string | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = findProtoKey(v[i], `${path}[${i}]`)
      if (found !== undefined) return found
    }
  } else if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (k === '__proto__') return `${path}.__proto__`
      const found = findProtoKey(v[k], `${path}${jsonKey(k)}`)
      if (found !== undefined) return found
    }
  }
  return undefined
}

const jsonKey = (k: string) => (/^[A-Za-z_$#][\w$:]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`)
const brief = (v: unknown): string => {
  let text: string | undefined
  try {
    text = JSON.stringify(v)
  } catch {
    text = undefined
  }
  if (text === undefined) return String(v)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** The error for a malformed trace: names the file, where in it, and what was wrong. */
export function badTrace(file: string, where: string, what: string): CheckerError {
  return new CheckerError('BAD_INPUT', `Trace file ${file}: ${where === '' ? '' : `${where}: `}${what}`)
}

/**
 * Parses ITF text and checks its shape: an object with `vars` (distinct names) and a non-empty
 * `states` array whose every element is an object holding each variable; `loop`, when present,
 * an index into `states`. Values are not interpreted yet (see `decodeItfStates`).
 */
export function parseItf(text: string, file: string): ParsedItf {
  if (typeof text !== 'string') throw badTrace(file, '', 'not text')
  if (text.length > MAX_ITF_BYTES) {
    throw badTrace(file, '', `${text.length} characters is more than the ${MAX_ITF_BYTES} accepted for a trace`)
  }
  const deep = checkDepth(text, MAX_ITF_DEPTH)
  if (deep !== undefined) {
    throw badTrace(file, '', `JSON nested deeper than ${MAX_ITF_DEPTH} levels (at character ${deep}); not a trace of ours`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw badTrace(file, '', `not valid JSON (${(e as Error).message}). An ITF trace is one JSON object.`)
  }
  const proto = findProtoKey(doc, '')
  if (proto !== undefined) throw badTrace(file, proto.replace(/^\./, ''), 'a "__proto__" key is not allowed')
  if (Array.isArray(doc)) {
    throw badTrace(file, '', 'the top level is an array; an ITF trace is one object with "vars" and "states"')
  }
  if (!isObject(doc)) throw badTrace(file, '', `the top level is ${brief(doc)}; an ITF trace is one object with "vars" and "states"`)
  const meta = doc['#meta'] ?? {}
  if (!isObject(meta)) throw badTrace(file, '#meta', 'must be an object')
  const vars = doc.vars
  if (!Array.isArray(vars) || vars.some((v) => typeof v !== 'string')) {
    throw badTrace(file, 'vars', 'must be an array of variable names')
  }
  if (new Set(vars).size !== vars.length) throw badTrace(file, 'vars', 'names a variable twice')
  const states = doc.states
  if (!Array.isArray(states)) throw badTrace(file, 'states', 'must be an array of states')
  if (states.length === 0) throw badTrace(file, 'states', 'is empty; a behaviour has at least an initial state')
  const hints: (StepHint | undefined)[] = []
  states.forEach((s, i) => {
    if (!isObject(s)) throw badTrace(file, `states[${i}]`, `must be an object of variables, not ${brief(s)}`)
    for (const v of vars as string[]) {
      if (!Object.hasOwn(s, v)) throw badTrace(file, `states[${i}]`, `has no value for variable "${v}"`)
    }
    hints.push(stepHint(file, `states[${i}].#meta`, s['#meta'], s))
  })
  let loop: number | undefined
  if (doc.loop !== undefined && doc.loop !== null) {
    const l = readInt(doc.loop)
    if (l === undefined || l < 0 || l >= states.length) {
      throw badTrace(file, 'loop', `${brief(doc.loop)} is not the index of a state (0..${states.length - 1})`)
    }
    loop = l
  }
  const loopHint = meta.loopAction === undefined ? undefined : stepHint(file, '#meta.loopAction', meta.loopAction, {})
  return {
    file,
    meta,
    vars: vars as string[],
    states: states as Record<string, unknown>[],
    hints,
    ...(loop === undefined ? {} : { loop }),
    ...(loopHint === undefined ? {} : { loopHint }),
  }
}

/** A plain safe integer or a `#bigint` within safe range; undefined otherwise. */
function readInt(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined
  if (isObject(v) && typeof v['#bigint'] === 'string' && Object.keys(v).length === 1) {
    const digits = v['#bigint']
    if (digits.length > MAX_BIGINT_DIGITS || !/^-?\d+$/.test(digits)) return undefined
    const n = Number(digits)
    return Number.isSafeInteger(n) ? n : undefined
  }
  return undefined
}

/** The step recorded at `where` (`m`: our `#meta` form), or in Quint's `mbt::` variables of state `s`. */
function stepHint(file: string, where: string, m: unknown, s: Record<string, unknown>): StepHint | undefined {
  if (m !== undefined && !isObject(m)) throw badTrace(file, where, 'must be an object')
  if (isObject(m) && (m.actionName !== undefined || m.action !== undefined)) {
    if (m.actionName !== undefined && typeof m.actionName !== 'string') {
      throw badTrace(file, `${where}.actionName`, 'must be a string')
    }
    if (m.action !== undefined && m.action !== null && typeof m.action !== 'string') {
      throw badTrace(file, `${where}.action`, 'must be a string')
    }
    if (m.params !== undefined && !isObject(m.params)) throw badTrace(file, `${where}.params`, 'must be an object')
    return {
      ...(typeof m.actionName === 'string' ? { actionName: m.actionName } : {}),
      ...(typeof m.action === 'string' ? { label: m.action } : {}),
      ...(isObject(m.params) ? { params: m.params } : {}),
    }
  }
  const taken = s['mbt::actionTaken']
  if (typeof taken === 'string' && taken !== 'init' && taken !== '') {
    const picks = s['mbt::nondetPicks']
    const params: Record<string, unknown> = {}
    if (isObject(picks)) {
      for (const [k, v] of Object.entries(picks)) {
        // Quint writes each pick as an Option variant; a None pick was not used by this action.
        if (isObject(v) && v.tag === 'Some') params[k] = plainValue(v.value)
        else if (!(isObject(v) && v.tag === 'None')) params[k] = plainValue(v)
      }
    }
    return { actionName: taken, params }
  }
  return undefined
}

/**
 * A parameter value from ITF, for comparing with ours: a `#bigint` becomes a number, a `#set` or
 * `#tup` an array, an option its value or null, and records and lists the same inside.
 */
function plainValue(v: unknown): unknown {
  const n = readInt(v)
  if (n !== undefined) return n
  if (Array.isArray(v)) return v.map(plainValue)
  if (!isObject(v)) return v
  const keys = Object.keys(v)
  if (keys.length === 1 && (Array.isArray(v['#set']) || Array.isArray(v['#tup']))) return ((v['#set'] ?? v['#tup']) as unknown[]).map(plainValue)
  if (keys.length === 2 && v.tag === 'None' && Object.hasOwn(v, 'value')) return null
  if (keys.length === 2 && v.tag === 'Some' && Object.hasOwn(v, 'value')) return plainValue(v.value)
  return Object.fromEntries(keys.map((k) => [k, plainValue(v[k])]))
}

/**
 * Reads each state of a parsed trace against the spec's variable types: the trace must name
 * exactly the spec's variables (Quint's `mbt::` bookkeeping variables are ignored), and every
 * value must fit its type. Returns plain states as the model sees them (sets in domain order).
 */
export function decodeItfStates(parsed: ParsedItf, spec: Pick<Spec, 'name' | 'vars'>): unknown[] {
  const { file } = parsed
  const names = Object.keys(spec.vars)
  const theirs = parsed.vars.filter((v) => !v.startsWith('mbt::'))
  const missing = names.filter((n) => !theirs.includes(n))
  const extra = theirs.filter((n) => !names.includes(n))
  if (missing.length > 0 || extra.length > 0) {
    throw badTrace(
      file,
      'vars',
      `${[
        missing.length > 0 ? `lacks ${validNames(missing)}` : '',
        extra.length > 0 ? `has ${validNames(extra)}, which model "${spec.name}" does not declare` : '',
      ]
        .filter(Boolean)
        .join(' and ')}. Model "${spec.name}" has variables ${validNames(names)}.`,
    )
  }
  return parsed.states.map((s, i) => {
    const out: Record<string, unknown> = {}
    for (const n of names) out[n] = decodeItfValue(spec.vars[n]!, s[n], { file, path: `states[${i}].${n}` })
    return out
  })
}

interface At {
  readonly file: string
  readonly path: string
}

/** A value of `type` from its ITF form; throws CheckerError('BAD_INPUT') naming the file and path. */
export function decodeItfValue(type: AnyType, v: unknown, at: At): unknown {
  const fail = (expected: string): never => {
    throw badTrace(at.file, at.path, `${brief(v)} is not ${expected}`)
  }
  switch (type.kind) {
    case 'bool':
      return typeof v === 'boolean' ? v : fail('a boolean')
    case 'enum':
      return typeof v === 'string' && type.values.includes(v) ? v : fail(`one of ${validNames(type.values)}`)
    case 'int':
    case 'index': {
      const [min, max] = type.kind === 'int' ? [type.min, type.max] : [0, type.size - 1]
      const n = readInt(v)
      if (n === undefined) {
        return fail(`an integer ({ "#bigint": "..." } or a JSON number) that JavaScript can hold exactly`)
      }
      return n >= min && n <= max ? n : fail(`an integer in ${min}..${max}`)
    }
    case 'option': {
      if (v === null) return null
      if (isObject(v) && Object.keys(v).length === 2 && typeof v.tag === 'string' && Object.hasOwn(v, 'value')) {
        if (v.tag === 'None') return null
        if (v.tag === 'Some') return decodeItfValue(type.of, v.value, { ...at, path: `${at.path}.value` })
      }
      return fail('an option: { "tag": "Some", "value": v }, { "tag": "None", "value": ... } or null')
    }
    case 'array': {
      const items = Array.isArray(v) ? v : isObject(v) && Array.isArray(v['#tup']) && Object.keys(v).length === 1 ? v['#tup'] : undefined
      if (items === undefined || items.length !== type.length) return fail(`an array of length ${type.length}`)
      return items.map((x, i) => decodeItfValue(type.of, x, { ...at, path: `${at.path}[${i}]` }))
    }
    case 'tuple': {
      const items = isObject(v) && Array.isArray(v['#tup']) && Object.keys(v).length === 1 ? v['#tup'] : Array.isArray(v) ? v : undefined
      if (items === undefined || items.length !== type.items.length) return fail(`a tuple ({ "#tup": [...] }) of length ${type.items.length}`)
      return items.map((x, i) => decodeItfValue(type.items[i]!, x, { ...at, path: `${at.path}[${i}]` }))
    }
    case 'seq': {
      if (!Array.isArray(v) || v.length > type.maxLength) return fail(`a sequence (a list) of at most ${type.maxLength} elements`)
      return v.map((x, i) => decodeItfValue(type.of, x, { ...at, path: `${at.path}[${i}]` }))
    }
    case 'set': {
      const items = Array.isArray(v) ? v : isObject(v) && Array.isArray(v['#set']) && Object.keys(v).length === 1 ? v['#set'] : undefined
      if (items === undefined) return fail('a set ({ "#set": [...] })')
      const members = items.map((x, i) => decodeItfValue(type.of, x, { ...at, path: `${at.path}[${i}]` }))
      const position = rankOf(type.of)
      const sorted = members.map((m) => [position(m), m] as const).sort((a, b) => a[0] - b[0])
      if (sorted.some(([p], i) => i > 0 && p === sorted[i - 1]![0])) return fail('a set: it lists a member twice')
      return sorted.map(([, m]) => m)
    }
    case 'map': {
      const pairs = isObject(v) && Array.isArray(v['#map']) && Object.keys(v).length === 1 ? v['#map'] : undefined
      if (pairs === undefined) return fail('a map ({ "#map": [[key, value], ...] })')
      const entries = pairs.map((pair, i) => {
        if (!Array.isArray(pair) || pair.length !== 2) throw badTrace(at.file, `${at.path}["#map"][${i}]`, `${brief(pair)} is not a [key, value] pair`)
        return [
          decodeItfValue(type.key, pair[0], { ...at, path: `${at.path}["#map"][${i}][0]` }),
          decodeItfValue(type.of, pair[1], { ...at, path: `${at.path}["#map"][${i}][1]` }),
        ] as const
      })
      const position = rankOf(type.key)
      const sorted = entries.map((e) => [position(e[0]), e] as const).sort((a, b) => a[0] - b[0])
      if (sorted.some(([p], i) => i > 0 && p === sorted[i - 1]![0])) return fail('a map: it lists a key twice')
      return sorted.map(([, e]) => [...e])
    }
    case 'record': {
      if (!isObject(v)) return fail(`a record with fields ${validNames(Object.keys(type.fields))}`)
      const fields = Object.keys(type.fields)
      const extra = Object.keys(v).find((k) => !Object.hasOwn(type.fields, k))
      if (extra !== undefined) throw badTrace(at.file, `${at.path}${jsonKey(extra)}`, `no such field (fields: ${validNames(fields)})`)
      const out: Record<string, unknown> = {}
      for (const k of fields) {
        if (!Object.hasOwn(v, k)) throw badTrace(at.file, `${at.path}${jsonKey(k)}`, 'missing')
        out[k] = decodeItfValue(type.fields[k]!, v[k], { ...at, path: `${at.path}${jsonKey(k)}` })
      }
      return out
    }
  }
}
