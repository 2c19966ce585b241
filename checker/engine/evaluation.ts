/**
 * Failures while running the model's own code (a guard, an effect, a property that throws, or a
 * successor outside its type), with enough context to act on: the action with its arguments,
 * the state it ran on, and a trace from an initial state.
 */
import { TypeViolation } from '../encode/codec.js'
import type { TraceStep } from '../report/result.js'
import type { CompiledSpec } from './compile.js'

export class EvaluationError {
  constructor(
    readonly cause: unknown,
    /** The state being expanded (-1: while loading initial states). */
    readonly state: number,
    /** The action instance being run, or -1 (e.g. a deadlock check or an initial state). */
    readonly instance: number,
  ) {}
}

export function describeFailure(c: CompiledSpec, f: EvaluationError, trace: readonly TraceStep[]): string {
  const inst = f.instance >= 0 ? c.instances[f.instance] : undefined
  const where = inst !== undefined ? `action ${inst.label}` : f.state < 0 ? 'an initial state' : 'a property'
  const cause = f.cause
  const what =
    cause instanceof TypeViolation
      ? `produced a state outside its type: ${cause.message}`
      : `threw ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`
  const at = trace.length > 0 ? ` in the state reached after ${trace.length} states (trace below)` : ''
  return `Model "${c.spec.name}": ${where} ${what}${at}.`
}
