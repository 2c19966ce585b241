/** What every CLI command gets: the built-in models and the two output streams. */
import { InvalidArgumentError } from 'commander'
import type { AnyModel } from '../model/model.js'

export interface CliContext {
  readonly builtins: readonly AnyModel[]
  /** The module (file URL) whose exports include the built-in models, for worker threads to load them. */
  readonly builtinsModule?: string
  readonly version: string
  /** Results: the human text, or the machine document (`--json`) in its place. */
  readonly out: (text: string) => void
  /** Diagnostics and progress, and the human text when stdout carries a machine document. */
  readonly err: (text: string) => void
  /** Whether stderr is a terminal (progress is shown by default only then). */
  readonly interactive: boolean
}

/**
 * Where a command prints its human-readable result: stdout, unless stdout already carries a machine
 * document (`--json`, or a file named `-`), which must stay one valid document.
 */
export const resultStream = (ctx: CliContext, stdoutTaken: boolean): ((text: string) => void) => (stdoutTaken ? ctx.err : ctx.out)

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
/** A report file's name: `-` is refused, since stdout carries the result (and `--json` or `--trace-out -` a document). */
export const reportFile = (flag: string) => (value: string) => {
  if (value === '-') throw new InvalidArgumentError(`${flag} writes a file and takes its name: - (stdout) carries the result; give a path such as report.${flag === '--md' ? 'md' : 'html'}`)
  return value
}
/** An `on|off` option's value. */
export const onOff = (flag: string) => (value: string) => {
  if (value === 'on') return true
  if (value === 'off') return false
  throw new InvalidArgumentError(`${flag} expects on or off, not "${value}"`)
}

/**
 * Runs a long command with Ctrl-C turned into abort signals: the first Ctrl-C says `what` and
 * aborts `signal`, to let the run finish with what it found; a second one aborts `quit`, for a run
 * that can be ended at once with what it covered (`canQuit`: searchThread.ts), or else quits at once.
 */
export async function untilInterrupted<T>(
  ctx: CliContext,
  what: string,
  run: (signal: AbortSignal, quit: AbortSignal) => Promise<T>,
  { canQuit = false }: { canQuit?: boolean } = {},
): Promise<T> {
  const abort = new AbortController()
  const quit = new AbortController()
  const onSigint = () => {
    if (abort.signal.aborted) {
      if (!canQuit) process.exit(130)
      ctx.err('Interrupted again: ending the run at once.\n')
      quit.abort()
      return
    }
    ctx.err(`Interrupted: ${what} (Ctrl-C again to quit at once).\n`)
    abort.abort()
  }
  process.on('SIGINT', onSigint)
  try {
    return await run(abort.signal, quit.signal)
  } finally {
    process.off('SIGINT', onSigint)
  }
}
