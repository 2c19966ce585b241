/**
 * Breadth-first exhaustive search with one worker: the reference engine. Every safety
 * counterexample it returns is a shortest one, because states are discovered level by level.
 *
 * Per successor the checks run in TLC's order (Worker.addElement), so that `generated` and
 * `distinct` match TLC on the same model: count it as generated; check its type (encode); the
 * state constraint; seen? (record parent if new); invariants on every new or out-of-model state;
 * action properties on every edge; enqueue only when new and in the model.
 *
 * The inner loop allocates only what the model's own code does: the parent is decoded once per
 * expansion into a reused object, each successor starts as a reused object restored to a copy of
 * the parent (`codec.restore`, see Codec.scratch for why that is safe against effects that
 * replace or alias parts of the state), and `codec.encodeFrom` re-encodes only the fields the
 * effect changed, starting from the parent's words. Fingerprints are computed on the packed words
 * into a reused array.
 *
 * Seams for what is to come: a symmetry canonicalization of the packed successor goes right after
 * `encodeFrom` (before the fingerprint); a checkpoint is the loop state between two expansions
 * (`next`, `levelEnd`, `depth`, `generated`, the counters and the store).
 */
import { collisionProbability, fingerprint } from '../encode/fingerprint.js'
import type { CheckResult, RunInfo, StopReason, Violation, ViolationKind, TraceStep } from '../report/result.js'
import { CheckerError } from '../report/errors.js'
import type { CompiledSpec } from './compile.js'
import { replayPath } from './trace.js'
import { frozen, strictStep } from './strictStep.js'
import { EvaluationError, PropertyThrew, describeFailure } from './evaluation.js'
import { MiB, defaultMemoryBudget, isOutOfMemory } from './memory.js'
import { ExactStore, FULL, FingerprintStore, type VisitedStore } from './VisitedStore.js'

export interface Progress {
  readonly distinct: number
  readonly generated: number
  readonly depth: number
  readonly left: number
  readonly elapsedMs: number
  readonly statesPerSecond: number
}

/**
 * How visited states are kept: `exact` (whole packed states; the default), `fingerprint` (64-bit
 * fingerprints only: about 10-12 bytes a state, with a tiny chance of a collision, reported), or
 * `auto` (exact until the memory budget would be passed, then fingerprints).
 */
export type StoreMode = 'exact' | 'fingerprint' | 'auto'

export interface SearchOptions {
  /** Stop (incomplete) once this many distinct states are stored. */
  readonly maxStates?: number
  /** Do not explore beyond this depth (initial states have depth 1). */
  readonly maxDepth?: number
  /** Stop (incomplete) after this many milliseconds. */
  readonly timeoutMs?: number
  /** Stop (incomplete) when aborted, e.g. on Ctrl-C. */
  readonly signal?: AbortSignal
  /** Keep going after a violation, collecting the first violation of every property. */
  readonly continue?: boolean
  /** Called every `progressIntervalMs` (default 2000) while the search runs. */
  readonly onProgress?: (p: Progress) => void
  readonly progressIntervalMs?: number
  /** How visited states are stored (default 'exact'). */
  readonly store?: StoreMode
  /**
   * Memory budget in MiB for the visited set, the queue and the trace records (default: half of
   * physical memory). Passing it stops the search (stopReason 'memory'), or with store 'auto'
   * switches from exact states to fingerprints.
   */
  readonly memoryMiB?: number
}

interface Found {
  readonly property: string
  readonly kind: ViolationKind
  /**
   * The stored state that breaks it; or with `instance >= 0`, the step from `state` by that
   * instance; or with `state` = -1, initial state number `instance`.
   */
  readonly state: number
  readonly instance: number
}

const YIELD_EVERY_MS = 100

