/**
 * A parallel search worker (worker_threads entry; see parallel.ts for the search and
 * workerProtocol.ts for the messages). It rebuilds
 * the spec from where it came from (a module URL, an export and JSON parameters: closures cannot
 * be posted to a thread), expands blocks of the level's states, taken in turn with the other
 * workers, with the same expansion routine as the one-worker search, inserts successors into the
 * shared visited set, and sends the new states back in chunks, with their trace records.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Spec } from '../spec/model.js'
import type { PropertySet } from '../spec/properties.js'
import { compileSpec, type CompiledSpec } from './compile.js'
import { STOP, type Sink } from './expand.js'
import { expanderFor } from './strictExpand.js'
import { EdgeLog, MAX_REF, refOf } from './EdgeLog.js'
import { INSERTED, SharedStateSet } from './SharedStateSet.js'
import { instantiate } from './instantiate.js'
import {
  BLOCK_STATES,
  CONTROL_COUNTS,
  CONTROL_NEXT_STATE,
  CONTROL_PAUSE_AT,
  CONTROL_REHASH_NEXT,
  CONTROL_STOP,
  COUNT_STRIDE,
  REHASH_SLICE,
  type FromWorker,
  type Level,
  type ModelSource,
  type ToWorker,
  type WorkerFailure,
  type WorkerSetup,
  generatedWord,
  serializeError,
} from './workerProtocol.js'
import { reductionFor } from './reduction.js'
import { signatureMismatch, specSignature } from './specSignature.js'

/** Loads a spec and its properties from a ModelSource. */
export async function loadSource(source: ModelSource): Promise<{ spec: Spec; props: PropertySet<any, any> }> {
  let exports: Record<string, unknown> = /\.(c|m)?ts$/.test(source.module)
    ? await (await import('tsx/esm/api')).tsImport(source.module, import.meta.url)
    : await import(source.module)
  // A file outside an ESM package is compiled as CommonJS: its exports then sit under `default`.
  if (source.export !== undefined && !(source.export in exports) && typeof exports.default === 'object' && exports.default !== null) {
    exports = exports.default as Record<string, unknown>
  }
  const isModel = (x: unknown): x is Parameters<typeof instantiate>[0] =>
    typeof x === 'object' && x !== null && typeof (x as { build?: unknown }).build === 'function'
  let chosen: unknown = source.export !== undefined ? exports[source.export] : exports.default
  if (source.name !== undefined || (source.export === undefined && !isModel(chosen))) {
    // Models among the exports, one level deep (a list or an object of models counts).
    const candidates = source.export !== undefined ? [chosen] : Object.values(exports)
    const flat = candidates.flatMap((x) => (isModel(x) ? [x] : typeof x === 'object' && x !== null ? Object.values(x) : []))
    const models = [...new Set(flat.filter(isModel))]
    const named = source.name === undefined ? models : models.filter((m) => (m as { name?: unknown }).name === source.name)
    if (named.length === 1) chosen = named[0]
    else if (source.name !== undefined) throw new Error(`${source.module} exports no model named "${source.name}"`)
  }
  if (isModel(chosen)) {
    const { spec, props } = instantiate(chosen, source.params ?? {})
    return { spec, props }
  }
  if (typeof chosen === 'function') {
    return (await chosen(source.params ?? {})) as { spec: Spec; props: PropertySet<any, any> }
  }
  throw new Error(
    `${source.module}${source.export === undefined ? '' : ` (export ${source.export})`} is neither a model ` +
      'made with defineModel nor a function (params) => { spec, props }',
  )
}

/**
 * New states found by this worker, in chunks of shared memory handed to the coordinator. The
 * shared set knows no ids: a new state's number is its ref (EdgeLog.ts), and `seen` is the ref of
 * the state the last `add` found (in a set that keeps refs).
 */
class SharedSink implements Sink {
  private words!: Uint32Array
  private records!: Int32Array
  private n = 0
  /** New states this worker found, in all. */
  inserted = 0
  seen = -1
  private readonly key = new Uint32Array(1)
  /** The ref of the next state this worker inserts, and how much it grows with each. */
  private ref: number
  private readonly refStep: number

