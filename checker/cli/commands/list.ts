/** `mrcheck list`: the built-in models with their parameters and properties. */
import type { Command } from 'commander'
import { instantiate } from '../../compile/instantiate.js'
import type { CliContext } from '../context.js'
import { envelope } from '../../report/envelope.js'

export function listCommand(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .description('list the built-in models, their parameters (policies) and properties')
    .option('--json', 'print the list as JSON on stdout')
    .action((opts: { json?: boolean }) => {
      const rows = ctx.builtins.map((m) => {
        const { props } = instantiate(m)
        const docs = props.docs ?? {}
        const names = (rec: object | undefined) => Object.keys(rec ?? {})
        return {
          name: m.name,
          summary: m.summary,
          params: m.params,
          properties: {
            invariants: names(props.invariants),
            actionProperties: names(props.actionProperties),
            reachable: names(props.reachable),
            temporal: names(props.temporal),
          },
          mechanisms: props.mechanisms ?? [],
          docs,
        }
      })
      if (opts.json) return ctx.out(JSON.stringify({ ...envelope('list', 'ok', { name: 'mrcheck', version: ctx.version }), models: rows }, null, 2))
      for (const r of rows) {
        const lines = [`${r.name} — ${r.summary}`, '  parameters:']
        for (const [name, d] of Object.entries(r.params)) {
          const domain = d.kind === 'enum' ? d.values.join(' | ') : d.kind === 'int' ? `${d.min}..${d.max}` : 'true | false'
          lines.push(`    ${name} = ${d.default}  (${domain})${d.doc ? `  ${d.doc}` : ''}`)
          if (d.kind === 'enum') for (const [value, doc] of Object.entries(d.valueDocs ?? {})) lines.push(`      ${value}: ${doc}`)
        }
        for (const [kind, list] of Object.entries(r.properties)) {
          if (list.length === 0) continue
          lines.push(`  ${kind}:`)
          for (const p of list) {
            const mechanism = r.mechanisms.includes(p) ? ' (mechanism: a violation does not stop the check)' : ''
            lines.push(`    ${p}${mechanism}${r.docs[p] ? `  ${r.docs[p]}` : ''}`)
          }
        }
        ctx.out(lines.join('\n') + '\n')
      }
    })
}
