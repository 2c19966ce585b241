/**
 * The policy matrix as one HTML page: per model a table (rows: policies, columns: properties),
 * each cell holds / fails / unknown; a failing cell links to its counterexample further down the
 * same page (sequence view and step list), shown when the cell is clicked.
 *
 * The input is plain data so that any caller can fill it; `matrixReportModels` builds it from
 * `policyMatrix` results.
 */
import type { ModelMatrix } from '../../run/matrix.js'
import { instantiate } from '../../engine/instantiate.js'
import type { AnyModel } from '../../spec/model.js'
import type { Violation } from '../result.js'
import { rowCommand } from '../matrixText.js'
import { esc } from './escape.js'
import { htmlPage } from './page.js'
import { actorsOf, renderTrace, type Actors } from './traceView.js'

/** One property's verdict for one policy. */
export interface MatrixReportCell {
  readonly property: string
  /** 'holds' | 'fails' | 'unknown' (any other word is shown as is). */
  readonly status: string
  /** Distinct states on which it holds. */
  readonly distinct?: number
  /** The counterexample of a failing cell. */
  readonly trace?: Violation
}

/** One policy: its verdicts, one cell per property. */
export interface MatrixReportRow {
  /** The row's policy (the matrix parameter's value). */
  readonly policy: string
  readonly cells: readonly MatrixReportCell[]
  readonly distinct?: number
  readonly complete?: boolean
  /** Actors of this row's spec when they differ from the model's. */
  readonly actors?: Actors
  readonly alias?: (s: any) => unknown
  /** How to reproduce this row on the command line. */
  readonly rerun?: string
}

/** One model's table. */
export interface MatrixReportModel {
  readonly model: string
  /** The matrix parameter (column header of the policies). */
  readonly param?: string
  readonly summary?: string
  /** Column order; default: the properties in order of first appearance in the rows. */
  readonly properties?: readonly string[]
  /** One-line statements of the properties, shown as column tooltips. */
  readonly docs?: Readonly<Record<string, string>>
  readonly actors?: Actors
  readonly rows: readonly MatrixReportRow[]
}

/** Page-level options of the matrix report. */
export interface MatrixReportOptions {
  readonly title?: string
  /** e.g. `mrcheck 0.1.0`, shown under the title. */
  readonly generator?: string
}

const n = (x: number) => x.toLocaleString('en-US')

/** The matrix page for one or more models. */
export function renderMatrixReport(models: readonly MatrixReportModel[], options: MatrixReportOptions = {}): string {
  const title = options.title ?? 'mrcheck: policy matrix'
  const body: string[] = [`<h1>${esc(title)}</h1>`]
  body.push(
    `<p class="sub">Rows are policies, columns properties. Click a failing cell to see its counterexample.` +
      (options.generator === undefined ? '' : ` · ${esc(options.generator)}`) +
      ' <button id="show-all" type="button">show all counterexamples</button></p>',
  )
  let next = 0
  for (const m of models) {
    const properties = m.properties ?? [...new Set(m.rows.flatMap((r) => r.cells.map((c) => c.property)))]
    const traces: string[] = []
    const head = properties
      .map((p) => `<th${m.docs?.[p] ? ` title="${esc(m.docs[p])}"` : ''}>${esc(p)}</th>`)
      .join('')
    const rows = m.rows.map((r) => {
      const cells = properties.map((p) => {
        const c = r.cells.find((x) => x.property === p)
        if (c === undefined) return '<td class="unknown">—</td>'
        if (c.status === 'fails' && c.trace !== undefined) {
          const id = `trace-${++next}`
          const steps = c.trace.trace.length
          traces.push(
            renderTrace(c.trace, {
              id,
              heading: `${m.model} · ${m.param ?? 'policy'} = ${r.policy} · ${p}`,
              ...((r.actors ?? m.actors) === undefined ? {} : { actors: (r.actors ?? m.actors)! }),
              ...(r.alias === undefined ? {} : { alias: r.alias }),
              ...(r.rerun === undefined ? {} : { extra: `<p class="note">Re-run: <code>${esc(r.rerun)}</code></p>` }),
            }),
          )
          return `<td class="fails"><a class="cell-link" href="#${id}" data-model="${esc(m.model)}" data-policy="${esc(r.policy)}" data-property="${esc(p)}">fails (${steps} states)</a></td>`
        }
        const distinct = c.distinct ?? r.distinct
        const text = c.status === 'holds' && distinct !== undefined ? `holds (${n(distinct)})` : c.status
        const cls = c.status === 'holds' ? 'holds' : c.status === 'fails' ? 'fails' : 'unknown'
        return `<td class="${cls}">${esc(text)}</td>`
      })
      const incomplete = r.complete === false ? ' <span class="note" title="search incomplete">(incomplete)</span>' : ''
      return `<tr><th class="label">${esc(r.policy)}${incomplete}</th>${cells.join('')}</tr>`
    })
    body.push(
      `<h2>${esc(m.model)}</h2>`,
      m.summary === undefined ? '' : `<p class="sub">${esc(m.summary)}</p>`,
      `<table class="matrix" data-model="${esc(m.model)}"><tr><th>${esc(m.param ?? 'policy')}</th>${head}</tr>${rows.join('')}</table>`,
      `<div class="hidden-until-target">${traces.join('\n')}</div>`,
    )
  }
  body.push('<p class="note">holds (N): the property holds on all N reachable states. fails (L): the shortest counterexample has L states.</p>')
  return htmlPage(title, body.join('\n'))
}

/**
 * The matrix page's input from `policyMatrix` results. Given the models, each row also gets its
 * spec's actors and alias (the spec is rebuilt at the row's parameters) and the docs of the
 * properties.
 */
export function matrixReportModels(matrices: readonly ModelMatrix[], models: readonly AnyModel[] = []): MatrixReportModel[] {
  return matrices.map((m) => {
    const model = models.find((x) => x.name === m.model)
    let docs: Readonly<Record<string, string>> | undefined
    const rows = m.rows.map((r): MatrixReportRow => {
      let extra: { actors?: Actors; alias?: (s: any) => unknown } = {}
      if (model !== undefined) {
        const { spec, props } = instantiate(model, r.params)
        docs ??= props.docs
        extra = { actors: actorsOf(spec), ...(spec.alias === undefined ? {} : { alias: spec.alias }) }
      }
      return {
        policy: r.value,
        distinct: r.distinct,
        complete: r.complete,
        rerun: rowCommand(m, r),
        cells: r.cells.map((c) => ({
          property: c.property,
          status: c.status,
          ...(c.status === 'holds' ? { distinct: r.distinct } : {}),
          ...(c.violation === undefined ? {} : { trace: c.violation }),
        })),
        ...extra,
      }
    })
    return {
      model: m.model,
      param: m.param,
      properties: m.properties,
      rows,
      ...(model === undefined ? {} : { summary: model.summary }),
      ...(docs === undefined ? {} : { docs }),
    }
  })
}
