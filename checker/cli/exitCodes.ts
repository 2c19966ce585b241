/**
 * Exit codes: TLC's where TLC has one, plus 2 for usage errors, 3 for an incomplete run, 4 for
 * a replayed trace that is not a behaviour and 5 for a failed cluster search; 151-153 mean other things than in TLC (README).
 * They are a stable contract for scripts and CI.
 */
import type { CheckResult } from '../result/result.js'
import type { ErrorCode } from '../result/errors.js'

export const EXIT = {
  /** Every property holds on the whole state space. */
  ok: 0,
  /** `matrix`/`merge`: a cell differs from what its model expects (Model.expectedBreaks). */
  unexpected: 1,
  /** Bad command line. */
  usage: 2,
  /** Stopped early (limit, time, Ctrl-C) without a violation: nothing proved. `worker`: the run it served stopped so, or it left on Ctrl-C. */
  incomplete: 3,
  /** `replay`: the trace is not a behaviour of the model (a step its actions cannot take). */
  notABehaviour: 4,
  /** A cluster search failed: Redis unreachable or lost, a worker refused the run, a malformed message; for `worker`, also its coordinator failed or died. */
  cluster: 5,
  /** A state without successors (TLC 11). */
  deadlock: 11,
  /** An invariant or reachability goal failed (TLC 12). */
  invariant: 12,
  /** An action property or temporal property failed (TLC 13). */
  property: 13,
  /** The model cannot be loaded or is malformed (TLC 150). */
  modelLoad: 150,
  /** A parameter or property name is unknown or out of its domain. */
  badParam: 151,
  /** A trace or checkpoint file is malformed or does not fit the model. */
  badInput: 152,
  /** The model's code failed while being evaluated (threw, left its type, nondeterministic). */
  evaluation: 153,
  /** Anything else: a fault of mrcheck itself (TLC 255). */
  internal: 255,
} as const

export function exitCodeOf(r: CheckResult): number {
  switch (r.status) {
    case 'ok':
      return EXIT.ok
    case 'incomplete':
      return EXIT.incomplete
    case 'error':
      return EXIT.evaluation
    case 'violation': {
      const kind = r.violations[0]!.kind
      return kind === 'deadlock' ? EXIT.deadlock : kind === 'invariant' || kind === 'reachable' ? EXIT.invariant : EXIT.property
    }
  }
}

export function exitCodeOfError(code: ErrorCode): number {
  switch (code) {
    case 'MODEL_LOAD':
    case 'MODEL_DEFINITION':
      return EXIT.modelLoad
    case 'BAD_PARAM':
    case 'UNKNOWN_NAME':
      return EXIT.badParam
    case 'BAD_INPUT':
      return EXIT.badInput
    case 'OPTION_CLASH':
    case 'USAGE':
      return EXIT.usage
    case 'EVALUATION':
    case 'NONDETERMINISM':
      return EXIT.evaluation
    case 'CLUSTER':
      return EXIT.cluster
  }
}
