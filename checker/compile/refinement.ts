/**
 * Refinement checking: `Spec => Abstract!Spec` under a refinement mapping, as ordinary properties
 * of the concrete model, so that every search, the matrix and the reports check them as they
 * check any other. A refinement named R becomes
 * - an invariant R, false in an initial state whose image is no initial state of the abstract model;
 * - an action property R, false on a step whose image is neither a stutter (the same abstract
 *   state) nor a step some abstract action instance takes;
 * - with `temporal`, the abstract model's temporal properties T as `R.T`, over the images of the
 *   concrete states (their predicates read `map(s)`), under the concrete model's fairness;
 * - `explain[R]`: the images of a violating trace, and the abstract step that is not allowed.
 *
 * An image outside the abstract model's types breaks R where it first appears. The abstract
 * successors of an image are computed once per distinct image (by running every abstract
 * instance on it) and kept, by the image's packed words, for the rest of the run.
 */
import type { AnyModel, Refinement, Spec } from '../model/model.js'
import type { PropertySet } from '../model/properties.js'
import type { Temporal } from '../model/temporal.js'
import { compileCodec, type Codec } from '../encode/codec.js'
import { show, TypeViolation } from '../encode/TypeViolation.js'
import { CheckerError, validNames } from '../result/errors.js'
import { compileSpec, type CompiledSpec } from './compile.js'
import { initialStates } from './initialStates.js'

type Built = { readonly spec: Spec; readonly props: PropertySet<any, any> }

/**
 * The properties that check the refinements `refines` of concrete spec `spec`, merged into
 * `props`. `build` builds an abstract model at its parameters (compile/instantiate.ts).
 */
export function withRefinements(
  spec: Spec,
  props: PropertySet<any, any>,
  refines: Readonly<Record<string, Refinement<any>>>,
  build: (model: AnyModel, params: Readonly<Record<string, unknown>>) => Built,
): PropertySet<any, any> {
  let out = props
  for (const [name, r] of Object.entries(refines)) {
    const where = `Model "${spec.name}", refinement ${name}`
    if (r === null || typeof r !== 'object' || typeof r.map !== 'function' || typeof r.model?.build !== 'function') {
      throw new CheckerError('MODEL_DEFINITION', `${where}: give it { model, params, map } with a model made by defineModel and a map function.`)
    }
    const taken = [
      ...Object.keys(out.invariants ?? {}),
      ...Object.keys(out.actionProperties ?? {}),
      ...Object.keys(out.reachable ?? {}),
      ...Object.keys(out.temporal ?? {}),
    ]
    if (taken.includes(name)) throw new CheckerError('MODEL_DEFINITION', `${where}: the model already has a property of that name.`)
    const abstract = build(r.model, r.params ?? {})
    const check = new RefinementCheck(spec, abstract, r.map, where)
    const temporal = abstractTemporal(abstract, r, where)
    out = {
      ...out,
      invariants: { ...out.invariants, [name]: check.initialHolds },
      actionProperties: { ...out.actionProperties, [name]: (s, n) => check.stepHolds(s, n) },
      temporal: {
        ...out.temporal,
        ...Object.fromEntries(temporal.map(([t, f]) => [`${name}.${t}`, mapTemporal(f, r.map)])),
      },
      docs: {
        ...out.docs,
        [name]: `Refines ${abstract.spec.name}: every initial state and every step maps to one of its own, or to a stutter.`,
        ...Object.fromEntries(
          temporal.map(([t]) => [`${name}.${t}`, `${abstract.spec.name}'s ${t}, over the mapped behaviours.${doc(abstract, t)}`]),
        ),
      },
      explain: { ...out.explain, [name]: (states) => check.explain(states) },
      refinements: [...(out.refinements ?? []), name],
    }
  }
  return out
}

const doc = (abstract: Built, t: string) => {
  const d = abstract.props.docs?.[t]
  return d === undefined ? '' : ` ${d}`
}

