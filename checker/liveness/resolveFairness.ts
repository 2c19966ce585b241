/**
 * Which action instances are fair, and how: the `fairness` declared on each action, read per
 * instance as TLA+ reads `\A p : WF_vars(A(p))`, with per-action overrides (the CLI's
 * `--fairness Name=weak|strong|none`).
 */
import type { CompiledSpec } from '../compile/compile.js'
import { CheckerError, validNames } from '../result/errors.js'

/** Fairness of one action as given on the command line or in options; `none` removes it. */
export type FairnessOverride = 'weak' | 'strong' | 'none'

/** No fairness; `WF_vars`; `SF_vars`. */
export const NOT_FAIR = 0
export const WEAK = 1
export const STRONG = 2

/** The fair instances of a spec, densely numbered (fair index k -> instance id). */
export interface FairInstances {
  /** Per fair index: the instance id. */
  readonly instance: Int32Array
  /** Per fair index: WEAK or STRONG. */
  readonly kind: Uint8Array
  /** Per instance id: its fair index, or -1. */
  readonly index: Int32Array
  /** Per action (key order): NOT_FAIR, WEAK or STRONG after overrides. */
  readonly ofAction: Uint8Array
}

const code = (f: FairnessOverride | undefined): number => (f === 'weak' ? WEAK : f === 'strong' ? STRONG : NOT_FAIR)

/** Reads the declared fairness of every instance, applying `override` by action name. */
export function resolveFairness(
  c: CompiledSpec,
  override: Readonly<Record<string, FairnessOverride>> = {},
): FairInstances {
  for (const [name, value] of Object.entries(override)) {
    if (!c.actionNames.includes(name)) {
      throw new CheckerError(
        'UNKNOWN_NAME',
        `Model "${c.spec.name}" has no action ${JSON.stringify(name)} to set fairness on. Its actions: ${validNames(c.actionNames)}.`,
      )
    }
    if (value !== 'weak' && value !== 'strong' && value !== 'none') {
      throw new CheckerError(
        'BAD_PARAM',
        `Fairness of action ${name}: ${JSON.stringify(value)} is not one of "weak", "strong", "none".`,
      )
    }
  }
  const ofAction = new Uint8Array(c.actionNames.length)
  c.actionNames.forEach((name, a) => {
    ofAction[a] = code(override[name] ?? c.spec.actions[name]?.fairness)
  })
  const index = new Int32Array(c.instances.length).fill(-1)
  const fair: number[] = []
  for (const inst of c.instances) {
    if (ofAction[inst.action] !== NOT_FAIR) {
      index[inst.id] = fair.length
      fair.push(inst.id)
    }
  }
  const instance = Int32Array.from(fair)
  const kind = Uint8Array.from(fair, (id) => ofAction[c.instances[id]!.action]!)
  return { instance, kind, index, ofAction }
}
