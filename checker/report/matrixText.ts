/**
 * The policy matrix as text (a terminal table that fits a given width) and as Markdown. One row
 * per policy and swept value, one narrow column per property under a short code (P promises,
 * M mechanisms, V vacuity goals, L liveness), a legend that gives each code's property and
 * meaning, and above the table one sentence per design saying which promises it breaks.
 */
import type { MatrixCellDoc, MatrixModelDoc, MatrixRowDoc } from './matrixDocument.js'
import type { MatrixProperty, PropertyGroup } from '../run/matrix.js'

export const DEFAULT_WIDTH = 120

const GROUP_LETTER: Record<PropertyGroup, string> = { promise: 'P', mechanism: 'M', vacuity: 'V', liveness: 'L' }
const GROUP_NAME: Record<PropertyGroup, string> = {
  promise: 'promises',
  mechanism: 'mechanisms',
  vacuity: 'vacuity goals (fail when never reached)',
  liveness: 'liveness',
}

/** Each property's short code: its group's letter and its number within the group. */
export function propertyCodes(properties: readonly MatrixProperty[]): string[] {
  const seen: Partial<Record<PropertyGroup, number>> = {}
  return properties.map((p) => `${GROUP_LETTER[p.group]}${(seen[p.group] = (seen[p.group] ?? 0) + 1)}`)
}

/** A cell's mark: `.` holds, `xL` fails (shortest counterexample of L states), `-` n/a, `?` not checked; `!` unexpected. */
export function cellMark(c: MatrixCellDoc): string {
  const mark = c.status === 'holds' ? '.' : c.status === 'fails' ? `x${c.violation?.trace.length ?? ''}` : c.status === 'n/a' ? '-' : '?'
  return c.unexpected ? mark + '!' : mark
}

const count = (n: number, complete: boolean) => `${n.toLocaleString('en-US')}${complete ? '' : '+'}`

/** The row's label: the policy and its swept values. */
export const rowLabel = (m: MatrixModelDoc, r: MatrixRowDoc): string =>
  [m.param === '(defaults)' ? 'default' : `${m.param}=${r.value}`, ...Object.entries(r.sweep).map(([k, v]) => `${k}=${v}`)].join(' ')

/** The command that prints a row's counterexamples. */
export function rowCommand(m: MatrixModelDoc, r: MatrixRowDoc): string {
  const params = { ...m.given, ...r.sweep, ...(m.param === '(defaults)' ? {} : { [m.param]: r.value }) }
  const args = Object.entries(params).map(([k, v]) => ` --param ${k}=${String(v)}`)
  return `mrcheck check ${m.model}${args.join('')} --continue`
}

/** The instance every row shares, as `name=value` words. */
export function instanceText(m: MatrixModelDoc): string {
  const given = Object.entries(m.given).map(([k, v]) => `${k}=${String(v)}`)
  const sweep = Object.entries(m.sweep).map(([k, vs]) => `${k}=${vs.join(',')}`)
  return [given.length > 0 ? given.join(' ') : 'parameter defaults', ...(sweep.length > 0 ? [`swept: ${sweep.join(' ')}`] : [])].join('; ')
}

/**
 * One sentence per design: the promises (and liveness properties) it breaks on every swept value,
 * then those it breaks only on some.
 */