/** Runs the search. Async only so that signals (Ctrl-C) and progress can be served. */
export async function bfs(c: CompiledSpec, options: SearchOptions = {}): Promise<CheckResult> {
  const started = Date.now()
  const { codec, instances, steps, invariants, actionProperties, reachable, reduction } = c
  const W = codec.words
  const budget = options.memoryMiB !== undefined ? options.memoryMiB * MiB : defaultMemoryBudget()
  const mode = options.store ?? 'exact'
  const warnings: string[] = []
  const maySpend = (extra: number) => store.bytes + extra <= budget
  const fpOptions = { maySpend, wideInstances: instances.length > 0xffff }
  let store: VisitedStore = mode === 'fingerprint' ? new FingerprintStore(W, fpOptions) : new ExactStore(W, maySpend)
  const scratch = new Uint32Array(W)
  const fp = new Uint32Array(2)
  const parentState = codec.scratch()
  const nextState = codec.scratch()
  // The instance table as flat arrays: loads from them stay monomorphic in the loop, where the
  // instance objects (one shape per action) would not.
  const guards = instances.map((i) => i.def.guard)
  const effects = instances.map((i) => i.def.effect)
  const params = instances.map((i) => i.params)
  const actionOf = Int32Array.from(instances, (i) => i.action)
  const nInstances = instances.length
  const constraint = c.spec.constraint
  const nActions = c.actionNames.length
  const enabled = new Float64Array(nActions)
  const produced = new Float64Array(nActions)
  const found: Found[] = []
  const broken = new Set<string>()
  const reached = new Set<string>()
  let generated = 0
  let stopReason: StopReason | undefined
  let failure: EvaluationError | undefined

  /** A new state does not fit: switch to fingerprints if allowed; returns its id or FULL. */
  const outOfRoom = (parent: number, inst: number, next: number): number => {
    if (mode !== 'auto' || !(store instanceof ExactStore)) return FULL
    const n = store.count
    store = FingerprintStore.fromExact(store, next, fpOptions)
    warnings.push(
      `Switched from exact states to fingerprints at ${n.toLocaleString('en-US')} distinct states ` +
        `(memory budget ${Math.round(budget / MiB)} MiB).`,
    )
    return store.add(scratch, 0, fp[0]!, fp[1]!, parent, inst)
  }
  const report = (property: string, kind: ViolationKind, state: number, instance: number): boolean => {
    if (broken.has(property)) return false
    broken.add(property)
    found.push({ property, kind, state, instance })
    return !options.continue
  }
  const checkState = (s: unknown, state: number, instance: number): boolean => {
    let i = 0
    try {
      for (; i < invariants.length; i++) {
        if (!invariants[i]![1](s) && report(invariants[i]![0], 'invariant', state, instance)) return true
      }
      for (let g = 0; g < reachable.length; g++) {
        i = invariants.length + g
        const [name, goal] = reachable[g]!
        if (!reached.has(name) && goal(s)) reached.add(name)
      }
    } catch (e) {
      const name = i < invariants.length ? invariants[i]![0] : reachable[i - invariants.length]![0]
      throw new PropertyThrew(name, e)
    }
    return false
  }
  const checkStep = (s: unknown, n: unknown, from: number, inst: number): boolean => {
    let i = 0
    try {
      for (; i < actionProperties.length; i++) {
        const [name, prop] = actionProperties[i]!
        if (!prop(s, n, steps[inst]) && report(name, 'action', from, inst)) return true
      }
    } catch (e) {
      throw new PropertyThrew(actionProperties[i]![0], e)
    }
    return false
  }

  let stop = false
  // Initial states: generated, typed, constrained, stored, checked.
  try {
    for (let i = 0; i < c.init.length && !stop; i++) {
      const s = c.init[i]
      generated++
      codec.encode(s, scratch, 0)
      reduction?.canonicalize(scratch, 0)
      const inModel = constraint === undefined || constraint(s as never)
      let id = -1
      if (inModel) {
        fingerprint(scratch, 0, W, fp)
        id = store.add(scratch, 0, fp[0]!, fp[1]!, -1 - i, -1)
        if (id === FULL) id = outOfRoom(-1 - i, -1, 0)
        if (id === FULL) {
          stopReason = 'memory'
          break
        }
      }
      if (!inModel || id >= 0) stop = id >= 0 ? checkState(s, id, -1) : checkState(s, -1, i)
    }
  } catch (e) {
    if (isOutOfMemory(e)) stopReason = 'memory'
    else failure = new EvaluationError(e, -1, -1)
  }

  const maxStates = options.maxStates ?? Infinity
  let depth = store.count > 0 ? 1 : 0
  let levelEnd = store.count
  let next = 0
  let lastYield = Date.now()
  let lastProgress = lastYield
  const progressEvery = options.progressIntervalMs ?? 2000
  const progress = (): Progress => {
    const elapsedMs = Date.now() - started
    return {
      distinct: store.count,
      generated,
      depth,
      left: store.count - next,
      elapsedMs,
      statesPerSecond: elapsedMs > 0 ? Math.round((store.count * 1000) / elapsedMs) : 0,
    }
  }

  search: while (!stop && failure === undefined && stopReason === undefined && next < store.count) {
    if (next === levelEnd) {
      if (options.maxDepth !== undefined && depth >= options.maxDepth) {
        stopReason = 'maxDepth'
        break
      }
      depth++
      levelEnd = store.count
    }
    if (store.count >= maxStates) {
      stopReason = 'maxStates'
      break
    }
    if ((next & 1023) === 0) {
      const now = Date.now()
      if (options.timeoutMs !== undefined && now - started >= options.timeoutMs) {
        stopReason = 'timeout'
        break
      }
      if (store.bytes > budget) {
        stopReason = 'memory'
        break
      }
      if (now - lastYield >= YIELD_EVERY_MS) {
        await new Promise((r) => setImmediate(r))
        lastYield = Date.now()
        if (options.signal?.aborted) {
          stopReason = 'interrupted'
          break
        }
        if (options.onProgress !== undefined && lastYield - lastProgress >= progressEvery) {
          lastProgress = lastYield
          options.onProgress(progress())
        }
      }
    }
    const id = next++
    let inst = -1
    try {
      store.take(id)
      const pw = store.words
      const po = store.at
      codec.decodeInto(parentState, pw, po)
      const s = parentState.state
      const n = nextState.state
      let successors = 0
      for (inst = 0; inst < nInstances; inst++) {
        const guard = guards[inst]
        if (guard !== undefined && !guard(s, params[inst]!)) continue
        const action = actionOf[inst]!
        enabled[action]!++
        successors++
        generated++
        codec.restore(nextState, s)
        effects[inst]!(n, params[inst]!)
        codec.encodeFrom(n, s, pw, po, scratch, 0, nextState)
        reduction?.canonicalize(scratch, 0)
        const inModel = constraint === undefined || constraint(n)
        let newId = -1
        if (inModel) {
          fingerprint(scratch, 0, W, fp)
          newId = store.add(scratch, 0, fp[0]!, fp[1]!, id, inst)
          if (newId === FULL) newId = outOfRoom(id, inst, next)
          if (newId === FULL) {
            stopReason = 'memory'
            next = id
            break search
          }
          if (newId >= 0) produced[action]!++
        }
        // A state outside the constraint is not stored: its violation is the edge (id, inst).
        if ((!inModel || newId >= 0) && (newId >= 0 ? checkState(n, newId, -1) : checkState(n, id, inst))) {
          stop = true
          break search
        }
        if (actionProperties.length > 0 && checkStep(s, n, id, inst)) {
          stop = true
          break search
        }
      }
      if (successors === 0 && c.spec.checkDeadlock && report('Deadlock', 'deadlock', id, -1)) stop = true
    } catch (e) {
      if (isOutOfMemory(e)) {
        stopReason = 'memory'
        next = id
      } else failure = new EvaluationError(strictCause(c, store, inst, e), id, inst)
    }
  }

  const complete = !stop && failure === undefined && stopReason === undefined && next === store.count
  if (complete) {
    for (const [name] of reachable) if (!reached.has(name)) report(name, 'reachable', -1, -1)
  }
  const elapsed = Date.now() - started
  const info: RunInfo = {
    model: c.spec.name,
    constants: c.spec.constants,
    stats: {
      distinct: store.count,
      generated,
      depth,
      left: store.count - next,
      durationMs: elapsed,
      statesPerSecond: elapsed > 0 ? Math.round((store.count * 1000) / elapsed) : store.count * 1000,
      actions: c.actionNames.map((name, i) => ({ name, enabled: enabled[i]!, distinct: produced[i]! })),
    },
    store: store.kind,
    ...(store.kind === 'fingerprint' ? { collisionProbability: collisionProbability(store.count) } : {}),
    checked: checkedProperties(c),
    warnings,
  }
  try {
    const paths = storePaths(store)
    return finishResult(c, info, {
      complete,
      stopReason,
      violations: found.map((f) => toViolation(c, paths, f, true)),
      failure,
      failureTrace: () => (failure !== undefined && failure.state >= 0 ? traceTo(c, paths, failure.state, -1) : []),
    })
  } finally {
    store.close()
  }
}