function abstractTemporal(abstract: Built, r: Refinement<any>, where: string): [string, Temporal<any>][] {
  const all = Object.entries(abstract.props.temporal ?? {}) as [string, Temporal<any>][]
  if (r.temporal === undefined || r.temporal === false) return []
  if (r.temporal === true) return all
  const names = all.map(([n]) => n)
  const unknown = r.temporal.filter((n) => !names.includes(n))
  if (unknown.length > 0) {
    throw new CheckerError(
      'UNKNOWN_NAME',
      `${where}: ${abstract.spec.name} has no temporal property ${validNames(unknown)}. Its temporal properties: ${validNames(names)}.`,
    )
  }
  return all.filter(([n]) => r.temporal !== true && (r.temporal as readonly string[]).includes(n))
}

/** A temporal formula over abstract states as one over concrete states: each predicate reads `map(s)`. */
function mapTemporal(f: Temporal<any>, map: (s: any) => unknown): Temporal<any> {
  const via = (p: (s: any) => boolean) => (s: any) => p(map(s))
  switch (f.kind) {
    case 'leadsTo':
      return { ...f, p: via(f.p), q: via(f.q) }
    case 'leadsToTemporal':
      return { ...f, p: f.p.map(via), q: via(f.q) }
    case 'all':
      return { ...f, parts: f.parts.map((part) => mapTemporal(part, map)) }
    default:
      return { ...f, p: via(f.p) }
  }
}

/** The abstract side of one refinement: its initial states and steps, by packed words. */
class RefinementCheck {
  private readonly abstract: CompiledSpec
  private readonly concrete: Codec
  private readonly initials = new Set<Key>()
  /** The concrete initial states (keys) whose image is no initial state of the abstract model. */
  private readonly badInitials = new Set<string>()
  /** Abstract successors (keys) per abstract state (key), computed when first asked for. */
  private readonly successors = new Map<Key, Set<Key>>()
  private readonly words: Uint32Array
  private readonly concreteWords: Uint32Array

  constructor(
    spec: Spec,
    abstract: Built,
    private readonly map: (s: any) => unknown,
    private readonly where: string,
  ) {
    this.abstract = compileSpec(abstract.spec, {})
    this.concrete = compileCodec(spec.vars)
    this.words = new Uint32Array(this.abstract.codec.words)
    this.concreteWords = new Uint32Array(this.concrete.words)
    for (const s of this.abstract.init) this.initials.add(this.keyOf(s)!)
    // The initial states are known before the search: the invariant only has to recognise the
    // ones whose image is wrong, and costs nothing per state when there are none.
    for (const s of initialStates(spec, this.concrete, (x) => x).states) {
      const image = this.keyOf(this.map(s))
      if (image !== undefined && this.initials.has(image)) continue
      this.concrete.encode(s, this.concreteWords, 0)
      this.badInitials.add(key(this.concreteWords))
    }
    this.initialHolds = this.badInitials.size === 0 ? () => true : (s) => !this.isBadInitial(s)
  }

  /** Whether `s`, if it is an initial state, maps to an initial abstract state. */
  readonly initialHolds: (s: unknown) => boolean

  private isBadInitial(s: unknown): boolean {
    this.concrete.encode(s, this.concreteWords, 0)
    return this.badInitials.has(key(this.concreteWords))
  }

  /** Whether the step s -> n maps to a stutter or to an abstract step. */
  stepHolds(s: unknown, n: unknown): boolean {
    const from = this.keyOf(this.map(s))
    const to = this.keyOf(this.map(n))
    if (from === undefined || to === undefined) return false
    return from === to || this.successorsOf(from).has(to)
  }

