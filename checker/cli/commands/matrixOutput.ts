/**
 * What `matrix` and `merge` print and write from a matrix document, so that shards merged print
 * exactly what one run prints: the tables (or the document with --json) on stdout, the Markdown
 * and HTML files, and the exit code (1 when a cell differs from its expectation).
 */
import type { AnyModel } from '../../model/model.js'
import { unexpectedCells, type MatrixDocument } from '../../report/matrixDocument.js'
import { formatMatrix, formatMatrixMarkdown, incompleteRowWarnings, unexpectedText } from '../../report/matrixText.js'
import { matrixReportModels, renderMatrixReport } from '../../report/html/matrixReport.js'
import { resultStream, type CliContext } from '../context.js'
import { EXIT } from '../exitCodes.js'
import { writeReportFile } from './reportFiles.js'

export interface MatrixOutputFlags {
  json?: boolean
  md?: string
  html?: string
}

/** Prints and writes the matrix; returns the exit code. */
export function emitMatrix(doc: MatrixDocument, flags: MatrixOutputFlags, models: readonly AnyModel[], ctx: CliContext): number {
  const say = resultStream(ctx, flags.json === true)
  say(doc.models.map((m) => formatMatrix(m)).join('\n\n') + '\n')
  if (flags.md !== undefined) write(flags.md, formatMatrixMarkdown(doc.models) + '\n', 'the Markdown matrix', ctx)
  if (flags.html !== undefined) {
    const html = renderMatrixReport(matrixReportModels(doc.models, models), { generator: `${doc.tool.name} ${doc.tool.version}` })
    write(flags.html, html, 'the HTML matrix', ctx)
  }
  if (flags.json) ctx.out(JSON.stringify(doc, null, 2))
  for (const line of doc.models.flatMap(incompleteRowWarnings)) ctx.err(`${line}\n`)
  const unexpected = unexpectedCells(doc)
  if (unexpected.length > 0) {
    ctx.err(`${unexpected.length === 1 ? '1 cell differs' : `${unexpected.length} cells differ`} from what the models expect:\n`)
    for (const { model, row, cell } of unexpected) ctx.err(`  ${unexpectedText(model, row, cell)}\n`)
    return EXIT.unexpected
  }
  const incomplete = doc.models.some((m) => m.rows.some((r) => !r.complete && r.status !== 'violation'))
  return incomplete ? EXIT.incomplete : EXIT.ok
}

/** Writes a report file; a file that cannot be written is named with its reason, and the exit code stays the verdict's. */
function write(file: string, text: string, what: string, ctx: CliContext): void {
  if (writeReportFile(file, text, what, ctx)) ctx.err(`Wrote ${what} to ${file}.\n`)
}
