/**
 * The command line: argument parsing and output only; every command calls the library.
 */
import { Command } from 'commander'
import type { CliContext } from './context.js'
import { EXIT } from './exitCodes.js'
import { printable } from './printable.js'
import { reportFailure } from './failure.js'
import { checkCommand } from './commands/check.js'
import { listCommand } from './commands/list.js'
import { matrixCommand } from './commands/matrix.js'
import { mergeCommand } from './commands/merge.js'
import { replayCommand } from './commands/replay.js'
import { graphCommand } from './commands/graph.js'
import { simulateCommand } from './commands/simulate.js'
import { resumeCommand } from './commands/resume.js'
import { workerCommand } from './commands/cluster.js'

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], given: CliContext): Promise<number> {
  const ctx: CliContext = { ...given, out: (s) => given.out(printable(s)), err: (s) => given.err(printable(s)) }
  let code: number = EXIT.ok
  const setExit = (c: number) => {
    code = c
  }
  const program = new Command('mrcheck')
    .description('Explicit-state model checker for TLA+-style models (RDMA memory regions under OS events built in)')
    .version(ctx.version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) })
  listCommand(program, ctx)
  checkCommand(program, ctx, setExit)
  matrixCommand(program, ctx, setExit)
  mergeCommand(program, ctx, setExit)
  replayCommand(program, ctx, setExit)
  graphCommand(program, ctx, setExit)
  simulateCommand(program, ctx, setExit)
  resumeCommand(program, ctx, setExit)
  workerCommand(program, ctx, setExit)
  try {
    await program.parseAsync([...argv], { from: 'user' })
  } catch (e) {
    return reportFailure(e, argv, ctx)
  }
  return code
}
