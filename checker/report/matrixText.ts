/**
 * The policy matrix as text (a terminal table) and as Markdown.
 */
import type { ModelMatrix, MatrixCell, MatrixRow } from '../run/matrix.js'

function cellText(c: MatrixCell): string {
  if (c.status === 'holds') return 'holds'
  if (c.status === 'fails') return `FAILS (${c.violation!.trace.length})`
  return '?'
}

const statesText = (r: MatrixRow) => `${r.distinct.toLocaleString('en-US')}${r.complete ? '' : '+'}`

/** The command that prints a row's counterexample. */
export function rowCommand(m: ModelMatrix, row: MatrixRow): string {
  const args = m.param === '(defaults)' ? '' : ` --param ${m.param}=${row.value}`
  return `mrcheck check ${m.model}${args} --continue`
}

/** One table per model: rows are policies, columns properties. */
export function formatMatrix(m: ModelMatrix): string {
  const header = [m.param, 'states', ...m.properties]
  const body = m.rows.map((r) => [r.value, statesText(r), ...r.cells.map(cellText)])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  const out = [`${m.model}`, line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)]
  out.push(
    'states: distinct states explored (+: search not complete); holds: on every one of them; ' +
      'FAILS (L): the shortest counterexample has L states; ?: not checked.',
  )
  for (const r of m.rows) {
    if (r.cells.some((c) => c.status === 'fails')) out.push(`  ${r.value}: ${rowCommand(m, r)}`)
  }
  return out.join('\n')
}

export function formatMatrixMarkdown(matrices: readonly ModelMatrix[]): string {
  return matrices
    .map((m) => {
      const head = `| ${m.param} | states | ${m.properties.join(' | ')} |`
      const sep = `|${' --- |'.repeat(m.properties.length + 2)}`
      const rows = m.rows.map(
        (r) =>
          `| ${r.value} | ${statesText(r)} | ${r.cells
            .map((c) => (c.status === 'fails' ? `**fails** (${c.violation!.trace.length}: \`${rowCommand(m, r)}\`)` : cellText(c)))
            .join(' | ')} |`,
      )
      return [`### ${m.model}`, '', head, sep, ...rows].join('\n')
    })
    .join('\n\n')
}