export function headline(m: MatrixModelDoc): string[] {
  const promise = new Set(m.properties.filter((p) => p.group === 'promise' || p.group === 'liveness').map((p) => p.name))
  const broken = (r: MatrixRowDoc) => r.cells.filter((c) => c.status === 'fails' && promise.has(c.property)).map((c) => c.property)
  const policies = [...new Set(m.rows.map((r) => r.value))]
  return policies.map((value) => {
    const rows = m.rows.filter((r) => r.value === value)
    const name = m.param === '(defaults)' ? m.model : value
    const always = broken(rows[0]!).filter((p) => rows.every((r) => broken(r).includes(p)))
    const bySweep = new Map<string, string[]>()
    for (const r of rows) {
      const extra = broken(r).filter((p) => !always.includes(p))
      if (extra.length === 0) continue
      const key = extra.join(', ')
      bySweep.set(key, [...(bySweep.get(key) ?? []), Object.values(r.sweep).join(' ')])
    }
    const parts = [...(always.length > 0 ? [always.join(', ')] : []), ...[...bySweep].map(([key, where]) => `${key} on ${where.join(', ')}`)]
    const unsure = rows.some((r) => !r.complete) ? ' (search incomplete)' : ''
    const text = parts.length === 0 ? 'no promise' : parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join('; ')}; and ${parts.at(-1)}`
    return `${name} breaks ${text}${unsure}.`
  })
}

/** Lays out a table: row-label columns on every block, property columns split into blocks that fit `width`. */
function table(labelHead: string[], labels: string[][], codeHead: string[], cells: string[][], width: number): string[] {
  const w = (col: string[], head: string) => Math.max(head.length, ...col.map((s) => s.length))
  const labelWidths = labelHead.map((h, i) => w(labels.map((l) => l[i]!), h))
  const cellWidths = codeHead.map((h, i) => w(cells.map((c) => c[i]!), h))
  const labelSpan = labelWidths.reduce((a, b) => a + b + 2, 0)
  const blocks: number[][] = []
  let used = labelSpan
  for (let i = 0; i < codeHead.length; i++) {
    if (blocks.length === 0 || used + cellWidths[i]! + 1 > width) {
      blocks.push([])
      used = labelSpan
    }
    blocks.at(-1)!.push(i)
    used += cellWidths[i]! + 1
  }
  const numeric = (s: string) => /^[\d,]+\+?$|^-$/.test(s)
  const pad = (s: string, n: number) => (numeric(s) ? s.padStart(n) : s.padEnd(n))
  const out: string[] = []
  for (const cols of blocks.length > 0 ? blocks : [[]]) {
    const line = (lab: string[], cs: string[]) =>
      (lab.map((s, i) => pad(s, labelWidths[i]!)).join('  ') + '  ' + cols.map((i) => cs[i]!.padEnd(cellWidths[i]!)).join(' ')).trimEnd()
    if (out.length > 0) out.push('')
    out.push(line(labelHead, codeHead))
    out.push(line(labelWidths.map((n) => '-'.repeat(n)), cellWidths.map((n) => '-'.repeat(n))))
    labels.forEach((l, r) => out.push(line(l, cells[r]!)))
  }
  return out
}

/** `text` wrapped to `width`, continuation lines indented by `indent`. */
function wrap(text: string, width: number, indent: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = ' '.repeat(indent) + word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines
}

/** The symmetric sets the rows were reduced by, e.g. `Page(2) Frame(3)`, each different choice once. */
const symmetricSets = (m: MatrixModelDoc) =>
  [...new Set(m.rows.flatMap((r) => (r.symmetric === undefined ? [] : [r.symmetric.sets.join(' ')])))].join(' or ')

/** One model's part of the text: headline, table, legend, what was unexpected, how to re-run. */
export function formatMatrix(m: MatrixModelDoc, width: number = DEFAULT_WIDTH): string {
  const codes = propertyCodes(m.properties)
  const sym = m.rows.some((r) => r.symmetric !== undefined)
  const sweepNames = Object.keys(m.sweep)
  const labelHead = [m.param, ...sweepNames, 'states', ...(sym ? ['sym'] : [])]
  const labels = m.rows.map((r) => [
    r.value,
    ...sweepNames.map((k) => r.sweep[k] ?? ''),
    count(r.distinct, r.complete),
    ...(sym ? [r.symmetric === undefined ? '-' : count(r.symmetric.distinct, r.symmetric.complete)] : []),
  ])
  const out: string[] = [`${m.model}: ${instanceText(m)}`]
  for (const sentence of headline(m)) out.push(...wrap(`  ${sentence}`, width, 4))
  out.push('')
  out.push(...table(labelHead, labels, codes, m.rows.map((r) => r.cells.map(cellMark)), width))
  out.push('')
  let group: PropertyGroup | undefined
  const codeWidth = Math.max(...codes.map((c) => c.length))
  m.properties.forEach((p, i) => {
    if (p.group !== group) out.push(`${GROUP_NAME[(group = p.group)]}:`)
    out.push(...wrap(`  ${codes[i]!.padEnd(codeWidth)} ${p.name}${p.doc === undefined ? '' : `: ${p.doc}`}`, width, codeWidth + 3))
  })
  out.push(
    ...wrap(
      '. holds on every state; xL fails, the shortest counterexample has L states; - does not apply; ? not checked; ' +
        '! differs from what the model expects. states: distinct states explored (+: search incomplete)' +
        (sym ? `; sym: with symmetry reduction over ${symmetricSets(m)} (safety properties, one state per orbit), - no symmetric sets` : '') +
        '.',
      width,
      0,
    ),
  )
  const unexpected = m.rows.flatMap((r) => r.cells.filter((c) => c.unexpected).map((c) => unexpectedText(m, r, c)))
  if (unexpected.length > 0) {
    out.push('Unexpected:')
    for (const u of unexpected) out.push(...wrap(`  ${u}`, width, 4))
  }
  const example = m.rows.find((r) => r.cells.some((c) => c.status === 'fails'))
  if (example !== undefined) out.push(...wrap(`Counterexamples of a row: ${rowCommand(m, example)}`, width, 2))
  return out.join('\n')
}

/** An unexpected cell in words: where, what was found, what the model expects. */
export function unexpectedText(m: MatrixModelDoc, r: MatrixRowDoc, c: MatrixCellDoc): string {
  const found = c.status === 'fails' ? `fails (${c.violation?.trace.length ?? '?'} states)` : c.status === 'n/a' ? 'does not apply' : 'holds'
  const expected = c.expected === 'fails' ? 'to fail' : c.expected === 'holds' ? 'to hold' : 'not to apply'
  return `${m.model} ${rowLabel(m, r)}: ${c.property} ${found}; the model expects it ${expected}.`
}

/**
 * The warnings of the rows whose search was incomplete (they tell why their cells are `?`), one
 * line each, naming the row, or how many rows said it when several did.
 */
export function incompleteRowWarnings(m: MatrixModelDoc): string[] {
  const rowsOf = new Map<string, MatrixRowDoc[]>()
  for (const r of m.rows) if (!r.complete) for (const w of r.warnings) rowsOf.set(w, [...(rowsOf.get(w) ?? []), r])
  return [...rowsOf].map(([w, rows]) => `${m.model} ${rows.length === 1 ? rowLabel(m, rows[0]!) : `(${rows.length} rows)`}: ${w}`)
}

export function formatMatrixMarkdown(models: readonly MatrixModelDoc[]): string {
  return models
    .map((m) => {
      const sweepNames = Object.keys(m.sweep)
      const head = `| ${[m.param, ...sweepNames, 'states', ...m.properties.map((p) => p.name)].join(' | ')} |`
      const sep = `|${' --- |'.repeat(m.properties.length + sweepNames.length + 2)}`
      const cell = (r: MatrixRowDoc, c: MatrixCellDoc) => {
        const text = c.status === 'fails' ? `**fails** (${c.violation?.trace.length ?? '?'})` : c.status
        return c.unexpected ? `${text} (unexpected)` : text
      }
      const rows = m.rows.map(
        (r) => `| ${[r.value, ...sweepNames.map((k) => r.sweep[k] ?? ''), count(r.distinct, r.complete), ...r.cells.map((c) => cell(r, c))].join(' | ')} |`,
      )
      return [`### ${m.model}`, '', instanceText(m), '', ...headline(m), '', head, sep, ...rows].join('\n')
    })
    .join('\n\n')
}
