/**
 * Concrete counterexamples under symmetry reduction.
 *
 * Why a plain replay does not work: with symmetry the search stores one representative per orbit
 * and expands the representative, so a recorded step (parent id, action instance) says "this
 * instance, run on the parent's representative, gives a state whose representative is the child".
 * Run from the model's real initial state, which need not be a representative, the same instance
 * numbers describe a different behaviour.
 *
 * How it is rebuilt: alongside the concrete behaviour C_0, C_1, ... the representatives R_0,
 * R_1, ... are replayed too, with a group element π_k such that C_k = π_k · R_k.
 * - R_0 is the representative of the initial state C_0 (σ_0 · C_0 = R_0), so π_0 = σ_0⁻¹.
 * - Step k: the recorded instance i on R_k gives S = step(R_k, i), and R_(k+1) = σ · S. The same
 *   step renamed, instance π_k(i) (its member-typed parameters renamed), on C_k gives
 *   π_k · S, because the model is symmetric; so C_(k+1) = π_k · S and π_(k+1) = π_k ∘ σ⁻¹.
 * - If the renamed instance does not give π_k · S (a parameter whose domain is a list, which is
 *   not renamed), every enabled instance is tried, as TLC does, and the first
 *   whose successor has representative R_(k+1) is taken.
 * Each R_k is checked against the stored state (or its fingerprint), so a mismatch is reported
 * as nondeterminism or asymmetry rather than printed as a wrong trace. Every printed state is a
 * real state of the unreduced model and every step a real step.
 */
import type { TraceStep } from '../result/result.js'
import { CheckerError } from '../result/errors.js'
import { fingerprint } from '../encode/fingerprint.js'
import { perms, type Permutation, type Symmetry } from '../encode/symmetry.js'
import type { CompiledSpec } from '../compile/compile.js'
import { frozen, strictStep } from '../compile/strictStep.js'
import { countValues, type AnyType, type IndexType } from '../model/types.js'
import { rankRenamer, type RankRenamer } from '../encode/renameMembers.js'
import { recordedPath, type PathSource } from './trace.js'

/** What a rebuilt trace needs from the visited set. */
export type StoredPaths = PathSource

/**
 * Renames action instances: `perm · id` is the instance of the same action whose parameters are
 * renamed, members of symmetric types inside records, tuples, options and sets included. The
 * instances of an action are numbered by their parameters' positions in their domains (first
 * parameter slowest, compile/instances.ts), and a typed parameter's position is the rank of its
 * value, so renaming is arithmetic on ranks (encode/renameMembers.ts). A parameter whose domain is
 * a list is kept as it is.
 */
export class InstanceRenamer {
  /** Per action: its first instance, and per parameter its domain size, stride and renaming. */
  private readonly actions: { readonly base: number; readonly sizes: number[]; readonly strides: number[]; readonly renamers: (RankRenamer | undefined)[] }[]

  constructor(
    private readonly c: CompiledSpec,
    sym: Symmetry,
  ) {
    const offsetOf = (t: IndexType) => sym.types.find((s) => s.type === t)?.offset ?? -1
    this.actions = c.actionNames.map((name, a) => {
      const decl = c.spec.actions[name]!.params
      const domains = Object.values(decl)
      const sizes = domains.map((d) => (Array.isArray(d) ? d.length : countValues(d as AnyType)))
      const strides = sizes.map((_, i) => sizes.slice(i + 1).reduce((x, y) => x * y, 1))
      const renamers = domains.map((d) => (Array.isArray(d) ? undefined : rankRenamer(d as AnyType, offsetOf)))
      const mine = c.instances.filter((i) => i.action === a)
      if (mine.length !== sizes.reduce((x, y) => x * y, 1) || mine.some((inst, k) => inst.id !== mine[0]!.id + k)) {
        throw new Error(`symmetry: the instances of action ${name} are not numbered by their parameters' positions (compile/instances.ts changed?)`)
      }
      return { base: mine[0]?.id ?? 0, sizes, strides, renamers }
    })
  }

  /** Whether every parameter of the instance is typed, so that renaming it is certain. */
  typed(id: number): boolean {
    const decl = this.c.instances[id]!.def.params
    return Object.values(decl).every((d) => !Array.isArray(d))
  }

  /** The instance `perm · id`. */
  rename(id: number, perm: Permutation): number {
    const { base, sizes, strides, renamers } = this.actions[this.c.instances[id]!.action]!
    let out = base
    for (let i = 0; i < sizes.length; i++) {
      const p = Math.floor((id - base) / strides[i]!) % sizes[i]!
      const f = renamers[i]
      out += (f === undefined ? p : f(p, perm)) * strides[i]!
    }
    return out
  }
}

