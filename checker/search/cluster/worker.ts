/**
 * A worker process of a cluster search (`mrcheck worker`): it finds a run of the model it was
 * given, checks that the run's spec is the one it builds itself (clusterSpec.ts), joins, and then
 * owns the partitions the coordinator assigns it. Per level it expands the states of its
 * partitions (search/expand.ts, one Expander per partition, with the Outbox as sink) while it
 * receives the states of the next level that any process sends to its partitions, adds the new
 * ones and checks their invariants; it reports what it sent, then what it received once the
 * coordinator's totals say every batch of the level is in. It answers trace requests about its
 * states, writes checkpoints of its partitions when told, and keeps a heartbeat in Redis.
 *
 * Three connections: one blocks on the control stream, one on the partition streams, one sends.
 */
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { fingerprint } from '../../encode/fingerprint.js'
import { PropertyThrew, describeThrow } from '../../compile/evaluation.js'
import type { ReducedSpec } from '../../reduce/reduction.js'
import { EXPANDED, Expander, NO_ROOM } from '../expand.js'
import { Outbox } from './Outbox.js'
import { Partition } from './Partition.js'
import { joinSpec, type WorkerIdentity } from './clusterSpec.js'
import { connect, redisCall, shownUrl, type Redis } from './redis.js'
import {
  ClusterError,
  NO_INSTANCE,
  counts,
  OWNER_GROUP,
  PARENT_INITIAL,
  RUNS_KEY,
  RUN_ENDS,
  keysOf,
  parseBatch,
  parseMessage,
  parseMeta,
  partitionOf,
  stride,
  type Control,
  type FoundAt,
  type Join,
  type Move,
  type Report,
  type RunKeys,
  type RunMeta,
} from './protocol.js'

export interface ClusterWorkerOptions {
  /** redis:// or rediss:// URL. */
  readonly url: string
  /** Join this run only (default: the oldest run of this worker's model that waits for workers). */
  readonly run?: string
  /** Where to write checkpoints of the owned partitions, and find them on resume. */
  readonly checkpointDir?: string
  /** A heartbeat older than this means the coordinator is gone (default 10 s). */
  readonly heartbeatMs?: number
  /** Stop waiting for a run after this long (default: wait until aborted). */
  readonly waitMs?: number
  readonly signal?: AbortSignal
  /** Diagnostics (stderr). */
  readonly log?: (line: string) => void
}

export interface ClusterWorkerOutcome {
  readonly run: string
  readonly partitions: readonly number[]
  /** Why the run ended, as the coordinator said (or that this worker left it). */
  readonly ended: string
  /**
   * With its verdict (the coordinator's result has it), stopped early without one, or left by this
   * worker when `signal` aborted (the run then stops incomplete). A run that failed throws instead.
   */
  readonly end: 'verdict' | 'incomplete' | 'left'
}

/** Time-sliced expansion: yield to the event loop (heartbeats, receiving) this often. */
const SLICE_MS = 20
const READ_BLOCK_MS = 100
/** Arriving states whose table slots are read ahead at once. */
const AHEAD = 16
/** Bytes per entry of a partition's handover. */
const HANDOVER_CHUNK = 1 << 20

/** Joins one run and serves it until the coordinator stops it. */
export async function runClusterWorker(me: WorkerIdentity, options: ClusterWorkerOptions): Promise<ClusterWorkerOutcome> {
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const log = options.log ?? (() => {})
  const cmd = await connect(options.url, `mrcheck-worker-${id}`)
  const ctl = await connect(options.url, `mrcheck-worker-ctl-${id}`)
  const data = await connect(options.url, `mrcheck-worker-data-${id}`)
  try {
    const { run, meta } = await findRun(cmd, me, options, log)
    const keys = keysOf(run)
    let built
    try {
      built = joinSpec(meta, me)
    } catch (e) {
      await cmd.xadd(keys.rep, '*', 'm', JSON.stringify({ t: 'failed', worker: id, message: (e as Error).message, code: 'CLUSTER' } satisfies Report)).catch(() => {})
      throw e
    }
    const worker = new ClusterWorker(id, run, keys, meta, built.c, { cmd, ctl, data }, options, log)
    return await worker.serve()
  } finally {
    for (const c of [cmd, ctl, data]) c.disconnect()
  }
}