  /** The images of a violating trace, and where the first one fails. */
  explain(states: readonly unknown[]): string {
    const name = this.abstract.spec.name
    const images = states.map((s) => this.imageOf(s))
    const lines = images.map((img, i) => `  State ${i + 1} maps to ${typeof img === 'string' ? img : JSON.stringify(img.state)}`)
    let why = ''
    const bad = images.findIndex((img) => typeof img === 'string')
    if (bad >= 0) why = `State ${bad + 1} maps to no state of ${name}: ${images[bad] as string}.`
    else if (states.length > 0 && this.isBadInitial(states[0])) why = `State 1 maps to no initial state of ${name}.`
    else {
      for (let i = 1; i < states.length && why === ''; i++) {
        if (this.stepHolds(states[i - 1], states[i])) continue
        const from = (images[i - 1] as { state: unknown }).state
        const [before, after] = changed(from, (images[i] as { state: unknown }).state)
        const allowed = this.abstract.instances.filter((inst) => this.safely(() => inst.def.guard?.(from as never, inst.params) ?? true))
        why =
          `The step from state ${i} to state ${i + 1} maps to ${before} -> ${after} (the variables it changes), ` +
          `which is no step of ${name} and no stutter (its actions enabled there: ${allowed.length === 0 ? 'none' : allowed.map((x) => x.label).join(', ')}).`
      }
    }
    return `${why}\nThe trace mapped to ${name}:\n${lines.join('\n')}`
  }

  private imageOf(s: unknown): { state: unknown } | string {
    let image: unknown
    try {
      image = this.map(s)
      this.abstract.codec.encode(image, this.words, 0)
    } catch (e) {
      return e instanceof Error ? e.message : String(e)
    }
    return { state: this.abstract.canonical(image) }
  }

  /** The key of abstract state `a`, or undefined when it is outside the abstract model's types. */
  private keyOf(a: unknown): Key | undefined {
    try {
      this.abstract.codec.encode(a, this.words, 0)
    } catch (e) {
      if (e instanceof TypeViolation) return undefined
      throw e
    }
    return abstractKey(this.words)
  }

  private successorsOf(from: Key): Set<Key> {
    let next = this.successors.get(from)
    if (next !== undefined) return next
    next = new Set()
    const codec = this.abstract.codec
    const words = wordsOf(from, codec.words)
    for (const inst of this.abstract.instances) {
      const state = codec.decode(words, 0)
      const enabled = inst.def.guard === undefined || inst.def.guard(state, inst.params)
      if (!enabled) continue
      inst.def.effect(state, inst.params)
      try {
        codec.encode(state, this.words, 0)
      } catch (e) {
        if (!(e instanceof TypeViolation)) throw e
        throw new CheckerError('EVALUATION', `${this.where}: the abstract action ${inst.label} leaves its types from ${show(codec.decode(words, 0))}: ${e.message}`)
      }
      next.add(abstractKey(this.words))
    }
    this.successors.set(from, next)
    return next
  }

  private safely(f: () => boolean): boolean {
    try {
      return f()
    } catch {
      return false
    }
  }
}

/** The top-level fields on which abstract states `a` and `b` differ, as two JSON objects. */
function changed(a: unknown, b: unknown): [string, string] {
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  const keys = Object.keys(x).filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]))
  const pick = (o: Record<string, unknown>) => JSON.stringify(Object.fromEntries(keys.map((k) => [k, o[k]])))
  return [pick(x), pick(y)]
}

/**
 * An abstract state's key: its packed word when it has one at most (most abstract models are
 * small, and a number is the cheapest key to make and to look up), else a string.
 */
type Key = number | string
const abstractKey = (words: Uint32Array): Key => (words.length === 0 ? 0 : words.length === 1 ? words[0]! : key(words))

/** Packed words as a string key (two characters a word). */
function key(words: Uint32Array): string {
  let out = ''
  for (let i = 0; i < words.length; i++) out += String.fromCharCode(words[i]! & 0xffff, words[i]! >>> 16)
  return out
}

function wordsOf(k: Key, n: number): Uint32Array {
  const out = new Uint32Array(n)
  if (typeof k === 'number') {
    if (n === 1) out[0] = k
    return out
  }
  for (let i = 0; i < out.length; i++) out[i] = (k.charCodeAt(2 * i) | (k.charCodeAt(2 * i + 1) << 16)) >>> 0
  return out
}
