/**
 * The `--json` result document: one object, versioned, holding everything the text shows.
 */
import type { CheckResult } from '../result/result.js'
import { envelope } from './envelope.js'

export function resultDocument(r: CheckResult, extra: { readonly tool: string; readonly version: string }, command: 'check' | 'resume' = 'check') {
  const base = {
    ...envelope(command, r.status, { name: extra.tool, version: extra.version }),
    model: r.model,
    params: r.constants,
    complete: r.complete,
    ...(r.status === 'incomplete' ? { stopReason: r.stopReason, ...(r.stoppedIn === undefined ? {} : { stoppedIn: r.stoppedIn }) } : {}),
    store: r.store,
    workers: r.workers ?? 1,
    ...(r.reduction === undefined ? {} : { reduction: r.reduction }),
    checked: r.checked,
    ...(r.unchecked === undefined ? {} : { unchecked: r.unchecked }),
    warnings: r.warnings,
    stats: r.stats,
    violations: r.violations.map((v) => ({
      property: v.property,
      kind: v.kind,
      message: v.message,
      shortest: v.shortest,
      ...(v.loopStart === undefined ? {} : { loopStart: v.loopStart }),
      trace: v.trace.map((step, index) => ({ index, action: step.action, state: step.state })),
    })),
  }
  return r.status === 'error' ? { ...base, code: r.error.code, message: r.error.message, error: r.error } : base
}