async function findRun(cmd: Redis, me: WorkerIdentity, options: ClusterWorkerOptions, log: (l: string) => void): Promise<{ run: string; meta: RunMeta }> {
  const started = Date.now()
  let said = false
  for (;;) {
    if (options.signal?.aborted) throw new ClusterError('Interrupted while waiting for a run to join.')
    const candidates = options.run !== undefined ? [options.run] : (await redisCall(options.url, 'listing runs', () => cmd.smembers(RUNS_KEY))).sort()
    for (const run of candidates) {
      if (!/^[\w-]{1,64}$/.test(run)) continue
      const keys = keysOf(run)
      const [text, alive] = await redisCall(options.url, 'reading a run', () => Promise.all([cmd.get(keys.meta), cmd.exists(keys.heartbeat('coordinator'))]))
      if (text === null) continue
      const meta = parseMeta(keys.meta, text)
      if (options.run === undefined && meta.model.name !== me.model.name) continue
      // The coordinator beats before it publishes the run: a run without its heartbeat was left by a coordinator that died.
      if (alive === 0) {
        if (options.run !== undefined) throw new ClusterError(`Run ${run} has no coordinator any more (its heartbeat expired: it was stopped or killed); it cannot be joined.`)
        continue
      }
      return { run, meta }
    }
    if (options.waitMs !== undefined && Date.now() - started > options.waitMs) {
      throw new ClusterError(`No run of model "${me.model.name}" waits for workers at ${shownUrl(options.url)}.`)
    }
    if (!said) log(`Waiting for a run of ${me.model.name} at ${shownUrl(options.url)}...`)
    said = true
    await sleep(50)
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** This worker was interrupted: it leaves the run, which stops incomplete. */
class Left extends Error {}
/** The coordinator stopped the run because it failed, or stopped answering: this worker's failure is the run's, not its own. */
class CoordinatorFailed extends ClusterError {}

interface Connections {
  readonly cmd: Redis
  readonly ctl: Redis
  readonly data: Redis
}

class ClusterWorker {
  private readonly P: number
  private readonly W: number
  private readonly S: number
  private readonly local: (Partition | undefined)[]
  private owned: Partition[] = []
  private expanders = new Map<number, Expander>()
  private readonly outbox: Outbox
  /** The level whose states are being received, and how many each owned partition got so far. */
  private filling = 1
  private readonly received: Float64Array
  private readonly added: Float64Array
  private totals: readonly number[] | undefined
  private produced: Float64Array
  /** Per partition: how many of its expander's findings were reported. */
  private readonly reportedFound = new Map<number, number>()
  private readonly reached = new Set<string>()
  private done = false
  /** Whether the coordinator gave this worker partitions (at the start or by a move). */
  private member = false
  /** Waiting for the receive loop's next read (nextRead). */
  private readers: (() => void)[] = []
  private failure: Error | undefined
  private receiving: Promise<void> | undefined
  private heartbeat: ReturnType<typeof setInterval> | undefined
  private readonly heartbeatMs: number
  /** Scratch for the fingerprints of arriving states (take). */
  private readonly fp = new Uint32Array(2)
  private readonly fps = new Uint32Array(2 * AHEAD)

  constructor(
    private readonly id: string,
    private readonly run: string,
    private readonly keys: RunKeys,
    private readonly meta: RunMeta,
    private readonly c: ReducedSpec,
    private readonly redis: Connections,
    private readonly options: ClusterWorkerOptions,
    private readonly log: (line: string) => void,
  ) {
    this.P = meta.partitions
    this.W = c.codec.words
    this.S = stride(this.W)
    this.local = new Array<Partition | undefined>(this.P).fill(undefined)
    this.received = new Float64Array(this.P)
    this.added = new Float64Array(this.P)
    this.produced = new Float64Array(c.actionNames.length)
    this.heartbeatMs = options.heartbeatMs ?? 10_000
    this.outbox = new Outbox(
      this.P,
      this.W,
      this.local,
      (p, stored, instance) => this.counted(p, stored, instance),
      (k, fields) => this.call('sending states', () => this.redis.cmd.xadd(this.keys.partition(k), '*', ...(fields as [string]))),
      run,
    )
  }

  async serve(): Promise<ClusterWorkerOutcome> {
    const { cmd } = this.redis
    await this.beat()
    this.heartbeat = setInterval(() => void this.beat().catch(() => {}), Math.max(50, this.heartbeatMs / 4))
    try {
      const holds = this.meta.resume !== undefined && this.options.checkpointDir !== undefined ? Partition.held(this.options.checkpointDir, this.meta.resume.from, this.meta.resume.level) : []
      const join: Join = { worker: this.id, host: hostname(), pid: process.pid, heartbeatMs: this.heartbeatMs, holds }
      // The control messages from the moment of joining on: those before were for others.
      const tail = await this.call('joining', () => cmd.xrevrange(this.keys.ctl, '+', '-', 'COUNT', 1))
      await this.call('joining', () => cmd.xadd(this.keys.join, '*', 'm', JSON.stringify(join)))
      this.log(`Joined run ${this.run} of ${this.meta.model.name} at ${shownUrl(this.options.url)} as ${this.id}.`)
      const { why, end } = await this.controlLoop(tail[0]?.[0] ?? '0')
      return { run: this.run, partitions: this.owned.map((p) => p.index), ended: why, end }
    } catch (e) {
      if (e instanceof Left) {
        await this.report({ t: 'left', worker: this.id }).catch(() => {})
        return { run: this.run, partitions: this.owned.map((p) => p.index), ended: 'this worker left it when interrupted', end: 'left' }
      }
      if (e instanceof CoordinatorFailed) throw e
      const message = e instanceof Error ? e.message : String(e)
      const code = e instanceof ClusterError ? 'CLUSTER' : 'EVALUATION'
      await cmd.xadd(this.keys.rep, '*', 'm', JSON.stringify({ t: 'failed', worker: this.id, message, code } satisfies Report)).catch(() => {})
      throw e
    } finally {
      this.done = true
      clearInterval(this.heartbeat)
      // Gone from the run first (the coordinator waits for that to remove its keys), then the last read ends.
      await cmd.del(this.keys.heartbeat(this.id)).catch(() => {})
      await this.receiving?.catch(() => {})
    }
  }

  private beat(): Promise<unknown> {
    return this.redis.cmd.set(this.keys.heartbeat(this.id), '1', 'PX', this.heartbeatMs)
  }

  private call<T>(doing: string, f: () => Promise<T>): Promise<T> {
    return redisCall(this.options.url, doing, f)
  }

  private async report(r: Report): Promise<void> {
    await this.call('reporting', () => this.redis.cmd.xadd(this.keys.rep, '*', 'm', JSON.stringify(r)))
  }

  /** Reads the control stream after entry `last` and acts on each message in order; returns how the run ended. */
  private async controlLoop(last: string): Promise<{ why: string; end: 'verdict' | 'incomplete' }> {
    let lastCoordinatorCheck = Date.now()
    for (;;) {
      if (this.failure !== undefined) throw this.failure
      if (this.options.signal?.aborted) throw new Left()
      const got = (await this.call('reading the control stream', () =>
        this.redis.ctl.xread('COUNT', 16, 'BLOCK', READ_BLOCK_MS, 'STREAMS', this.keys.ctl, last),
      )) as [string, [string, string[]][]][] | null
      if (Date.now() - lastCoordinatorCheck > this.heartbeatMs / 2) {
        lastCoordinatorCheck = Date.now()
        await this.coordinatorAlive()
      }
      for (const [, entries] of got ?? []) {
        for (const [entryId, fields] of entries) {
          last = entryId
          const m = parseMessage<Control>(this.keys.ctl, fields[1], ['assign', 'move', 'expand', 'sent', 'checkpoint', 'trace', 'stop'])
          if (m.t === 'stop') {
            if (!RUN_ENDS.includes(m.end) || typeof m.why !== 'string') throw new ClusterError(`The coordinator's stop message on ${this.keys.ctl} says neither why nor how the run ended.`)
            if (m.end === 'failed') throw new CoordinatorFailed(`The coordinator of run ${this.run} failed: ${m.why}`)
            return { why: m.why, end: m.end }
          }
          await this.act(m)
          if (this.failure !== undefined) throw this.failure
        }
      }
    }
  }

  private async coordinatorAlive(): Promise<void> {
    if ((await this.call('checking the coordinator', () => this.redis.cmd.exists(this.keys.heartbeat('coordinator')))) === 0) {
      throw new CoordinatorFailed(`The coordinator of run ${this.run} stopped answering (its heartbeat expired: it was stopped or killed); nothing was proved.`)
    }
  }

  private async act(m: Exclude<Control, { t: 'stop' }>): Promise<void> {
    // A worker that has no partitions yet (it joined late, or more joined than the run needed) waits for a move.
    if (!this.member && m.t !== 'assign' && m.t !== 'move') return
    switch (m.t) {
      case 'assign':
        return this.assign(m.owners)
      case 'move':
        return this.move(m.level, m.moves)
      case 'expand':
        return this.expandLevel(m.level)
      case 'sent':
        if (m.level !== this.filling) throw new ClusterError(`The coordinator closed level ${m.level} while this worker receives level ${this.filling}.`)
        if (this.owned.length === 0) return
        this.totals = counts(`The totals of level ${m.level}`, m.totals, this.P)
        return this.maybeReceived()
      case 'checkpoint':
        return this.checkpoint(m.level)
      case 'trace': {
        const p = this.local[m.partition]
        if (p === undefined) return
        if (!Number.isInteger(m.id) || m.id < 0 || m.id >= p.count) throw new ClusterError(`Trace request for state ${m.id} of partition ${m.partition}, which holds ${p.count}.`)
        const o = p.origin(m.id)
        return this.report({ t: 'parent', worker: this.id, partition: m.partition, id: m.id, ...o, words: [...p.kept(m.id)] })
      }
    }
  }

  private async assign(owners: Readonly<Record<string, readonly number[]>>): Promise<void> {
    const mine = owners[this.id]
    if (mine === undefined) {
      this.log(`Run ${this.run} started with other workers: this one waits to be given partitions.`)
      return
    }
    this.member = true
    const resume = this.meta.resume
    for (const k of mine) {
      if (!Number.isInteger(k) || k < 0 || k >= this.P) throw new ClusterError(`The coordinator assigned partition ${k} of ${this.P}.`)
      const p =
        resume === undefined
          ? new Partition(k, this.W, this.meta.options.store)
          : Partition.load(this.options.checkpointDir ?? '.', resume.from, resume.level, k, this.P, this.W, this.meta.options.store ?? 'exact')
      this.local[k] = p
      this.owned.push(p)
      this.expanders.set(k, new Expander(this.c, this.meta.options.continue))
    }
    if (resume !== undefined) this.filling = resume.level + 1
    this.log(`Owns partitions ${mine.join(', ')} of ${this.P}.`)
    this.startReceiving()
  }

  private startReceiving(): void {
    if (this.receiving === undefined && this.owned.length > 0) this.receiving = this.receiveLoop().catch((e) => void (this.failure ??= e))
  }

  /** Resolves once the receive loop's read under the partitions owned before has ended (the next one reads those owned now). */
  private nextRead(): Promise<void> {
    return this.receiving === undefined || this.done ? Promise.resolve() : new Promise<void>((go) => this.readers.push(go))
  }

  /** Hands over, then takes over, the partitions `moves` names this worker for, at the boundary before depth `level` is expanded. */
  private async move(level: number, moves: readonly Move[]): Promise<void> {
    if (!Array.isArray(moves) || !moves.every((x) => Number.isInteger(x?.partition) && x.partition >= 0 && x.partition < this.P)) {
      throw new ClusterError('The coordinator sent a move of partitions that do not exist.')
    }
    const out = moves.filter((x) => x.from === this.id)
    const into = moves.filter((x) => x.to === this.id)
    if (out.length + into.length === 0) return
    if (this.member && level + 1 !== this.filling) throw new ClusterError(`Told to move partitions before level ${level} while level ${this.filling} is being received.`)
    for (const x of out) await this.handOver(x.partition, level)
    if (out.length > 0) await this.nextRead()
    for (const x of into) await this.takeOver(x.partition, level)
    this.member = true
    this.filling = level + 1
    this.startReceiving()
    await this.report({ t: 'moved', worker: this.id, level })
  }

  /** Sends partition `k` (Partition.image) to its handover stream in chunks, and forgets it. */
  private async handOver(k: number, level: number): Promise<void> {
    const p = this.local[k]
    if (p === undefined) throw new ClusterError(`Told to hand over partition ${k}, which this worker does not own.`)
    const { bytes, pieces } = p.image(this.P, level)
    const chunks = Math.max(1, Math.ceil(bytes / HANDOVER_CHUNK))
    let chunk = Buffer.alloc(Math.min(HANDOVER_CHUNK, bytes))
    let fill = 0
    let seq = 0
    const send = async () => {
      const d = chunk.subarray(0, fill)
      const n = seq++
      await this.call('handing over a partition', () => this.redis.cmd.xadd(this.keys.handover(k), '*', 'run', this.run, 'seq', String(n), 'of', String(chunks), 'd', d))
      chunk = Buffer.alloc(Math.max(0, Math.min(HANDOVER_CHUNK, bytes - seq * HANDOVER_CHUNK)))
      fill = 0
    }
    for (const piece of pieces) {
      const b = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength)
      for (let at = 0; at < b.byteLength; ) {
        const n = Math.min(b.byteLength - at, chunk.byteLength - fill)
        b.copy(chunk, fill, at, at + n)
        fill += n
        at += n
        if (fill === chunk.byteLength) await send()
      }
    }
    if (seq < chunks) await send()
    this.local[k] = undefined
    this.owned = this.owned.filter((q) => q !== p)
    this.expanders.delete(k)
    this.reportedFound.delete(k)
    this.log(`Handed partition ${k} over at level ${level}.`)
  }

  /** Reads partition `k` from its handover stream, checks it, and owns it. */
  private async takeOver(k: number, level: number): Promise<void> {
    const key = this.keys.handover(k)
    const parts: Buffer[] = []
    let last = '0'
    let of = 1
    let checked = Date.now()
    while (parts.length < of) {
      if (this.options.signal?.aborted) throw new Left()
      const got = (await this.call('taking over a partition', () => this.redis.ctl.xreadBuffer('COUNT', 16, 'BLOCK', READ_BLOCK_MS, 'STREAMS', key, last))) as
        | [Buffer, [Buffer, Buffer[]][]][]
        | null
      for (const [, entries] of got ?? []) {
        for (const [entryId, fields] of entries) {
          last = entryId.toString('latin1')
          const get = (name: string) => fields[fields.findIndex((f, i) => i % 2 === 0 && f.toString('latin1') === name) + 1]
          const seq = Number(get('seq')?.toString('latin1'))
          of = Number(get('of')?.toString('latin1'))
          const d = get('d')
          if (get('run')?.toString('latin1') !== this.run || seq !== parts.length || !Number.isInteger(of) || of < 1 || d === undefined) {
            throw new ClusterError(`The handover of partition ${k} on ${key} holds a chunk out of order or of another run: refused.`)
          }
          parts.push(d)
        }
      }
      if (Date.now() - checked > this.heartbeatMs / 2) {
        checked = Date.now()
        await this.coordinatorAlive()
      }
    }
    await this.call('taking over a partition', () => this.redis.cmd.del(key))
    const refuse = (what: string): never => {
      throw new ClusterError(`The handover of partition ${k} on ${key} ${what}: refused.`)
    }
    const p = Partition.fromBytes(Buffer.concat(parts), refuse, { level, index: k, partitions: this.P, W: this.W, store: this.meta.options.store ?? 'exact' })
    this.local[k] = p
    this.owned.push(p)
    this.expanders.set(k, new Expander(this.c, this.meta.options.continue))
    this.log(`Took partition ${k} over at level ${level}.`)
  }

  /** Reads the owned partitions' streams until the run ends; adds each state, checks new ones, acknowledges and deletes entries. */
  private async receiveLoop(): Promise<void> {
    const { data, cmd } = this.redis
    try {
      await this.readLoop(data, cmd)
    } finally {
      for (const go of this.readers.splice(0)) go()
    }
  }

  private async readLoop(data: Redis, cmd: Redis): Promise<void> {
    while (!this.done && this.failure === undefined) {
      // Each read names the partitions owned now (a move may have changed them); a move waits for the read before it to end.
      const owned = this.owned
      const streams = owned.map((p) => this.keys.partition(p.index))
      for (const go of this.readers.splice(0)) go()
      const got = (await this.call('reading states', () =>
        // NOACK: nothing is ever read twice (a lost owner ends the run), so no pending list to acknowledge; one XDEL per read.
        data.xreadgroupBuffer('GROUP', OWNER_GROUP, this.id, 'COUNT', 8, 'BLOCK', READ_BLOCK_MS, 'NOACK', 'STREAMS', ...streams, ...streams.map(() => '>')),
      )) as [Buffer, [Buffer, Buffer[] | null][]][] | null
      for (const [keyBuf, entries] of got ?? []) {
        const key = keyBuf.toString('latin1')
        const p = owned[streams.indexOf(key)]
        if (p === undefined) throw new ClusterError(`States arrived on ${key}, a stream this worker does not own.`)
        const ids: string[] = []
        for (const [entryId, fields] of entries) {
          ids.push(entryId.toString('latin1'))
          this.take(key, p, fields)
        }
        if (ids.length > 0) void cmd.xdel(key, ...ids).catch(() => {})
      }
      if (got !== null) await this.maybeReceived()
    }
  }

  /** Adds the states of one batch to partition `p`, checking each (the batch was checked as a whole by parseBatch). */
  private take(key: string, p: Partition, fields: Buffer[] | null): void {
    const { W, S, P } = this
    const batch = parseBatch(key, this.run, W, fields)
    if (batch.level !== this.filling) throw new ClusterError(`A batch on ${key} is for level ${batch.level}, but level ${this.filling} is being received: refused.`)
    const words = batch.words
    const { fp, fps } = this
    const nInstances = this.c.instances.length
    for (let i = 0; i < batch.count; i++) {
      const o = i * S
      // The fingerprints of the next AHEAD states first, and their slots read at once (Sink.prefetch).
      const j = i % AHEAD
      if (j === 0) {
        const n = Math.min(AHEAD, batch.count - i)
        for (let k = 0; k < n; k++) {
          fingerprint(words, o + k * S, W, fp)
          if (partitionOf(fp[1]!, P) !== p.index) throw new ClusterError(`A batch on ${key} holds a state of another partition: refused (damaged, or another spec's).`)
          fps[2 * k] = fp[0]!
          fps[2 * k + 1] = fp[1]!
        }
        p.table.prefetch(fps, n)
      }
      const parentPartition = words[o + W]!
      const parentId = words[o + W + 1]!
      const rawInstance = words[o + W + 2]!
      const initial = parentPartition === PARENT_INITIAL
      const ok = initial
        ? rawInstance === NO_INSTANCE && parentId < this.c.init.length
        : parentPartition < P && rawInstance < nInstances && parentId <= 0x7fffffff
      if (!ok) throw new ClusterError(`A batch on ${key} holds a state with an impossible origin (partition ${parentPartition}, instance ${rawInstance}): refused.`)
      const instance = initial ? -1 : rawInstance
      const stored = p.add(words, o, fps[2 * j]!, fps[2 * j + 1]!, parentPartition, parentId, instance)
      this.counted(p, stored, instance)
      if (stored >= 0) this.arrived(p, stored, words, o)
    }
  }

  /** A state added to owned partition `p` (as `stored`, or -1 when seen), from a batch or by this process's expansion. */
  private counted(p: Partition, stored: number, instance: number): void {
    this.received[p.index]!++
    if (stored < 0) return
    this.added[p.index]!++
    if (instance >= 0) this.produced[this.c.instances[instance]!.action]!++
  }

  /**
   * The invariants of a new state that came in a batch, stored as `stored` in `p` and packed at
   * `buf[at..]` (those of a successor added here are checked by its expansion, Outbox.add).
   */
  private arrived(p: Partition, stored: number, buf: Uint32Array, at: number): void {
    try {
      this.expanders.get(p.index)!.arrived(stored, buf, at)
    } catch (e) {
      this.failure ??= new ClusterError(`Model "${this.c.spec.name}": ${threw(e)} on a new state of depth ${this.filling}.`)
    }
  }

  /** When the level's totals are known and every owned partition got them all: the 'received' report. */
  private async maybeReceived(): Promise<void> {
    const totals = this.totals
    if (totals === undefined) return
    for (const p of this.owned) {
      const got = this.received[p.index]!
      if (got > totals[p.index]!) throw new ClusterError(`Partition ${p.index} received ${got} states of level ${this.filling}, but only ${totals[p.index]} were sent.`)
      if (got < totals[p.index]!) return
    }
    this.totals = undefined
    const level = this.filling
    const added: Record<string, number> = {}
    for (const p of this.owned) {
      added[p.index] = this.added[p.index]!
      p.nextLevel()
    }
    const produced = [...this.produced]
    this.received.fill(0)
    this.added.fill(0)
    this.produced.fill(0)
    this.filling = level + 1
    for (const e of this.expanders.values()) for (const r of e.reached) this.reached.add(r)
    await this.report({ t: 'received', worker: this.id, level, added, produced, found: this.newFindings(), reached: [...this.reached] })
  }

  /** The findings of every owned partition's expander not reported yet, located by partition. */
  private newFindings(): FoundAt[] {
    const out: FoundAt[] = []
    for (const [k, e] of this.expanders) {
      const from = this.reportedFound.get(k) ?? 0
      for (const f of e.found.slice(from)) {
        if (f.kind === 'invariant' || f.kind === 'action' || f.kind === 'deadlock') out.push({ property: f.property, kind: f.kind, partition: k, state: f.state, instance: f.instance })
      }
      this.reportedFound.set(k, e.found.length)
    }
    return out
  }

  /** Expands every state of depth `level` of the owned partitions, sending their successors. */
  private async expandLevel(level: number): Promise<void> {
    if (level + 1 !== this.filling) throw new ClusterError(`Told to expand level ${level} while level ${this.filling} is being received.`)
    const { outbox } = this
    outbox.begin(level + 1)
    const generated0 = sum(this.expanders.values(), (e) => e.generated)
    const enabled0 = this.enabledTotals()
    const bytes0 = outbox.bytes
    const batches0 = outbox.batches
    let stopped = false
    let sliceStart = Date.now()
    for (const p of this.owned) {
      if (stopped) break
      const e = this.expanders.get(p.index)!
      outbox.parentPartition = p.index
      const end = p.levelEnd
      for (let id = p.levelStart; id < end; id++) {
        p.take(id)
        let r: number
        try {
          r = e.expand(id, p.words, p.at, outbox, Math.min(p.ahead, end - id - 1))
        } catch (err) {
          const what = err instanceof PropertyThrew ? threw(err) : `${e.instance >= 0 ? this.c.instances[e.instance]!.label : 'a property'} threw: ${describeThrow(err)}`
          throw new ClusterError(`Model "${this.c.spec.name}": ${what} on a state of depth ${level} or its successors.`)
        }
        if (r === NO_ROOM) throw new ClusterError('Out of memory for states.')
        if (r !== EXPANDED) {
          stopped = true
          break
        }
        if ((id & 255) === 0 && Date.now() - sliceStart > SLICE_MS) {
          await outbox.drain()
          await new Promise((r) => setImmediate(r))
          if (this.failure !== undefined) throw this.failure
          sliceStart = Date.now()
          outbox.parentPartition = p.index
        }
      }
    }
    await outbox.flushAll()
    const enabled = this.enabledTotals().map((n, i) => n - enabled0[i]!)
    await this.report({
      t: 'expanded',
      worker: this.id,
      level,
      generated: sum(this.expanders.values(), (e) => e.generated) - generated0,
      sent: [...outbox.sent],
      enabled,
      found: this.newFindings(),
      bytes: outbox.bytes - bytes0,
      batches: outbox.batches - batches0,
    })
  }

  private enabledTotals(): number[] {
    const out = new Array<number>(this.c.actionNames.length).fill(0)
    for (const e of this.expanders.values()) e.enabled.forEach((n, i) => (out[i]! += n))
    return out
  }

  private async checkpoint(level: number): Promise<void> {
    const dir = this.options.checkpointDir
    if (dir === undefined) throw new ClusterError('The coordinator asked for checkpoints, but this worker was started without --checkpoint DIR.')
    for (const p of this.owned) p.save(dir, this.run, level, this.P)
    await this.report({ t: 'checkpointed', worker: this.id, level })
  }
}

/** What a property that threw did, in words. */
const threw = (e: unknown): string => (e instanceof PropertyThrew ? `property ${e.property} threw: ${describeThrow(e.cause)}` : `a property threw: ${describeThrow(e)}`)

function sum<T>(items: Iterable<T>, f: (x: T) => number): number {
  let s = 0
  for (const x of items) s += f(x)
  return s
}
