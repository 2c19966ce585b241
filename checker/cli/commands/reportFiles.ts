/**
 * The report files `check` and `simulate` can write besides their text: `--trace-out FILE` (every
 * counterexample in ITF) and `--html FILE` (one self-contained page).
 *
 * `--trace-out FILE` writes the first counterexample to FILE and the k-th to FILE with `-k`
 * before its extension (`cex.itf.json`, `cex-2.itf.json`, ...). `--trace-out -` writes them to
 * stdout, one compact JSON object per line (a single counterexample is one JSON document).
 */
import { writeFileSync } from 'node:fs'
import type { CheckResult, Violation } from '../../result/result.js'
import type { SimulationResult } from '../../simulate/simulate.js'
import type { Spec } from '../../model/model.js'
import { numberedPath, traceToItf } from '../../report/itf.js'
import { renderCheckReport } from '../../report/html/checkReport.js'
import { renderSimulationReport } from '../../report/html/simulationReport.js'
import { actorsOf } from '../../report/html/traceView.js'
import type { CliContext } from '../context.js'

/** Where the checked model came from, recorded in the files. */
export interface ReportSource {
  /** The model as the user named it (built-in name or resolved file path). */
  readonly source: string
  readonly params: Readonly<Record<string, unknown>>
}

/**
 * Writes a report file; a failure is printed with the file's name and the system's reason, and the
 * run's exit code stays the verdict's: a report that could not be written does not change what was found.
 */
export function writeReportFile(file: string, text: string, what: string, ctx: CliContext): boolean {
  try {
    writeFileSync(file, text)
    return true
  } catch (e) {
    ctx.err(`Error: cannot write ${what} to ${file}: ${(e as Error).message}\n`)
    return false
  }
}

/** Writes every counterexample in ITF; returns the paths written. */
export function writeTraceFiles(violations: readonly Violation[], spec: Spec, file: string, from: ReportSource, ctx: CliContext): string[] {
  const generator = `mrcheck ${ctx.version}`
  const traces = violations
    .filter((v) => v.trace.length > 0)
    .map((v) => traceToItf(spec, v, { ...from, generator, timestamp: Date.now() }))
  if (traces.length === 0) {
    ctx.err(`No counterexample with a trace: nothing written to ${file === '-' ? 'stdout' : file}.\n`)
    return []
  }
  if (file === '-') {
    ctx.out(traces.map((t) => JSON.stringify(t)).join('\n'))
    return []
  }
  const written = traces.flatMap((t, i) => {
    const path = numberedPath(file, i + 1)
    return writeReportFile(path, JSON.stringify(t, null, 2) + '\n', 'a counterexample', ctx) ? [path] : []
  })
  if (written.length === 0) return []
  ctx.err(`Wrote ${written.length === 1 ? 'the counterexample' : `${written.length} counterexamples`} (ITF) to ${written.join(', ')}.\n`)
  return written
}

/** What a check report and a simulation report say beside their result: meanings, lanes, the model and who made it. */
function reportContext(spec: Spec, from: ReportSource & { docs?: Readonly<Record<string, string>> }, ctx: CliContext) {
  return {
    ...(from.docs === undefined ? {} : { docs: from.docs }),
    actors: actorsOf(spec),
    ...(spec.alias === undefined ? {} : { alias: spec.alias }),
    ...(spec.about === undefined ? {} : { about: spec.about }),
    source: from.source,
    generator: `mrcheck ${ctx.version}`,
  }
}

/** Writes the HTML report of `r` to `file`. */
export function writeHtmlReport(
  r: CheckResult,
  spec: Spec,
  file: string,
  from: ReportSource & { rerun?: string; docs?: Readonly<Record<string, string>> },
  ctx: CliContext,
): void {
  const html = renderCheckReport({
    result: r,
    ...reportContext(spec, from, ctx),
    ...(from.rerun === undefined ? {} : { rerun: from.rerun }),
  })
  if (writeReportFile(file, html, 'the HTML report', ctx)) ctx.err(`Wrote the HTML report to ${file}.\n`)
}

/** Writes the HTML report of a simulation to `file`. */
export function writeSimulationReport(
  r: SimulationResult,
  spec: Spec,
  file: string,
  from: ReportSource & { rerun: string; docs?: Readonly<Record<string, string>> },
  ctx: CliContext,
): void {
  const html = renderSimulationReport({ result: r, ...reportContext(spec, from, ctx), rerun: from.rerun })
  if (writeReportFile(file, html, 'the HTML report', ctx)) ctx.err(`Wrote the HTML report to ${file}.\n`)
}
