/**
 * The coordinator of a cluster search (`mrcheck check MODEL --cluster URL`): partitioned,
 * level-synchronous breadth-first search (the PReach/DiVinE design) over Redis.
 *
 * It publishes the run (RunMeta), waits for its worker processes, assigns them the partitions,
 * seeds the initial states, and then drives the levels with a barrier of counts: for depth L it
 * tells every worker to expand its states of depth L, sums the states each sent to each partition
 * (their 'expanded' reports), tells the totals, and waits until every owner received them all
 * ('received'). So the first violation is found at the lowest depth, and its trace, rebuilt by
 * asking owner after owner where each state came from, is a shortest one. Between levels it asks
 * for checkpoints (when due), watches the workers' heartbeats (a lost worker stops the run,
 * incomplete, naming its partitions), samples Redis's memory, and at the end stops the workers
 * and removes the run's keys.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { AnyModel } from '../../model/model.js'
import type { CheckResult, StopReason } from '../../result/result.js'
import { specSignature } from '../../compile/specSignature.js'
import { Expander, EXPANDED } from '../expand.js'
import { runInfo, searchResult, progressOf, type Progress } from '../outcome.js'
import type { Found, PathSource } from '../../trace/trace.js'
import { checkpointDir, openFramed, readAt, writeFramed } from '../../longrun/checkpoint.js'
import { closeSync } from 'node:fs'
import { Outbox } from './Outbox.js'
import { buildClusterSpec, type BuiltSpec } from './clusterSpec.js'
import { connect, redisCall, shownUrl, type Redis } from './redis.js'
import {
  ClusterError,
  OWNER_GROUP,
  PARENT_INITIAL,
  PROTOCOL,
  RUNS_KEY,
  counts,
  keysOf,
  parseMessage,
  type Control,
  type FoundAt,
  type Join,
  type Move,
  type ClusterStore,
  type Report,
  type RunKeys,
  type RunMeta,
} from './protocol.js'
import { FINGERPRINT_BITS } from './Partition.js'
import { fingerprintThird } from '../../encode/fingerprint.js'

export interface ClusterCheckOptions {
  /** redis:// or rediss:// URL. */
  readonly url: string
  /** Worker processes to wait for before the search starts (default 1). */
  readonly workers?: number
  /** Partitions of the state space (default 4 per worker; at least one per worker). */
  readonly partitions?: number
  /** The run's name in Redis (default: made up); workers given `--run` join only this one. */
  readonly run?: string
  readonly only?: readonly string[]
  readonly symmetry?: boolean
  readonly view?: boolean
  readonly continue?: boolean
  /** How the owners keep their states: exact (the default), or 96-bit fingerprints. */
  readonly store?: ClusterStore
  readonly maxDepth?: number
  /** Stop (incomplete) at the first level boundary with at least this many distinct states. */
  readonly maxStates?: number
  /** Stop (incomplete) after this many milliseconds, at the next level boundary. */
  readonly timeoutMs?: number
  /** Stop (incomplete) when aborted, at the next level boundary. */
  readonly signal?: AbortSignal
  /** A worker whose heartbeat is older than this is lost (default 10 s). */
  readonly heartbeatMs?: number
  /** Give up when the workers have not all joined after this long (default: wait). */
  readonly joinTimeoutMs?: number
  /** Record the run in `dir` (and have every worker checkpoint its partitions) at a level boundary every `everyMs` (default 60 s). */
  readonly checkpoint?: { readonly dir: string; readonly everyMs?: number; readonly ref: string }
  /** Go on from the run recorded in this directory (a checkpoint written with `checkpoint`). */
  readonly resumeFrom?: string
  readonly onProgress?: (p: Progress) => void
  /** Diagnostics (stderr). */
  readonly log?: (line: string) => void
}

/** What identifies the model's code and the release (clusterSpec.ts WorkerIdentity). */
export interface CoordinatorIdentity {
  readonly model: AnyModel
  readonly params: Readonly<Record<string, unknown>>
  readonly codeHash: string
  readonly version: string
}

/** What the run cost, besides its result. */
export interface ClusterStats {
  readonly run: string
  readonly partitions: number
  readonly workers: number
  /** Batches and bytes of packed states sent through Redis (states kept in their own process are not sent). */
  readonly batches: number
  readonly bytesSent: number
  /** Redis's used memory at its highest during the run, above what it was at the start (sampled at every barrier). */
  readonly redisPeakBytes: number
  readonly levels: number
}

export interface ClusterRun {
  readonly result: CheckResult
  readonly cluster: ClusterStats
}

const POLL_MS = 100
const CHECKPOINT_FILE = 'cluster-run.bin'

