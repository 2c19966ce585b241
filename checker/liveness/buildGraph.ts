/**
 * The behaviour graph: every reachable state (inside the state constraint), every transition
 * between them labelled with its action instance, and per state which fair instances are enabled.
 * Liveness is decided on this graph alone. The safety search records it when it keeps exact states
 * (GraphRecorder.ts); otherwise `buildGraph` explores the states again, breadth first from the
 * initial states like search/bfs.ts, keeping edges instead of checking invariants.
 *
 * TLA+ semantics kept here:
 * - A step that does not change the state is a stuttering step. It is not an edge (a behaviour
 *   may stutter anywhere; see fairComponents.ts for when it may stutter forever), and an instance
 *   whose only step from a state is such a step is not enabled there: fairness is about
 *   `ENABLED <<A>>_vars`, the steps of A that change `vars`.
 * - A successor outside the constraint is not stored and gives no edge, but its instance still
 *   counts as enabled (TLC evaluates ENABLED without the constraint). This is why liveness under a
 *   constraint can be unsound, and why checkTemporal warns.
 *
 * Memory: the edges are in CSR form, `offsets` (Int32, one per state, plus one) indexing
 * `targets` and `labels` (Int32 each), so an edge costs 8 bytes. A state costs 4 bytes of offset
 * and 4 bytes per 32 fair instances of enabled bits, beside its packed words. While the graph is
 * built, each state also has its place in the exact table of the search (store/StateTable.ts:
 * 16-32 bytes of lookup slots, 8 of parent and instance); the graph keeps the states' words alone
 * (StateTable.statesById), and the rest of the table goes. Past the memory budget
 * (SearchOptions.memoryMiB) the graph is not built any further: MemoryExhausted.
 */
import type { CompiledSpec } from '../compile/compile.js'
import { EvaluationError, describeFailure } from '../compile/evaluation.js'
import { OUTSIDE } from '../search/expand.js'
import { Batch, compileFirstPass } from '../search/firstPass.js'
import { MemoryExhausted } from '../store/memory.js'
import { FULL, StateTable } from '../store/StateTable.js'
import { fingerprintLo } from '../encode/fingerprint.js'
import { CheckerError } from '../result/errors.js'
import type { FairInstances } from './resolveFairness.js'
import { GraphRecorder } from './GraphRecorder.js'
import type { BehaviourGraph, GraphSize } from './BehaviourGraph.js'

/** Explores the (constrained) reachable states and records the behaviour graph, within `budget` bytes. */
export function buildGraph(
  c: CompiledSpec,
  fair: FairInstances,
  budget = Infinity,
  expected: GraphSize = { states: 1024, transitions: 4096 },
): BehaviourGraph {
  const steps = buildGraphSteps(c, fair, budget, expected)
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
  }
}

/** States explored between two steps of `buildGraphSteps`. */
const STEP_STATES = 1 << 16

/** As buildGraph, a step at a time: it yields after every STEP_STATES states it expands (checkTemporal.ts). */
export function* buildGraphSteps(
  c: CompiledSpec,
  fair: FairInstances,
  budget = Infinity,
  expected: GraphSize = { states: 1024, transitions: 4096 },
): Generator<void, BehaviourGraph> {
  const { codec, instances } = c
  const W = codec.words
  const store: StateTable = new StateTable(W, expected.states, (more) => maySpend(more))
  const scratch = new Uint32Array(W)
  // The successors come from the safety search's own compiled first pass, over one reused parent
  // object, so that the loop allocates nothing per state. No reduction: liveness is refused with
  // symmetry or a view (reduce/reduction.ts), and the graph holds the model's own states.
  const firstPass = compileFirstPass({ ...c, reduction: undefined })
  const batch = new Batch(c, 1)
  const parent = codec.scratch()
  const actionOf = Int32Array.from(instances, (i) => i.action)
  const constraint = c.spec.constraint
  const guardHolds = new Uint8Array(c.actionNames.length)
  const initOf: number[] = []
  const maySpend = (more: number): boolean => store.bytes + recorder.bytes + more <= budget
  const recorder = new GraphRecorder(fair, maySpend, expected)
  const outOfBudget = () => new MemoryExhausted('the behaviour graph for liveness')
  if (!maySpend(0)) throw outOfBudget()
  /** The id of the state at `buf[at..]`, stored now if it is new. */
  const idOf = (buf: Uint32Array, at: number, fp: number, parentId: number, inst: number): number => {
    const id = store.add(buf, at, fp, parentId, inst)
    if (id === FULL) throw outOfBudget()
    return id >= 0 ? id : store.found
  }

  c.init.forEach((s, i) => {
    try {
      codec.encode(s, scratch, 0)
      if (constraint !== undefined && !constraint(s as never)) return
    } catch (e) {
      throw evaluation(c, new EvaluationError(e, -1, -1))
    }
    const before = store.count
    if (idOf(scratch, 0, fingerprintLo(scratch, 0, W), -1 - i, -1) === before) initOf.push(i)
  })

  for (let v = 0; v < store.count; v++) {
    if (recorder.abandoned) throw outOfBudget()
    if (v % STEP_STATES === STEP_STATES - 1) yield
    recorder.expanding(v)
    let inst = -1
    try {
      codec.decodeInto(parent, store.chunkOf(v), store.wordsAt(v))
      batch.count = 0
      try {
        firstPass(batch, parent.state, store.chunkOf(v), store.wordsAt(v))
      } catch (e) {
        inst = batch.current
        throw e
      }
      const rows = batch.words
      for (let k = 0; k < batch.count; k++) {
        inst = batch.instances[k]!
        guardHolds[actionOf[inst]!] = 1
        const inModel = constraint === undefined || constraint(batch.states[k])
        recorder.successor(inst, inModel ? idOf(rows, k * W, batch.fps[2 * k]!, v, inst) : OUTSIDE)
      }
    } catch (e) {
      if (e instanceof CheckerError || e instanceof MemoryExhausted) throw e
      throw evaluation(c, new EvaluationError(e, v, inst))
    }
  }
  if (recorder.abandoned) throw outOfBudget()
  return recorder.graph(store.statesById(), store.count, Int32Array.from(initOf), guardHolds)
}

function evaluation(c: CompiledSpec, f: EvaluationError): CheckerError {
  return new CheckerError('EVALUATION', `${describeFailure(c, f, [])} (while building the behaviour graph for liveness)`)
}
