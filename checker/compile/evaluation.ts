/**
 * Failures while running the model's own code (a guard, an effect, a property that throws, or a
 * successor outside its type), with enough context to act on: the action with its arguments,
 * the state it ran on, and a trace from an initial state.
 */
import { TypeViolation, show } from '../encode/TypeViolation.js'
import type { TraceStep } from '../result/result.js'
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

/** A property (not the action) threw while being evaluated. */
export class PropertyThrew {
  constructor(
    readonly property: string,
    readonly cause: unknown,
  ) {}
}

/**
 * Model code caught breaking a rule by the search's strict mode (search/strictExpand.ts): a guard,
 * an effect, a property or the state constraint that is not deterministic, or that changed what
 * it was given. `what` completes "<part> ...": "is not deterministic: ...".
 */
export class StrictFailure {
  constructor(
    readonly part: 'guard' | 'effect' | 'property' | 'constraint',
    /** The property's name (part 'property'). */
    readonly property: string,
    readonly what: string,
  ) {}
}

/**
 * An effect wrote outside an array (`a[-1] = v`) of a reused successor object, found after the fact
 * (Codec.strayWrite) in the level of the search that ends at `depth`: the search does not test every
 * write, so it cannot name the step; strict mode can, and the search asks it to (bfs.ts,
 * namedStrayWrite). This message stays only when strict mode does not meet the write again.
 */
export class StrayWrite {
  constructor(
    readonly violation: TypeViolation,
    readonly depth: number,
  ) {}
}

export const describeThrow = (cause: unknown) =>
  cause instanceof Error ? `${cause.name}: ${cause.message}` : `${String(cause)}`

export function describeFailure(c: CompiledSpec, f: EvaluationError, trace: readonly TraceStep[]): string {
  const inst = f.instance >= 0 ? c.instances[f.instance] : undefined
  const cause = f.cause
  const at = trace.length > 0 ? `, in the state reached after ${trace.length} state${trace.length === 1 ? '' : 's'} (trace below)` : ''
  const after = inst !== undefined ? ` after action ${inst.label}` : ''
  if (cause instanceof PropertyThrew) {
    return `Model "${c.spec.name}": property ${cause.property} threw ${describeThrow(cause.cause)}${after}${at}.`
  }
  if (cause instanceof StrayWrite) {
    const v = cause.violation
    return (
      `Model "${c.spec.name}": an effect wrote ${v.path} = ${show(v.value)}, outside its type (expected ${v.expected}), ` +
      `in a step to a state at depth ${cause.depth} or less. The search notices such a write only after the step, so it cannot ` +
      'name it: run the check again with --strict, which names the action and prints the trace to it.'
    )
  }
  if (cause instanceof StrictFailure) {
    const subject =
      cause.part === 'property'
        ? `property ${cause.property}`
        : cause.part === 'constraint'
          ? 'the state constraint'
          : cause.part === 'guard'
            ? `the guard of action ${inst?.label}`
            : `action ${inst?.label}`
    const step = cause.part === 'property' || cause.part === 'constraint' ? after : ''
    return `Model "${c.spec.name}": ${subject} ${cause.what}${step} (found by --strict)${at}.`
  }
  const where = inst !== undefined ? `action ${inst.label}` : f.state < 0 ? 'an initial state' : 'the deadlock check'
  const what =
    cause instanceof TypeViolation
      ? `produced ${cause.path || 'a state'} = ${show(cause.value)}, outside its type (expected ${cause.expected})`
      : `threw ${describeThrow(cause)}`
  return `Model "${c.spec.name}": ${where} ${what}${at}.`
}
