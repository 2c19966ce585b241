/**
 * The reachable state graph of a (small) spec, for pictures and for other tools: every distinct
 * state as a node, every enabled action instance as an edge, with initial, violating, deadlocked
 * and out-of-constraint states marked, and the path of the first violation.
 *
 * Nodes are numbered in breadth-first discovery order and successors are taken in instance order,
 * the same order as the checker's search, so node ids are stable from run to run and the first
 * violation here is the one `check` reports (its shortest counterexample). The graph is meant for
 * a few hundred states: it stops at `maxNodes` and reports that instead of a partial graph.
 */
import { TypeViolation } from '../encode/TypeViolation.js'
import { CheckerError } from '../result/errors.js'
import type { ViolationKind } from '../result/result.js'
import type { CompiledSpec } from '../compile/compile.js'

/** A reachable state. */
export interface GraphNode {
  /** Breadth-first discovery index, from 0. */
  readonly id: number
  readonly state: unknown
  /** Length of a shortest behaviour reaching it, counting the initial state (1 for initial states). */
  readonly depth: number
  readonly initial: boolean
  /** Invariants false in this state. */
  readonly violates: readonly string[]
  /** No action is enabled (reported only when the spec checks deadlock). */
  readonly deadlock: boolean
  /** Outside the state constraint: checked, not explored. */
  readonly outside: boolean
}

/** A step: an enabled action instance from one state to another (a self-loop when it stutters). */
export interface GraphEdge {
  readonly from: number
  readonly to: number
  readonly action: string
  readonly params: Readonly<Record<string, unknown>>
  readonly label: string
  /** Action properties false on this step. */
  readonly violates: readonly string[]
}

/** The first violation in search order, as a path through the graph. */
export interface GraphViolation {
  readonly property: string
  readonly kind: ViolationKind
  /** Node ids from an initial state to the violating state. */
  readonly nodes: readonly number[]
  /** Indices into `edges` along that path. */
  readonly edges: readonly number[]
}

/** Every reachable state and step of a spec. */
export interface StateGraph {
  readonly model: string
  readonly constants: Readonly<Record<string, unknown>>
  readonly nodes: readonly GraphNode[]
  readonly edges: readonly GraphEdge[]
  readonly firstViolation?: GraphViolation
}

/** The graph, or the news that it is larger than the limit. */
export type StateGraphResult =
  | { readonly status: 'ok'; readonly graph: StateGraph }
  /** More than `maxNodes` states: nothing is returned but how far the search got. */
  | { readonly status: 'tooLarge'; readonly maxNodes: number; readonly depth: number }

/** Limits for `stateGraph`. */
export interface StateGraphOptions {
  /** Give up beyond this many distinct states (default 500). */
  readonly maxNodes?: number
}

/** The default node limit: Graphviz layouts get slow and unreadable beyond a few hundred states. */
export const DEFAULT_MAX_NODES = 500

/** Builds the reachable graph of `c`, or reports that it has more than `maxNodes` states. */
export function stateGraph(c: CompiledSpec, options: StateGraphOptions = {}): StateGraphResult {
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES
  const { codec, instances, invariants, actionProperties, steps } = c
  const W = codec.words
  const buf = new Uint32Array(W)
  // Graphs here are small (a few hundred states): a string key per state is affordable.
  const ids = new Map<string, number>()
  const nodes: {
    id: number
    state: unknown
    depth: number
    initial: boolean
    violates: string[]
    deadlock: boolean
    outside: boolean
    parentEdge: number
  }[] = []
  const edges: GraphEdge[] = []
  let first: { property: string; kind: ViolationKind; node: number; edge: number } | undefined
  const constraint = c.spec.constraint
  const evaluate = <T>(what: string, f: () => T): T => {
    try {
      return f()
    } catch (e) {
      if (e instanceof TypeViolation) {
        throw new CheckerError('EVALUATION', `Model "${c.spec.name}": ${what} produced a state outside its type: ${e.message}`)
      }
      throw new CheckerError(
        'EVALUATION',
        `Model "${c.spec.name}": ${what} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
      )
    }
  }
  /** The node of `state`, added if new; -1 when the limit is passed. */
  const nodeOf = (state: unknown, depth: number, initial: boolean, parentEdge: number, what: string): [number, boolean] => {
    evaluate(what, () => codec.encode(state, buf, 0))
    const key = buf.join(',')
    const known = ids.get(key)
    if (known !== undefined) return [known, false]
    if (nodes.length >= maxNodes) return [-1, false]
    const id = nodes.length
    ids.set(key, id)
    const s = codec.decode(buf, 0)
    const violates = invariants.filter(([name, inv]) => !evaluate(`invariant ${name}`, () => inv(s))).map(([n]) => n)
    const outside = constraint !== undefined && !evaluate('the state constraint', () => constraint(s))
    nodes.push({ id, state: s, depth, initial, violates, deadlock: false, outside, parentEdge })
    if (first === undefined && violates.length > 0) first = { property: violates[0]!, kind: 'invariant', node: id, edge: -1 }
    return [id, true]
  }

  for (let i = 0; i < c.init.length; i++) {
    const [id] = nodeOf(c.init[i], 1, true, -1, `initial state ${i}`)
    if (id < 0) return { status: 'tooLarge', maxNodes, depth: 1 }
    nodes[id]!.initial = true
  }
  for (let at = 0; at < nodes.length; at++) {
    const node = nodes[at]!
    if (node.outside) continue
    const s = node.state
    let successors = 0
    for (let k = 0; k < instances.length; k++) {
      const inst = instances[k]!
      const { guard, effect } = inst.def
      if (guard !== undefined && !evaluate(`the guard of ${inst.label}`, () => guard(s as never, inst.params))) continue
      successors++
      const next = structuredClone(s)
      evaluate(`action ${inst.label}`, () => effect(next as never, inst.params))
      const [to] = nodeOf(next, node.depth + 1, false, edges.length, `action ${inst.label}`)
      if (to < 0) return { status: 'tooLarge', maxNodes, depth: node.depth + 1 }
      const target = nodes[to]!.state
      const violates = actionProperties
        .filter(([name, prop]) => !evaluate(`action property ${name}`, () => prop(s, target, steps[k])))
        .map(([n]) => n)
      if (first === undefined && violates.length > 0) first = { property: violates[0]!, kind: 'action', node: at, edge: edges.length }
      edges.push({ from: at, to, action: inst.name, params: inst.params, label: inst.label, violates })
    }
    if (successors === 0 && c.spec.checkDeadlock) {
      node.deadlock = true
      first ??= { property: 'Deadlock', kind: 'deadlock', node: at, edge: -1 }
    }
  }

  let firstViolation: GraphViolation | undefined
  if (first !== undefined) {
    const pathEdges: number[] = first.edge >= 0 ? [first.edge] : []
    const pathNodes: number[] = first.edge >= 0 ? [edges[first.edge]!.to] : []
    for (let at = first.node; at >= 0; ) {
      pathNodes.push(at)
      const e = nodes[at]!.parentEdge
      if (e < 0) break
      pathEdges.push(e)
      at = edges[e]!.from
    }
    firstViolation = { property: first.property, kind: first.kind, nodes: pathNodes.reverse(), edges: pathEdges.reverse() }
  }
  return {
    status: 'ok',
    graph: {
      model: c.spec.name,
      constants: c.spec.constants,
      nodes: nodes.map(({ parentEdge: _, ...n }) => n),
      edges,
      ...(firstViolation === undefined ? {} : { firstViolation }),
    },
  }
}
