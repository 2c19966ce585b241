import test from 'ava'
import { compileSpec, formatDot, graphDocument, instantiate, stateGraph, t as types, vars } from '../../checker/index.js'
import type { PropertySet } from '../../checker/index.js'
import dieHard from '../../models/examples/diehard.js'

const dieHardGraph = () => {
  const { spec, props } = instantiate(dieHard)
  const r = stateGraph(compileSpec(spec, props))
  if (r.status !== 'ok') throw new Error('DieHard graph too large')
  return r.graph
}

test('DieHard graph: 16 states and 96 steps (TLC: 97 generated = 96 + 1 initial), the solution as the first violation', (t) => {
  const g = dieHardGraph()
  t.is(g.nodes.length, 16)
  t.is(g.edges.length, 96)
  t.deepEqual(g.nodes[0], {
    id: 0,
    state: { small: 0, big: 0 },
    depth: 1,
    initial: true,
    violates: [],
    deadlock: false,
    outside: false,
  })
  t.deepEqual(
    g.nodes.filter((n) => n.violates.length > 0).map((n) => n.state),
    [{ small: 3, big: 4 }, { small: 0, big: 4 }],
  )
  const v = g.firstViolation!
  t.is(v.property, 'NotSolved')
  t.is(v.nodes.length, 7)
  t.is(v.edges.length, 6)
  t.deepEqual(g.nodes[v.nodes.at(-1)!]!.state, { small: 3, big: 4 })
  t.deepEqual(
    v.edges.map((e) => g.edges[e]!.label),
    ['FillBigJug', 'BigToSmall', 'EmptySmallJug', 'BigToSmall', 'FillBigJug', 'BigToSmall'],
  )
  // Path edges connect the path nodes.
  v.edges.forEach((e, i) => {
    t.is(g.edges[e]!.from, v.nodes[i]!)
    t.is(g.edges[e]!.to, v.nodes[i + 1]!)
  })
})

test('DieHard DOT: boxes with /\\ lines, initial filled, violating red, path bold, edges labelled', (t) => {
  const dot = formatDot(dieHardGraph())
  t.true(dot.startsWith('digraph "diehard" {\n'))
  t.true(dot.endsWith('}\n'))
  t.regex(dot, /\n {2}s0 \[label="\/\\\\ small = 0\\l\/\\\\ big = 0\\l", style="filled,bold", fillcolor="#dddddd", penwidth=2\.5\];/)
  t.regex(dot, /s\d+ \[label="\/\\\\ small = 3\\l\/\\\\ big = 4\\l", style="bold", color=red, fontcolor=red, tooltip="violates NotSolved", penwidth=2\.5\]/)
  t.regex(dot, /s0 -> s2 \[label="FillBigJug", color=2, fontcolor=2, style=bold, penwidth=3\];/)
  t.is(dot.match(/penwidth=3\]/g)?.length, 6)
  t.is(dot.match(/ -> /g)?.length, 96)
  // Balanced quotes on every statement line.
  for (const line of dot.split('\n')) t.is((line.replace(/\\"/g, '').match(/"/g)?.length ?? 0) % 2, 0, line)
})

test('DOT strings escape quotes and backslashes in model values; JSON graph holds nodes and edges', (t) => {
  const { spec, action } = vars({ s: types.enum('a"b', 'c\\d', '<e>') })
  const s = spec({
    name: 'quote"model',
    init: { s: 'a"b' },
    actions: { Next: action({ guard: (x) => x.s === 'a"b', effect: (d) => void (d.s = 'c\\d') }) },
    checkDeadlock: false,
  })
  const r = stateGraph(compileSpec(s, {}))
  if (r.status !== 'ok') return t.fail()
  const dot = formatDot(r.graph)
  t.true(dot.startsWith('digraph "quote\\"model" {'))
  t.true(dot.includes('s0 [label="/\\\\ s = \\"a\\\\\\"b\\"\\l"'))
  t.true(dot.includes('s1 [label="/\\\\ s = \\"c\\\\\\\\d\\"\\l"'))
  const doc = graphDocument(r.graph)
  t.deepEqual(doc.nodes.map((n) => n.state), [{ s: 'a"b' }, { s: 'c\\d' }])
  t.deepEqual(doc.edges, [{ from: 0, to: 1, action: 'Next', params: {}, label: 'Next', violates: [] }])
  t.false('firstViolation' in doc)
})

test('deadlocks, action properties and the node limit', (t) => {
  const { spec, action } = vars({ n: types.int(0, 9) })
  const s = spec({
    name: 'counter',
    init: { n: 0 },
    actions: { Inc: action({ guard: (x) => x.n < 9, effect: (d) => void d.n++ }) },
  })
  const props: PropertySet<{ n: number }, unknown> = {
    actionProperties: { SmallSteps: (a, b) => b.n - a.n === 1 && b.n !== 5 },
  }
  const r = stateGraph(compileSpec(s, props))
  if (r.status !== 'ok') return t.fail()
  t.is(r.graph.nodes.length, 10)
  t.true(r.graph.nodes[9]!.deadlock)
  t.deepEqual(r.graph.edges[4]!.violates, ['SmallSteps'])
  t.like(r.graph.firstViolation, { property: 'SmallSteps', kind: 'action', nodes: [0, 1, 2, 3, 4, 5], edges: [0, 1, 2, 3, 4] })
  t.regex(formatDot(r.graph), /s4 -> s5 \[label="Inc", color=red, fontcolor=red, style=bold, penwidth=3, tooltip="violates SmallSteps"\]/)
  t.deepEqual(stateGraph(compileSpec(s, props), { maxNodes: 5 }), { status: 'tooLarge', maxNodes: 5, depth: 6 })
})

test('the graph agrees with the checker: nodes = distinct, edges = generated - initial states', async (t) => {
  const { checkModel } = await import('../../checker/index.js')
  const { builtinModels } = await import('../../models/registry.js')
  for (const name of ['diehard', 'peterson', 'twophase']) {
    const model = builtinModels.find((m) => m.name === name)!
    const { spec, props } = instantiate(model)
    const r = await checkModel(model, {}, { continue: true })
    const g = stateGraph(compileSpec(spec, props))
    if (g.status !== 'ok') return t.fail(`${name}: graph too large`)
    const inits = Array.isArray(spec.init) ? spec.init.length : 1
    t.is(g.graph.nodes.length, r.stats.distinct, name)
    t.is(g.graph.edges.length, r.stats.generated - inits, name)
  }
})
