/**
 * The one place where a command that failed becomes an exit code, a message on stderr and, under
 * `--json`, an error document on stdout (report/envelope.ts), so that stdout under `--json` is one
 * valid document whatever happened.
 */
import { CommanderError } from 'commander'
import { CheckerError } from '../result/errors.js'
import { errorDocument, type Command } from '../report/envelope.js'
import type { CliContext } from './context.js'
import { EXIT, exitCodeOfError } from './exitCodes.js'

const COMMANDS: readonly Command[] = ['check', 'resume', 'simulate', 'replay', 'list', 'matrix', 'merge', 'graph']

/** The command `argv` names, if any. */
const commandOf = (argv: readonly string[]): Command | undefined => COMMANDS.find((c) => c === argv.find((a) => !a.startsWith('-')))

/**
 * Whether stdout was to carry a JSON document: `--json` (for `graph`, `--json -`: elsewhere its
 * value is a file).
 */
function jsonRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  const args = end < 0 ? argv : argv.slice(0, end)
  const at = args.findIndex((a) => a === '--json' || a.startsWith('--json='))
  if (at < 0) return false
  if (commandOf(argv) !== 'graph') return true
  return args[at] === '--json=-' || args[at + 1] === '-'
}

/** Reports `e`, thrown by the command line `argv`; resolves to the exit code. */
export function reportFailure(e: unknown, argv: readonly string[], ctx: CliContext): number {
  let failure: { code: string; message: string; exitCode: number }
  if (e instanceof CommanderError) {
    // Help and version end here too, successfully; commander has printed its message already.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT.ok
    failure = { code: 'USAGE', message: e.message.replace(/^error: /, ''), exitCode: EXIT.usage }
  } else if (e instanceof CheckerError) {
    ctx.err(`Error: ${e.message}\n`)
    failure = { code: e.code, message: e.message, exitCode: exitCodeOfError(e.code) }
  } else {
    const message = e instanceof Error ? e.message : String(e)
    ctx.err(`Internal error (a fault of mrcheck, not of the model): ${e instanceof Error ? (e.stack ?? message) : message}\n`)
    failure = { code: 'INTERNAL', message, exitCode: EXIT.internal }
  }
  if (jsonRequested(argv)) {
    ctx.out(JSON.stringify(errorDocument(commandOf(argv), failure, failure.exitCode, { name: 'mrcheck', version: ctx.version }), null, 2))
  }
  return failure.exitCode
}
