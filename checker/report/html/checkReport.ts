/**
 * The HTML report of one check run (`mrcheck check ... --html FILE`): verdict, statistics,
 * per-action coverage (with each action's actor), then every counterexample with its sequence
 * view and step list.
 */
import type { CheckResult } from '../../result/result.js'
import { esc } from './escape.js'
import { htmlPage } from './page.js'
import { actorName, renderTrace, type Actors } from './traceView.js'

/** What the check report shows: a result, and how to label and print its traces. */
export interface CheckReportInput {
  readonly result: CheckResult
  /** Page title; default `mrcheck: <model>`. */
  readonly title?: string
  /** Action name -> actor, for the sequence lanes (see `actorsOf`). */
  readonly actors?: Actors
  readonly alias?: (s: any) => unknown
  /** Where the model came from (built-in name or file). */
  readonly source?: string
  /** What the instance is (the spec's `about`: e.g. a known bug and its source). */
  readonly about?: string
  /** The command that re-runs the check. */
  readonly rerun?: string
  /** e.g. `mrcheck 0.1.0` */
  readonly generator?: string
  /** One-line meanings of the properties (PropertySet.docs), shown beside each counterexample's message. */
  readonly docs?: Readonly<Record<string, string>>
}

const n = (x: number) => x.toLocaleString('en-US')

const VERDICT: Readonly<Record<CheckResult['status'], string>> = {
  ok: 'every property holds',
  violation: 'property violated',
  incomplete: 'incomplete: nothing proved',
  error: 'model error',
}

/** Statistics and per-action coverage tables (shared with the matrix page). */
export function statsHtml(r: CheckResult, actors: Actors = {}): string {
  const s = r.stats
  const rows: [string, string][] = [
    ['initial states', n(s.initial)],
    ['distinct states', n(s.distinct)],
    ['states generated', n(s.generated)],
    ['depth', n(s.depth)],
    ['left on queue', n(s.left)],
    ['duration', `${(s.durationMs / 1000).toFixed(2)} s`],
    ['distinct states / s', n(s.statesPerSecond)],
    ['store', r.store],
    ['workers', n(r.workers ?? 1)],
    ['complete', r.complete ? 'yes' : 'no'],
  ]
  const stats = `<table class="stats">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td class="num">${esc(v)}</td></tr>`).join('')}</table>`
  if (s.actions.length === 0) return stats
  const max = Math.max(1, ...s.actions.map((a) => a.enabled))
  const cov = s.actions.map((a) => {
    const width = Math.round((a.enabled / max) * 120)
    return (
      `<tr${a.enabled === 0 ? ' class="dead" title="never enabled: dead code or a too-small model"' : ''}>` +
      `<td class="label">${esc(a.name)}</td><td>${esc(actorName(actors, a.name))}</td>` +
      `<td class="num">${esc(n(a.enabled))}</td><td class="num">${esc(n(a.distinct))}</td>` +
      `<td><span class="bar" style="width:${width}px"></span></td></tr>`
    )
  })
  return (
    stats +
    '<h3>Coverage</h3>' +
    '<table class="coverage"><tr><th>action</th><th>actor</th><th>enabled</th><th>new states</th><th></th></tr>' +
    cov.join('') +
    '</table>'
  )
}

/** The report of one check run as a self-contained HTML page. */
export function renderCheckReport(input: CheckReportInput): string {
  const r = input.result
  const title = input.title ?? `mrcheck: ${r.model}`
  const params = Object.keys(r.constants).length > 0 ? ` ${JSON.stringify(r.constants)}` : ''
  const body: string[] = [
    `<h1>${esc(title)}</h1>`,
    `<p class="sub">Model <code>${esc(r.model)}</code>${esc(params)}` +
      (input.source !== undefined && input.source !== r.model ? ` from <code>${esc(input.source)}</code>` : '') +
      (input.generator !== undefined ? ` · ${esc(input.generator)}` : '') +
      '</p>',
    ...(input.about === undefined ? [] : [`<p class="about">${esc(input.about)}</p>`]),
    `<p><span class="verdict ${esc(r.status)}">${esc(VERDICT[r.status])}</span>` +
      (r.status === 'incomplete' ? ` <span class="note">(stopped: ${esc(r.stopReason)})</span>` : '') +
      '</p>',
  ]
  if (r.violations.length > 0) {
    const items = r.violations.map(
      (v, i) => `<li><a href="#trace-${i + 1}">${esc(v.property)}</a> <span class="note">(${esc(v.kind)}, ${v.trace.length} states${v.loopStart === undefined ? '' : ', lasso'})</span></li>`,
    )
    body.push(`<ul class="toc">${items.join('')}</ul>`)
  }
  for (const w of r.warnings) body.push(`<p class="note">Warning: ${esc(w)}</p>`)
  if (input.rerun !== undefined) body.push(`<p class="note">Re-run: <code>${esc(input.rerun)}</code></p>`)
  const checked = Object.entries(r.checked).filter(([, list]) => list.length > 0)
  if (r.unchecked !== undefined && r.unchecked.length > 0) checked.push(['not checked (temporal)', r.unchecked])
  if (checked.length > 0) {
    body.push(
      '<h2>Properties checked</h2><ul>' +
        checked.map(([kind, list]) => `<li>${esc(kind)}: ${list.map((p) => `<code>${esc(p)}</code>`).join(', ')}</li>`).join('') +
        '</ul>',
    )
  }
  body.push('<h2>Statistics</h2>', statsHtml(r, input.actors))
  const traceOptions = {
    ...(input.actors === undefined ? {} : { actors: input.actors }),
    ...(input.alias === undefined ? {} : { alias: input.alias }),
  }
  if (r.status === 'error') {
    body.push('<h2>Model error</h2>')
    body.push(renderTrace({ trace: r.error.trace, message: r.error.message }, { id: 'error', heading: r.error.code, ...traceOptions }))
  }
  if (r.violations.length > 0) {
    body.push(`<h2>Counterexamples (${r.violations.length})</h2>`)
    r.violations.forEach((v, i) => {
      const note = v.shortest ? '' : '<p class="note">This trace may not be the shortest one.</p>'
      const meaning = input.docs?.[v.property]
      body.push(
        renderTrace(v, { id: `trace-${i + 1}`, heading: `${v.property} (${v.kind})`, extra: note, ...(meaning === undefined ? {} : { meaning }), ...traceOptions }),
      )
    })
  }
  return htmlPage(title, body.join('\n'))
}