/**
 * The error the strict way of running a step (an immer draft, as in replay) gives, so that a
 * failing step is reported the same way in both: the fast way's reused state objects are sealed,
 * so adding a field fails in the effect there, but only in the type check in strict mode. The
 * parent is the state `store` last took.
 */
export function strictCause(c: CompiledSpec, store: { words: Uint32Array; at: number }, inst: number, cause: unknown): unknown {
  if (inst < 0 || cause instanceof PropertyThrew) return cause
  try {
    const next = strictStep(frozen(c.codec.decode(store.words, store.at)), c.instances[inst]!)
    if (next !== null) c.codec.encode(next, new Uint32Array(c.codec.words), 0)
  } catch (e) {
    return e
  }
  return cause
}

/** The names of the properties a run checks, by kind. */
export function checkedProperties(c: CompiledSpec): RunInfo['checked'] {
  return {
    invariants: c.invariants.map(([n]) => n),
    actionProperties: c.actionProperties.map(([n]) => n),
    reachable: c.reachable.map(([n]) => n),
    temporal: Object.keys(c.props.temporal ?? {}),
  }
}

/** The result document from what a search found. */
export function finishResult(
  c: CompiledSpec,
  info: RunInfo,
  r: {
    readonly complete: boolean
    readonly stopReason: StopReason | undefined
    readonly violations: readonly Violation[]
    readonly failure: EvaluationError | undefined
    readonly failureTrace: () => TraceStep[]
  },
): CheckResult {
  const { violations, failure } = r
  if (failure !== undefined) {
    const trace = r.failureTrace()
    return {
      ...info,
      status: 'error',
      complete: false,
      error: { code: 'EVALUATION', message: describeFailure(c, failure, trace), trace },
      violations,
    }
  }
  if (violations.length > 0) return { ...info, status: 'violation', complete: r.complete, violations }
  if (!r.complete) {
    return { ...info, status: 'incomplete', complete: false, stopReason: r.stopReason ?? 'interrupted', violations: [] }
  }
  return { ...info, status: 'ok', complete: true, violations: [] }
}

