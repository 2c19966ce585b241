/**
 * Human-readable results, TLC-style: a verdict line, the counterexample step by step (the first
 * state in full, later states as the fields that changed), and the statistics.
 */
import type { CheckResult, TraceStep, Violation } from '../result/result.js'
import { diffStates } from '../result/diff.js'
import type { AnyType } from '../model/types.js'
import { NO_KEY, typedChanges } from './typedChanges.js'
import type { TemporalViolation } from '../liveness/checkTemporal.js'
import { formatCount as n } from './count.js'

export interface TextOptions {
  /** Print every state in full instead of only what changed. */
  readonly fullStates?: boolean
  /** A projection applied to each state before printing (TLC's ALIAS). */
  readonly alias?: (s: any) => unknown
  /** How to re-run this check, shown under a counterexample. */
  readonly rerun?: string
  /** One-line meanings of the properties (PropertySet.docs), shown under each violation's message. */
  readonly meanings?: Readonly<Record<string, string>>
  /** The state's types (Spec.vars), so that changes name a map's keys and show a set whole (typedChanges.ts); not with `alias`. */
  readonly vars?: Readonly<Record<string, AnyType>>
}

/** The violated property's meaning, as a line under its message, or nothing when it has none. */
export const meaningLine = (property: string, meanings: TextOptions['meanings']): string[] => {
  const doc = meanings?.[property]
  return doc === undefined ? [] : [`  ${property}: ${doc}`]
}

export const showValue = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v))

function stateLines(state: unknown): string[] {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return [`  ${showValue(state)}`]
  return Object.entries(state).map(([k, v]) => `  /\\ ${k} = ${showValue(v)}`)
}

/** A trace as text: `State n: <Action(args)>` then the state or its changes. */
/** Where a lasso's cycle closes: back to `start` by `action`, or stuttering when `action` is null. */
export interface Loop {
  readonly start: number
  readonly action: TraceStep['action']
}

export function formatTrace(trace: readonly TraceStep[], options: TextOptions = {}, loop?: Loop): string {
  const loopStart = loop?.start
  const view = options.alias ?? ((s: unknown) => s)
  const lines: string[] = []
  trace.forEach((step, i) => {
    const head = step.action === null ? 'Initial predicate' : step.action.label
    const marker = loopStart === i ? '  <-- loop starts here' : ''
    lines.push(`State ${i + 1}: <${head}>${marker}`)
    const now = view(step.state)
    if (i === 0 || options.fullStates) {
      lines.push(...stateLines(now))
    } else {
      const before = view(trace[i - 1]!.state)
      const changes = options.vars !== undefined && options.alias === undefined ? typedChanges(before, now, options.vars) : diffStates(before, now)
      if (changes.length === 0) lines.push('  (no change: stuttering step)')
      const shown = (v: unknown) => (v === NO_KEY ? '(no key)' : showValue(v))
      for (const c of changes) lines.push(`  ${c.path}: ${shown(c.from)} -> ${shown(c.to)}`)
    }
  })
  if (loop !== undefined) {
    lines.push(
      loop.action === null
        ? `State ${trace.length + 1}: Stuttering`
        : `Back to state ${loop.start + 1}: <${loop.action.label}>`,
    )
  }
  return lines.join('\n')
}

export function formatViolation(v: Violation, options: TextOptions = {}): string {
  const note = v.shortest ? '' : ' (This counterexample may not be the shortest.)'
  const head = [`Error: ${v.message}${note}`, ...meaningLine(v.property, options.meanings)].join('\n')
  const closing = (v as Partial<TemporalViolation>).loopAction
  const loop = v.loopStart === undefined ? undefined : { start: v.loopStart, action: closing ?? null }
  return v.trace.length === 0 ? head : `${head}\n${formatTrace(v.trace, options, loop)}`
}

export function formatStats(r: CheckResult): string {
  const s = r.stats
  const lines = [
    `${n(s.initial)} distinct initial state${s.initial === 1 ? '' : 's'}.`,
    `${n(s.generated)} states generated, ${n(s.distinct)} distinct states found, ${n(s.left)} states left on queue.`,
    `The depth of the ${r.complete ? 'complete ' : ''}state graph search is ${s.depth}.`,
    `Finished in ${(s.durationMs / 1000).toFixed(2)}s (${n(s.statesPerSecond)} distinct states/s, store: ${r.store}` +
      `${(r.workers ?? 1) > 1 ? `, ${r.workers} workers` : ''}).`,
  ]
  if (s.actions.length > 0) {
    const width = Math.max(...s.actions.map((a) => a.name.length))
    lines.push('Coverage (action: enabled / new states):')
    for (const a of s.actions) lines.push(`  ${a.name.padEnd(width)}  ${n(a.enabled)} / ${n(a.distinct)}`)
  }
  return lines.join('\n')
}

/** The whole result as text. */
export function formatResult(r: CheckResult, options: TextOptions = {}): string {
  const out: string[] = []
  const name = `${r.model}${Object.keys(r.constants).length ? ' ' + JSON.stringify(r.constants) : ''}`
  for (const w of r.warnings) out.push(`Warning: ${w}`)
  switch (r.status) {
    case 'ok':
      out.push(`Model checking completed for ${name}. No error has been found.`)
      break
    case 'incomplete':
      out.push(
        r.stoppedIn === 'liveness'
          ? `Liveness phase not completed (${r.stopReason}) for ${name}: the safety search covered all ` +
              `${n(r.stats.distinct)} states and found no violation; the temporal properties ` +
              `(${(r.unchecked ?? []).join(', ')}) were not checked, so nothing is proved about them.`
          : `Search stopped early (${r.stopReason}) for ${name}: no violation found in the states explored, ` +
              'but the state space was not covered. Nothing is proved.',
      )
      break
    case 'violation':
      for (const v of r.violations) out.push(formatViolation(v, options))
      if (options.rerun) out.push(`Re-run: ${options.rerun}`)
      if (!r.complete) out.push('The search did not cover the whole state space.')
      break
    case 'error':
      out.push(`Error: ${r.error.message}`)
      if (r.error.trace.length > 0) out.push(formatTrace(r.error.trace, options))
      for (const v of r.violations) out.push(formatViolation(v, options))
      break
  }
  out.push(formatStats(r))
  return out.join('\n')
}
