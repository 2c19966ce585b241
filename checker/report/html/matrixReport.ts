/**
 * The policy matrix as one HTML page: per model a headline (which promises each design breaks), a
 * table (rows: policies and swept values, columns: properties under short codes, grouped) and a
 * legend; each cell holds / fails / does not apply / was not checked, and is marked when it differs
 * from what the model expects. The policy column and the header stay visible while scrolling; a
 * failing cell links to its counterexample further down the same page (sequence view and step
 * list), shown when the cell is clicked.
 *
 * The input is plain data so that any caller can fill it; `matrixReportModels` builds it from a
 * matrix document (a run's or a merge's).
 */
import type { MatrixModelDoc } from '../matrixDocument.js'
import { instantiate } from '../../compile/instantiate.js'
import type { AnyModel } from '../../model/model.js'
import type { Violation } from '../../result/result.js'
import { headline, instanceText, propertyCodes, rowCommand } from '../matrixText.js'
import { esc } from './escape.js'
import { htmlPage } from './page.js'
import { actorsOf, renderTrace, type Actors } from './traceView.js'

/** One property's verdict for one row. */
export interface MatrixReportCell {
  readonly property: string
  /** 'holds' | 'fails' | 'unknown' | 'n/a' (any other word is shown as is). */
  readonly status: string
  /** The counterexample of a failing cell. */
  readonly trace?: Violation
  /** What the model expects of this cell ('holds' | 'fails' | 'n/a'). */
  readonly expected?: string
  /** Whether the verdict differs from the expectation. */
  readonly unexpected?: boolean
}

/** One row: a policy (and its swept values), its verdicts, one cell per property. */
export interface MatrixReportRow {
  /** The row's policy (the matrix parameter's value). */
  readonly policy: string
  /** The swept parameters' values of this row. */
  readonly sweep?: Readonly<Record<string, string>>
  readonly cells: readonly MatrixReportCell[]
  readonly distinct?: number
  readonly complete?: boolean
  /** Actors of this row's spec when they differ from the model's. */
  readonly actors?: Actors
  readonly alias?: (s: any) => unknown
  /** How to reproduce this row on the command line. */
  readonly rerun?: string
  /** What the row's policy is and, for a known bug, its source (the matrix parameter's value doc). */
  readonly source?: string
}

/** One column: a property, its short code (the header), its group and its meaning. */
export interface MatrixReportProperty {
  readonly name: string
  readonly code?: string
  readonly group?: string
  readonly doc?: string
}

