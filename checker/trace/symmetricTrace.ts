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
 * - If the renamed instance does not exist or does not give π_k · S (a parameter whose domain is
 *   a list, not the symmetric type), every enabled instance is tried, as TLC does, and the first
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
import type { Instance } from '../compile/instances.js'
import { recordedPath, type PathSource } from './trace.js'

/** What a rebuilt trace needs from the visited set. */
export type StoredPaths = PathSource

/** Renames action instances: the instance with the same action and renamed member parameters. */
export class InstanceRenamer {
  private readonly index = new Map<string, number>()
  /** Per instance: [parameter name, offset of its symmetric type] for member-typed parameters. */
  private readonly memberParams: (readonly (readonly [string, number])[])[]

  constructor(
    private readonly c: CompiledSpec,
    sym: Symmetry,
  ) {
    const key = (inst: Instance, params: Readonly<Record<string, unknown>>) => `${inst.action}|${JSON.stringify(params)}`
    this.memberParams = c.instances.map((inst) => {
      const decl = inst.def.params
      const out: [string, number][] = []
      for (const name of Object.keys(decl)) {
        const t = sym.types.find((s) => s.type === decl[name])
        if (t !== undefined) out.push([name, t.offset])
      }
      return out
    })
    c.instances.forEach((inst) => this.index.set(key(inst, inst.params), inst.id))
  }

  /** Whether every parameter of the instance is typed, so that renaming it is certain. */
  typed(id: number): boolean {
    const decl = this.c.instances[id]!.def.params
    return Object.values(decl).every((d) => !Array.isArray(d))
  }

  /** The instance `perm · id`, or -1 when no instance has the renamed parameters. */
  rename(id: number, perm: Permutation): number {
    const ps = this.memberParams[id]!
    if (ps.length === 0) return id
    const inst = this.c.instances[id]!
    const params: Record<string, unknown> = { ...inst.params }
    for (const [name, offset] of ps) params[name] = perm[offset + (params[name] as number)]! - offset
    return this.index.get(`${inst.action}|${JSON.stringify(params)}`) ?? -1
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
    if (renamed >= 0) {
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
