/**
 * State-space reduction for one run: symmetry (one state per orbit of the symmetric index types,
 * encode/symmetry.ts) and a view (TLC's VIEW, reduce/ViewTable.ts). The search sees only
 * `canonicalize`, applied to every packed successor and initial state before it is fingerprinted,
 * and `trace`, which rebuilds concrete counterexamples (trace/symmetricTrace.ts).
 *
 * Soundness of symmetry rests on the model, which the types cannot show: guards, effects, the
 * state constraint and every property must treat the members of a symmetric type alike. The
 * reduction therefore audits samples of the states it sees (the first 64, then one in 256): it
 * renames the members of the state by a pseudo-random permutation and checks that every
 * invariant, reachability goal and the constraint give the same answer on both, that the renamed
 * successors are the successors of the renamed state, and that every action property gives the
 * same answer on the renamed step. A difference is a CheckerError ('MODEL_DEFINITION') naming
 * what is not symmetric, with both states.
 *
 * Liveness is refused under symmetry and under a view: the liveness phase looks for fair cycles
 * in the graph of stored states, and a cycle between representatives (or views) need not be a
 * cycle of the model. Checking temporal properties over orbits needs a product with the
 * permutation taken at each step (as in Emerson and Sistla's symmetry for CTL*), which mrcheck does
 * not implement; TLC warns that symmetry with liveness may miss violations (tlaplus#59, #644).
 */
import { show } from '../encode/TypeViolation.js'
import { compileSymmetry, perms, type Permutation, type Symmetry, type SymmetryOptions } from '../encode/symmetry.js'
import { CheckerError } from '../result/errors.js'
import type { CheckResult, ReductionInfo, TraceStep, Violation } from '../result/result.js'
import type { CompiledSpec } from '../compile/compile.js'
import { InstanceRenamer, symmetricTrace, type StoredPaths } from '../trace/symmetricTrace.js'
import { ViewTable } from './ViewTable.js'
import type { Independence } from './independence.js'

/** What a run asks for. */
export interface ReductionOptions {
  /** Reduce by the symmetric index types of the state (`t.index(n, { symmetric: true })`). */
  readonly symmetry?: boolean
  /** Apply the spec's `view` (default true when the spec has one). */
  readonly view?: boolean
  /** How representatives are found (tests compare the strategies). */
  readonly symmetryStrategy?: SymmetryOptions['strategy']
  /** Worker threads of the search: a view needs one (see `reductionFor`). */
  readonly workers?: number
}

export interface Reduction {
  /** Rewrites the packed state at `words[at..]` to the state the search stores for it. */
  readonly canonicalize: (words: Uint32Array, at: number) => void
  /** With symmetry: the concrete trace to stored state `id` (plus a step by `instance` if >= 0). */
  readonly trace?: (c: CompiledSpec, paths: StoredPaths, id: number, instance: number) => TraceStep[]
  readonly symmetry: Symmetry | undefined
  /** A symmetry audit that failed (thrown inside the search, rethrown by `finish`). */
  readonly failure: CheckerError | undefined
  /** Adds the reduction to a result, or throws the failed audit. */
  finish(r: CheckResult): CheckResult
  /**
   * On resuming a checkpoint, with the packed states it holds (chunks of whole states, in id order;
   * undefined when it holds fingerprints): takes again what the reduction keeps beside the visited
   * set, which the checkpoint does not hold.
   */
  readonly resumed?: (states: Iterable<Uint32Array> | undefined) => void
}

/** A compiled spec with the run's reduction, as `check` hands it to the search. */
export interface ReducedSpec extends CompiledSpec {
  readonly reduction?: Reduction
  /** Under partial-order reduction: what it knows of the instances (reduce/independence.ts). */
  readonly independence?: Independence
}

const AUDIT_FIRST = 64
const AUDIT_EVERY = 256

/**
 * The reduction for a compiled spec, or undefined when there is none to apply. Throws a
 * CheckerError when symmetry or a view is combined with temporal properties.
 */
