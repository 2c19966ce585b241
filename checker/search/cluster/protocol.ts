/**
 * What the processes of a cluster search say to each other through Redis, and the checks every
 * message read from Redis goes through before it is used. Nothing read from Redis is ever run or
 * imported: a message is plain data, and one that is malformed, of another run, or of another
 * protocol is refused with a ClusterError naming what is wrong (it never becomes a count).
 *
 * Keys of run R (every key of a run starts with `mrcheck:run:R:`, so runs sharing a Redis are
 * kept apart):
 * - `meta`: the run's description (RunMeta, JSON), written by the coordinator;
 * - `join`: a stream of workers asking to join (Join);
 * - `ctl`: a stream from the coordinator to every worker (Control);
 * - `rep`: a stream from the workers to the coordinator (Report);
 * - `p:K`: partition K's stream of state batches, read by its owner in consumer group `owner`
 *   and deleted as it is read;
 * - `hb:W`: worker W's (or the coordinator's, `hb:coordinator`) heartbeat, a key that expires;
 * - `h:K`: partition K as its owner hands it to a worker that joined late (Partition.image, in
 *   chunks), read once by the new owner and deleted.
 * `mrcheck:runs` is the set of runs that take workers (until they end).
 *
 * A batch is one stream entry with fields `run`, `level`, `n` and `d`: `n` states packed as
 * Uint32 words, each the state's W words, then its parent's partition and id, then the action
 * instance that produced it (PARENT_INITIAL and the initial state's index, and NO_INSTANCE, for
 * initial states).
 */
import { CheckerError } from '../../result/errors.js'

export const PROTOCOL = 1
export const RUNS_KEY = 'mrcheck:runs'
/** The consumer group of every partition stream. */
export const OWNER_GROUP = 'owner'
/** A parent partition that marks an initial state (its id is then the index in `spec.init`). */
export const PARENT_INITIAL = 0xffffffff
export const NO_INSTANCE = 0xffffffff

/** How the owners keep their states: whole, or as 96-bit fingerprints (Partition.ts). */
export type ClusterStore = 'exact' | 'fingerprint'

/** Words per state in a batch: the state's W words, the parent's partition and id, the instance. */
export const stride = (W: number): number => W + 3

export class ClusterError extends CheckerError {
  constructor(message: string) {
    super('CLUSTER', message)
  }
}

export const keysOf = (run: string) => {
  const p = `mrcheck:run:${run}:`
  return {
    prefix: p,
    meta: `${p}meta`,
    join: `${p}join`,
    ctl: `${p}ctl`,
    rep: `${p}rep`,
    partition: (k: number) => `${p}p:${k}`,
    heartbeat: (who: string) => `${p}hb:${who}`,
    handover: (k: number) => `${p}h:${k}`,
  }
}
export type RunKeys = ReturnType<typeof keysOf>

/** What identifies a run's spec; a worker builds its own and joins only when every field agrees. */
export interface RunMeta {
  readonly protocol: number
  /** The mrcheck release of the coordinator. */
  readonly version: string
  readonly model: {
    readonly name: string
    readonly params: Readonly<Record<string, unknown>>
    /** The model code's hash (longrun/checkpoint.ts ModelCode), "mrcheck@<version>" for a built-in model. */
    readonly codeHash: string
  }
  /** compile/specSignature.ts, as one digest per part. */
  readonly signature: Readonly<Record<string, string>>
  /** The search options that change what is explored (plain data), and how the owners keep states (exact when absent). */
  readonly options: {
    readonly only?: readonly string[]
    readonly symmetry?: boolean
    readonly view?: boolean
    readonly continue: boolean
    readonly store?: ClusterStore
  }
  readonly partitions: number
  /** Worker processes the coordinator waits for before it starts. */
  readonly workers: number
  /** Set when the run goes on from checkpoints: the level they were written at, and the run they came from. */
  readonly resume?: { readonly level: number; readonly from: string }
}

export interface Join {
  readonly worker: string
  readonly host: string
  readonly pid: number
  /** How long its heartbeat lasts: once it expired, the worker counts as lost. */
  readonly heartbeatMs: number
  /** Partitions this worker holds checkpoints of, for a resumed run (at `resume.level` of `resume.from`). */
  readonly holds: readonly number[]
}

