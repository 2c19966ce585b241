/**
 * The search for a lasso counterexample: a path from an initial state to a fair cycle (or to a
 * state where the behaviour may stutter forever), shaped by a goal that says which part of the
 * behaviour is watched. Every temporal form checkTemporal knows becomes a goal:
 *
 *   <>P      the whole behaviour stays in ~P: the watch starts in the initial state.
 *   []<>P    from some point on the behaviour stays in ~P: free prefix, then a watch inside ~P.
 *   <>[]P    the cycle holds a ~P state: the watch is everything, the cycle must hit ~P.
 *   P ~> Q   a P /\ ~Q state, then ~Q forever: free prefix, watch from P /\ ~Q inside ~Q.
 *
 * and the composed forms of checkTemporal.ts are goals of the same shape, some with several masks
 * the cycle must hit (`[]<>P1 /\ []<>P2`) or a region the cycle must lie in while the way to it
 * need not (`<>P /\ <>[]~Q`).
 *
 * Breadth-first search runs over (state, phase) pairs: phase 0 is the free prefix, phase 1 the
 * watched part; a state where the trigger holds moves from phase 0 to phase 1 at no cost. The
 * states reached in phase 1 are the region where fair components are sought, so only cycles the
 * watched part can actually reach are considered. The returned prefix is a shortest path, in this
 * product, to the first accepting state found; the cycle is built inside its component, greedily
 * from nearest obligation to nearest obligation, so that it takes every instance fairness requires
 * (it is a real cycle, but not necessarily the shortest one).
 */
import { conditionsOfEdge, isEnabled, mayStutter, type BehaviourGraph } from './BehaviourGraph.js'
import { fairComponents, markCyclic } from './fairComponents.js'
import type { LassoWork } from './LassoWork.js'
import { STRONG } from './resolveFairness.js'

export interface Goal {
  /** Whether the behaviour may move before the watched part starts (false: it starts initially). */
  readonly free: boolean
  /** States where the watched part may start (null: every state). Must lie inside `allowed`. */
  readonly trigger: Uint8Array | null
  /** States the watched part may visit (null: every state). */
  readonly allowed: Uint8Array | null
  /** The cycle must contain a state of each of these masks (none: no condition). */
  readonly mustHit: readonly Uint8Array[]
  /** The cycle must lie inside these states, while the watched part before it need not (null: anywhere). */
  readonly cycleIn?: Uint8Array | null
}

export interface Lasso {
  /** Index in `spec.init` of the first state. */
  readonly initIndex: number
  /** State ids of the trace, the initial state first. */
  readonly states: readonly number[]
  /**
   * `steps[i]` is the instance from `states[i]` to `states[i+1]`; for a cycle there is one more,
   * the step from the last state back to `states[loopStart]`.
   */
  readonly steps: readonly number[]
  /** Index in `states` where the cycle starts; for stuttering, the last index. */
  readonly loopStart: number
  readonly stuttering: boolean
}

/**
 * A lasso meeting `goal` under the graph's fairness, or null when none exists; `work` is
 * overwritten, but for `cyclic`, which the first search with it fills. A step at a time: it
 * yields after every 65,536 nodes of its search, and within fairComponents (checkTemporal.ts).
 */
