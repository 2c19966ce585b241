/**
 * Whether a run may use partial-order reduction (`por`). It needs the relations of
 * reduce/independence.ts, which the search's expander turns into ample sets (reduce/ampleSets.ts). The reduction keeps safety verdicts (invariants, action properties,
 * reachability goals, deadlocks); a counterexample it finds is a real behaviour, but not always
 * the shortest one. Refused, with the reason, for what it does not preserve or support yet.
 */
import type { CompiledSpec } from '../compile/compile.js'
import { CheckerError } from '../result/errors.js'

export interface PartialOrderOptions {
  /** Partial-order reduction for safety properties (default off). */
  readonly por?: boolean
  readonly symmetry?: boolean
  readonly view?: boolean
  readonly workers?: number
  readonly strict?: boolean
  readonly checkpoint?: unknown
  readonly resumeFrom?: string
}

/** The note every reduced result carries. */
export const POR_NOTE =
  'Partial-order reduction: only some orders of independent steps were explored; ' +
  'a counterexample is a real behaviour, but not necessarily the shortest one.'

/**
 * Thrown by the reduced search at a state s where action property `property` fails on the stutter
 * P(s, s) (reduce/independence.ts): a step that changes none of the cells it reads would break
 * it, and the reduction skips such steps, so the run searches again in full (run/check.ts).
 */
export class StutterStep extends Error {
  constructor(readonly property: string) {
    super(`action property "${property}" fails on a step that changes none of the variables it reads`)
  }
}

/** The warning of a run that searched in full because of such a property (`where`: where it was seen). */
export function stutterWarning(properties: readonly string[], where: string): string {
  const names = properties.map((p) => `"${p}"`).join(', ')
  return (
    `Partial-order reduction was not used: action ${properties.length === 1 ? 'property' : 'properties'} ${names} ` +
    `can fail on a step that changes none of the variables ${properties.length === 1 ? 'it reads' : 'they read'} (${where}), ` +
    'and the reduction skips such steps; the whole state space was searched. A property of the form ' +
    '[A]_v (true when v is unchanged) keeps the reduction.'
  )
}

/**
 * The warning of a run that searched in full because no sampled state with a choice had an ample
 * set (reduce/independence.ts): `choices` such states.
 */
export function noAmpleWarning(choices: number): string {
  const none =
    choices === 0
      ? 'no sampled state has a choice of steps'
      : `none of the ${choices.toLocaleString('en-US')} sampled states with a choice of steps has an ample set (each enabled step ` +
        'changes a cell the checked properties read, or depends on one that does)'
  return `Partial-order reduction was not used: ${none}; the whole state space was searched, without the reduction's cost, and counterexamples are shortest.`
}

/**
 * Whether a run uses partial-order reduction: false without `por`, true with it, a CheckerError
 * for what it cannot go with. The caller then records the relations (`analyseIndependence`, or in
 * a thread of its own, run/sampleThread.ts).
 */
export function usesPartialOrder(c: CompiledSpec, options: PartialOrderOptions): boolean {
  if (options.por !== true) return false
  const clash = (why: string): never => {
    throw new CheckerError('OPTION_CLASH', `Model "${c.spec.name}": partial-order reduction (--por on) ${why}`)
  }
  const temporal = Object.keys(c.props.temporal ?? {})
  if (temporal.length > 0) {
    clash(
      `keeps safety properties only, and temporal properties were selected (${temporal.join(', ')}): the reduced ` +
        'graph can hide the cycles the liveness phase looks for. Check them without --por, or select only safety ' +
        'properties with --property.',
    )
  }
  if (options.symmetry === true) clash('does not combine with symmetry reduction yet: drop --symmetry or --por.')
  if (options.view !== false && c.spec.view !== undefined) clash('does not combine with a view: check with --view off.')
  if ((options.workers ?? 1) > 1) clash('searches with one worker: drop --workers.')
  if (options.strict === true) clash('does not combine with --strict.')
  if (options.checkpoint !== undefined || options.resumeFrom !== undefined) clash('does not combine with checkpoints.')
  return true
}