  constructor(
    public set: SharedStateSet,
    private readonly W: number,
    public exact: boolean,
    private readonly chunkStates: number,
    private readonly post: (m: FromWorker) => void,
    index: number,
    workers: number,
    /** The edges' log, while the behaviour graph is recorded. */
    public log: EdgeLog | undefined,
  ) {
    this.ref = refOf(0, index, workers)
    this.refStep = refOf(1, index, workers) - this.ref
    this.fresh()
  }

  add(buf: Uint32Array, at: number, lo: number, hi: number, parent: number, instance: number): number {
    const key = this.key
    const ref = this.ref
    let found: number
    if (this.exact) found = this.set.insert(hi, buf, at, ref)
    else {
      key[0] = lo
      found = this.set.insert(hi, key, 0, 0)
    }
    if (found !== INSERTED) {
      this.seen = found
      return -1
    }
    this.inserted++
    this.ref += this.refStep
    if (this.ref > MAX_REF) this.log?.lose()
    const W = this.W
    const words = this.words
    const base = this.n * W
    for (let i = 0; i < W; i++) words[base + i] = buf[at + i]!
    this.records[2 * this.n] = parent
    this.records[2 * this.n + 1] = instance
    if (++this.n === this.chunkStates) this.flush()
    return ref
  }

  prefetch(fps: Uint32Array, count: number): void {
    this.set.prefetch(fps, count)
  }

  /** Sends the states collected so far. */
  flush(): void {
    if (this.n === 0) return
    this.post({
      type: 'out',
      words: this.words.buffer as SharedArrayBuffer,
      records: this.records.buffer as SharedArrayBuffer,
      count: this.n,
    })
    this.fresh()
  }

  /** Buffers to fill again, handed back by the coordinator (see parallel.ts). */
  readonly spareWords: SharedArrayBuffer[] = []
  readonly spareRecords: SharedArrayBuffer[] = []

  private fresh(): void {
    this.words = new Uint32Array(this.spareWords.pop() ?? new SharedArrayBuffer(this.chunkStates * this.W * 4))
    this.records = new Int32Array(this.spareRecords.pop() ?? new SharedArrayBuffer(this.chunkStates * 8))
    this.n = 0
  }
}

