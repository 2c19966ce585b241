/** `mrcheck matrix [model ...]`: every policy of every model against every property, one table. */
import type { Command } from 'commander'
import { policyMatrix, type ModelMatrix } from '../../run/matrix.js'
import { formatMatrix, formatMatrixMarkdown } from '../../report/matrixText.js'
import { matrixReportModels, renderMatrixReport } from '../../report/html/matrixReport.js'
import { resultDocument } from '../../report/json.js'
import { envelope } from '../../report/envelope.js'
import { collect, onOff, resultStream, type CliContext } from '../context.js'
import { EXIT } from '../exitCodes.js'
import { loadModel, parseParams } from '../loadModel.js'
import { writeReportFile } from './reportFiles.js'

interface MatrixFlags {
  param: string[]
  symmetry: boolean
  json?: boolean
  md?: string
  html?: string
}

export function matrixCommand(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('matrix')
    .description('check every policy of every model against every property and print one table')
    .argument('[models...]', 'built-in model names or model files (default: every built-in model with policies)')
    .option('-p, --param <name=value>', 'set a model parameter for every row (repeatable; the matrix parameter is the rows)', collect, [])
    .option(
      '--symmetry <on|off>',
      'also search each row that declares symmetric sets with symmetry reduction (safety properties), a column beside its states',
      onOff('--symmetry'),
      true,
    )
    .option('--json', 'print the matrix as JSON on stdout')
    .option('--md <file>', 'also write the matrix as a Markdown file')
    .option('--html <file>', 'also write a self-contained HTML page: the matrix, each failing cell linked to its trace')
    .action(async (refs: string[], flags: MatrixFlags) => {
      const models =
        refs.length > 0
          ? await Promise.all(refs.map(async (r) => (await loadModel(r, ctx.builtins)).model))
          : ctx.builtins.filter((m) => m.matrixParam !== undefined)
      const say = resultStream(ctx, flags.json === true)
      const started = Date.now()
      const matrices: ModelMatrix[] = []
      for (const model of models) {
        const m = await policyMatrix(model, { params: parseParams(flags.param), symmetry: flags.symmetry })
        matrices.push(m)
        say(formatMatrix(m) + '\n\n')
      }
      say(`Checked ${matrices.reduce((n, m) => n + m.rows.length, 0)} configurations in ${((Date.now() - started) / 1000).toFixed(1)}s.\n`)
      if (flags.md !== undefined) writeReportFile(flags.md, formatMatrixMarkdown(matrices) + '\n', 'the Markdown table', ctx)
      if (flags.html !== undefined) writeReportFile(flags.html, renderMatrixReport(matrixReportModels(matrices, models)), 'the HTML report', ctx)
      const incomplete = matrices.some((m) => m.rows.some((r) => !r.complete && r.result.status !== 'violation'))
      if (flags.json) {
        const doc = matrices.map((m) => ({
          model: m.model,
          param: m.param,
          properties: m.properties,
          rows: m.rows.map((r) => ({
            value: r.value,
            params: r.params,
            distinct: r.distinct,
            complete: r.complete,
            ...(r.symmetric === undefined ? {} : { symmetric: r.symmetric }),
            cells: r.cells.map((c) => ({ property: c.property, status: c.status })),
            result: resultDocument(r.result, { tool: 'mrcheck', version: ctx.version }),
          })),
        }))
        const status = incomplete ? 'incomplete' : 'ok'
        ctx.out(JSON.stringify({ ...envelope('matrix', status, { name: 'mrcheck', version: ctx.version }), models: doc }, null, 2))
      }
      setExit(incomplete ? EXIT.incomplete : EXIT.ok)
    })
}
