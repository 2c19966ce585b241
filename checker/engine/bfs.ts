/**
 * Breadth-first exhaustive search with one worker: the reference engine. Every safety
 * counterexample it returns is a shortest one, because states are discovered level by level.
 *
 * Per successor the checks run in TLC's order (Worker.addElement), so that `generated` and
 * `distinct` match TLC on the same model: count it as generated; check its type (encode); the
 * state constraint; seen? (record parent if new); invariants on every new or out-of-model state;
 * action properties on every edge; enqueue only when new and in the model.
 */
import { fingerprintLo } from '../encode/fingerprint.js'
import type { CheckResult, StopReason, Violation, ViolationKind, TraceStep } from '../report/result.js'
import type { CompiledSpec } from './compile.js'
import { StateTable } from './StateTable.js'
import { pathTo, replayPath } from './trace.js'
import { EvaluationError, PropertyThrew, describeFailure } from './evaluation.js'

export interface Progress {
  readonly distinct: number
  readonly generated: number
  readonly depth: number
  readonly left: number
  readonly elapsedMs: number
  readonly statesPerSecond: number
}

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

const YIELD_EVERY_MS = 50

/** Runs the search. Async only so that signals (Ctrl-C) and progress can be served. */
export async function bfs(c: CompiledSpec, options: SearchOptions = {}): Promise<CheckResult> {
  const started = Date.now()
  const { codec, instances, steps, invariants, actionProperties, reachable } = c
  const W = codec.words
  const table = new StateTable(W)
  const scratch = new Uint32Array(W)
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

  const report = (property: string, kind: ViolationKind, state: number, instance: number): boolean => {
    if (broken.has(property)) return false
    broken.add(property)
    found.push({ property, kind, state, instance })
    return !options.continue
  }
  const checkState = (s: unknown, state: number, instance: number): boolean => {
    let name = ''
    try {
      for (const [n, inv] of invariants) {
        name = n
        if (!inv(s) && report(n, 'invariant', state, instance)) return true
      }
      for (const [n, goal] of reachable) {
        name = n
        if (!reached.has(n) && goal(s)) reached.add(n)
      }
    } catch (e) {
      throw new PropertyThrew(name, e)
    }
    return false
  }
  const checkStep = (s: unknown, n: unknown, from: number, inst: number): boolean => {
    let name = ''
    try {
      for (const [p, prop] of actionProperties) {
        name = p
        if (!prop(s, n, steps[inst]) && report(p, 'action', from, inst)) return true
      }
    } catch (e) {
      throw new PropertyThrew(name, e)
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
      const inModel = constraint === undefined || constraint(s as never)
      const id = inModel ? table.add(scratch, 0, fingerprintLo(scratch, 0, W), -1, -1 - i) : -1
      if (!inModel || id >= 0) stop = id >= 0 ? checkState(s, id, -1) : checkState(s, -1, i)
    }
  } catch (e) {
    failure = new EvaluationError(e, -1, -1)
  }

  let depth = table.count > 0 ? 1 : 0
  let levelEnd = table.count
  let next = 0
  let lastYield = Date.now()
  let lastProgress = lastYield
  const progressEvery = options.progressIntervalMs ?? 2000
  const progress = (): Progress => {
    const elapsedMs = Date.now() - started
    return {
      distinct: table.count,
      generated,
      depth,
      left: table.count - next,
      elapsedMs,
      statesPerSecond: elapsedMs > 0 ? Math.round((table.count * 1000) / elapsedMs) : 0,
    }
  }

  search: while (!stop && failure === undefined && next < table.count) {
    if (next === levelEnd) {
      if (options.maxDepth !== undefined && depth >= options.maxDepth) {
        stopReason = 'maxDepth'
        break
      }
      depth++
      levelEnd = table.count
    }
    if ((next & 255) === 0) {
      const now = Date.now()
      if (options.maxStates !== undefined && table.count >= options.maxStates) {
        stopReason = 'maxStates'
        break
      }
      if (options.timeoutMs !== undefined && now - started >= options.timeoutMs) {
        stopReason = 'timeout'
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
      const s = codec.decode(table.words, id * W)
      let successors = 0
      for (inst = 0; inst < instances.length; inst++) {
        const { def, params, action } = instances[inst]!
        if (def.guard !== undefined && !def.guard(s, params)) continue
        enabled[action]!++
        successors++
        generated++
        const n = codec.decode(table.words, id * W)
        def.effect(n, params)
        codec.encode(n, scratch, 0)
        const inModel = constraint === undefined || constraint(n)
        const newId = inModel ? table.add(scratch, 0, fingerprintLo(scratch, 0, W), id, inst) : -1
        if (newId >= 0) produced[action]!++
        // A state outside the constraint is not stored: its violation is the edge (id, inst).
        if ((!inModel || newId >= 0) && (newId >= 0 ? checkState(n, newId, -1) : checkState(n, id, inst))) {
          stop = true
          break search
        }
        if (checkStep(s, n, id, inst)) {
          stop = true
          break search
        }
      }
      if (successors === 0 && c.spec.checkDeadlock && report('Deadlock', 'deadlock', id, -1)) stop = true
    } catch (e) {
      failure = new EvaluationError(e, id, inst)
    }
  }

  const complete = !stop && failure === undefined && stopReason === undefined && next === table.count
  if (complete) {
    for (const [name] of reachable) if (!reached.has(name)) report(name, 'reachable', -1, -1)
  }
  const elapsed = Date.now() - started
  const stats = {
    distinct: table.count,
    generated,
    depth,
    left: table.count - next,
    durationMs: elapsed,
    statesPerSecond: elapsed > 0 ? Math.round((table.count * 1000) / elapsed) : table.count * 1000,
    actions: c.actionNames.map((name, i) => ({ name, enabled: enabled[i]!, distinct: produced[i]! })),
  }
  const info = {
    model: c.spec.name,
    constants: c.spec.constants,
    stats,
    store: 'exact' as const,
    checked: {
      invariants: invariants.map(([n]) => n),
      actionProperties: actionProperties.map(([n]) => n),
      reachable: reachable.map(([n]) => n),
      temporal: Object.keys(c.props.temporal ?? {}),
    },
    warnings: [] as string[],
  }
  const violations = found.map((f) => toViolation(c, table, f))
  if (failure !== undefined) {
    const trace = failure.state >= 0 ? traceTo(c, table, failure.state, -1) : []
    return {
      ...info,
      status: 'error',
      complete: false,
      error: { code: 'EVALUATION', message: describeFailure(c, failure, trace), trace },
      violations,
    }
  }
  if (violations.length > 0) return { ...info, status: 'violation', complete, violations }
  if (!complete) return { ...info, status: 'incomplete', complete: false, stopReason: stopReason ?? 'interrupted', violations: [] }
  return { ...info, status: 'ok', complete: true, violations: [] }
}

/** The trace to stored state `id`, plus one more step by `instance` when it is >= 0. */
function traceTo(c: CompiledSpec, table: StateTable, id: number, instance: number): TraceStep[] {
  const ids = pathTo(table.parent, id)
  const steps = ids.slice(1).map((i) => table.via[i]!)
  if (instance >= 0) steps.push(instance)
  const W = c.codec.words
  return replayPath(c, -1 - table.via[ids[0]!]!, steps, (k) =>
    k < ids.length ? table.words.subarray(ids[k]! * W, ids[k]! * W + W) : undefined,
  )
}

function toViolation(c: CompiledSpec, table: StateTable, f: Found): Violation {
  let trace: TraceStep[] = []
  if (f.state >= 0) trace = traceTo(c, table, f.state, f.instance)
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
  return { property: f.property, kind: f.kind, trace, shortest: true, message: `${what}${where}.` }
}