/** One model's table. */
export interface MatrixReportModel {
  readonly model: string
  /** The matrix parameter (column header of the policies). */
  readonly param?: string
  readonly summary?: string
  /** The instance the rows share, in words. */
  readonly instance?: string
  /** One sentence per design: the promises it breaks. */
  readonly headline?: readonly string[]
  /** Column order; default: the properties in order of first appearance in the rows. */
  readonly properties?: readonly (string | MatrixReportProperty)[]
  /** The swept parameters (a label column each). */
  readonly sweep?: readonly string[]
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
const GROUP_TITLE: Readonly<Record<string, string>> = {
  promise: 'Promises',
  mechanism: 'Mechanisms',
  vacuity: 'Vacuity goals (fail when never reached)',
  liveness: 'Liveness',
}

/** A cell's mark, as in the text table: ok, ✗ with the counterexample's length, – n/a, ? not checked. */
function mark(c: MatrixReportCell): string {
  if (c.status === 'holds') return 'ok'
  if (c.status === 'fails') return c.trace === undefined ? '✗' : `✗${c.trace.trace.length}`
  if (c.status === 'n/a') return '–'
  if (c.status === 'unknown') return '?'
  return c.status
}

function cellTitle(p: MatrixReportProperty, c: MatrixReportCell): string {
  const what =
    c.status === 'fails' ? `fails${c.trace === undefined ? '' : ` (shortest counterexample: ${c.trace.trace.length} states)`}` : c.status === 'n/a' ? 'does not apply' : c.status === 'unknown' ? 'not checked' : c.status
  const expected = c.expected === undefined ? '' : c.unexpected ? ` — UNEXPECTED: the model expects ${c.expected}` : ' — as expected'
  return `${p.name}: ${what}${expected}`
}

/** The matrix page for one or more models. */
export function renderMatrixReport(models: readonly MatrixReportModel[], options: MatrixReportOptions = {}): string {
  const title = options.title ?? 'mrcheck: policy matrix'
  const body: string[] = [`<h1>${esc(title)}</h1>`]
  body.push(
    `<p class="sub">Rows are policies, columns properties (hover a code for its meaning). Click a failing cell to see its counterexample.` +
      (options.generator === undefined ? '' : ` · ${esc(options.generator)}`) +
      ' <button id="show-all" type="button">show all counterexamples</button></p>',
  )
  let next = 0
  for (const m of models) {
    const props: MatrixReportProperty[] = (m.properties ?? [...new Set(m.rows.flatMap((r) => r.cells.map((c) => c.property)))]).map((p) =>
      typeof p === 'string' ? { name: p } : p,
    )
    const sweep = m.sweep ?? []
    const traces: string[] = []
    const startsGroup = (i: number) => i > 0 && props[i]!.group !== props[i - 1]!.group
    const head = props
      .map((p, i) => {
        const tip = p.doc === undefined ? p.name : `${p.name}: ${p.doc}`
        const cls = ['prop', startsGroup(i) ? 'group-start' : ''].filter(Boolean).join(' ')
        return `<th class="${cls}" scope="col" title="${esc(tip)}" data-property="${esc(p.name)}">${esc(p.code ?? p.name)}</th>`
      })
      .join('')
    const rows = m.rows.map((r) => {
      const cells = props.map((p, i) => {
        const c = r.cells.find((x) => x.property === p.name)
        if (c === undefined) return '<td class="unknown">?</td>'
        const cls = [
          c.status === 'holds' ? 'holds' : c.status === 'fails' ? 'fails' : c.status === 'n/a' ? 'na' : 'unknown',
          c.unexpected ? 'unexpected' : '',
          startsGroup(i) ? 'group-start' : '',
        ]
          .filter(Boolean)
          .join(' ')
        const text = esc(mark(c)) + (c.unexpected ? '<b class="bang">!</b>' : '')
        const tip = esc(cellTitle(p, c))
        if (c.status === 'fails' && c.trace !== undefined) {
          const id = `trace-${++next}`
          const where = [`${m.param ?? 'policy'} = ${r.policy}`, ...Object.entries(r.sweep ?? {}).map(([k, v]) => `${k} = ${v}`)].join(' · ')
          traces.push(
            renderTrace(c.trace, {
              id,
              heading: `${m.model} · ${where} · ${p.name}`,
              ...(p.doc === undefined ? {} : { meaning: p.doc }),
              ...((r.actors ?? m.actors) === undefined ? {} : { actors: (r.actors ?? m.actors)! }),
              ...(r.alias === undefined ? {} : { alias: r.alias }),
              ...(r.rerun === undefined ? {} : { extra: `<p class="note">Re-run: <code>${esc(r.rerun)}</code></p>` }),
            }),
          )
          return `<td class="${cls}" title="${tip}"><a class="cell-link" href="#${id}" data-model="${esc(m.model)}" data-policy="${esc(r.policy)}" data-property="${esc(p.name)}">${text}</a></td>`
        }
        return `<td class="${cls}" title="${tip}">${text}</td>`
      })
      const incomplete = r.complete === false ? '+' : ''
      const states = r.distinct === undefined ? '' : `<td class="num">${n(r.distinct)}${incomplete}</td>`
      const swept = sweep.map((k) => `<td class="label">${esc(r.sweep?.[k] ?? '')}</td>`).join('')
      const source = r.source === undefined ? '' : ` title="${esc(r.source)}"`
      return `<tr><th class="label" scope="row"${source}>${esc(r.policy)}</th>${swept}${states}${cells.join('')}</tr>`
    })
    const hasStates = m.rows.some((r) => r.distinct !== undefined)
    // Each policy once (swept rows repeat it), with its source.
    const sources = [...new Map(m.rows.flatMap((r) => (r.source === undefined ? [] : [[r.policy, r.source] as const]))).entries()]
    const policyList =
      sources.length === 0
        ? ''
        : `<dl class="legend policies"><dt class="group">${esc(m.param ?? 'policy')}</dt>` +
          sources.map(([policy, source]) => `<dd><b>${esc(policy)}</b>: ${esc(source)}</dd>`).join('') +
          '</dl>'
    const legend = props.map(
      (p, i) =>
        `${i === 0 || startsGroup(i) ? `<dt class="group">${esc(GROUP_TITLE[p.group ?? ''] ?? p.group ?? 'Properties')}</dt>` : ''}` +
        `<dd><b>${esc(p.code ?? p.name)}</b> ${p.code === undefined ? '' : `${esc(p.name)}`}${p.doc === undefined ? '' : `: ${esc(p.doc)}`}</dd>`,
    )
    body.push(
      `<h2>${esc(m.model)}</h2>`,
      m.summary === undefined ? '' : `<p class="sub">${esc(m.summary)}</p>`,
      m.instance === undefined ? '' : `<p class="sub">Instance: ${esc(m.instance)}</p>`,
      m.headline === undefined ? '' : `<ul class="headline">${m.headline.map((h) => `<li>${esc(h)}</li>`).join('')}</ul>`,
      `<table class="matrix" data-model="${esc(m.model)}"><thead><tr><th class="label" scope="col">${esc(m.param ?? 'policy')}</th>` +
        sweep.map((k) => `<th scope="col">${esc(k)}</th>`).join('') +
        (hasStates ? '<th scope="col" title="distinct states explored (+: search incomplete)">states</th>' : '') +
        `${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`,
      `<dl class="legend">${legend.join('')}</dl>`,
      policyList,
      `<div class="hidden-until-target">${traces.join('\n')}</div>`,
    )
  }
  body.push(
    '<p class="note">ok: holds on every reachable state. ✗L: fails, the shortest counterexample has L states. –: does not apply to this row. ' +
      '?: not checked. !: differs from what the model expects (outlined).</p>',
  )
  return htmlPage(title, body.join('\n'))
}

/**
 * The matrix page's input from matrix documents. Given the models, each row also gets its spec's
 * actors and alias (the spec is rebuilt at the row's parameters).
 */
export function matrixReportModels(matrices: readonly MatrixModelDoc[], models: readonly AnyModel[] = []): MatrixReportModel[] {
  return matrices.map((m) => {
    const model = models.find((x) => x.name === m.model)
    const codes = propertyCodes(m.properties)
    const decl = model?.params[m.param]
    const valueDocs = decl?.kind === 'enum' ? decl.valueDocs : undefined
    const rows = m.rows.map((r): MatrixReportRow => {
      let extra: { actors?: Actors; alias?: (s: any) => unknown } = {}
      if (model !== undefined) {
        const { spec } = instantiate(model, r.params)
        extra = { actors: actorsOf(spec), ...(spec.alias === undefined ? {} : { alias: spec.alias }) }
      }
      return {
        policy: r.value,
        sweep: r.sweep,
        distinct: r.distinct,
        complete: r.complete,
        rerun: rowCommand(m, r),
        ...(valueDocs?.[r.value] === undefined ? {} : { source: valueDocs[r.value] }),
        cells: r.cells.map((c) => ({
          property: c.property,
          status: c.status,
          expected: c.expected,
          unexpected: c.unexpected,
          ...(c.violation === undefined ? {} : { trace: { ...c.violation, property: c.property } }),
        })),
        ...extra,
      }
    })
    return {
      model: m.model,
      param: m.param,
      instance: instanceText(m),
      headline: headline(m),
      properties: m.properties.map((p, i) => ({ ...p, code: codes[i]! })),
      sweep: Object.keys(m.sweep),
      rows,
      ...(model === undefined ? {} : { summary: model.summary }),
    }
  })
}
