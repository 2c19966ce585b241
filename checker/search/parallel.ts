/**
 * Breadth-first search on several worker threads, level by level, sharing one visited set.
 *
 * The coordinator (this thread) holds the frontier as chunks of packed states in shared memory and
 * gives every worker the level's chunks. Worker 0 runs in this thread, between the coordinator's
 * turns; the others start threads of their own, and each joins the search once it has built the
 * spec (WorkerPool.ts), in the middle of a level if need be. The workers take blocks of the
 * level's states from a shared counter (CONTROL_NEXT_STATE), so that they share the work by how
 * fast each goes and end the level together; a worker expands its states with the same routine as
 * the one-worker search (expand.ts), inserts every successor into the shared visited set
 * (SharedStateSet.ts, lock-free, by compare-and-swap) and sends its new states back in chunks,
 * with their trace records (parent id, action instance). When a level is done, the coordinator
 * numbers the new states in the order their chunks arrived, appends their trace records in that
 * order, and the chunks become the next level.
 *
 * Why level-synchronous: while level d is expanded, only states of depth d + 1 are found, and
 * level d + 1 starts only after level d ends. So every state is recorded with a shortest path,
 * every counterexample is a shortest one (Violation.shortest), and `depth` is exact. The counts
 * match one worker: each reachable state is inserted once (the set decides) and expanded once, so
 * `distinct` and `generated` do not depend on the number of workers. What may differ between
 * runs is which of several shortest counterexamples is reported, and, in the coverage, which
 * action is credited with a state that two actions reach in the same level.
 *
 * The shared set never grows while workers run: a worker takes no more blocks once the published
 * counts pass the pause mark, and when every worker has stopped the coordinator has them double
 * the set (SharedStateSet.ts), or, with `store: 'auto'`, turns it into a fingerprint set; then
 * they go on with the level where the counter stands.
 *
 * With temporal properties to check (`recordGraph`) and exact states, the search records the
 * behaviour graph as the one-worker search does: the workers log their edges and the coordinator
 * puts the graph together at the end (ParallelGraph.ts), once the workers and the shared set are
 * gone.
 */
import { collisionProbability } from '../encode/fingerprint.js'
import { CheckerError } from '../result/errors.js'
import type { CheckResult, RunInfo, StopReason } from '../result/result.js'
import { checkedProperties, finishResult, namedStrayWrite, rerunFailed, strictCause, toViolation, traceTo, type PathSource, type SearchOptions } from './bfs.js'
import type { RecordGraph } from './bfs.js'
import type { TypeViolation } from '../encode/codec.js'
import { EvaluationError, StrayWrite } from '../compile/evaluation.js'
import { EXPANDED, type Sink } from './expand.js'
import { expanderFor } from './strictExpand.js'
import { refOf } from './EdgeLog.js'
import { ParallelGraph } from './ParallelGraph.js'
import { INSERTED, SharedStateSet, type SharedStateSetHandle } from '../store/SharedStateSet.js'
import { specSignature } from '../compile/specSignature.js'
import { MiB, memoryBudget, memoryStopWarning } from '../store/memory.js'
import type { ReducedSpec, ReductionOptions } from '../reduce/reduction.js'
import type { Found } from '../trace/trace.js'
import { TraceRecords } from '../store/TraceRecords.js'
import { SearchWorker } from './SearchWorker.js'
import { WorkerPool } from './WorkerPool.js'
import {
  BLOCK_STATES,
  CONTROL_COUNTS,
  CONTROL_NEXT_STATE,
  CONTROL_PAUSE_AT,
  CONTROL_REHASH_NEXT,
  CONTROL_STOP,
  COUNT_STRIDE,
  REHASH_SLICE,
  deserializeError,
  generatedWord,
  type FromWorker,
  type ModelSource,
  type ToWorker,
  type WorkerSetup,
} from './workerProtocol.js'

export interface ParallelOptions {
  /** Worker threads for the search (default 1: the search runs in this thread). */
  readonly workers?: number
  /** Where the spec comes from; required with `workers` > 1. */
  readonly source?: ModelSource
  /**
   * Start only once every worker thread has built the spec (default: at once, on the worker in
   * this thread, the others joining as they are ready). Every worker then searches from the first
   * level on, even on a small model, which is what tests of the parallel search want.
   */
  readonly waitForWorkers?: boolean
}

interface Chunk {
  readonly words: SharedArrayBuffer
  readonly count: number
  /** Id of its first state. */
  readonly firstId: number
}