/** The coordinator's record of a run at a level boundary (its checkpoint). */
interface RunRecord {
  readonly format: 1
  readonly run: string
  readonly level: number
  readonly partitions: number
  readonly workers: number
  readonly model: { readonly name: string; readonly ref: string; readonly params: Record<string, unknown>; readonly codeHash: string }
  readonly options: RunMeta['options']
  readonly signature: Record<string, string>
  readonly distinct: number
  readonly generated: number
  readonly enabled: number[]
  readonly produced: number[]
  readonly found: FoundAt[]
  readonly reached: string[]
  readonly frontier: number
  readonly everyMs: number
}

/** Reads the coordinator's checkpoint in `dir`. */
export function readRunRecord(dir: string): RunRecord {
  const f = openFramed(join(dir, CHECKPOINT_FILE), 'cluster-run')
  let r: any
  try {
    const buf = Buffer.alloc(f.bytes)
    readAt(f, buf, f.bytes, 0)
    r = JSON.parse(buf.toString('utf8'))
  } catch (e) {
    throw new ClusterError(`Cluster checkpoint ${join(dir, CHECKPOINT_FILE)} cannot be read: ${(e as Error).message}.`)
  } finally {
    closeSync(f.fd)
  }
  if (r?.format !== 1 || typeof r.run !== 'string' || !Number.isInteger(r.level) || typeof r.model?.ref !== 'string') {
    throw new ClusterError(`Cluster checkpoint ${join(dir, CHECKPOINT_FILE)} is not one this mrcheck wrote.`)
  }
  return r as RunRecord
}

