/**
 * `mrcheck graph <model> --dot FILE | --json FILE`: the reachable state graph as Graphviz DOT
 * and/or as JSON nodes and edges. Above `--max-nodes` states nothing is written and the exit
 * status is 3 (a limit stopped it), since Graphviz cannot lay out such graphs usefully anyway.
 */
import { writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { instantiate } from '../../compile/instantiate.js'
import { compileSpec } from '../../compile/compile.js'
import { DEFAULT_MAX_NODES, stateGraph } from '../../search/stateGraph.js'
import { formatDot, graphDocument } from '../../report/dot.js'
import { envelope } from '../../report/envelope.js'
import { collect, positiveInt, resultStream, type CliContext } from '../context.js'
import { EXIT } from '../exitCodes.js'
import { loadModel, parseParams } from '../loadModel.js'

interface GraphFlags {
  param: string[]
  dot?: string
  json?: string
  maxNodes?: number
}

/** Registers `mrcheck graph`. */
export function graphCommand(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('graph')
    .description('write the reachable state graph as Graphviz DOT and/or JSON (small models only)')
    .argument('<model>', 'a built-in model name or a path to a model file')
    .option('-p, --param <name=value>', 'set a model parameter (repeatable)', collect, [])
    .option('--dot <file>', 'write the graph in DOT (- for stdout); render with: dot -Tsvg FILE > graph.svg')
    .option('--json <file>', 'write the graph as JSON nodes and edges (- for stdout)')
    .option('--max-nodes <n>', `give up above this many states (default ${DEFAULT_MAX_NODES})`, positiveInt('--max-nodes'))
    .action(async (ref: string, flags: GraphFlags, cmd: Command) => {
      if (flags.dot === undefined && flags.json === undefined) {
        cmd.error('error: give --dot FILE and/or --json FILE (- for stdout)', { exitCode: EXIT.usage })
      }
      if (flags.dot === '-' && flags.json === '-') {
        cmd.error('error: --dot - and --json - would both write to stdout; give one of them a file', { exitCode: EXIT.usage })
      }
      const { model } = await loadModel(ref, ctx.builtins)
      const { spec, props } = instantiate(model, parseParams(flags.param))
      const maxNodes = flags.maxNodes ?? DEFAULT_MAX_NODES
      const r = stateGraph(compileSpec(spec, props), { maxNodes })
      if (r.status === 'tooLarge') {
        ctx.err(
          `The reachable graph of ${model.name} has more than ${maxNodes} states (passed the limit at depth ${r.depth}); ` +
            'nothing was written. Raise --max-nodes (Graphviz layouts get slow and unreadable beyond a few hundred states) ' +
            'or shrink the model with --param.\n',
        )
        if (flags.json === '-') {
          const doc = { ...envelope('graph', 'incomplete', { name: 'mrcheck', version: ctx.version }), model: model.name, stopReason: 'maxNodes', maxNodes, depth: r.depth }
          ctx.out(JSON.stringify(doc, null, 2))
        }
        setExit(EXIT.incomplete)
        return
      }
      const g = r.graph
      const options = spec.alias ? { alias: spec.alias } : {}
      const write = (file: string, text: string, what: string) => {
        if (file === '-') return ctx.out(text)
        try {
          writeFileSync(file, text)
        } catch (e) {
          cmd.error(`error: cannot write ${what} to ${file}: ${(e as Error).message}`, { exitCode: EXIT.usage })
        }
        ctx.err(`Wrote ${what} to ${file}.\n`)
      }
      if (flags.dot !== undefined) write(flags.dot, formatDot(g, options), 'the DOT graph')
      if (flags.json !== undefined) {
        const doc = { ...envelope('graph', 'ok', { name: 'mrcheck', version: ctx.version }), ...graphDocument(g, options) }
        write(flags.json, JSON.stringify(doc, null, 2) + '\n', 'the JSON graph')
      }
      const v = g.firstViolation
      resultStream(ctx, flags.dot === '-' || flags.json === '-')(
        `${model.name}: ${g.nodes.length} states, ${g.edges.length} steps.` +
          (v ? ` First violation: ${v.property} after ${v.nodes.length} states (drawn bold).` : ' No violation.') +
          '\n',
      )
      setExit(EXIT.ok)
    })
}