/** A violation found by a worker, located by partition and id there (trace.ts Found, plus the partition). */
export interface FoundAt {
  readonly property: string
  readonly kind: 'invariant' | 'action' | 'deadlock'
  readonly partition: number
  readonly state: number
  readonly instance: number
}

export interface Move {
  readonly partition: number
  readonly from: string
  readonly to: string
}

/**
 * How a run ended, as its workers learn it: with its verdict (the coordinator has it, whatever it
 * is), stopped early without one (a limit, Ctrl-C, a lost worker), or failed at the coordinator.
 */
export type RunEnd = 'verdict' | 'incomplete' | 'failed'
export const RUN_ENDS: readonly RunEnd[] = ['verdict', 'incomplete', 'failed']

export type Control =
  /** Partitions per worker; the streams and groups exist. A worker not named waits, to be given partitions by a move. */
  | { readonly t: 'assign'; readonly owners: Readonly<Record<string, readonly number[]>> }
  /**
   * At the boundary before depth `level` is expanded, partitions move from their owners to workers
   * that joined late; `owners` is the new assignment. Every worker named in a move says 'moved'.
   */
  | { readonly t: 'move'; readonly level: number; readonly moves: readonly Move[]; readonly owners: Readonly<Record<string, readonly number[]>> }
  /** Expand the states of depth `level` (their successors are sent as level `level + 1`). */
  | { readonly t: 'expand'; readonly level: number }
  /** Every batch of level `level` is sent: `totals[k]` states to partition k. */
  | { readonly t: 'sent'; readonly level: number; readonly totals: readonly number[] }
  /** Write checkpoints of the owned partitions, whose states up to depth `level` are all in. */
  | { readonly t: 'checkpoint'; readonly level: number }
  /** The owner of `partition` says where state `id` came from (for a trace). */
  | { readonly t: 'trace'; readonly partition: number; readonly id: number }
  /** The run is over: `why` in words, and how it ended (RunEnd). */
  | { readonly t: 'stop'; readonly why: string; readonly end: RunEnd }

export type Report =
  | {
      readonly t: 'expanded'
      readonly worker: string
      readonly level: number
      readonly generated: number
      /** States sent per partition. */
      readonly sent: readonly number[]
      readonly enabled: readonly number[]
      readonly found: readonly FoundAt[]
      /** Batches sent through Redis, and their bytes of packed states. */
      readonly batches: number
      readonly bytes: number
    }
  | {
      readonly t: 'received'
      readonly worker: string
      readonly level: number
      /** New states per owned partition. */
      readonly added: Readonly<Record<string, number>>
      readonly produced: readonly number[]
      readonly found: readonly FoundAt[]
      readonly reached: readonly string[]
    }
  | { readonly t: 'checkpointed'; readonly worker: string; readonly level: number }
  /** The worker handed over, or took over, the partitions a move named it for. */
  | { readonly t: 'moved'; readonly worker: string; readonly level: number }
  | {
      readonly t: 'parent'
      readonly worker: string
      readonly partition: number
      readonly id: number
      readonly parentPartition: number
      readonly parentId: number
      readonly instance: number
      readonly words: readonly number[]
    }
  /** The worker cannot go on: an evaluation error, a malformed message, a refused run. */
  | { readonly t: 'failed'; readonly worker: string; readonly message: string; readonly code: string }
  /** The worker left the run when it was interrupted (Ctrl-C): its partitions are lost, the run stops incomplete. */
  | { readonly t: 'left'; readonly worker: string }

/** Parses a JSON message read from `key`; refuses anything but an object with a known `t`. */
export function parseMessage<T extends { t: string }>(key: string, text: string | undefined, kinds: readonly T['t'][]): T {
  let m: unknown
  try {
    m = JSON.parse(text ?? '')
  } catch {
    throw new ClusterError(`A message on ${key} is not JSON: ${preview(text)}. Is another program writing to this run's keys?`)
  }
  const t = typeof m === 'object' && m !== null ? (m as { t?: unknown }).t : undefined
  if (typeof t !== 'string' || !(kinds as readonly string[]).includes(t)) {
    throw new ClusterError(`A message on ${key} is not one of ${kinds.join(', ')}: ${preview(text)}.`)
  }
  return m as T
}

