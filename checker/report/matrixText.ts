/**
 * The policy matrix as text (a terminal table) and as Markdown.
 */
import type { ModelMatrix, MatrixCell, MatrixRow } from '../run/matrix.js'

function cellText(c: MatrixCell): string {
  if (c.status === 'holds') return 'holds'
  if (c.status === 'fails') return `FAILS (${c.violation!.trace.length})`
  return '?'
}

const count = (n: number, complete: boolean) => `${n.toLocaleString('en-US')}${complete ? '' : '+'}`
const statesText = (r: MatrixRow) => count(r.distinct, r.complete)
const symmetricText = (r: MatrixRow) =>
  r.symmetric === undefined ? '-' : `${count(r.symmetric.distinct, r.symmetric.complete)} ${r.symmetric.sets.join(' ')}`
/** Whether any row was also searched under symmetry: then the table has a column for it. */
const hasSymmetry = (m: ModelMatrix) => m.rows.some((r) => r.symmetric !== undefined)

/** The command that prints a row's counterexample. */
export function rowCommand(m: ModelMatrix, row: MatrixRow): string {
  const params = m.param === '(defaults)' ? m.given : { ...m.given, [m.param]: row.value }
  const args = Object.entries(params).map(([k, v]) => ` --param ${k}=${String(v)}`)
  return `mrcheck check ${m.model}${args.join('')} --continue`
}

/** One table per model: rows are policies, columns properties. */
export function formatMatrix(m: ModelMatrix): string {
  const sym = hasSymmetry(m)
  const header = [m.param, 'states', ...(sym ? ['symmetry'] : []), ...m.properties]
  const body = m.rows.map((r) => [r.value, statesText(r), ...(sym ? [symmetricText(r)] : []), ...r.cells.map(cellText)])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  const out = [`${m.model}`, line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)]
  out.push(
    'states: distinct states explored (+: search not complete); holds: on every one of them; ' +
      'FAILS (L): the shortest counterexample has L states; ?: not checked.',
  )
  if (sym) {
    out.push(
      'symmetry: distinct states of the safety search with symmetry reduction (--symmetry on), one per orbit ' +
        'of the symmetric sets named (with their sizes); -: the row declares no symmetric set.',
    )
  }
  for (const r of m.rows) {
    if (r.cells.some((c) => c.status === 'fails')) out.push(`  ${r.value}: ${rowCommand(m, r)}`)
  }
  return out.join('\n')
}

export function formatMatrixMarkdown(matrices: readonly ModelMatrix[]): string {
  return matrices
    .map((m) => {
      const sym = hasSymmetry(m)
      const head = `| ${m.param} | states | ${sym ? 'symmetry | ' : ''}${m.properties.join(' | ')} |`
      const sep = `|${' --- |'.repeat(m.properties.length + (sym ? 3 : 2))}`
      const rows = m.rows.map(
        (r) =>
          `| ${r.value} | ${statesText(r)} | ${sym ? `${symmetricText(r)} | ` : ''}${r.cells
            .map((c) => (c.status === 'fails' ? `**fails** (${c.violation!.trace.length}: \`${rowCommand(m, r)}\`)` : cellText(c)))
            .join(' | ')} |`,
      )
      return [`### ${m.model}`, '', head, sep, ...rows].join('\n')
    })
    .join('\n\n')
}
