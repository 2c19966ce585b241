/**
 * Counterexample traces, rebuilt from (parent id, action instance) pairs by re-running each step
 * in strict mode from the initial state. A printed trace is therefore always a real behaviour;
 * if re-running a step does not give the stored state, the model is not deterministic.
 */
import type { TraceStep } from '../report/result.js'
import { CheckerError } from '../report/errors.js'
import type { CompiledSpec } from './compile.js'
import { frozen, strictStep } from './strictStep.js'

/** Ids of the states from an initial state to `id`, inclusive. */
export function pathTo(parent: Int32Array, id: number): number[] {
  const ids: number[] = []
  for (let at = id; at >= 0; at = parent[at]!) ids.push(at)
  return ids.reverse()
}

/**
 * Replays a path given as an initial-state index and action instances, checking each state
 * against `expected` (packed words) when given.
 */
export function replayPath(
  c: CompiledSpec,
  initIndex: number,
  instances: readonly number[],
  expected?: (step: number) => Uint32Array | undefined,
): TraceStep[] {
  let state = frozen(c.init[initIndex])
  const trace: TraceStep[] = [{ action: null, state }]
  const buf = new Uint32Array(c.codec.words)
  instances.forEach((id, k) => {
    const inst = c.instances[id]!
    const next = strictStep(state, inst)
    if (next === null) {
      throw nondeterminism(c, trace, `${inst.label} is no longer enabled`)
    }
    const want = expected?.(k + 1)
    if (want !== undefined) {
      c.codec.encode(next, buf, 0)
      if (buf.some((w, i) => w !== want[i])) {
        throw nondeterminism(c, trace, `${inst.label} now gives a different state`)
      }
    }
    trace.push({ action: { name: inst.name, params: inst.params, label: inst.label }, state: next })
    state = next
  })
  return trace
}

function nondeterminism(c: CompiledSpec, trace: TraceStep[], what: string): CheckerError {
  return new CheckerError(
    'NONDETERMINISM',
    `Model "${c.spec.name}": re-running step ${trace.length} of a recorded behaviour failed: ${what}. ` +
      'Guards and effects must depend only on the state and the action parameters: look for Math.random, ' +
      'Date, Map or Set iteration order, or state captured outside the model.',
  )
}