/** What a trace needs from a store of visited states. */
export interface PathSource {
  /** Parent id of a stored state; `-1 - i` for initial state i. */
  parentOf(id: number): number
  instanceOf(id: number): number
  /** The packed words of a stored state, when kept (exact mode). */
  stateWords(id: number): Uint32Array | undefined
  /** When states are not kept: whether a state with this fingerprint was stored. */
  contains?(buf: Uint32Array, at: number, lo: number, hi: number): boolean
}

const storePaths = (store: VisitedStore): PathSource => ({
  parentOf: (id) => store.parentOf(id),
  instanceOf: (id) => store.instanceOf(id),
  stateWords: (id) => store.stateWords(id),
  ...(store.kind === 'fingerprint' ? { contains: (b, a, lo, hi) => store.contains(b, a, lo, hi) } : {}),
})

/**
 * The trace to stored state `id`, plus one more step by `instance` when it is >= 0. It is rebuilt
 * by replaying the recorded action instances from the initial state; each replayed state is
 * checked against the stored one (exact mode) or against the fingerprint set (fingerprint mode).
 */
export function traceTo(c: CompiledSpec, paths: PathSource, id: number, instance: number): TraceStep[] {
  if (c.reduction?.trace !== undefined) return c.reduction.trace(c, paths, id, instance)
  const ids: number[] = []
  let at = id
  for (; at >= 0; at = paths.parentOf(at)) ids.push(at)
  ids.reverse()
  const steps = ids.slice(1).map((i) => paths.instanceOf(i))
  if (instance >= 0) steps.push(instance)
  const trace = replayPath(c, -1 - at, steps, (k) => (k < ids.length ? paths.stateWords(ids[k]!) : undefined))
  if (paths.contains !== undefined) {
    const W = c.codec.words
    const buf = new Uint32Array(W)
    const fp = new Uint32Array(2)
    for (let k = 0; k < ids.length; k++) {
      c.codec.encode(trace[k]!.state, buf, 0)
      fingerprint(buf, 0, W, fp)
      if (!paths.contains(buf, 0, fp[0]!, fp[1]!)) {
        throw new CheckerError(
          'NONDETERMINISM',
          `Model "${c.spec.name}": re-running step ${k + 1} of a recorded behaviour gave a state that was never ` +
            'found by the search. Guards and effects must depend only on the state and the action parameters: ' +
            'look for Math.random, Date, Map or Set iteration order, or state captured outside the model.',
        )
      }
    }
  }
  return trace
}

export function toViolation(c: CompiledSpec, paths: PathSource, f: Found, shortest: boolean): Violation {
  let trace: TraceStep[] = []
  if (f.state >= 0) trace = traceTo(c, paths, f.state, f.instance)
  else if (f.instance >= 0) trace = replayPath(c, f.instance, [])
  const what =
    f.kind === 'invariant'
      ? `Invariant ${f.property} is violated`
      : f.kind === 'action'
        ? `Action property ${f.property} is violated`
        : f.kind === 'deadlock'
          ? 'Deadlock reached'
          : `${f.property} is never reached`
  const where = trace.length > 0 ? ` after ${trace.length} states` : ''
  return { property: f.property, kind: f.kind, trace, shortest, message: `${what}${where}.` }
}

export type { Found }
