/**
 * One counterexample in HTML: a sequence view with one lane per actor (who takes each step, from
 * the actions' `actor`; actions without one go to the `system` lane), then the step list with the
 * changed fields of each state highlighted and the full state folded underneath. A lasso's cycle
 * is marked along its states and closed with "back to state k".
 */
import type { Spec } from '../../model/model.js'
import type { TraceStep, Violation } from '../../result/result.js'
import { diffStates } from '../../result/diff.js'
import { esc, escValue } from './escape.js'

/** Action name -> actor (lane), or a function of the step's parameters giving it. */
export type Actors = Readonly<Record<string, string | ((params: any) => string)>>

/** The lane of actions without an actor. */
export const SYSTEM_LANE = 'system'
/** Lanes in this order first, when present; others follow in order of appearance, `system` last. */
export const LANE_ORDER = ['application', 'kernel', 'device', 'peer'] as const

/** Each action's actor in a spec (`system` when it has none). */
export function actorsOf(spec: Pick<Spec, 'actions'>): Record<string, string | ((params: any) => string)> {
  return Object.fromEntries(Object.entries(spec.actions).map(([name, a]) => [name, a.actor ?? SYSTEM_LANE]))
}

/** The lane of one step: its action's actor, computed from the step's parameters where it is a function. */
export function laneOf(actors: Actors, action: NonNullable<TraceStep['action']>): string {
  const actor = actors[action.name]
  if (typeof actor !== 'function') return actor ?? SYSTEM_LANE
  try {
    return String(actor(action.params))
  } catch {
    return SYSTEM_LANE
  }
}

/** An action's actor in words, for tables that list actions rather than steps. */
export const actorName = (actors: Actors, name: string): string => {
  const actor = actors[name]
  return typeof actor === 'function' ? 'per step' : (actor ?? SYSTEM_LANE)
}

/** How a trace section is labelled and its states printed. */
export interface TraceViewOptions {
  /** The section's element id (the matrix links to it). */
  readonly id: string
  readonly heading: string
  readonly actors?: Actors
  /** The model's alias: states are shown through it. */
  readonly alias?: (s: any) => unknown
  /** The broken property's one-line meaning, shown beside its message. */
  readonly meaning?: string
  /** Extra HTML (already escaped) under the heading, e.g. how to re-run. */
  readonly extra?: string
}

/** The lanes for a trace: the model's actors (or the trace's), in LANE_ORDER, `system` last. */
export function lanesFor(trace: readonly TraceStep[], actors: Actors = {}): string[] {
  const used = new Set<string>(Object.values(actors).filter((a): a is string => typeof a === 'string'))
  for (const s of trace) if (s.action !== null) used.add(laneOf(actors, s.action))
  if (used.size === 0) used.add(SYSTEM_LANE)
  const known = LANE_ORDER.filter((l) => used.has(l))
  const others = [...used].filter((l) => !(LANE_ORDER as readonly string[]).includes(l) && l !== SYSTEM_LANE)
  return [...known, ...others, ...(used.has(SYSTEM_LANE) ? [SYSTEM_LANE] : [])]
}

