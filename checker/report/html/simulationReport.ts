/**
 * The HTML report of one simulation (`mrcheck simulate ... --html FILE`): verdict (never "holds":
 * a simulation is not exhaustive), seed and re-run line, statistics of the walks, then the
 * violating walk, or the walk where the model failed, with its sequence view and step list.
 */
import type { SimulationResult } from '../../simulate/simulate.js'
import { esc } from './escape.js'
import { htmlPage } from './page.js'
import { renderTrace, type Actors } from './traceView.js'

export interface SimulationReportInput {
  readonly result: SimulationResult
  readonly actors?: Actors
  readonly alias?: (s: any) => unknown
  /** The model as the user named it (built-in name or file path). */
  readonly source?: string
  readonly about?: string
  /** The command line that repeats these walks. */
  readonly rerun?: string
  /** e.g. `mrcheck 0.1.0` */
  readonly generator?: string
  /** One-line meanings of the properties (PropertySet.docs), shown beside the counterexample's message. */
  readonly docs?: Readonly<Record<string, string>>
}

const n = (x: number) => x.toLocaleString('en-US')

export function renderSimulationReport(input: SimulationReportInput): string {
  const r = input.result
  const title = `mrcheck simulate: ${r.model}`
  const params = Object.keys(r.constants).length > 0 ? ` ${JSON.stringify(r.constants)}` : ''
  const verdict =
    r.status === 'ok'
      ? `no violation found in ${n(r.stats.runs)} random walks (not exhaustive: nothing is proved)`
      : r.status === 'violation'
        ? `property violated in walk ${r.run}`
        : `model error in walk ${r.run}`
  const body: string[] = [
    `<h1>${esc(title)}</h1>`,
    `<p class="sub">Model <code>${esc(r.model)}</code>${esc(params)}` +
      (input.source !== undefined && input.source !== r.model ? ` from <code>${esc(input.source)}</code>` : '') +
      (input.generator !== undefined ? ` · ${esc(input.generator)}` : '') +
      '</p>',
    ...(input.about === undefined ? [] : [`<p class="about">${esc(input.about)}</p>`]),
    `<p><span class="verdict ${r.status === 'ok' ? 'incomplete' : esc(r.status)}">${esc(verdict)}</span></p>`,
  ]
  for (const w of r.warnings) body.push(`<p class="note">Warning: ${esc(w)}</p>`)
  if (r.unreached.length > 0) body.push(`<p class="note">Goals no walk reached: ${esc(r.unreached.join(', '))}</p>`)
  if (input.rerun !== undefined) body.push(`<p class="note">Re-run: <code>${esc(input.rerun)}</code></p>`)
  const s = r.stats
  const rows: [string, string][] = [
    ['seed', String(r.seed)],
    ['walks', n(s.runs)],
    ['steps', n(s.steps)],
    ['distinct states met', n(s.distinct)],
    ['walks ended without successors', n(s.terminal)],
    ['walks ended outside the constraint', n(s.constrained)],
    ['duration', `${(s.durationMs / 1000).toFixed(2)} s`],
  ]
  body.push('<h2>Statistics</h2>', `<table class="stats">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td class="num">${esc(v)}</td></tr>`).join('')}</table>`)
  const traceOptions = {
    ...(input.actors === undefined ? {} : { actors: input.actors }),
    ...(input.alias === undefined ? {} : { alias: input.alias }),
  }
  if (r.status === 'violation') {
    const v = r.violation
    body.push('<h2>Counterexample</h2>')
    const meaning = input.docs?.[v.property]
    body.push(
      renderTrace(v, {
        id: 'trace-1',
        heading: `${v.property} (${v.kind})`,
        extra: '<p class="note">A random walk: not necessarily the shortest trace.</p>',
        ...(meaning === undefined ? {} : { meaning }),
        ...traceOptions,
      }),
    )
  } else if (r.status === 'error') {
    body.push('<h2>Model error</h2>')
    body.push(renderTrace({ trace: r.error.trace, message: r.error.message }, { id: 'error', heading: r.error.code, ...traceOptions }))
  }
  return htmlPage(title, body.join('\n'))
}
