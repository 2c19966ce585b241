/** `mrcheck merge a.json b.json ...`: the matrix documents of `matrix --shard` as one run would print them. */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { mergeMatrixDocuments } from '../../report/matrixDocument.js'
import { CheckerError } from '../../result/errors.js'
import { reportFile, type CliContext } from '../context.js'
import { emitMatrix, type MatrixOutputFlags } from './matrixOutput.js'

export function mergeCommand(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('merge')
    .description('merge the --json documents of matrix --shard runs and print (and write) what one run would')
    .argument('<files...>', 'matrix documents (mrcheck matrix --shard i/n --json > file)')
    .option('--json', 'print the merged matrix document (JSON) on stdout; the tables go to stderr')
    .option('--md <file>', 'also write the matrix as a Markdown file', reportFile('--md'))
    .option('--html <file>', 'also write the self-contained HTML page', reportFile('--html'))
    .action((files: string[], flags: MatrixOutputFlags) => {
      const doc = mergeMatrixDocuments(files.map((file) => ({ file, doc: readDocument(file) })))
      setExit(emitMatrix(doc, flags, ctx.builtins, ctx))
    })
}

function readDocument(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new CheckerError('BAD_INPUT', `merge: cannot read ${file}: ${(e as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new CheckerError('BAD_INPUT', `merge: ${file} is not valid JSON: ${(e as Error).message}`)
  }
}
