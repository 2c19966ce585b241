/** What every CLI command gets: the built-in models and the two output streams. */
import { InvalidArgumentError } from 'commander'
import type { AnyModel } from '../spec/model.js'

export interface CliContext {
  readonly builtins: readonly AnyModel[]
  /** The module (file URL) whose exports include the built-in models, for worker threads to load them. */
  readonly builtinsModule?: string
  readonly version: string
  /** Machine output (the `--json` document). */
  readonly out: (text: string) => void
  /** Human text: verdicts, traces, progress. */
  readonly err: (text: string) => void
  /** Whether stderr is a terminal (progress is shown by default only then). */
  readonly interactive: boolean
}

/** Collects a repeatable option's values. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

export const positiveInt = (flag: string) => (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a positive integer, not "${value}"`)
  return n
}
export const positiveNumber = (flag: string) => (value: string) => {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a positive number, not "${value}"`)
  return n
}