const preview = (text: string | undefined) => JSON.stringify((text ?? '(no body)').slice(0, 80))

/** Checks that `value` is an array of `length` non-negative integers (a count per partition or action). */
export function counts(what: string, value: unknown, length: number): readonly number[] {
  if (!Array.isArray(value) || value.length !== length || !value.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new ClusterError(`${what} is not a list of ${length} counts: ${JSON.stringify(value)?.slice(0, 80)}.`)
  }
  return value
}

/** Checks a run description read from Redis, field by field. */
export function parseMeta(key: string, text: string | null): RunMeta {
  if (text === null) throw new ClusterError(`Run description ${key} does not exist: the run ended, or its name is wrong.`)
  let m: any
  try {
    m = JSON.parse(text)
  } catch {
    throw new ClusterError(`Run description ${key} is not JSON.`)
  }
  const ok =
    typeof m === 'object' &&
    m !== null &&
    m.protocol === PROTOCOL &&
    typeof m.version === 'string' &&
    typeof m.model?.name === 'string' &&
    typeof m.model?.params === 'object' &&
    m.model.params !== null &&
    Object.values(m.model.params).every((v) => ['string', 'number', 'boolean'].includes(typeof v)) &&
    typeof m.model?.codeHash === 'string' &&
    typeof m.signature === 'object' &&
    Object.values(m.signature ?? {}).every((v) => typeof v === 'string') &&
    typeof m.options?.continue === 'boolean' &&
    [undefined, 'exact', 'fingerprint'].includes(m.options.store) &&
    Number.isInteger(m.partitions) &&
    m.partitions >= 1 &&
    m.partitions <= 65536 &&
    Number.isInteger(m.workers) &&
    m.workers >= 1
  if (!ok) {
    const why = m?.protocol !== PROTOCOL ? `protocol ${JSON.stringify(m?.protocol)}, not ${PROTOCOL}` : 'fields missing or of the wrong type'
    throw new ClusterError(`Run description ${key} is not one this mrcheck can join (${why}).`)
  }
  return m as RunMeta
}

/** A batch entry's fields, as read from the stream (field name, value, ...). */
export interface Batch {
  readonly level: number
  readonly count: number
  readonly words: Uint32Array
}

/**
 * Checks a batch entry of stream `key` of run `run` and returns its states, which are checked
 * further by the owner (partition, parent, instance). `fields` alternate names and values.
 */
export function parseBatch(key: string, run: string, W: number, fields: readonly Buffer[] | null): Batch {
  const get = (name: string): Buffer | undefined => {
    if (fields === null) return undefined
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i]!.toString('latin1') === name) return fields[i + 1]
    return undefined
  }
  const runOf = get('run')?.toString('latin1')
  if (runOf !== run) throw new ClusterError(`A batch on ${key} belongs to run ${JSON.stringify(runOf ?? '(none)')}, not ${run}: refused.`)
  const level = Number(get('level')?.toString('latin1'))
  const count = Number(get('n')?.toString('latin1'))
  const d = get('d')
  if (!Number.isInteger(level) || level < 1 || !Number.isInteger(count) || count < 1 || d === undefined) {
    throw new ClusterError(`A batch on ${key} lacks a level, a count or its data: refused.`)
  }
  if (d.byteLength !== count * stride(W) * 4) {
    throw new ClusterError(
      `A batch on ${key} holds ${d.byteLength} bytes for ${count} states of ${W} words (${count * stride(W) * 4} expected): ` +
        'it was written for another spec, or damaged; refused.',
    )
  }
  // Copied so that the words are aligned (a Buffer from the socket may start at any byte).
  const words = new Uint32Array(count * stride(W))
  new Uint8Array(words.buffer).set(d)
  return { level, count, words }
}

/** The fields of a batch entry of `count` states packed in `words` (exactly their words). */
export function batchFields(run: string, level: number, count: number, words: Uint32Array): (string | Buffer)[] {
  return ['run', run, 'level', String(level), 'n', String(count), 'd', Buffer.from(words.buffer, words.byteOffset, words.byteLength)]
}

/** The partition that owns a state with fingerprint high lane `hi` (the low lane indexes the owner's table). */
export const partitionOf = (hi: number, partitions: number): number => (hi >>> 0) % partitions