const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`)
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A value as nested HTML, the paths in `changed` (diff.ts paths) marked, with their old value as a tooltip. */
export function renderValue(v: unknown, path: string, changed: ReadonlyMap<string, unknown>): string {
  if (changed.has(path)) {
    return `<mark title="${esc(`was ${JSON.stringify(changed.get(path)) ?? 'nothing'}`)}">${plain(v)}</mark>`
  }
  if (Array.isArray(v)) {
    return `[${v.map((x, i) => renderValue(x, `${path}[${i}]`, changed)).join(', ')}]`
  }
  if (isRecord(v)) {
    const parts = Object.entries(v).map(
      ([k, x]) => `<span class="k">${esc(k)}</span>: ${renderValue(x, path === '' ? k : path + key(k), changed)}`,
    )
    return `{ ${parts.join(', ')} }`
  }
  return escValue(v)
}

const plain = (v: unknown): string => escValue(v)

function stateTable(view: unknown, changed: ReadonlyMap<string, unknown>): string {
  if (!isRecord(view)) return `<div class="state val">${renderValue(view, '', changed)}</div>`
  const rows = Object.entries(view).map(
    ([k, v]) => `<tr><th class="k val">${esc(k)}</th><td class="val">${renderValue(v, k, changed)}</td></tr>`,
  )
  return `<table class="state">${rows.join('')}</table>`
}

function changeList(prev: unknown, now: unknown): { html: string; short: string; map: Map<string, unknown> } {
  const changes = diffStates(prev, now)
  const map = new Map(changes.map((c) => [c.path, c.from] as const))
  if (changes.length === 0) return { html: '<p class="note">no change (a stuttering step)</p>', short: 'no change', map }
  const items = changes.map(
    (c) => `<li class="val"><span class="k">${esc(c.path)}</span>: <span class="was">${escValue(c.from)}</span> → <mark>${escValue(c.to)}</mark></li>`,
  )
  const short = changes.map((c) => `${esc(c.path)} = ${escValue(c.to)}`)
  // A long list opens to its full length rather than being cut.
  const more = `<details class="more"><summary>${short.slice(0, 4).join(', ')}, … (${short.length - 4} more)</summary>${short.slice(4).join(', ')}</details>`
  return {
    html: `<ul class="changes">${items.join('')}</ul>`,
    short: short.length > 4 ? more : short.join(', '),
    map,
  }
}

/** A trace section: heading, message, sequence view, step list. */
export function renderTrace(v: Pick<Violation, 'trace' | 'loopStart' | 'message'>, o: TraceViewOptions): string {
  // A lasso from the liveness phase may carry its closing step as `loopAction`.
  const by = (v as { readonly loopAction?: TraceStep['action'] }).loopAction
  const view = o.alias ?? ((s: unknown) => s)
  const actors = o.actors ?? {}
  const trace = v.trace
  const loop = v.loopStart
  const lanes = lanesFor(trace, actors)
  const views = trace.map((s) => view(s.state))
  const diffs = trace.map((_, i) => (i === 0 ? undefined : changeList(views[i - 1], views[i])))
  const inLoop = (i: number) => loop !== undefined && i >= loop
  const lastBad = trace.length - 1

  // Sequence view: index | one column per lane | what changed.
  const seq: string[] = [
    `<div class="seq" role="table" aria-label="sequence view" style="grid-template-columns: 3.2em repeat(${lanes.length}, minmax(9em, 1fr)) minmax(14em, 2fr)">`,
    '<div class="lanehead"></div>',
    ...lanes.map((l) => `<div class="lanehead" data-lane="${esc(l)}">${esc(l)}</div>`),
    '<div class="lanehead">changes</div>',
  ]
  trace.forEach((s, i) => {
    const cls = [inLoop(i) ? 'inloop' : '', i === lastBad && loop === undefined ? 'bad' : ''].filter(Boolean).join(' ')
    const c = cls ? ` ${cls}` : ''
    seq.push(`<div class="idx${c}">${i + 1}${loop === i ? ' <span class="loopmark" title="loop starts here">⟲</span>' : ''}</div>`)
    if (s.action === null) {
      seq.push(`<div class="init${c}" style="grid-column: 2 / span ${lanes.length}">initial state</div>`)
      seq.push(`<div class="chg${c}">${esc(summary(views[0]))}</div>`)
      return
    }
    const lane = laneOf(actors, s.action)
    for (const l of lanes) {
      seq.push(
        l === lane
          ? `<div class="lane${c}" data-lane="${esc(l)}"><span class="evt" data-step="${i + 1}">${esc(s.action.label)}</span></div>`
          : `<div class="lane${c}"></div>`,
      )
    }
    seq.push(`<div class="chg${c}">${diffs[i]!.short}</div>`)
  })
  if (loop !== undefined) {
    const back =
      loop === trace.length - 1 && !by
        ? 'stutters forever (the last state repeats)'
        : `back to state ${loop + 1}${by ? ` by ${by.label}` : ''}`
    seq.push(`<div class="idx inloop">↩</div><div class="back inloop">${esc(back)}</div>`)
  }
  seq.push('</div>')

  // Step list.
  const steps = trace.map((s, i) => {
    const label = s.action === null ? 'Initial predicate' : s.action.label
    const actor = s.action === null ? '' : `<span class="actor">${esc(laneOf(actors, s.action))}</span>`
    const mark = loop === i ? ' <span class="loopmark">⟲ loop starts here</span>' : ''
    const changes = diffs[i]
    const body =
      changes === undefined
        ? stateTable(views[0], new Map())
        : `${changes.html}<details><summary>full state</summary>${stateTable(views[i], changes.map)}</details>`
    return `<li${inLoop(i) ? ' class="inloop"' : ''} data-step="${i + 1}"><span class="idx">State ${i + 1}:</span> <span class="label">&lt;${esc(label)}&gt;</span>${actor}${mark}${body}</li>`
  })
  const tail =
    loop === undefined
      ? ''
      : `<p class="loopmark">${
          loop === trace.length - 1 && !by ? `State ${trace.length + 1}: Stuttering` : `Back to state ${loop + 1}${by ? `: &lt;${esc(by.label)}&gt;` : ''}`
        }</p>`

  return [
    `<section class="trace" id="${esc(o.id)}">`,
    `<h3>${esc(o.heading)}</h3>`,
    `<p class="msg">${esc(v.message)}</p>`,
    o.meaning === undefined ? '' : `<p class="meaning">${esc(o.meaning)}</p>`,
    o.extra ?? '',
    trace.length === 0 ? '<p class="note">No trace: the property concerns the whole state space.</p>' : seq.join('\n'),
    trace.length === 0 ? '' : `<ol class="steps">${steps.join('\n')}</ol>${tail}`,
    '</section>',
  ].join('\n')
}

/** A one-line summary of a state (for the initial row). */
function summary(view: unknown): string {
  const text = isRecord(view)
    ? Object.entries(view)
        .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
        .join(', ')
    : JSON.stringify(view) ?? String(view)
  return text.length > 160 ? `${text.slice(0, 157)}...` : text
}