export function reductionFor(c: CompiledSpec, options: ReductionOptions): Reduction | undefined {
  const viewFn = options.view === false ? undefined : c.spec.view
  const temporal = Object.keys(c.props.temporal ?? {})
  const warnings: string[] = []
  let sym: Symmetry | undefined
  if (options.symmetry === true) {
    try {
      sym = compileSymmetry(c.spec.vars, c.codec, options.symmetryStrategy === undefined ? {} : { strategy: options.symmetryStrategy })
    } catch (e) {
      throw new CheckerError('MODEL_DEFINITION', `Model "${c.spec.name}": symmetry: ${(e as Error).message}.`)
    }
    if (sym === undefined) {
      warnings.push(
        `Symmetry was asked for, but model "${c.spec.name}" declares no symmetric index type with two members or more ` +
          '(t.index(n, { symmetric: true })); every state was explored.',
      )
    } else if (temporal.length > 0) {
      throw new CheckerError(
        'OPTION_CLASH',
        `Model "${c.spec.name}": symmetry reduction cannot check temporal properties (${temporal.join(', ')}). ` +
          'The liveness phase looks for fair cycles among stored states, and a cycle between orbit representatives ' +
          'need not be a cycle of the model; checking liveness over orbits needs the permutation-tracking product, ' +
          'which is not implemented. Check them without --symmetry, or select only safety properties with --property.',
      )
    }
  }
  if (viewFn !== undefined && temporal.length > 0) {
    throw new CheckerError(
      'OPTION_CLASH',
      `Model "${c.spec.name}": its view cannot be used to check temporal properties (${temporal.join(', ')}): ` +
        'states with equal views are merged, so a cycle of views need not be a cycle of the model. ' +
        'Check them with the view off (--view off), or select only safety properties with --property.',
    )
  }
  if (viewFn !== undefined && (options.workers ?? 1) > 1) {
    throw new CheckerError(
      'OPTION_CLASH',
      `Model "${c.spec.name}": its view needs a search with one worker: which state of a view is explored is the ` +
        'first one found, and with several workers that depends on timing. Drop --workers, or check with --view off.',
    )
  }
  if (sym === undefined && viewFn === undefined) {
    if (warnings.length === 0) return undefined
    return {
      canonicalize: () => {},
      symmetry: undefined,
      failure: undefined,
      finish: (r) => ({ ...r, warnings: [...r.warnings, ...warnings] }),
    }
  }

  const { codec } = c
  const W = codec.words
  const views = viewFn === undefined ? undefined : new ViewTable(W, viewFn, c.spec.name)
  const constraint = c.spec.constraint
  const audit = sym === undefined ? undefined : new SymmetryAudit(c, sym)
  const concrete = new Uint32Array(W)
  let calls = 0
  const state: { failure: CheckerError | undefined } = { failure: undefined }

  const canonicalize = (words: Uint32Array, at: number): void => {
    if (sym !== undefined) {
      const n = calls++
      if (audit !== undefined && (n < AUDIT_FIRST || n % AUDIT_EVERY === 0)) {
        for (let i = 0; i < W; i++) concrete[i] = words[at + i]!
        try {
          audit.check(concrete)
        } catch (e) {
          if (e instanceof CheckerError) state.failure ??= e
          throw e
        }
      }
      sym.canonicalize(words, at)
    }
    if (views !== undefined) {
      // A state outside the constraint is never stored, so it must not claim its view.
      const s = codec.decode(words, at)
      if (constraint === undefined || constraint(s)) views.substitute(s, words, at)
    }
  }

  // A view keeps the first state found with each view, and those are exactly the states stored (any
  // later one with the same view was replaced by it, a duplicate), so a resumed search takes the
  // table again from the stored states; without it, states of views seen before the checkpoint
  // would count as new.
  const resumed = (states: Iterable<Uint32Array> | undefined): void => {
    if (views === undefined) return
    if (states === undefined) {
      throw new CheckerError(
        'BAD_INPUT',
        `Model "${c.spec.name}": this checkpoint holds fingerprints, not states, so the first state of each view, ` +
          'which the view needs, cannot be taken again from it. Start the check again with --store exact ' +
          '(and memory enough to keep it exact), or with --view off.',
      )
    }
    const copy = new Uint32Array(W)
    for (const chunk of states) {
      for (let at = 0; at < chunk.length; at += W) {
        for (let i = 0; i < W; i++) copy[i] = chunk[at + i]!
        const s = codec.decode(copy, 0)
        if (constraint === undefined || constraint(s)) views.substitute(s, copy, 0)
      }
    }
  }

  const renamer = sym === undefined ? undefined : new InstanceRenamer(c, sym)
  const info = (): ReductionInfo => ({
    symmetry: sym === undefined ? [] : sym.types.map((t) => ({ name: t.name, size: t.size })),
    ...(sym === undefined ? {} : { strategy: sym.strategy, inexact: sym.inexact }),
    view: views !== undefined,
  })
  return {
    canonicalize,
    ...(sym !== undefined && renamer !== undefined
      ? { trace: (cc: CompiledSpec, paths: StoredPaths, id: number, instance: number) => symmetricTrace(cc, sym, renamer, paths, id, instance) }
      : {}),
    symmetry: sym,
    resumed,
    get failure() {
      return state.failure
    },
    finish(r: CheckResult): CheckResult {
      if (state.failure !== undefined) throw state.failure
      if (sym !== undefined) for (const v of r.violations) confirm(c, sym, v)
      const w = [...r.warnings, ...warnings]
      if (views !== undefined) {
        w.push(
          `A view is in force: states with equal views were counted as one state (${views.count.toLocaleString('en-US')} views) ` +
            'and only the first one found was explored. This is sound only if states with equal views have the same ' +
            'futures for every property; otherwise violations may be missed (the caveat of TLC\'s VIEW).',
        )
      }
      if (sym !== undefined && sym.inexact > 0) {
        w.push(
          `Symmetry: ${sym.inexact.toLocaleString('en-US')} states had too many interchangeable-looking members to find ` +
            'their canonical representative and got a sound but not canonical one, so some orbits may count more than once.',
        )
      }
      return { ...r, warnings: w, reduction: info() }
    },
  }
}

