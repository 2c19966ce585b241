/**
 * Fair components: the parts of a region of the behaviour graph where some behaviour can stay
 * forever while meeting every fairness condition.
 *
 * Why components are enough. The states a behaviour visits infinitely often, with the steps it
 * takes infinitely often, form a strongly connected subgraph; conversely, inside a strongly
 * connected set C one behaviour can take every edge of C infinitely often. That behaviour is the
 * most fair one on C: it takes every instance C can take, and visits every state of C, so it sees
 * every state where an instance is disabled. So C holds a fair cycle iff, with E(C) its edges:
 * - weak fairness (`WF_vars(A)` = `<>[]ENABLED <<A>>_vars => []<><<A>>_vars`): a condition
 *   enabled in every state of C has an edge in E(C) that counts for it;
 * - strong fairness (`SF_vars(A)` = `[]<>ENABLED <<A>>_vars => []<><<A>>_vars`): a condition
 *   enabled in some state of C has an edge in E(C) that counts for it.
 * A condition is one instance, or a group of instances taken as one action (resolveFairness.ts).
 *
 * Refinement (Emerson and Lei). A maximal SCC can fail while a smaller cycle inside it is fair:
 * if strong instance A is enabled in C but never taken inside C, no fair cycle in C may visit a
 * state where A is enabled, so those states are removed and the SCCs of the rest are examined
 * again, until each piece is fair or empty. A weak failure needs no refinement: an instance
 * enabled everywhere in C is enabled everywhere in any part of C, and still not taken there, so C
 * is dropped whole.
 *
 * Stuttering. A behaviour may also stay forever in one state by stuttering; fairness allows it
 * exactly when no fair instance is enabled there (see mayStutter). Those single-state "cycles" are
 * handled by the caller; components here have at least two states (self-loops are stutters and
 * are not edges).
 */
import { conditionsOfEdge, isEnabled, type BehaviourGraph } from './BehaviourGraph.js'
import type { LassoWork } from './LassoWork.js'
import { STRONG, WEAK } from './resolveFairness.js'

export interface FairComponents {
  /** Per state: the number of its fair component, or -1. */
  readonly componentOf: Int32Array
  /** The states of each fair component. */
  readonly components: readonly Int32Array[]
}

/**
 * Marks in `work.cyclic` the states that lie on a cycle of the graph (in a strongly connected
 * component of two states or more), once for all the parts: every fair component lies among them,
 * and behaviour graphs of models with budgets have few such states (page-migration has none). A
 * step at a time, as SccFinder.run.
 */
export function* markCyclic(g: BehaviourGraph, work: LassoWork): Generator<void, void> {
  const { region, roots, finder, cyclic } = work
  region.fill(0)
  for (let v = 0; v < g.states; v++) roots[v] = v
  let labels = 0
  const components = yield* finder.run(region, 0, roots.subarray(0, g.states), () => ++labels, 2)
  cyclic.fill(0)
  for (const c of components) for (let i = 0; i < c.length; i++) cyclic[c[i]!] = 1
  work.cyclicMarked = true
}

/**
 * The fair components of the subgraph induced by the states with `inRegion[v] = 1`, in arrays of
 * `work` (its `region`, `roots`, `componentOf` and `finder` are overwritten). A step at a time,
 * as SccFinder.run.
 */
export function* fairComponents(g: BehaviourGraph, inRegion: Uint8Array, work: LassoWork): Generator<void, FairComponents> {
  const n = g.states
  const F = g.fair.count
  const { region, finder, componentOf } = work
  region.fill(-1)
  let size = 0
  for (let v = 0; v < n; v++) {
    if (inRegion[v] === 1) {
      region[v] = 0
      work.roots[size++] = v
    }
  }
  let labels = 0
  const fresh = () => ++labels
  // Single states are never fair components here (see the module comment), so they are not listed.
  const pending = yield* finder.run(region, 0, work.roots.subarray(0, size), fresh, 2)
  componentOf.fill(-1)
  const components: Int32Array[] = []
  const enabledIn = new Int32Array(F)
  const taken = new Uint8Array(F)
  const { offsets, targets } = g
  const kind = g.fair.kind
  const counted = new Int32Array(F)

  while (pending.length > 0) {
    const c = pending.pop()!
    const label = region[c[0]!]!
    enabledIn.fill(0)
    taken.fill(0)
    for (let i = 0; i < c.length; i++) {
      const v = c[i]!
      for (let k = 0; k < F; k++) if (isEnabled(g, v, k)) enabledIn[k]!++
      for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
        if (region[targets[e]!] !== label) continue
        const n = conditionsOfEdge(g, e, counted)
        for (let j = 0; j < n; j++) taken[counted[j]!] = 1
      }
    }
    let unfair = false
    let refine = false
    for (let k = 0; k < F && !unfair; k++) {
      if (taken[k] === 1 || enabledIn[k] === 0) continue
      if (kind[k] === WEAK && enabledIn[k] === c.length) unfair = true
      else if (kind[k] === STRONG) refine = true
    }
    if (unfair) continue
    if (!refine) {
      for (let i = 0; i < c.length; i++) componentOf[c[i]!] = components.length
      components.push(c)
      continue
    }
    const rest: number[] = []
    for (let i = 0; i < c.length; i++) {
      const v = c[i]!
      let drop = false
      for (let k = 0; k < F && !drop; k++) {
        drop = kind[k] === STRONG && taken[k] === 0 && isEnabled(g, v, k)
      }
      if (drop) region[v] = -1
      else rest.push(v)
    }
    for (const part of yield* finder.run(region, label, rest, fresh, 2)) pending.push(part)
  }
  return { componentOf, components }
}