async function main(): Promise<void> {
  const port = parentPort!
  const setup = workerData as WorkerSetup
  const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer)
  let c: CompiledSpec
  try {
    const { spec, props } = await loadSource(setup.source)
    const compiled = compileSpec(spec, props, setup.only === undefined ? {} : { only: setup.only })
    const reduction = reductionFor(compiled, setup.reduction)
    c = reduction === undefined ? compiled : { ...compiled, reduction }
    const differs = signatureMismatch(setup.signature, specSignature(compiled))
    if (differs !== undefined) {
      throw new Error(
        `the spec it builds differs from the one being checked in ${differs}. A worker builds the spec ` +
          'again from options.source: pass check() the spec and properties that source builds, or search with one worker',
      )
    }
  } catch (e) {
    post({ type: 'fatal', message: (e as Error).message ?? String(e) })
    return
  }
  const control = new Int32Array(setup.control)
  const expander = expanderFor(c, setup.keepGoing, setup.strict)
  let set = new SharedStateSet(setup.set)
  const log = setup.record ? new EdgeLog() : undefined
  const sink = new SharedSink(set, c.codec.words, setup.exact, setup.chunkStates, post, setup.index, setup.workers, log)
  expander.graph = log
  let reported = 0
  const W = c.codec.words

  /** The level being expanded: its chunks, where each starts in the level, and their first ids. */
  let chunks: Uint32Array[] = []
  let starts = new Float64Array(1)
  let firstIds: readonly number[] = []
  /** The chunk of the last block taken (blocks are taken in increasing order within a level). */
  let cursor = 0
  const startLevel = (level: Level): void => {
    chunks = level.words.map((b) => new Uint32Array(b))
    starts = new Float64Array(level.counts.length + 1)
    level.counts.forEach((n, i) => (starts[i + 1] = starts[i]! + n))
    firstIds = level.firstIds
    cursor = 0
  }
  const mine = CONTROL_COUNTS + COUNT_STRIDE * setup.index
  const generatedOut = new Float64Array(setup.control, generatedWord(setup.index) * 4, 1)
  const storedInAll = () => {
    let k = setup.initial
    for (let w = CONTROL_COUNTS; w < control.length; w += COUNT_STRIDE) k += w === mine ? sink.inserted : Atomics.load(control, w)
    return k
  }

  /** Expands blocks of the level until none is left, the pause mark is passed or the search stops. */
  const work = (): void => {
    const total = starts[chunks.length]!
    let expanded = 0
    let failure: WorkerFailure | undefined
    let id = -1
    let words = chunks[0]!
    let i = 0
    try {
      blocks: for (;;) {
        Atomics.store(control, mine, sink.inserted)
        generatedOut[0] = expander.generated
        if (Atomics.load(control, CONTROL_STOP) !== 0 || storedInAll() >= Atomics.load(control, CONTROL_PAUSE_AT)) break
        const first = Atomics.add(control, CONTROL_NEXT_STATE, BLOCK_STATES)
        if (first >= total) break
        const end = Math.min(total, first + BLOCK_STATES)
        for (let g = first; g < end; ) {
          while (starts[cursor + 1]! <= g) cursor++
          words = chunks[cursor]!
          const to = Math.min(end, starts[cursor + 1]!)
          for (; g < to; g++) {
            i = g - starts[cursor]!
            id = firstIds[cursor]! + i
            // The shared sink takes every state, so expand ends with EXPANDED or STOP.
            const r = expander.expand(id, words, i * W, sink, to - g - 1)
            expanded++
            if (r === STOP) {
              Atomics.store(control, CONTROL_STOP, 1)
              break blocks
            }
          }
        }
      }
    } catch (e) {
      Atomics.store(control, CONTROL_STOP, 1)
      failure = { state: id, instance: expander.instance, error: serializeError(e), words: words.slice(i * W, (i + 1) * W) }
    }
    sink.flush()
    Atomics.store(control, mine, sink.inserted)
    generatedOut[0] = expander.generated
    const found = expander.found.slice(reported)
    reported = expander.found.length
    const edges = sink.log === undefined ? undefined : sink.log.lost ? null : sink.log.take()
    post(
      {
        type: 'done',
        expanded,
        enabled: expander.enabled,
        produced: expander.produced,
        found,
        reached: [...expander.reached],
        ...(failure === undefined ? {} : { failure }),
        ...(edges === undefined ? {} : { edges }),
      },
      edges ? [edges.buffer as ArrayBuffer] : [],
    )
  }

  /** Runs `each` on slice after slice of a growing set, as CONTROL_REHASH_NEXT hands them out, until `count`. */
  const takeSlices = (count: number, each: (k: number) => void): void => {
    for (let k = Atomics.add(control, CONTROL_REHASH_NEXT, 1); k < count; k = Atomics.add(control, CONTROL_REHASH_NEXT, 1)) each(k)
  }

  port.on('message', (m: ToWorker) => {
    switch (m.type) {
      case 'table':
        set = new SharedStateSet(m.set)
        sink.set = set
        sink.exact = m.exact
        break
      case 'recycle':
        sink.spareWords.push(...m.words)
        sink.spareRecords.push(...m.records)
        break
      case 'rehash': {
        const next = new SharedStateSet(m.set)
        const old = m.old.slots
        takeSlices(Math.ceil(old / REHASH_SLICE), (k) => next.rehashFrom(m.old, k * REHASH_SLICE, Math.min(old, (k + 1) * REHASH_SLICE)))
        set = next
        sink.set = set
        post({ type: 'rehashed' })
        break
      }
      case 'double': {
        const bounds = new Int32Array(m.bounds)
        takeSlices(bounds.length - 1, (k) => set.doubleBetween(bounds[k]!, bounds[k + 1]!))
        set = new SharedStateSet(m.set)
        sink.set = set
        post({ type: 'rehashed' })
        break
      }
      case 'work':
        if (m.level !== undefined) startLevel(m.level)
        work()
        break
      case 'unrecord':
        sink.log = expander.graph = undefined
        break
      case 'exit':
        port.close()
        break
    }
  })
  post({ type: 'ready' })
}

if (parentPort !== null && (workerData as WorkerSetup | undefined)?.kind === 'mrcheck-search-worker') void main()