/**
 * A violation found on a representative must show on the concrete trace rebuilt for it, which
 * ends in another state of the same orbit. If the property holds there, it is not symmetric: the
 * reported violation may be spurious (and others may have been missed).
 */
function confirm(c: CompiledSpec, sym: Symmetry, v: Violation): void {
  const last = v.trace.at(-1)
  if (last === undefined) return
  const names = sym.types.map((t) => t.name).join(', ')
  if (v.kind === 'deadlock') {
    const enabled = c.instances.find((i) => i.def.guard === undefined || i.def.guard(last.state as any, i.params))
    if (enabled !== undefined) {
      throw new CheckerError(
        'MODEL_DEFINITION',
        `Model "${c.spec.name}": the transition relation is not symmetric in ${names}: a state the search reached has no ` +
          `successor, but the concrete state of the same orbit that the rebuilt trace ends in enables ${enabled.label} ` +
          `(${show(last.state)}). Fix the model, or check without --symmetry.`,
      )
    }
    return
  }
  if (v.kind !== 'invariant' && v.kind !== 'action') return
  let holds = false
  let where = ''
  if (v.kind === 'invariant') {
    const f = c.invariants.find(([n]) => n === v.property)?.[1]
    holds = f !== undefined && f(last.state) === true
    where = 'in a state the search reached but not in the concrete state of the same orbit that the rebuilt trace ends in'
  } else {
    const f = c.actionProperties.find(([n]) => n === v.property)?.[1]
    const before = v.trace.at(-2)
    const inst = c.instances.find((i) => i.label === last.action?.label)
    holds = f !== undefined && before !== undefined && inst !== undefined && f(before.state, last.state, c.steps[inst.id]) === true
    where = 'on a step the search took but not on the renamed step that the rebuilt trace ends with'
  }
  if (holds) {
    throw new CheckerError(
      'MODEL_DEFINITION',
      `Model "${c.spec.name}": ${v.kind === 'invariant' ? 'Invariant' : 'Action property'} ${v.property} is not symmetric ` +
        `in ${names}: it fails ${where} (${show(last.state)}). Symmetry reduction explores one state per orbit, so ` +
        'every property must give the same answer for every renaming of the members. Fix it, or check without --symmetry.',
    )
  }
}

/** Sampled checks that the model and its properties treat the members of symmetric types alike. */
class SymmetryAudit {
  private readonly g: Permutation
  private readonly renamed: Uint32Array
  private readonly buf: Uint32Array
  private readonly moved: Uint32Array
  private readonly renamer: InstanceRenamer
  private seed = 0x2545f491

  constructor(
    private readonly c: CompiledSpec,
    private readonly sym: Symmetry,
  ) {
    this.g = sym.identity()
    this.renamed = new Uint32Array(c.codec.words)
    this.buf = new Uint32Array(c.codec.words)
    this.moved = new Uint32Array(c.codec.words)
    this.renamer = new InstanceRenamer(c, sym)
  }

  /** A pseudo-random group element (fixed seed: runs are reproducible). */
  private shuffle(): void {
    for (const t of this.sym.types) {
      for (let i = 0; i < t.size; i++) this.g[t.offset + i] = t.offset + i
      for (let i = t.size - 1; i > 0; i--) {
        this.seed = (Math.imul(this.seed, 1664525) + 1013904223) >>> 0
        const j = this.seed % (i + 1)
        const x = this.g[t.offset + i]!
        this.g[t.offset + i] = this.g[t.offset + j]!
        this.g[t.offset + j] = x
      }
    }
  }

  private renaming(): string {
    return this.sym.types
      .map((t) => {
        const moves: string[] = []
        for (let i = 0; i < t.size; i++) {
          const to = this.g[t.offset + i]! - t.offset
          if (to !== i) moves.push(`${i}→${to}`)
        }
        return moves.length === 0 ? '' : `${t.name} ${moves.join(', ')}`
      })
      .filter((x) => x !== '')
      .join('; ')
  }

