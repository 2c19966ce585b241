/**
 * The reachable state graph as Graphviz DOT (after TLC's `-dump dot,colorize,actionlabels`) and as
 * plain JSON nodes and edges for other tools.
 *
 * DOT: one box per state listing its variables (`/\ x = 1`, through the model's alias when it has
 * one); initial states filled; states that break an invariant, or deadlock, drawn red; edges
 * labelled with the action instance and coloured per action (`colorscheme=paired12`, as TLC);
 * the counterexample path of the first violation drawn bold; states outside the constraint dashed.
 * Node ids are `s<id>` with the breadth-first discovery index.
 */
import type { StateGraph } from '../search/stateGraph.js'
import { showValue } from './text.js'

/** How states are printed in the graph. */
export interface DotOptions {
  /** A projection applied to each state before printing (the model's alias). */
  readonly alias?: (s: any) => unknown
}

/** A DOT double-quoted string; newlines become `\l` (left-justified lines). */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\l')}"`
}

function stateLabel(view: unknown): string {
  if (typeof view !== 'object' || view === null || Array.isArray(view)) return `${showValue(view)}\n`
  return Object.entries(view).map(([k, v]) => `/\\ ${k} = ${showValue(v)}\n`).join('')
}

const PAIRED = 12

/** The graph in DOT. */
export function formatDot(g: StateGraph, options: DotOptions = {}): string {
  const view = options.alias ?? ((s: unknown) => s)
  const onPathEdge = new Set(g.firstViolation?.edges ?? [])
  const onPathNode = new Set(g.firstViolation?.nodes ?? [])
  const actions = [...new Set(g.edges.map((e) => e.action))]
  const colour = (action: string) => (actions.indexOf(action) % PAIRED) + 1
  const title = `${g.model}${Object.keys(g.constants).length > 0 ? ` ${JSON.stringify(g.constants)}` : ''}`
  const lines = [
    `digraph ${dotString(g.model)} {`,
    `  label=${dotString(`${title}: ${g.nodes.length} states, ${g.edges.length} steps` +
      (g.firstViolation ? `; bold: shortest counterexample to ${g.firstViolation.property}` : ''))};`,
    '  labelloc=t;',
    '  node [shape=box, fontname="monospace", fontsize=10];',
    '  edge [fontname="monospace", fontsize=9, colorscheme=paired12];',
  ]
  for (const n of g.nodes) {
    const attrs = [`label=${dotString(stateLabel(view(n.state)))}`]
    const bad = n.violates.length > 0 || n.deadlock
    const style: string[] = []
    if (n.initial) style.push('filled')
    if (n.outside) style.push('dashed')
    if (onPathNode.has(n.id)) style.push('bold')
    if (style.length > 0) attrs.push(`style=${dotString(style.join(','))}`)
    if (n.initial) attrs.push(`fillcolor=${bad ? '"#f6c6c6"' : '"#dddddd"'}`)
    if (bad) {
      attrs.push('color=red', 'fontcolor=red')
      const why = [...n.violates, ...(n.deadlock ? ['Deadlock'] : [])]
      attrs.push(`tooltip=${dotString(`violates ${why.join(', ')}`)}`)
    }
    if (onPathNode.has(n.id)) attrs.push('penwidth=2.5')
    lines.push(`  s${n.id} [${attrs.join(', ')}];`)
  }
  g.edges.forEach((e, i) => {
    const bad = e.violates.length > 0
    const c = bad ? 'red' : String(colour(e.action))
    const attrs = [`label=${dotString(e.label)}`, `color=${c}`, `fontcolor=${c}`]
    if (onPathEdge.has(i)) attrs.push('style=bold', 'penwidth=3')
    if (bad) attrs.push(`tooltip=${dotString(`violates ${e.violates.join(', ')}`)}`)
    lines.push(`  s${e.from} -> s${e.to} [${attrs.join(', ')}];`)
  })
  lines.push('}')
  return lines.join('\n') + '\n'
}

/** The graph as a JSON document: `{ model, params, nodes, edges, firstViolation? }`. */
export function graphDocument(g: StateGraph, options: DotOptions = {}) {
  return {
    schemaVersion: 1,
    model: g.model,
    params: g.constants,
    nodes: g.nodes.map((n) => ({
      id: n.id,
      depth: n.depth,
      initial: n.initial,
      ...(options.alias ? { view: options.alias(n.state) } : {}),
      state: n.state,
      violates: n.violates,
      deadlock: n.deadlock,
      outside: n.outside,
    })),
    edges: g.edges.map((e) => ({
      from: e.from,
      to: e.to,
      action: e.action,
      params: e.params,
      label: e.label,
      violates: e.violates,
    })),
    ...(g.firstViolation === undefined ? {} : { firstViolation: g.firstViolation }),
  }
}