/** The trace to stored state `id`, plus one more step by `instance` when it is >= 0. */
export function symmetricTrace(
  c: CompiledSpec,
  sym: Symmetry,
  renamer: InstanceRenamer,
  paths: StoredPaths,
  id: number,
  instance: number,
): TraceStep[] {
  const { init, ids, steps } = recordedPath(paths, id, instance)
  return replaySymmetric(c, sym, renamer, init, steps, (k) => (k < ids.length ? paths.stateWords(ids[k]!) : undefined), (k) => k < ids.length, paths.contains?.bind(paths))
}

/**
 * Replays a path of representatives (initial state `initIndex`, then `instances`, each run on the
 * representative reached so far) as a concrete behaviour from the real initial state.
 *
 * @param expected the stored words of representative k, when kept
 * @param stored whether representative k was stored (checked against `contains` when words are not kept)
 */
export function replaySymmetric(
  c: CompiledSpec,
  sym: Symmetry,
  renamer: InstanceRenamer,
  initIndex: number,
  instances: readonly number[],
  expected?: (k: number) => Uint32Array | undefined,
  stored?: (k: number) => boolean,
  contains?: (buf: Uint32Array, at: number, lo: number, hi: number) => boolean,
): TraceStep[] {
  const { codec } = c
  const W = codec.words
  const rep = new Uint32Array(W)
  const buf = new Uint32Array(W)
  const moved = new Uint32Array(W)
  const sigma = sym.identity()
  const fp = new Uint32Array(2)

  const check = (k: number, trace: readonly TraceStep[], what: string) => {
    const want = expected?.(k)
    if (want !== undefined) {
      if (rep.some((w, i) => w !== want[i])) throw nondeterminism(c, trace, what)
    } else if (contains !== undefined && stored?.(k) === true) {
      fingerprint(rep, 0, W, fp)
      if (!contains(rep, 0, fp[0]!, fp[1]!)) throw nondeterminism(c, trace, what)
    }
  }

  let concrete = frozen(c.init[initIndex])
  codec.encode(concrete, rep, 0)
  sym.canonicalize(rep, 0, sigma)
  let pi = perms.inverse(sigma)
  let representative: unknown = frozen(codec.decode(rep, 0))
  const trace: TraceStep[] = [{ action: null, state: concrete }]
  check(0, trace, 'the initial state has a different representative')

  instances.forEach((id, k) => {
    const inst = c.instances[id]!
    const s = strictStep(representative, inst, c.canonical)
    if (s === null) throw nondeterminism(c, trace, `${inst.label} is no longer enabled in the representative state`)
    codec.encode(s, buf, 0)
    rep.set(buf)
    sym.canonicalize(rep, 0, sigma)
    check(k + 1, trace, `${inst.label} now gives a different state`)

    // The renamed step on the concrete state, if it gives π · S.
    let next: unknown = null
    let used = -1
    const renamed = renamer.rename(id, pi)
    const candidate = strictStep(concrete, c.instances[renamed]!, c.canonical)
    if (candidate !== null) {
      sym.permute(buf, 0, pi, moved, 0)
      codec.encode(candidate, buf, 0)
      if (buf.every((w, i) => w === moved[i])) {
        next = candidate
        used = renamed
        pi = perms.compose(pi, perms.inverse(sigma))
      }
    }
    // Otherwise the first enabled instance whose successor has the same representative.
    if (used < 0) {
      const tau = sym.identity()
      for (const other of c.instances) {
        const candidate = strictStep(concrete, other, c.canonical)
        if (candidate === null) continue
        codec.encode(candidate, buf, 0)
        sym.canonicalize(buf, 0, tau)
        if (buf.every((w, i) => w === rep[i])) {
          next = candidate
          used = other.id
          pi = perms.inverse(tau)
          break
        }
      }
    }
    if (used < 0) {
      throw new CheckerError(
        'MODEL_DEFINITION',
        `Model "${c.spec.name}": rebuilding a counterexample under symmetry failed at step ${trace.length + 1}: ` +
          `no action from the concrete state leads to the orbit that ${inst.label} leads to from its representative. ` +
          `The model is not symmetric in ${sym.types.map((t) => t.name).join(', ')}: look for arithmetic on members, ` +
          'a member named in a constant, or a member stored in a field that is not typed by the symmetric index type. ' +
          'Check without --symmetry.',
      )
    }
    const u = c.instances[used]!
    trace.push({ action: { name: u.name, params: u.params, label: u.label }, state: next })
    concrete = next
    representative = frozen(codec.decode(rep, 0))
  })
  return trace
}

function nondeterminism(c: CompiledSpec, trace: readonly TraceStep[], what: string): CheckerError {
  return new CheckerError(
    'NONDETERMINISM',
    `Model "${c.spec.name}": re-running step ${trace.length} of a recorded behaviour (under symmetry) failed: ${what}. ` +
      'Guards and effects must depend only on the state and the action parameters: look for Math.random, ' +
      'Date, Map or Set iteration order, or state captured outside the model.',
  )
}