const CHUNK_STATES = 8192
const MAX_LOAD = 0.75
/**
 * When the budget forbids a bigger set, the workers fill this one up to this load before the
 * search stops, as one worker fills its own. The set has room for what they insert past the mark
 * before they all stop (a block each, published or not: an eighth of the smallest set at most).
 */
const FULL_LOAD = 0.85

type Options = SearchOptions & ParallelOptions & ReductionOptions & { readonly only?: readonly string[] }

/** The edges the workers logged in a complete search, and what the graph needs beside them. */
interface LoggedGraph {
  readonly graph: ParallelGraph
  readonly states: number
  readonly transitions: number
  readonly initOf: Int32Array
  readonly guardHolds: Uint8Array
}

/** Runs the search on `options.workers` worker threads; `recordGraph` as for bfs (bfs.ts). */
export async function parallelSearch(c: ReducedSpec, options: Options, recordGraph?: RecordGraph): Promise<CheckResult> {
  const { result, logged } = await searchOnWorkers(c, options, recordGraph !== undefined)
  // The graph is put together after the search, its time not counted in it, and once the
  // workers, the shared set and the trace records are gone: the budget holds the graph alone.
  if (logged !== undefined && recordGraph !== undefined) {
    const { graph, states, transitions } = logged
    const budget = memoryBudget(options.memoryMiB)
    const recording = recordGraph((extra) => graph.bytes + recording.bytes + extra <= budget, { states, transitions })
    graph.finish(recording, states, logged.initOf, logged.guardHolds)
  }
  return result
}