  private fail(what: string, a: unknown, b: unknown, detail: string): never {
    const names = this.sym.types.map((t) => t.name).join(', ')
    throw new CheckerError(
      'MODEL_DEFINITION',
      `Model "${this.c.spec.name}": ${what} is not symmetric in ${names}: ${detail}\n` +
        `  state:         ${show(a)}\n  renamed state: ${show(b)}  (members renamed: ${this.renaming()})\n` +
        'Symmetry reduction explores one state per orbit, so guards, effects, the constraint and every property must ' +
        'treat the members alike: look for arithmetic on members ((p + 1) % N), a member named in a constant or a ' +
        'closure, or a member stored in a field that is not typed by the symmetric index type. Fix it, or check ' +
        'without --symmetry.',
    )
  }

  /** Audits the state at `words[0..]`. */
  check(words: Uint32Array): void {
    const { c, sym } = this
    const { codec } = c
    this.shuffle()
    if (perms.isIdentity(this.g, sym.types)) return
    sym.permute(words, 0, this.g, this.renamed, 0)
    if (this.renamed.every((w, i) => w === words[i])) return
    const a = codec.decode(words, 0)
    const b = codec.decode(this.renamed, 0)
    const outcome = (f: (s: any) => boolean, s: unknown): string => {
      try {
        return f(s) ? 'true' : 'false'
      } catch (e) {
        return `a throw (${e instanceof Error ? e.message : String(e)})`
      }
    }
    const predicates: [string, (s: any) => boolean][] = [
      ...c.invariants.map(([n, f]): [string, (s: any) => boolean] => [`Invariant ${n}`, f]),
      ...c.reachable.map(([n, f]): [string, (s: any) => boolean] => [`Reachability goal ${n}`, f]),
      ...(c.spec.constraint === undefined ? [] : [['The state constraint', c.spec.constraint] as [string, (s: any) => boolean]]),
    ]
    for (const [what, f] of predicates) {
      const x = outcome(f, a)
      const y = outcome(f, b)
      if (x !== y) this.fail(what, a, b, `it is ${x} in the state and ${y} in the renamed state.`)
    }
    this.transitions(a, b)
  }

  /** Successors of the renamed state = renamed successors; action properties agree on renamed steps. */
  private transitions(a: unknown, b: unknown): void {
    const { c, sym } = this
    const { codec } = c
    const step = (s: any, id: number): unknown | null => {
      const inst = c.instances[id]!
      if (inst.def.guard !== undefined && !inst.def.guard(s, inst.params)) return null
      const n = codec.decode(this.encodeOf(s), 0)
      inst.def.effect(n, inst.params)
      return c.canonical(n)
    }
    const key = (w: Uint32Array) => Array.from(w).join(',')
    const fromA: string[] = []
    const fromB: string[] = []
    try {
      for (const inst of c.instances) {
        const n = step(a, inst.id)
        if (n === null) continue
        codec.encode(n, this.buf, 0)
        sym.permute(this.buf, 0, this.g, this.moved, 0)
        fromA.push(key(this.moved))
        // The renamed step: the same action property answer on (renamed state, renamed successor).
        const j = this.renamer.rename(inst.id, this.g)
        if (this.renamer.typed(inst.id) && c.actionProperties.length > 0) {
          const m = step(b, j)
          if (m !== null) {
            for (const [name, prop] of c.actionProperties) {
              const x = prop(a, n, c.steps[inst.id])
              const y = prop(b, m, c.steps[j])
              if (x !== y) {
                this.fail(
                  `Action property ${name}`,
                  a,
                  b,
                  `it is ${x} on the step ${inst.label} and ${y} on the renamed step ${c.instances[j]!.label}.`,
                )
              }
            }
          }
        }
      }
      for (const inst of c.instances) {
        const m = step(b, inst.id)
        if (m === null) continue
        codec.encode(m, this.buf, 0)
        fromB.push(key(this.buf))
      }
    } catch (e) {
      if (e instanceof CheckerError) throw e
      // The model's own failure: the search reports it where it happens.
      return
    }
    fromA.sort()
    fromB.sort()
    const missing = fromA.find((x, i) => x !== fromB[i])
    if (fromA.length !== fromB.length || missing !== undefined) {
      const onlyA = fromA.filter((x) => !fromB.includes(x))
      const onlyB = fromB.filter((x) => !fromA.includes(x))
      const decode = (k: string) => codec.decode(Uint32Array.from(k.split(',').map(Number)), 0)
      const detail =
        onlyA.length > 0
          ? `renaming a successor of the state gives ${show(decode(onlyA[0]!))}, which is not a successor of the renamed state.`
          : onlyB.length > 0
            ? `the renamed state has the successor ${show(decode(onlyB[0]!))}, which is no renamed successor of the state.`
            : `the state has ${fromA.length} successors and the renamed state ${fromB.length}.`
      this.fail('The transition relation (guards and effects)', a, b, detail)
    }
  }

  private encodeOf(s: unknown): Uint32Array {
    const w = new Uint32Array(this.c.codec.words)
    this.c.codec.encode(s, w, 0)
    return w
  }
}
