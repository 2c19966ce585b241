/**
 * Errors for a malformed model or a misuse of the API. Each carries a stable code; the CLI maps
 * the code to an exit status.
 */
export type ErrorCode =
  /** The model file or module cannot be loaded, or exports no model. */
  | 'MODEL_LOAD'
  /** The model definition is malformed (bad type, bad init, unknown names). */
  | 'MODEL_DEFINITION'
  /** A parameter given on the command line or API is unknown or out of its domain. */
  | 'BAD_PARAM'
  /** A property or option names something the model does not have. */
  | 'UNKNOWN_NAME'
  /** An action, guard, effect or property threw, or produced a value outside the state type. */
  | 'EVALUATION'
  /** Re-executing a recorded step gave a different state: the model is not deterministic. */
  | 'NONDETERMINISM'
  /** A trace or checkpoint file is malformed or does not fit the model. */
  | 'BAD_INPUT'
  /** Options that cannot go together (symmetry or a view with temporal properties, a view on several workers). */
  | 'OPTION_CLASH'
  /** The command or call lacks what it needs (a model file to resume with). */
  | 'USAGE'
  /** A cluster search failed: Redis unreachable, a worker refused or lost, a malformed message. */
  | 'CLUSTER'

/** The one error type thrown for model misuse; `message` says what, where and how to fix it. */
export class CheckerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'CheckerError'
  }
}

/** "Did you mean" style list of valid names. */
export const validNames = (names: readonly string[]): string =>
  names.length === 0 ? '(none)' : names.map((n) => JSON.stringify(n)).join(', ')