/** The search itself; `record`: whether to log the behaviour graph (exact states only). */
async function searchOnWorkers(c: ReducedSpec, options: Options, record: boolean): Promise<{ result: CheckResult; logged?: LoggedGraph }> {
  const started = Date.now()
  const nWorkers = options.workers ?? 2
  const source = options.source
  if (source === undefined) {
    throw new CheckerError(
      'MODEL_LOAD',
      `A search on ${nWorkers} workers needs to know where the spec comes from, to build it again in each ` +
        'worker thread: pass options.source = { module: <file URL>, export?, params } (checkModel fills in the ' +
        'parameters), or search with one worker.',
    )
  }
  const W = c.codec.words
  const mode = options.store ?? 'auto'
  let exact = mode !== 'fingerprint'
  const budget = memoryBudget(options.memoryMiB)
  const maxStates = options.maxStates ?? Infinity
  const warnings: string[] = []
  // Room for what the workers insert between two publications of their counts, many times over.
  let slots = 2 ** Math.max(16, Math.ceil(Math.log2(16 * nWorkers * BLOCK_STATES * Math.max(1, c.instances.length))))
  // The graph is recorded only from exact states (which the set keeps with their refs).
  const graph = record && exact && options.strict !== true ? new ParallelGraph(nWorkers, W) : undefined
  let set = new SharedStateSet(SharedStateSet.create(exact ? W : 1, slots, graph !== undefined))
  const control = new Int32Array(new SharedArrayBuffer((CONTROL_COUNTS + COUNT_STRIDE * nWorkers) * 4))
  const generatedBy = new Float64Array(control.buffer)
  const pauseMark = () => Math.min(Math.floor(slots * MAX_LOAD), maxStates)
  const fullMark = () => Math.min(Math.floor(slots * FULL_LOAD), maxStates)
  control[CONTROL_PAUSE_AT] = pauseMark()
  const records = new TraceRecords({ wideInstances: c.instances.length > 0xffff, spill: !exact })
  /** States stored so far, as the workers last published it (exact when every worker is idle). */
  const stored = () => {
    let k = initCount
    for (let w = 0; w < nWorkers; w++) k += Atomics.load(control, CONTROL_COUNTS + COUNT_STRIDE * w)
    return k
  }

  // Initial states, in this thread.
  const expander = expanderFor(c, options.continue ?? false, options.strict ?? false)
  const initWords = new Uint32Array(new SharedArrayBuffer(Math.max(1, c.init.length) * W * 4))
  let initCount = 0
  const key = new Uint32Array(1)
  const initSink: Sink = {
    add(buf, at, lo, hi, parent, instance) {
      key[0] = lo
      const ref = refOf(initCount, nWorkers, nWorkers)
      if ((exact ? set.insert(hi, buf, at, ref) : set.insert(hi, key, 0, 0)) !== INSERTED) return -1
      initWords.set(buf.subarray(at, at + W), initCount * W)
      initCount++
      records.append(parent, instance)
      return 0
    },
    prefetch() {},
    seen: -1,
  }
  let stopReason: StopReason | undefined
  let stop = false
  let failure: EvaluationError | undefined
  try {
    for (let i = 0; i < c.init.length && !stop; i++) stop = expander.initial(i, initSink) !== EXPANDED
  } catch (e) {
    failure = new EvaluationError(e, -1, -1)
  }
  graph?.initial(initWords, initCount)
  const found: Found[] = [...expander.found]
  const broken = new Set(found.map((f) => f.property))
  const reached = new Set(expander.reached)
  // The smallest set the workers can share (room for what they insert between two looks at the
  // pause mark) is the first thing the budget must hold.
  if (set.bytes + records.bytes > budget) {
    stopReason = 'memory'
    warnings.push(
      `The memory budget (${(budget / MiB).toFixed(1)} MiB) is smaller than the smallest visited set ${nWorkers} workers ` +
        `share with their trace records (${((set.bytes + records.bytes) / MiB).toFixed(1)} MiB): give it more, or search with one worker.`,
    )
  }

  // Workers.
  const setup = (index: number): WorkerSetup => ({
    index,
    initial: initCount,
    workers: nWorkers,
    record: graph !== undefined,
    kind: 'mrcheck-search-worker',
    source,
    only: options.only,
    reduction: {
      ...(options.symmetry === undefined ? {} : { symmetry: options.symmetry }),
      ...(options.view === undefined ? {} : { view: options.view }),
      ...(options.symmetryStrategy === undefined ? {} : { symmetryStrategy: options.symmetryStrategy }),
    },
    signature: specSignature(c),
    exact,
    keepGoing: options.continue ?? false,
    strict: options.strict ?? false,
    chunkStates: CHUNK_STATES,
    set: set.handle,
    control: control.buffer as SharedArrayBuffer,
  })
  const lastDone: (FromWorker & { type: 'done' })[] = []
  const go = !stop && failure === undefined && stopReason === undefined
  const pool = new WorkerPool(go ? nWorkers : 0, setup, (post) => new SearchWorker(c, setup(0), post))

  try {
    if (options.waitForWorkers === true) await pool.started()
    let depth = initCount > 0 ? 1 : 0
    let expanded = 0
    /** The level being expanded, how many states it has, and whether the workers have it yet. */
    let level: Chunk[] = initCount > 0 ? [{ words: initWords.buffer as SharedArrayBuffer, count: initCount, firstId: 0 }] : []
    let levelSize = initCount
    /** The workers that have the level. */
    const levelSent = new Set<number>()
    let expandedBeforeLevel = 0
    let next: Chunk[] = []
    const levelLeft = () => Atomics.load(control, CONTROL_NEXT_STATE) < levelSize
    const generatedSoFar = () => {
      let n = expander.generated
      for (let w = 0; w < nWorkers; w++) n += generatedBy[generatedWord(w) / 2]!
      return n
    }
    let lastProgress = Date.now()
    const progressEvery = options.progressIntervalMs ?? 2000
    const timer = setInterval(() => {
      const now = Date.now()
      if (stopReason === undefined && options.timeoutMs !== undefined && now - started >= options.timeoutMs) stopReason = 'timeout'
      if (stopReason === undefined && options.signal?.aborted) stopReason = 'interrupted'
      if (stopReason !== undefined) Atomics.store(control, CONTROL_STOP, 1)
      if (options.onProgress !== undefined && now - lastProgress >= progressEvery) {
        lastProgress = now
        const distinct = stored()
        options.onProgress({
          distinct,
          generated: generatedSoFar(),
          depth,
          left: distinct - expandedBeforeLevel - Math.min(levelSize, Atomics.load(control, CONTROL_NEXT_STATE)),
          elapsedMs: now - started,
          statesPerSecond: Math.round((distinct * 1000) / Math.max(1, now - started)),
        })
      }
    }, 25)
    const halted = () => stop || failure !== undefined || stopReason !== undefined

    /**
     * Threads that have built the spec since the last look join the search, with the set as it is
     * now, and with `work` (the level) while a level is expanded.
     */
    const admit = (work?: ToWorker): void => {
      for (const w of pool.admit()) {
        pool.post(w, { type: 'table', set: set.handle, exact })
        if (graph?.abandoned === true) pool.post(w, { type: 'unrecord' })
        if (work === undefined) continue
        pool.post(w, work)
        levelSent.add(w)
      }
    }

    /** Has every worker take blocks of the level until they all stop, and collects what they found. */
    const work = async (): Promise<void> => {
      const whole: ToWorker = {
        type: 'work',
        level: { words: level.map((k) => k.words), counts: level.map((k) => k.count), firstIds: level.map((k) => k.firstId) },
      }
      for (let w = 0; w < pool.size; w++) {
        if (!pool.isSearching(w)) continue
        pool.post(w, levelSent.has(w) ? { type: 'work' } : whole)
        levelSent.add(w)
      }
      for (let idle = 0; idle < pool.searchers; ) {
        const got = await pool.next()
        const msg = got.message
        if (msg.type === 'ready') admit(whole)
        else if (msg.type === 'out') {
          const chunk: Chunk = { words: msg.words, count: msg.count, firstId: records.count }
          graph?.chunk(got.worker, new Uint32Array(msg.words), msg.count, chunk.firstId)
          const recs = new Int32Array(msg.records)
          for (let i = 0; i < msg.count; i++) records.append(recs[2 * i]!, recs[2 * i + 1]!)
          next.push(chunk)
          pool.post(got.worker, { type: 'recycle', words: [], records: [msg.records] })
        } else if (msg.type === 'done') {
          idle++
          lastDone[got.worker] = msg
          expanded += msg.expanded
          if (msg.edges === null) forgetGraph()
          else if (msg.edges !== undefined) graph?.edges(got.worker, msg.edges)
          for (const r of msg.reached) reached.add(r)
          for (const f of msg.found) {
            if (broken.has(f.property)) continue
            broken.add(f.property)
            found.push(f)
            if (!options.continue && !c.mechanisms.has(f.property)) stop = true
          }
          if (msg.stray !== undefined && failure === undefined) {
            failure = new EvaluationError(new StrayWrite(deserializeError(msg.stray) as TypeViolation, depth + 1), -1, -1)
          }
          if (msg.failure !== undefined && failure === undefined) {
            const f = msg.failure
            const error = deserializeError(f.error)
            // The model refused (by the symmetry audit): check() throws it, as with one worker.
            if (error instanceof CheckerError) throw error
            const cause = strictCause(c, { words: f.words, at: 0 }, f.instance, error)
            failure = new EvaluationError(cause, f.state, f.instance)
          }
          if (halted()) Atomics.store(control, CONTROL_STOP, 1)
        }
      }
    }

    try {
      // Every worker is idle at the top of this loop.
      while (!halted()) {
        admit()
        if (stored() >= control[CONTROL_PAUSE_AT]!) {
          if (records.count >= maxStates) {
            stopReason = 'maxStates'
            break
          }
          const frontier = [...level, ...next].reduce((n, chunk) => n + chunk.words.byteLength, 0)
          if ((await grow(frontier)) === undefined) {
            if (control[CONTROL_PAUSE_AT]! < fullMark()) {
              control[CONTROL_PAUSE_AT] = fullMark()
              continue
            }
            stopReason = 'memory'
            warnings.push(memoryStopWarning(records.count, set.bytes + records.bytes + frontier, budget, mode === 'exact'))
            break
          }
        } else if (levelLeft()) {
          await work()
        } else {
          // The level is done: its new states, numbered as their chunks arrived, are the next level.
          if (next.length === 0) break
          if (options.maxDepth !== undefined && depth >= options.maxDepth) {
            stopReason = 'maxDepth'
            break
          }
          depth++
          const frontier = next.reduce((n, chunk) => n + chunk.words.byteLength, 0)
          if (set.bytes + records.bytes + frontier + (graph?.bytes ?? 0) > budget) forgetGraph()
          // The level's chunks are expanded: their buffers go back to the workers to be filled again.
          const spare = level.map((t) => t.words).filter((b) => b.byteLength === CHUNK_STATES * W * 4)
          for (let w = 0; w < pool.size; w++) {
            const words = spare.filter((_, k) => k % pool.size === w)
            if (words.length > 0) pool.post(w, { type: 'recycle', words, records: [] })
          }
          level = next
          levelSize = next.reduce((n, chunk) => n + chunk.count, 0)
          levelSent.clear()
          expandedBeforeLevel = expanded
          next = []
          Atomics.store(control, CONTROL_NEXT_STATE, 0)
        }
      }
    } finally {
      clearInterval(timer)
    }
    // A thread that could not build the spec says so, even when the search ended without it.
    await pool.started()
    const distinct = records.count
    const complete = !halted() && !levelLeft() && next.length === 0 && expanded === distinct
    if (complete) for (const [name] of c.reachable) if (!reached.has(name)) found.push({ property: name, kind: 'reachable', state: -1, instance: -1 })
    const generated = generatedSoFar()
    const sum = (pick: (d: FromWorker & { type: 'done' }) => Float64Array, i: number) =>
      lastDone.reduce((n, d) => n + (d === undefined ? 0 : pick(d)[i]!), 0)
    const elapsed = Date.now() - started
    const logged: LoggedGraph | undefined =
      graph !== undefined && complete && !graph.abandoned
        ? {
            graph,
            states: distinct,
            transitions: generated,
            initOf: Int32Array.from({ length: initCount }, (_, id) => -1 - records.parentOf(id)),
            guardHolds: Uint8Array.from(c.actionNames, (_, i) => (expander.enabled[i]! + sum((d) => d.enabled, i) > 0 ? 1 : 0)),
          }
        : undefined
    const info: RunInfo = {
      model: c.spec.name,
      constants: c.spec.constants,
      stats: {
        distinct,
        generated,
        depth,
        left: distinct - expanded,
        durationMs: elapsed,
        statesPerSecond: elapsed > 0 ? Math.round((distinct * 1000) / elapsed) : distinct * 1000,
        actions: c.actionNames.map((name, i) => ({
          name,
          enabled: expander.enabled[i]! + sum((d) => d.enabled, i),
          distinct: expander.produced[i]! + sum((d) => d.produced, i),
        })),
      },
      store: exact ? 'exact' : 'fingerprint',
      ...(exact ? {} : { collisionProbability: collisionProbability(distinct) }),
      workers: nWorkers,
      checked: checkedProperties(c),
      warnings,
    }
    const lo = new Uint32Array(1)
    const paths: PathSource = {
      parentOf: (id) => records.parentOf(id),
      instanceOf: (id) => records.instanceOf(id),
      stateWords: () => undefined,
      contains: (buf, at, l, hi) => {
        lo[0] = l
        return exact ? set.has(hi, buf, at) : set.has(hi, lo, 0)
      },
    }
    const failed = failure
    let result: CheckResult
    try {
      result = finishResult(c, info, {
        complete,
        stopReason,
        violations: found.map((f) => toViolation(c, paths, f, true)),
        failure: failed,
        failureTrace: () => (failed !== undefined && failed.state >= 0 ? traceTo(c, paths, failed.state, -1) : []),
      })
    } catch (e) {
      result = rerunFailed(info, e)
    }
    result = await namedStrayWrite(c, options, failed, result)
    return { result, ...(logged === undefined ? {} : { logged }) }
  } finally {
    await pool.shutDown()
    records.close()
  }

  /**
   * Grows the shared set (or turns it into fingerprints); undefined when the budget forbids it.
   * The budget holds the set, the trace records and the frontier (`frontierBytes`), as with one worker.
   */
  async function grow(frontierBytes: number): Promise<SharedStateSetHandle | undefined> {
    const bigger = slots * 2
    const resident = set.bytes + records.bytes + frontierBytes
    const more = set.canDouble ? set.bytes : 2 * set.bytes
    // The states come first: the graph gives way when both would not fit.
    if (resident + more + (graph?.bytes ?? 0) > budget) forgetGraph()
    let h: SharedStateSetHandle
    if (resident + more <= budget) {
      // The workers double the slots where they are, or move them to a new buffer (when the old
      // one has no room left), a slice at a time.
      let m: ToWorker
      if (set.canDouble) {
        h = set.doubled
        m = { type: 'double', set: h, bounds: set.doublingBounds(REHASH_SLICE).buffer as SharedArrayBuffer }
      } else {
        h = SharedStateSet.create(set.keyWords, bigger, set.refs)
        m = { type: 'rehash', old: set.handle, set: h }
      }
      Atomics.store(control, CONTROL_REHASH_NEXT, 0)
      pool.postAll(m)
      for (let done = 0; done < pool.searchers; ) if ((await pool.next()).message.type === 'rehashed') done++
      set = new SharedStateSet(h)
      slots = bigger
      control[CONTROL_PAUSE_AT] = pauseMark()
      return h
    } else if (exact && mode === 'auto') {
      // As with one worker: the trace records go to disk, and the exact set goes once its
      // states are fingerprinted, into a set twice the size or, when that does not fit, one of
      // the same size (filled further before the search stops).
      records.startSpilling()
      const room = [bigger, slots].find((n) => records.bytes + frontierBytes + n * 8 <= budget)
      if (room === undefined) return undefined
      h = set.toFingerprints(room)
      slots = room
      exact = false
      warnings.push(
        `Switched from exact states to fingerprints at ${records.count.toLocaleString('en-US')} distinct states ` +
          `(memory budget ${Math.round(budget / MiB)} MiB).`,
      )
    } else return undefined
    set = new SharedStateSet(h)
    control[CONTROL_PAUSE_AT] = pauseMark()
    pool.postAll({ type: 'table', set: h, exact })
    return h
  }

  /** Gives up recording the graph; the liveness phase will explore the states again. */
  function forgetGraph(): void {
    if (graph?.abandon() === true) pool.postAll({ type: 'unrecord' })
  }
}