/** Runs a cluster search of `who.model` at `who.params` and returns its result and what it cost. */
export async function clusterCheck(who: CoordinatorIdentity, options: ClusterCheckOptions): Promise<ClusterRun> {
  const record = options.resumeFrom === undefined ? undefined : readRunRecord(options.resumeFrom)
  const runOptions: RunMeta['options'] = record?.options ?? {
    ...(options.only === undefined ? {} : { only: [...options.only] }),
    ...(options.symmetry === undefined ? {} : { symmetry: options.symmetry }),
    ...(options.view === undefined ? {} : { view: options.view }),
    continue: options.continue ?? false,
    ...(options.store === 'fingerprint' ? { store: 'fingerprint' as const } : {}),
  }
  const params = record?.model.params ?? who.params
  const built = buildClusterSpec(who.model, params, runOptions)
  const signature = specSignature(built.compiled) as unknown as Record<string, string>
  if (record !== undefined) {
    if (record.model.codeHash !== who.codeHash) throw new ClusterError(`The model's code changed since the checkpoint in ${options.resumeFrom} was written.`)
    if (JSON.stringify(record.signature) !== JSON.stringify(signature)) throw new ClusterError(`The checkpoint in ${options.resumeFrom} was written for another spec.`)
  }
  const workers = record?.workers ?? options.workers ?? 1
  const partitions = record?.partitions ?? options.partitions ?? 4 * workers
  if (!Number.isInteger(workers) || workers < 1) throw new ClusterError(`workers must be a positive integer, not ${workers}.`)
  if (!Number.isInteger(partitions) || partitions < workers || partitions > 65536) {
    throw new ClusterError(`--partitions must be an integer from the number of workers (${workers}) to 65536, not ${partitions}.`)
  }
  const run = options.run ?? `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
  if (!/^[\w-]{1,64}$/.test(run)) throw new ClusterError(`A run name may hold letters, digits, _ and - only (64 at most), not ${JSON.stringify(run)}.`)
  const meta: RunMeta = {
    protocol: PROTOCOL,
    version: who.version,
    model: { name: who.model.name, params: built.params, codeHash: who.codeHash },
    signature,
    options: runOptions,
    partitions,
    workers,
    ...(record === undefined ? {} : { resume: { level: record.level, from: record.run } }),
  }
  const cmd = await connect(options.url, `mrcheck-coordinator-${run}`)
  const reader = await connect(options.url, `mrcheck-coordinator-reader-${run}`)
  const c = new Coordinator(run, keysOf(run), meta, built, { cmd, reader }, options, who, record)
  try {
    return await c.search()
  } finally {
    await c.cleanUp()
    cmd.disconnect()
    reader.disconnect()
  }
}

/** Workers gone from the run: their heartbeats expired, or (`left`) one was interrupted and said so. */
class LostWorkers extends Error {
  constructor(
    readonly lost: readonly string[],
    readonly left = false,
  ) {
    super('lost')
  }
}

const REPORTS: readonly Report['t'][] = ['expanded', 'received', 'checkpointed', 'moved', 'parent', 'failed', 'left']

class Coordinator {
  private readonly log: (line: string) => void
  private readonly heartbeatMs: number
  private owners: Record<string, number[]> = {}
  /** Per worker: how long its heartbeat lasts (Join.heartbeatMs). */
  private readonly heartbeatOf = new Map<string, number>()
  private lastReport = '0'
  private lastJoin = '0'
  private lastBeatCheck = 0
  private heartbeat: ReturnType<typeof setInterval> | undefined
  private redisBase = 0
  private redisPeak = 0
  private batches = 0
  private bytesSent = 0
  private readonly started = Date.now()
  // The search's counters.
  private distinct: number
  private generated: number
  private readonly enabled: Float64Array
  private readonly produced: Float64Array
  private readonly found: FoundAt[]
  private readonly broken = new Set<string>()
  private readonly reached: Set<string>
  /** Found by the coordinator itself (an initial state outside the constraint that breaks an invariant). */
  private readonly ownFound: Found[] = []
  private lastCheckpoint = Date.now()
  /** Workers that joined but own nothing (more processes than partitions to share). */
  private standby: string[] = []
  private readonly store: ClusterStore
  /** Whether this run's keys are this coordinator's (a run of the same name may exist already). */
  private published = false

  constructor(
    private readonly run: string,
    private readonly keys: RunKeys,
    private readonly meta: RunMeta,
    private readonly built: BuiltSpec,
    private readonly redis: { readonly cmd: Redis; readonly reader: Redis },
    private readonly options: ClusterCheckOptions,
    private readonly who: CoordinatorIdentity,
    private readonly record: RunRecord | undefined,
  ) {
    this.log = options.log ?? (() => {})
    this.store = meta.options.store ?? 'exact'
    this.heartbeatMs = options.heartbeatMs ?? 10_000
    const A = built.c.actionNames.length
    this.distinct = record?.distinct ?? 0
    this.generated = record?.generated ?? 0
    this.enabled = Float64Array.from(record?.enabled ?? new Array<number>(A).fill(0))
    this.produced = Float64Array.from(record?.produced ?? new Array<number>(A).fill(0))
    this.found = [...(record?.found ?? [])]
    for (const f of this.found) this.broken.add(f.property)
    this.reached = new Set(record?.reached ?? [])
  }

  private call<T>(doing: string, f: () => Promise<T>): Promise<T> {
    return redisCall(this.options.url, doing, f)
  }

  private async control(m: Control): Promise<void> {
    await this.call('writing the control stream', () => this.redis.cmd.xadd(this.keys.ctl, '*', 'm', JSON.stringify(m)))
  }

  /** The run; when it fails, the workers are told so (they end with the coordinator's error). */
  async search(): Promise<ClusterRun> {
    try {
      return await this.searchLevels()
    } catch (e) {
      if (this.published) await this.control({ t: 'stop', why: (e as Error).message, end: 'failed' }).catch(() => {})
      throw e
    }
  }

  private async searchLevels(): Promise<ClusterRun> {
    const { cmd } = this.redis
    const { keys, meta, run } = this
    const beat = () => cmd.set(keys.heartbeat('coordinator'), '1', 'PX', this.heartbeatMs)
    await this.call('starting the run', async () => {
      if ((await cmd.exists(keys.meta)) === 1) throw new ClusterError(`A run named ${run} already exists in this Redis.`)
      await beat()
      await cmd.set(keys.meta, JSON.stringify(meta))
      await cmd.sadd(RUNS_KEY, run)
    })
    this.published = true
    this.heartbeat = setInterval(() => void beat().catch(() => {}), Math.max(50, this.heartbeatMs / 4))
    this.redisBase = await this.usedMemory()
    this.redisPeak = this.redisBase
    this.log(`Run ${run} of ${meta.model.name} at ${shownUrl(this.options.url)}: waiting for ${meta.workers} worker process${meta.workers === 1 ? '' : 'es'} (mrcheck worker ${meta.model.name} --cluster ${shownUrl(this.options.url)}).`)
    const joined = await this.awaitWorkers()
    await this.assign(joined)
    let stopReason: StopReason | undefined
    let lostNote: string | undefined
    let depth = 0
    let frontier = 0
    let complete = false
    let stoppedByViolation = false
    try {
      let level: number
      if (this.record === undefined) {
        level = 1
        frontier = await this.seed()
        stoppedByViolation = this.stops()
      } else {
        level = this.record.level
        frontier = this.record.frontier
      }
      depth = frontier > 0 ? level : 0
      while (!stoppedByViolation) {
        if (frontier === 0) {
          complete = true
          break
        }
        depth = level
        await this.admit(level)
        await this.maybeCheckpoint(level, frontier)
        if (this.options.maxDepth !== undefined && level >= this.options.maxDepth) {
          stopReason = 'maxDepth'
          break
        }
        if (this.options.maxStates !== undefined && this.distinct >= this.options.maxStates) {
          stopReason = 'maxStates'
          break
        }
        if (this.options.timeoutMs !== undefined && Date.now() - this.started >= this.options.timeoutMs) {
          stopReason = 'timeout'
          break
        }
        if (this.options.signal?.aborted) {
          stopReason = 'interrupted'
          break
        }
        this.options.onProgress?.(progressOf(this.started, this.distinct, this.generated, depth, frontier))
        const totals = await this.expand(level)
        if (this.stops()) {
          stoppedByViolation = true
          break
        }
        await this.control({ t: 'sent', level: level + 1, totals })
        frontier = await this.receive(level + 1)
        level++
        stoppedByViolation = this.stops()
      }
    } catch (e) {
      if (!(e instanceof LostWorkers)) throw e
      const parts = e.lost.flatMap((w) => this.owners[w] ?? []).sort((a, b) => a - b)
      const silent = Math.max(...e.lost.map((w) => this.heartbeatOf.get(w) ?? 0)) / 1000
      lostNote =
        `Worker${e.lost.length === 1 ? '' : 's'} ${e.lost.join(', ')} ${e.left ? 'left the run (interrupted)' : `stopped answering (no heartbeat for ${silent} s)`}: ` +
        `partition${parts.length === 1 ? '' : 's'} ${parts.join(', ')} of ${meta.partitions} ${parts.length === 1 ? 'was' : 'were'} lost. ` +
        (this.options.checkpoint !== undefined
          ? `Go on from the last checkpoint with mrcheck resume ${this.options.checkpoint.dir} --cluster URL and the workers' --checkpoint directories.`
          : 'Nothing was proved; start the run again (with --checkpoint DIR to be able to resume).')
      stopReason = 'workerLost'
    }
    const c = this.built.c
    const warnings = lostNote === undefined ? [] : [lostNote]
    if (complete) for (const [name] of c.reachable) if (!this.reached.has(name)) this.ownFound.push({ property: name, kind: 'reachable', state: -1, instance: -1 })
    // Traces are rebuilt while the owners are still there; a lost worker's states are gone with it.
    const chains = stopReason === 'workerLost' ? new Chains(this.store, c.codec.words) : await this.traces()
    await this.control({
      t: 'stop',
      why: complete ? 'the search is complete' : stopReason === undefined ? 'a property is violated' : `stopped early (${stopReason})`,
      end: stopReason === undefined ? 'verdict' : 'incomplete',
    }).catch(() => {})
    const info = runInfo(
      c,
      this.started,
      {
        distinct: this.distinct,
        generated: this.generated,
        depth,
        left: complete ? 0 : frontier,
        enabled: (i) => this.enabled[i]!,
        produced: (i) => this.produced[i]!,
      },
      this.store,
      meta.workers,
      warnings,
      FINGERPRINT_BITS,
    )
    const found: Found[] = [...this.ownFound.filter((f) => f.kind !== 'reachable'), ...chains.found, ...this.ownFound.filter((f) => f.kind === 'reachable')]
    let result = searchResult(c, info, chains, stopReason === 'workerLost' ? [] : found, {
      complete: complete && stopReason === undefined,
      stopReason,
      failure: undefined,
    })
    if (c.reduction !== undefined) result = c.reduction.finish(result)
    return {
      result,
      cluster: {
        run: this.run,
        partitions: meta.partitions,
        workers: meta.workers,
        batches: this.batches,
        bytesSent: this.bytesSent,
        redisPeakBytes: Math.max(0, this.redisPeak - this.redisBase),
        levels: depth,
      },
    }
  }

  /** Whether the search stops here: a violation was found and --continue was not given. */
  private stops(): boolean {
    return !this.meta.options.continue && (this.found.length > 0 || this.ownFound.length > 0)
  }

  private async usedMemory(): Promise<number> {
    const info = await this.call('reading INFO memory', () => this.redis.cmd.info('memory'))
    const m = /used_memory:(\d+)/.exec(info)
    return m === null ? 0 : Number(m[1])
  }

  /** Reads reports until `want` says it has all it waits for; watches heartbeats and failures on the way. */
  private async reports(want: (r: Report) => boolean): Promise<void> {
    for (;;) {
      const got = (await this.call('reading reports', () =>
        this.redis.reader.xread('COUNT', 64, 'BLOCK', POLL_MS, 'STREAMS', this.keys.rep, this.lastReport),
      )) as [string, [string, string[]][]][] | null
      for (const [, entries] of got ?? []) {
        for (const [id, fields] of entries) {
          this.lastReport = id
          const r = parseMessage<Report>(this.keys.rep, fields[1], REPORTS)
          if (r.t === 'left') {
            if (Object.hasOwn(this.owners, r.worker)) throw new LostWorkers([r.worker], true)
            this.standby = this.standby.filter((w) => w !== r.worker)
            continue
          }
          if (r.t === 'failed') {
            // A worker that is not in the run (refused, or too late) does not stop it.
            if (!Object.hasOwn(this.owners, r.worker)) {
              this.log(`A worker was refused: ${r.message}`)
              continue
            }
            throw new ClusterError(`Worker ${r.worker} failed: ${r.message}`)
          }
          if (want(r)) return
        }
      }
      await this.checkHeartbeats()
    }
  }

  private async checkHeartbeats(): Promise<void> {
    const now = Date.now()
    if (now - this.lastBeatCheck < Math.min(500, this.heartbeatMs / 4)) return
    this.lastBeatCheck = now
    const peak = await this.usedMemory()
    if (peak > this.redisPeak) this.redisPeak = peak
    const ws = Object.keys(this.owners)
    if (ws.length === 0) return
    const alive = await this.call('checking heartbeats', () => Promise.all(ws.map((w) => this.redis.cmd.exists(this.keys.heartbeat(w)))))
    const lost = ws.filter((_, i) => alive[i] === 0)
    if (lost.length === 0) return
    // A worker that failed says why before its heartbeat goes: that, if it is there, rather than "lost".
    const after = (await this.call('reading reports', () => this.redis.reader.xread('COUNT', 1000, 'STREAMS', this.keys.rep, this.lastReport))) as
      | [string, [string, string[]][]][]
      | null
    for (const [, entries] of after ?? []) {
      for (const [, fields] of entries) {
        const r = parseMessage<Report>(this.keys.rep, fields[1], REPORTS)
        if (r.t === 'failed' && lost.includes(r.worker)) throw new ClusterError(`Worker ${r.worker} failed: ${r.message}`)
        if (r.t === 'left' && lost.includes(r.worker)) throw new LostWorkers([r.worker], true)
      }
    }
    throw new LostWorkers(lost)
  }

  /** Waits for the run's workers to join (the join stream); on resume, until the checkpoints of every partition are held. */
  private async awaitWorkers(): Promise<Join[]> {
    const joined: Join[] = []
    const started = Date.now()
    while (joined.length < this.meta.workers) {
      for (const j of await this.joins(POLL_MS)) {
        if (!joined.some((x) => x.worker === j.worker)) joined.push(j)
        this.log(`Worker ${j.worker} joined (${joined.length} of ${this.meta.workers}).`)
      }
      // Refusals come as reports, and so do workers that left before the run started.
      const refused = (await this.call('reading reports', () => this.redis.reader.xread('COUNT', 16, 'STREAMS', this.keys.rep, this.lastReport))) as
        | [string, [string, string[]][]][]
        | null
      for (const [, entries] of refused ?? []) {
        for (const [id, fields] of entries) {
          this.lastReport = id
          const r = parseMessage<Report>(this.keys.rep, fields[1], ['failed', 'left'])
          if (r.t === 'failed') this.log(`A worker was refused: ${r.message}`)
          const gone = joined.findIndex((j) => j.worker === r.worker)
          if (r.t === 'left' && gone >= 0) {
            joined.splice(gone, 1)
            this.log(`Worker ${r.worker} left before the run started (${joined.length} of ${this.meta.workers}).`)
          }
        }
      }
      if (this.options.signal?.aborted) throw new ClusterError('Interrupted while waiting for workers.')
      if (this.options.joinTimeoutMs !== undefined && Date.now() - started > this.options.joinTimeoutMs) {
        throw new ClusterError(`Only ${joined.length} of ${this.meta.workers} workers joined run ${this.run} in ${this.options.joinTimeoutMs / 1000} s.`)
      }
    }
    return joined
  }

  /** The joins read from the join stream (waiting up to `blockMs`, or not at all when undefined). */
  private async joins(blockMs: number | undefined): Promise<Join[]> {
    const block = blockMs === undefined ? [] : ['BLOCK', blockMs]
    const got = (await this.call('reading joins', () =>
      this.redis.reader.xread('COUNT', 16, ...(block as ['BLOCK', number]), 'STREAMS', this.keys.join, this.lastJoin),
    )) as [string, [string, string[]][]][] | null
    const out: Join[] = []
    for (const [, entries] of got ?? []) {
      for (const [id, fields] of entries) {
        this.lastJoin = id
        let j: Join
        try {
          j = JSON.parse(fields[1] ?? '') as Join
        } catch {
          throw new ClusterError(`A message on ${this.keys.join} is not JSON.`)
        }
        if (typeof j?.worker !== 'string' || !Array.isArray(j.holds) || !(j.heartbeatMs > 0)) throw new ClusterError(`A message on ${this.keys.join} is not a join.`)
        this.heartbeatOf.set(j.worker, j.heartbeatMs)
        out.push(j)
      }
    }
    return out
  }

  /**
   * At the boundary before depth `level` is expanded: workers that joined since the run started
   * (or were not needed at its start) are given partitions, moved to them from the workers that
   * own the most, until no worker owns two more than another; a joiner left without any waits.
   */
  private async admit(level: number): Promise<void> {
    const joiners = (await this.joins(undefined)).map((j) => j.worker).concat(this.standby).filter((w, i, all) => !Object.hasOwn(this.owners, w) && all.indexOf(w) === i)
    if (joiners.length === 0) return
    const owners: Record<string, number[]> = Object.fromEntries(Object.entries(this.owners).map(([w, ps]) => [w, [...ps]]))
    for (const w of joiners) owners[w] = []
    const moves: Move[] = []
    for (;;) {
      const ws = Object.keys(owners).sort((a, b) => owners[a]!.length - owners[b]!.length)
      const least = ws[0]!
      const most = ws[ws.length - 1]!
      if (owners[most]!.length - owners[least]!.length < 2) break
      const k = owners[most]!.pop()!
      owners[least]!.push(k)
      moves.push({ partition: k, from: most, to: least })
    }
    this.standby = joiners.filter((w) => owners[w]!.length === 0)
    for (const w of this.standby) delete owners[w]
    if (moves.length === 0) {
      this.log(`Worker${joiners.length === 1 ? '' : 's'} ${joiners.join(', ')} joined, but every process owns at most one partition more than another: ${joiners.length === 1 ? 'it waits' : 'they wait'}.`)
      return
    }
    const waiting = new Set(moves.flatMap((x) => [x.from, x.to]))
    await this.control({ t: 'move', level, moves, owners })
    // Owners from here on: a joiner that fails or is lost while it takes its partitions over loses them.
    this.owners = owners
    await this.reports((r) => r.t === 'moved' && r.level === level && waiting.delete(r.worker) && waiting.size === 0)
    for (const w of joiners.filter((x) => owners[x] !== undefined)) {
      this.log(`Worker ${w} joined at depth ${level}: partition${owners[w]!.length === 1 ? '' : 's'} ${owners[w]!.join(', ')} moved to it.`)
    }
  }

  /** Gives each worker its partitions (on resume, those it holds checkpoints of), makes the streams and groups, and tells the workers. */
  private async assign(joined: readonly Join[]): Promise<void> {
    const P = this.meta.partitions
    const owners: Record<string, number[]> = Object.fromEntries(joined.map((j) => [j.worker, []]))
    if (this.meta.resume === undefined) {
      for (let k = 0; k < P; k++) owners[joined[k % joined.length]!.worker]!.push(k)
      for (const w of Object.keys(owners)) if (owners[w]!.length === 0) delete owners[w]
    } else {
      const missing: number[] = []
      for (let k = 0; k < P; k++) {
        const holder = joined.find((j) => j.holds.includes(k))
        if (holder === undefined) missing.push(k)
        else owners[holder.worker]!.push(k)
      }
      if (missing.length > 0) {
        throw new ClusterError(
          `No worker holds the checkpoint of partition${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (run ${this.meta.resume.from}, level ${this.meta.resume.level}): ` +
            'start the workers with the --checkpoint directories they wrote.',
        )
      }
    }
    const { cmd } = this.redis
    await this.call('making the partition streams', async () => {
      for (let k = 0; k < P; k++) await cmd.xgroup('CREATE', this.keys.partition(k), OWNER_GROUP, '$', 'MKSTREAM')
    })
    this.owners = owners
    await this.control({ t: 'assign', owners })
  }

  /** Sends the initial states to their owners; returns how many are new. */
  private async seed(): Promise<number> {
    const c = this.built.c
    const expander = new Expander(c, this.meta.options.continue)
    const outbox = new Outbox(
      this.meta.partitions,
      c.codec.words,
      [],
      () => {},
      (k, fields) => this.redis.cmd.xadd(this.keys.partition(k), '*', ...(fields as [string])),
      this.run,
    )
    outbox.begin(1)
    for (let i = 0; i < c.init.length; i++) {
      if (expander.initial(i, outbox) !== EXPANDED) break
    }
    await this.call('sending the initial states', () => outbox.flushAll())
    this.generated += expander.generated
    this.batches += outbox.batches
    this.bytesSent += outbox.bytes
    for (const f of expander.found) this.noteOwn(f)
    await this.control({ t: 'sent', level: 1, totals: [...outbox.sent] })
    return this.receive(1)
  }

  private noteOwn(f: Found): void {
    if (this.broken.has(f.property)) return
    this.broken.add(f.property)
    this.ownFound.push(f)
  }

  private note(list: readonly FoundAt[]): void {
    for (const f of list) {
      if (this.broken.has(f.property)) continue
      this.broken.add(f.property)
      this.found.push(f)
    }
  }

  /** Has every worker expand its states of depth `level`; returns the states sent per partition. */
  private async expand(level: number): Promise<number[]> {
    const P = this.meta.partitions
    const A = this.built.c.actionNames.length
    const totals = new Array<number>(P).fill(0)
    const waiting = new Set(Object.keys(this.owners))
    const founds: FoundAt[][] = []
    await this.control({ t: 'expand', level })
    await this.reports((r) => {
      if (r.t !== 'expanded' || r.level !== level || !waiting.delete(r.worker)) return false
      counts(`The sent counts of ${r.worker}`, r.sent, P).forEach((n, k) => (totals[k]! += n))
      counts(`The enabled counts of ${r.worker}`, r.enabled, A).forEach((n, a) => (this.enabled[a]! += n))
      this.generated += r.generated
      this.batches += r.batches
      this.bytesSent += r.bytes
      founds.push(this.checkedFound(r.found))
      return waiting.size === 0
    })
    // Deadlocks first: their traces are one state shorter than the other violations of the level.
    for (const list of founds) this.note(list.filter((f) => f.kind === 'deadlock'))
    for (const list of founds) this.note(list.filter((f) => f.kind !== 'deadlock'))
    return totals
  }

  /** Waits until every owner received the states of depth `level`; returns how many were new. */
  private async receive(level: number): Promise<number> {
    const A = this.built.c.actionNames.length
    const waiting = new Set(Object.keys(this.owners))
    let added = 0
    await this.reports((r) => {
      if (r.t !== 'received' || r.level !== level || !waiting.delete(r.worker)) return false
      for (const [k, n] of Object.entries(r.added)) {
        if (!(this.owners[r.worker] ?? []).includes(Number(k)) || !Number.isInteger(n) || n < 0) throw new ClusterError(`Worker ${r.worker} reported states of partition ${k}, which it does not own.`)
        added += n
      }
      counts(`The produced counts of ${r.worker}`, r.produced, A).forEach((n, a) => (this.produced[a]! += n))
      this.note(this.checkedFound(r.found))
      for (const g of r.reached) if (typeof g === 'string') this.reached.add(g)
      return waiting.size === 0
    })
    this.distinct += added
    return added
  }

  private checkedFound(list: unknown): FoundAt[] {
    if (!Array.isArray(list)) throw new ClusterError('A report lists its findings wrongly.')
    const names = new Set([...this.built.c.invariants, ...this.built.c.actionProperties].map(([n]) => n))
    names.add('Deadlock')
    return list.map((f: FoundAt) => {
      if (!names.has(f?.property) || !Number.isInteger(f.partition) || f.partition < 0 || f.partition >= this.meta.partitions || !Number.isInteger(f.state) || !Number.isInteger(f.instance)) {
        throw new ClusterError(`A report names a finding this spec cannot have: ${JSON.stringify(f).slice(0, 120)}.`)
      }
      return f
    })
  }

  /** At a level boundary: when due, every worker checkpoints its partitions, then the coordinator records the run. */
  private async maybeCheckpoint(level: number, frontier: number): Promise<void> {
    const cp = this.options.checkpoint
    if (cp === undefined) return
    const everyMs = cp.everyMs ?? this.record?.everyMs ?? 60_000
    if (Date.now() - this.lastCheckpoint < everyMs) return
    const waiting = new Set(Object.keys(this.owners))
    await this.control({ t: 'checkpoint', level })
    await this.reports((r) => r.t === 'checkpointed' && r.level === level && waiting.delete(r.worker) && waiting.size === 0)
    const record: RunRecord = {
      format: 1,
      run: this.run,
      level,
      partitions: this.meta.partitions,
      workers: Object.keys(this.owners).length,
      model: { name: this.meta.model.name, ref: cp.ref, params: { ...this.meta.model.params }, codeHash: this.who.codeHash },
      options: this.meta.options,
      signature: { ...this.meta.signature },
      distinct: this.distinct,
      generated: this.generated,
      enabled: [...this.enabled],
      produced: [...this.produced],
      found: [...this.found],
      reached: [...this.reached],
      frontier,
      everyMs,
    }
    checkpointDir(cp.dir)
    const text = Buffer.from(JSON.stringify(record, null, 1), 'utf8')
    writeFramed(cp.dir, CHECKPOINT_FILE, 'cluster-run', text.byteLength, [text])
    this.lastCheckpoint = Date.now()
    this.log(`Checkpoint written at level ${level} (${this.distinct.toLocaleString('en-US')} states).`)
  }

  /** The paths to every finding, asked of the owners state by state. */
  private async traces(): Promise<Chains> {
    const chains = new Chains(this.store, this.built.c.codec.words)
    for (const f of this.found) {
      const steps: { words: Uint32Array; instance: number }[] = []
      let at = { partition: f.partition, id: f.state }
      let init = -1
      for (let guard = 0; init < 0; guard++) {
        if (guard > 10_000_000) throw new ClusterError('A trace does not end at an initial state.')
        const o = await this.origin(at.partition, at.id)
        steps.push({ words: Uint32Array.from(o.words), instance: o.instance })
        if (o.parentPartition === PARENT_INITIAL) init = o.parentId
        else at = { partition: o.parentPartition, id: o.parentId }
      }
      chains.add(f, init, steps.reverse())
    }
    return chains
  }

  private async origin(partition: number, id: number): Promise<Extract<Report, { t: 'parent' }>> {
    const W = this.built.c.codec.words
    await this.control({ t: 'trace', partition, id })
    let answer: Extract<Report, { t: 'parent' }> | undefined
    await this.reports((r) => {
      if (r.t !== 'parent' || r.partition !== partition || r.id !== id) return false
      const ok =
        Array.isArray(r.words) &&
        r.words.length === (this.store === 'exact' ? W : FINGERPRINT_BITS / 32) &&
        r.words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) &&
        Number.isInteger(r.parentId) &&
        Number.isInteger(r.instance) &&
        r.instance < this.built.c.instances.length &&
        (r.parentPartition === PARENT_INITIAL ? r.parentId < this.built.c.init.length : r.parentPartition < this.meta.partitions)
      if (!ok) throw new ClusterError(`Worker ${r.worker} answered a trace request with an impossible state.`)
      answer = r
      return true
    })
    return answer!
  }

  /** Stops the heartbeat and removes the run's keys once its workers have left (or after a short wait); never another run's of the same name. */
  async cleanUp(): Promise<void> {
    clearInterval(this.heartbeat)
    if (!this.published) return
    const { cmd } = this.redis
    try {
      const ws = Object.keys(this.owners)
      for (let i = 0; i < 150; i++) {
        const alive = await Promise.all(ws.map((w) => cmd.exists(this.keys.heartbeat(w))))
        if (alive.every((a) => a === 0)) break
        await new Promise((r) => setTimeout(r, 20))
      }
      const keys = [this.keys.meta, this.keys.join, this.keys.ctl, this.keys.rep, this.keys.heartbeat('coordinator')]
      for (let k = 0; k < this.meta.partitions; k++) keys.push(this.keys.partition(k), this.keys.handover(k))
      await cmd.del(...keys)
      await cmd.srem(RUNS_KEY, this.run)
    } catch {
      // Redis is gone: nothing to remove.
    }
  }
}