export function* findLasso(g: BehaviourGraph, goal: Goal, work: LassoWork): Generator<void, Lasso | null> {
  const { offsets, targets, labels } = g
  const { trigger, allowed, mustHit } = goal
  const cycleIn = goal.cycleIn ?? null
  /** Whether state v may close the lasso by stuttering forever: it lies in every mask. */
  const stutterEnds = (v: number) => mustHit.every((m) => m[v] === 1) && (cycleIn === null || cycleIn[v] === 1) && mayStutter(g, v)
  /** Whether the cycle may be entered at v: v lies in the first mask (the others are visited on the cycle). */
  const entersAt = (v: number) => mustHit.length === 0 || mustHit[0]![v] === 1
  // Most parts hold. Whether one fails is decided on the states of phase 1 alone, found without
  // the product search, which runs only to give a failing part its shortest prefix. It fails in
  // a state where the behaviour may stutter forever, or in a fair component, which lies among
  // the states on a cycle (`work.cyclic`): the components are sought there only.
  if (!work.cyclicMarked) yield* markCyclic(g, work)
  const watched = yield* watchedRegion(g, goal, work)
  const { cyclic } = work
  let fails = false
  for (let v = 0; v < g.states; v++) {
    if (watched[v] === 0) continue
    if (!fails && stutterEnds(v)) fails = true
    watched[v] = cyclic[v]! & (cycleIn === null ? 1 : cycleIn[v]!)
  }
  const { componentOf, components } = yield* fairComponents(g, watched, work)
  // A component can close the lasso when it holds a state of every mask.
  const accepting = components.map((comp) => mustHit.every((m) => comp.some((v) => m[v] === 1)))
  const closesAt = (v: number) => componentOf[v]! >= 0 && accepting[componentOf[v]!]! && entersAt(v)
  for (let v = 0; v < g.states && !fails; v++) fails = watched[v] === 1 && closesAt(v)
  if (!fails) return null

  // Product search over node x = 2 * state + phase.
  const { parent, parentEdge, queue } = work
  parent.fill(-2)
  let tail = 0
  const visit = (v: number, phase: number, from: number, edge: number) => {
    let x = 2 * v + phase
    if (parent[x] !== -2) return
    parent[x] = from
    parentEdge[x] = edge
    queue[tail++] = x
    if (phase === 0 && (trigger === null || trigger[v] === 1)) {
      from = x
      x++
      if (parent[x] !== -2) return
      parent[x] = from
      parentEdge[x] = -1
      queue[tail++] = x
    }
  }
  for (let v = 0; v < g.initOf.length; v++) {
    if (goal.free) visit(v, 0, -1, -1)
    else if (trigger === null || trigger[v] === 1) visit(v, 1, -1, -1)
  }
  for (let head = 0; head < tail; head++) {
    if ((head & 0xffff) === 0xffff) yield
    const x = queue[head]!
    const v = x >>> 1
    const phase = x & 1
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
      const w = targets[e]!
      if (phase === 0) visit(w, 0, x, e)
      else if (allowed === null || allowed[w] === 1) visit(w, 1, x, e)
    }
  }

  // The first accepting state in breadth-first order has a shortest prefix.
  let entry = -1
  for (let i = 0; i < tail && entry < 0; i++) {
    const x = queue[i]!
    const v = x >>> 1
    if ((x & 1) === 0) continue
    if (stutterEnds(v) || (watched[v] === 1 && closesAt(v))) entry = x
  }
  if (entry < 0) return null

  const steps: number[] = []
  const states: number[] = []
  let root = entry
  for (let x = entry; x >= 0; x = parent[x]!) {
    root = x
    if (parentEdge[x]! >= 0) {
      steps.push(labels[parentEdge[x]!]!)
      states.push(x >>> 1)
    }
  }
  states.push(root >>> 1)
  states.reverse()
  steps.reverse()
  const initIndex = g.initOf[root >>> 1]!
  const e = entry >>> 1
  const loopStart = states.length - 1
  if (stutterEnds(e)) return { initIndex, states, steps, loopStart, stuttering: true }

  const cycle = fairCycle(g, componentOf, components[componentOf[e]!]!, e, mustHit.slice(1))
  for (let i = 0; i < cycle.length; i++) {
    steps.push(labels[cycle[i]!]!)
    if (i < cycle.length - 1) states.push(targets[cycle[i]!]!)
  }
  return { initIndex, states, steps, loopStart, stuttering: false }
}

/**
 * The states of phase 1 of the product search (`work.watched`): those the watched part can reach,
 * from where it may start (every trigger state when the prefix is free, since every state of the
 * graph is reachable; else the initial ones among them), along edges into allowed states.
 */
function* watchedRegion(g: BehaviourGraph, goal: Goal, work: LassoWork): Generator<void, Uint8Array> {
  const { offsets, targets } = g
  const { trigger, allowed } = goal
  const { watched, queue } = work
  if (goal.free && trigger === null && allowed === null) return watched.fill(1)
  watched.fill(0)
  let tail = 0
  const starts = goal.free ? g.states : g.initOf.length
  for (let v = 0; v < starts; v++) {
    if (trigger !== null && trigger[v] !== 1) continue
    watched[v] = 1
    queue[tail++] = v
  }
  for (let head = 0; head < tail; head++) {
    if ((head & 0xffff) === 0xffff) yield
    const v = queue[head]!
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
      const w = targets[e]!
      if (watched[w] === 0 && (allowed === null || allowed[w] === 1)) {
        watched[w] = 1
        queue[tail++] = w
      }
    }
  }
  return watched
}

const NONE = 0
/** The cycle must take an edge of this instance. */
const TAKE = 1
/** The cycle must take an edge of this instance or pass a state where it is disabled. */
const TAKE_OR_PASS = 2

