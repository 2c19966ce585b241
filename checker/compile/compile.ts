/**
 * A spec prepared for checking: its codec, its action-instance table, its initial states packed,
 * and its properties resolved by name. Built once per run; everything after this is data.
 */
import { freeze } from 'immer'
import type { Spec } from '../model/model.js'
import type { PropertySet } from '../model/properties.js'
import { compileCodec, type Codec } from '../encode/codec.js'
import { CheckerError, validNames } from '../result/errors.js'
import { enumerateInstances, type Instance } from './instances.js'
import { initialStates, isInitPredicate } from './initialStates.js'

export interface CompiledSpec {
  readonly spec: Spec
  readonly codec: Codec
  readonly instances: readonly Instance[]
  /** Step objects (`{ action, params }`) per instance, handed to action properties. */
  readonly steps: readonly { readonly action: string; readonly params: Readonly<Record<string, unknown>> }[]
  readonly actionNames: readonly string[]
  /** The initial states, as the store keeps them (see `canonical`), in the order found (a repeated one twice). */
  readonly init: readonly unknown[]
  /** How many of them are distinct (stats.initial). */
  readonly initialDistinct: number
  /**
   * A state as the store keeps it, so that what a property sees does not depend on how a state was
   * built: its set fields distinct and in domain order (frozen), or the state itself when the spec
   * has no set field. A state outside its type throws TypeViolation where the spec has set fields.
   */
  readonly canonical: (s: unknown) => unknown
  readonly invariants: readonly (readonly [string, (s: any) => boolean])[]
  readonly actionProperties: readonly (readonly [string, (s: any, n: any, step: any) => boolean])[]
  readonly reachable: readonly (readonly [string, (s: any) => boolean])[]
  /** PropertySet.mechanisms: violations that do not stop the search. */
  readonly mechanisms: ReadonlySet<string>
  readonly props: PropertySet<any, any>
}

/** Which properties to check; by default all of them. */
export interface PropertySelection {
  /** Names of invariants, action properties, reachability goals or temporal properties. */
  readonly only?: readonly string[]
}

export function compileSpec(spec: Spec, props: PropertySet<any, any>, select: PropertySelection = {}): CompiledSpec {
  if (spec === null || typeof spec !== 'object' || typeof spec.vars !== 'object' || typeof spec.actions !== 'object') {
    throw new CheckerError('MODEL_DEFINITION', 'Not a spec: build one with vars(...).spec({ name, init, actions }).')
  }
  let codec: Codec
  try {
    codec = compileCodec(spec.vars)
  } catch (e) {
    throw new CheckerError('MODEL_DEFINITION', `Model "${spec.name}": bad state type: ${(e as Error).message}`)
  }
  const instances = enumerateInstances(spec)
  const canonical = canonicalOf(codec)
  const { states: init, distinct: initialDistinct } = initialStates(spec, codec, canonical)
  if (init.length === 0) {
    throw new CheckerError(
      'MODEL_DEFINITION',
      `Model "${spec.name}" has no initial state: ${isInitPredicate(spec.init) ? 'no state satisfies its init predicate' : 'its init list is empty'}.`,
    )
  }
  if (spec.constraint !== undefined && init.every((s) => outside(spec.constraint!, s))) {
    throw new CheckerError(
      'MODEL_DEFINITION',
      `Model "${spec.name}" has no initial state inside its state constraint (${init.length === 1 ? 'its one initial state is' : `all ${init.length} are`} ` +
        'outside it), so there is nothing to explore.',
    )
  }
  const all = [
    ...Object.keys(props.invariants ?? {}),
    ...Object.keys(props.actionProperties ?? {}),
    ...Object.keys(props.reachable ?? {}),
    ...Object.keys(props.temporal ?? {}),
  ]
  const unknown = (select.only ?? []).filter((n) => !all.includes(n))
  if (unknown.length > 0) {
    throw new CheckerError(
      'UNKNOWN_NAME',
      `Model "${spec.name}" has no property ${validNames(unknown)}. Its properties: ${validNames(all)}.`,
    )
  }
  const safety = all.filter((n) => !Object.hasOwn(props.temporal ?? {}, n))
  const notSafety = (props.mechanisms ?? []).filter((n) => !safety.includes(n))
  if (notSafety.length > 0) {
    throw new CheckerError(
      'MODEL_DEFINITION',
      `Model "${spec.name}": its mechanisms name ${validNames(notSafety)}, which is not one of its invariants, ` +
        `action properties or reachability goals. Those are: ${validNames(safety)}.`,
    )
  }
  const pick = <F>(rec: Readonly<Record<string, F>> | undefined) =>
    Object.entries(rec ?? {}).filter(([n]) => select.only === undefined || select.only.includes(n))
  return {
    spec,
    codec,
    instances,
    steps: instances.map((i) => Object.freeze({ action: i.name, params: i.params })),
    actionNames: Object.keys(spec.actions),
    init,
    initialDistinct,
    canonical,
    invariants: pick(props.invariants),
    actionProperties: pick(props.actionProperties),
    reachable: pick(props.reachable),
    mechanisms: new Set(props.mechanisms),
    props: {
      ...props,
      temporal: Object.fromEntries(pick(props.temporal)),
    },
  }
}

/** CompiledSpec.canonical for a codec. */
function canonicalOf(codec: Codec): (s: unknown) => unknown {
  if (codec.setLeaves.length === 0 && codec.mapPaths.length === 0) return (s) => s
  const buf = new Uint32Array(codec.words)
  return (s) => {
    codec.encode(s, buf, 0)
    return freeze(codec.decode(buf, 0), true)
  }
}

/** Whether state `s` is outside the constraint; a constraint that throws is left for the search to report. */
function outside(constraint: (s: never) => boolean, s: unknown): boolean {
  try {
    return !constraint(s as never)
  } catch {
    return false
  }
}