/**
 * The paths of the findings, as the owners told them, as one store of states (trace/trace.ts
 * PathSource): each path's states get consecutive ids, the first one's parent marking its initial
 * state. With exact states the owners told each state's words, which the replayed trace is checked
 * against; with fingerprints, its fingerprint, and the replayed states must have those.
 */
class Chains implements PathSource {
  readonly found: Found[] = []
  private readonly parent: number[] = []
  private readonly via: number[] = []
  private readonly words: Uint32Array[] = []
  private readonly fingerprints = new Set<string>()
  readonly contains?: (buf: Uint32Array, at: number, lo: number, hi: number) => boolean

  constructor(
    private readonly store: ClusterStore,
    W: number,
  ) {
    if (store === 'fingerprint') {
      this.contains = (buf, at, lo, hi) => this.fingerprints.has(`${lo >>> 0},${hi >>> 0},${fingerprintThird(buf, at, W)}`)
    }
  }

  add(f: FoundAt, init: number, steps: readonly { words: Uint32Array; instance: number }[]): void {
    const base = this.words.length
    steps.forEach((s, k) => {
      this.parent.push(k === 0 ? -1 - init : base + k - 1)
      this.via.push(s.instance)
      this.words.push(s.words)
      if (this.store === 'fingerprint') this.fingerprints.add([...s.words].join(','))
    })
    this.found.push({ property: f.property, kind: f.kind, state: base + steps.length - 1, instance: f.instance })
  }

  parentOf(id: number): number {
    return this.parent[id]!
  }
  instanceOf(id: number): number {
    return this.via[id]!
  }
  stateWords(id: number): Uint32Array | undefined {
    return this.store === 'exact' ? this.words[id]! : undefined
  }
}