/**
 * Edges of a cycle from `start` back to `start` inside fair component `comp`, meeting every
 * fairness obligation of the component: weak instances enabled throughout are taken, weak
 * instances disabled somewhere are taken or seen disabled, strong instances enabled somewhere
 * are taken. The component's fairness guarantees each obligation can be met.
 */
function fairCycle(
  g: BehaviourGraph,
  componentOf: Int32Array,
  comp: Int32Array,
  start: number,
  visit: readonly Uint8Array[],
): number[] {
  const { offsets, targets } = g
  const F = g.fair.count
  const counted = new Int32Array(F)
  const id = componentOf[start]!
  const need = new Uint8Array(F)
  const enabledIn = new Int32Array(F)
  for (const v of comp) for (let k = 0; k < F; k++) if (isEnabled(g, v, k)) enabledIn[k]!++
  let open = 0
  for (let k = 0; k < F; k++) {
    if (enabledIn[k] === 0) continue
    need[k] = g.fair.kind[k] === STRONG || enabledIn[k] === comp.length ? TAKE : TAKE_OR_PASS
    open++
  }
  // Masks the cycle must visit a state of, as obligations met by passing such a state.
  const toVisit = visit.map(() => true)
  open += visit.length
  const pass = (v: number) => {
    for (let k = 0; k < F; k++) {
      if (need[k] === TAKE_OR_PASS && !isEnabled(g, v, k)) {
        need[k] = NONE
        open--
      }
    }
    visit.forEach((m, j) => {
      if (toVisit[j] && m[v] === 1) {
        toVisit[j] = false
        open--
      }
    })
  }
  const passes = (v: number) => {
    for (let k = 0; k < F; k++) if (need[k] === TAKE_OR_PASS && !isEnabled(g, v, k)) return true
    return visit.some((m, j) => toVisit[j] && m[v] === 1)
  }
  const wanted = (e: number) => {
    const n = conditionsOfEdge(g, e, counted)
    for (let j = 0; j < n; j++) if (need[counted[j]!] !== NONE) return true
    return false
  }
  const take = (e: number) => {
    const n = conditionsOfEdge(g, e, counted)
    for (let j = 0; j < n; j++) {
      const k = counted[j]!
      if (need[k] !== NONE) {
        need[k] = NONE
        open--
      }
    }
    pass(targets[e]!)
  }

  const n = g.states
  const seen = new Int32Array(n)
  const viaEdge = new Int32Array(n)
  const from = new Int32Array(n)
  const queue = new Int32Array(comp.length)
  let stamp = 0
  const cycle: number[] = []
  const follow = (to: number, at: number, last: number) => {
    const path: number[] = []
    if (last >= 0) path.push(last)
    for (let v = to; v !== at; v = from[v]!) path.push(viaEdge[v]!)
    for (let i = path.length - 1; i >= 0; i--) {
      cycle.push(path[i]!)
      take(path[i]!)
    }
  }

  /**
   * Breadth-first from `at` inside the component, to the nearest state other than `at` that
   * `atState` accepts or the nearest edge that `atEdge` accepts, recording the way there in
   * `from`/`viaEdge`. Returns [that state, -1], or [the edge's source, the edge], or [-1, -1].
   */
  const nearest = (at: number, atState: (u: number) => boolean, atEdge: (e: number, w: number) => boolean): [number, number] => {
    stamp++
    seen[at] = stamp
    queue[0] = at
    let tail = 1
    for (let head = 0; head < tail; head++) {
      const u = queue[head]!
      if (u !== at && atState(u)) return [u, -1]
      for (let e = offsets[u]!; e < offsets[u + 1]!; e++) {
        const w = targets[e]!
        if (componentOf[w] !== id) continue
        if (atEdge(e, w)) return [u, e]
        if (seen[w] !== stamp) {
          seen[w] = stamp
          from[w] = u
          viaEdge[w] = e
          queue[tail++] = w
        }
      }
    }
    return [-1, -1]
  }

  let cur = start
  pass(start)
  // Greedy: walk to the nearest state or edge that meets an open obligation, until none is open.
  while (open > 0) {
    const [hit, hitEdge] = nearest(cur, passes, wanted)
    if (hit < 0) throw new Error('internal: a fair component has an obligation no cycle meets')
    follow(hit, cur, hitEdge)
    cur = hitEdge >= 0 ? targets[hitEdge]! : hit
  }
  // Close the cycle: back to the start, with at least one step.
  if (cur !== start || cycle.length === 0) {
    const [last, back] = nearest(cur, () => false, (_e, w) => w === start)
    if (back < 0) throw new Error('internal: a fair component is not strongly connected')
    follow(last, cur, back)
  }
  return cycle
}
