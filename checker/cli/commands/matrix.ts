/** `mrcheck matrix [model ...]`: every policy of every model against every property, one table each. */
import { InvalidArgumentError, type Command } from 'commander'
import type { StoreMode } from '../../search/bfs.js'
import { planMatrix, policyMatrix, type MatrixRow, type ModelMatrix, type RowSearch } from '../../run/matrix.js'
import { matrixDocument } from '../../report/matrixDocument.js'
import { CheckerError } from '../../result/errors.js'
import { collect, onOff, positiveInt, positiveNumber, reportFile, type CliContext } from '../context.js'
import { loadModel, parseParams } from '../loadModel.js'
import { storeMode, threadSource, workerCount, workerSource } from './check.js'
import { checkInThread, threadInfo } from '../searchThread.js'
import { check } from '../../run/check.js'
import type { AnyModel } from '../../model/model.js'
import { emitMatrix } from './matrixOutput.js'

interface MatrixFlags {
  param: string[]
  sweep: string[]
  quick?: boolean
  symmetry: boolean
  workers?: number
  maxSeconds?: number
  maxStates?: number
  store?: StoreMode
  progress?: boolean
  shard?: { index: number; count: number }
  json?: boolean
  md?: string
  html?: string
}

/** `--shard i/n`: the i-th of n shares (1-based). */
const shardArg = (value: string) => {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim())
  const index = Number(m?.[1])
  const count = Number(m?.[2])
  if (m === null || count < 1 || index < 1 || index > count) {
    throw new InvalidArgumentError(`--shard expects i/n with 1 <= i <= n (e.g. 2/4), not "${value}"`)
  }
  return { index, count }
}

/** Parses repeated `--sweep name=v1,v2,...`. */
function parseSweep(list: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [name, values] of Object.entries(parseParams(list))) {
    const vs = values.split(',').map((v) => v.trim())
    if (vs.some((v) => v === '')) throw new CheckerError('BAD_PARAM', `--sweep ${name}=${values}: expected name=v1,v2,... without empty values.`)
    out[name] = vs
  }
  return out
}

export function matrixCommand(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('matrix')
    .description('check every policy of every model against every property; exit 1 when a cell differs from what its model expects')
    .argument('[models...]', 'built-in model names or model files (default: every built-in model with policies)')
    .option('-p, --param <name=value>', 'set a model parameter for every row (repeatable; the matrix parameter is the rows)', collect, [])
    .option('--sweep <name=v1,v2,...>', 'one row per value of this parameter (repeatable: one row per combination); on the matrix parameter: only these rows', collect, [])
    .option('--quick', "tiny instances: the parameters' defaults instead of each model's matrix instance (its sweep stays)")
    .option(
      '--symmetry <on|off>',
      'also search each row that declares symmetric sets with symmetry reduction (safety properties), a column beside its states',
      onOff('--symmetry'),
      true,
    )
    .option('--workers <n|auto>', 'search each row on n worker threads; auto: one per core', workerCount)
    .option('--max-seconds <s>', 'time limit of each row (its cells are then not checked: ?)', positiveNumber('--max-seconds'))
    .option('--max-states <n>', 'state limit of each row', positiveInt('--max-states'))
    .option('--store <exact|fingerprint|auto>', 'how each row keeps visited states (as for check)', storeMode)
    .option('--progress', 'a line on stderr per finished row (default on a terminal)')
    .option('--shard <i/n>', 'run only the i-th of n deterministic shares of the rows (merge the --json documents with mrcheck merge)', shardArg)
    .option('--json', 'print the matrix document (JSON) on stdout; the tables go to stderr')
    .option('--md <file>', 'also write the matrix as a Markdown file', reportFile('--md'))
    .option('--html <file>', 'also write a self-contained HTML page: the matrix, each failing cell linked to its trace', reportFile('--html'))
    .action(async (refs: string[], flags: MatrixFlags) => {
      const sources: { readonly model: AnyModel; readonly ref: string; readonly bundle?: string }[] =
        refs.length > 0
          ? await Promise.all(refs.map((r) => loadModel(r, ctx.builtins)))
          : ctx.builtins.filter((m) => m.matrixParam !== undefined).map((model) => ({ model, ref: model.name }))
      const options = { params: parseParams(flags.param), sweep: parseSweep(flags.sweep), ...(flags.quick ? { quick: true } : {}) }
      // Every row is planned (and its parameters checked) before any search.
      const counts = sources.map(({ model }) => planMatrix(model, options).rows.length)
      const total = counts.reduce((a, b) => a + b, 0)
      const showProgress = flags.progress ?? ctx.interactive
      const started = Date.now()
      let offset = 0
      let done = 0
      const matrices: ModelMatrix[] = []
      for (const [i, { model, ref, bundle }] of sources.entries()) {
        const first = offset
        const shard = flags.shard
        matrices.push(
          await policyMatrix(model, {
            ...options,
            symmetry: flags.symmetry,
            ...(flags.maxSeconds === undefined ? {} : { timeoutMs: flags.maxSeconds * 1000 }),
            ...(flags.maxStates === undefined ? {} : { maxStates: flags.maxStates }),
            ...(flags.store === undefined ? {} : { store: flags.store }),
            ...((flags.workers ?? 1) > 1 ? { workers: flags.workers!, source: (params) => workerSource(ctx, ref, { ...params }) } : {}),
            ...(shard === undefined ? {} : { select: (k: number) => (first + k) % shard.count === shard.index - 1 }),
            run: rowInThread(ctx, ref, bundle),
            onRow: (name: string, row: MatrixRow) => {
              done++
              if (showProgress) ctx.err(`[${done}] ${name} ${rowWords(row)}: ${row.distinct.toLocaleString('en-US')} states, ${row.result.stats.durationMs} ms\n`)
            },
          }),
        )
        offset += counts[i]!
      }
      ctx.err(`Checked ${done} of ${total} rows in ${((Date.now() - started) / 1000).toFixed(1)}s.\n`)
      const doc = matrixDocument(matrices, { name: 'mrcheck', version: ctx.version }, flags.shard)
      setExit(emitMatrix(doc, flags, sources.map((s) => s.model), ctx))
    })
}

/**
 * Each search of a row in the search thread (searchThread.ts), which the next row uses again, so
 * that a row stuck in its model's code ends at its time limit (plus its grace) with what it had
 * covered; here, where the thread cannot load the model.
 */
function rowInThread(ctx: CliContext, ref: string, bundle: string | undefined): RowSearch {
  const never = new AbortController().signal
  return (spec, props, options, params) => {
    const source = threadSource(ctx, ref, { ...params }, bundle)
    if (source === undefined) return check(spec, props, options)
    return checkInThread(source, options, { signal: never, quit: never, info: () => threadInfo(spec, props, options) })
  }
}

const rowWords = (row: MatrixRow) => [row.value, ...Object.values(row.sweep)].join(' ')
