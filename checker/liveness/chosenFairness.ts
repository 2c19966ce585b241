/**
 * Fairness whose instance the state picks (`WF_vars(Return(c, alloc[c]))`, a group with `when`;
 * resolveFairness.ts): which of its steps count depends on the state they leave, so the graph's
 * recording, which sees instances only, leaves these conditions out, and they are resolved here
 * on the finished graph: each state is decoded once; a condition is enabled in it when one of
 * its instances that `when` accepts there takes a step that changes the state, and an edge counts
 * for it when its instance belongs to it and `when` accepts it in the edge's first state.
 *
 * The graph's edges give each enabled instance's step, but for a step the state constraint left
 * out, which is no edge: under a constraint, an instance without an edge is run again here.
 * Nothing here runs for a spec without such groups.
 */
import type { CompiledSpec } from '../compile/compile.js'
import { strictStep } from '../compile/strictStep.js'
import { show } from '../encode/TypeViolation.js'
import { CheckerError } from '../result/errors.js'
import type { BehaviourGraph } from './BehaviourGraph.js'

/** The graph with its chosen conditions resolved: their enabled bits set, and `chosenTaken`. */
export function resolveChosenFairness(c: CompiledSpec, g: BehaviourGraph): BehaviourGraph {
  const { chosen } = g.fair
  if (chosen.length === 0) return g
  const CW = (chosen.length + 31) >>> 5
  const EW = g.enabledWidth
  const chosenTaken = new Uint32Array(g.edges * CW)
  const scratch = c.codec.scratch()
  const s: unknown = scratch.state
  const W = c.codec.words
  const next = new Uint32Array(W)
  const member = chosen.map((ch) => {
    const m = new Uint8Array(c.instances.length)
    for (const id of ch.instances) m[id] = 1
    return m
  })
  const accepts = (j: number, inst: number): boolean => {
    const i = c.instances[inst]!
    try {
      return chosen[j]!.when(s, { action: i.name, params: i.params }) === true
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e)
      throw new CheckerError('EVALUATION', `Model "${c.spec.name}": the when of ${g.fair.labels[chosen[j]!.condition]} threw ${why} on ${i.label} in state ${show(s)}.`)
    }
  }
  for (let v = 0; v < g.states; v++) {
    const chunk = g.store.chunkOf(v)
    const at = g.store.wordsAt(v)
    c.codec.decodeInto(scratch, chunk, at)
    for (let j = 0; j < chosen.length; j++) {
      const k = chosen[j]!.condition
      let enabled = false
      for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) {
        const inst = g.labels[e]!
        if (member[j]![inst] === 1 && accepts(j, inst)) {
          chosenTaken[e * CW + (j >>> 5)]! |= 1 << (j & 31)
          enabled = true
        }
      }
      if (!enabled && c.spec.constraint !== undefined) {
        enabled = chosen[j]!.instances.some((inst) => accepts(j, inst) && changes(c, s, inst, chunk, at, next))
      }
      if (enabled) g.enabled[v * EW + (k >>> 5)]! |= 1 << (k & 31)
    }
  }
  return { ...g, chosenTaken, chosenWidth: CW, bytes: g.bytes + chosenTaken.byteLength }
}

/** Whether instance `inst` takes a step from state `s` (packed at `chunk[at..]`) that changes it. */
function changes(c: CompiledSpec, s: unknown, inst: number, chunk: Uint32Array, at: number, next: Uint32Array): boolean {
  const to = strictStep(structuredClone(s), c.instances[inst]!, c.canonical)
  if (to === null) return false
  c.codec.encode(to, next, 0)
  for (let w = 0; w < next.length; w++) if (next[w] !== chunk[at + w]) return true
  return false
}
