/**
 * The matrix as one JSON document: everything the text, Markdown and HTML show, and nothing that
 * changes from run to run (no timings), so that shards merged give the same document as one run.
 * Every renderer reads this form, whether it came from a run or from `mrcheck merge`.
 */
import type { ModelMatrix, CellStatus, Expectation } from '../run/matrix.js'
import { isUnexpected } from '../run/matrix.js'
import type { Violation } from '../result/result.js'
import { envelope, type Command, type DocumentStatus, type Tool } from './envelope.js'
import { CheckerError } from '../result/errors.js'

export interface MatrixCellDoc {
  readonly property: string
  readonly status: CellStatus
  readonly expected: Expectation
  /** Known and different from `expected`: the matrix fails as a check. */
  readonly unexpected: boolean
  readonly violation?: Omit<Violation, 'property'>
}

export interface MatrixRowDoc {
  readonly index: number
  readonly value: string
  readonly sweep: Readonly<Record<string, string>>
  readonly params: Readonly<Record<string, unknown>>
  readonly status: string
  readonly complete: boolean
  readonly stopReason?: string
  readonly distinct: number
  readonly symmetric?: { readonly sets: readonly string[]; readonly distinct: number; readonly complete: boolean }
  readonly warnings: readonly string[]
  readonly error?: string
  readonly cells: readonly MatrixCellDoc[]
}

/** A model's matrix as the document carries it: its rows without their whole check results. */
export interface MatrixModelDoc extends Omit<ModelMatrix, 'rows'> {
  readonly rows: readonly MatrixRowDoc[]
}

export interface MatrixDocument {
  readonly schemaVersion: number
  readonly tool: Tool
  /** Always 'matrix' (a merge of shards prints what one run prints). */
  readonly command: Command
  /** violation: a cell differs from its expectation; incomplete: a row's search did not finish. */
  readonly status: DocumentStatus
  /** Present on a shard's document: which share of the rows it holds. */
  readonly shard?: { readonly index: number; readonly count: number }
  readonly models: readonly MatrixModelDoc[]
}

export function matrixDocument(matrices: readonly ModelMatrix[], tool: Tool, shard?: { readonly index: number; readonly count: number }): MatrixDocument {
  const models = matrices.map((m) => modelDocument(m))
  return { ...envelope('matrix', matrixStatus(models), tool), ...(shard === undefined ? {} : { shard }), models }
}

/** violation when a cell differs from its expectation, else incomplete when a row's search did not finish, else ok. */
function matrixStatus(models: readonly MatrixModelDoc[]): 'ok' | 'violation' | 'incomplete' {
  const rows = models.flatMap((m) => m.rows)
  if (rows.some((r) => r.cells.some((c) => c.unexpected))) return 'violation'
  return rows.some((r) => !r.complete && r.status !== 'violation') ? 'incomplete' : 'ok'
}

function modelDocument(m: ModelMatrix): MatrixModelDoc {
  return {
    model: m.model,
    param: m.param,
    given: m.given,
    sweep: m.sweep,
    properties: m.properties,
    rowCount: m.rowCount,
    rows: m.rows.map((r) => {
      const res = r.result
      return {
        index: r.index,
        value: r.value,
        sweep: r.sweep,
        params: r.params,
        status: res.status,
        complete: r.complete,
        ...(res.status === 'incomplete' ? { stopReason: res.stopReason } : {}),
        distinct: r.distinct,
        ...(r.symmetric === undefined ? {} : { symmetric: { sets: r.symmetric.sets, distinct: r.symmetric.distinct, complete: r.symmetric.complete } }),
        warnings: res.warnings,
        ...(res.status === 'error' ? { error: res.error.message } : {}),
        cells: r.cells.map((c) => ({
          property: c.property,
          status: c.status,
          expected: c.expected,
          unexpected: isUnexpected(c),
          ...(c.violation === undefined
            ? {}
            : {
                violation: {
                  kind: c.violation.kind,
                  message: c.violation.message,
                  shortest: c.violation.shortest,
                  ...(c.violation.loopStart === undefined ? {} : { loopStart: c.violation.loopStart }),
                  trace: c.violation.trace.map((s) => ({ action: s.action, state: s.state })),
                },
              }),
        })),
      }
    }),
  }
}

/** The cells that differ from their expectation, with their rows. */
export function unexpectedCells(doc: MatrixDocument): { model: MatrixModelDoc; row: MatrixRowDoc; cell: MatrixCellDoc }[] {
  return doc.models.flatMap((model) =>
    model.rows.flatMap((row) => row.cells.filter((c) => c.unexpected).map((cell) => ({ model, row, cell }))),
  )
}

/**
 * One document from shards of the same matrix: the rows of each model gathered in their order.
 * Refuses documents that are not matrices, come from different matrices, or leave rows out or
 * hold one twice.
 */
export function mergeMatrixDocuments(docs: readonly { readonly file: string; readonly doc: unknown }[]): MatrixDocument {
  if (docs.length === 0) throw new CheckerError('BAD_INPUT', 'merge: give the matrix documents (JSON) to merge.')
  const parsed = docs.map(({ file, doc }) => {
    const d = doc as Partial<MatrixDocument> | null
    if (d === null || typeof d !== 'object' || d.command !== 'matrix' || !Array.isArray(d.models)) {
      throw new CheckerError('BAD_INPUT', `merge: ${file} is not a matrix document (mrcheck matrix --json).`)
    }
    return { file, doc: d as MatrixDocument }
  })
  const first = parsed[0]!
  const shape = (d: MatrixDocument) => JSON.stringify(d.models.map((m) => [m.model, m.param, m.given, m.sweep, m.properties, m.rowCount]))
  for (const p of parsed.slice(1)) {
    if (shape(p.doc) !== shape(first.doc)) {
      throw new CheckerError('BAD_INPUT', `merge: ${p.file} is a share of another matrix than ${first.file} (models, parameters or properties differ).`)
    }
  }
  const models = first.doc.models.map((m, i) => {
    const rows = parsed.flatMap((p) => p.doc.models[i]!.rows).sort((a, b) => a.index - b.index)
    const missing = Array.from({ length: m.rowCount }, (_, k) => k).filter((k) => !rows.some((r) => r.index === k))
    const twice = rows.filter((r, k) => k > 0 && rows[k - 1]!.index === r.index).map((r) => r.index)
    if (missing.length > 0 || twice.length > 0) {
      const what = [missing.length > 0 ? `rows ${missing.join(', ')} are in no document` : '', twice.length > 0 ? `rows ${twice.join(', ')} are in two` : '']
      throw new CheckerError('BAD_INPUT', `merge: the matrix of ${m.model} has ${m.rowCount} rows; ${what.filter(Boolean).join(' and ')}.`)
    }
    return { ...m, rows }
  })
  return { ...envelope('matrix', matrixStatus(models), first.doc.tool), models }
}
