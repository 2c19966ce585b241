/**
 * A worker process's part in a cluster run once it has joined (worker.ts finds the run and joins):
 * the ClusterWorker follows the control stream and acts on each message in order. It owns the
 * partitions the coordinator assigns or moves to it (the handover itself is handover.ts), expands
 * the states of each level in time slices with the Outbox as sink, reports what it sent and, once
 * the coordinator's totals say every batch is in, what its Receiver (Receiver.ts) received. It
 * answers trace requests about its states, writes checkpoints of its partitions when told, and
 * keeps a heartbeat in Redis.
 *
 * Three connections: one blocks on the control stream, one on the partition streams, one sends.
 */
import { hostname } from 'node:os'
import { PropertyThrew, describeThrow } from '../../compile/evaluation.js'
import type { ReducedSpec } from '../../reduce/reduction.js'
import { EXPANDED, Expander, NO_ROOM } from '../expand.js'
import { Outbox } from './Outbox.js'
import { Partition } from './Partition.js'
import { Receiver, threw } from './Receiver.js'
import { readHandover, sendHandover, type HandoverLink } from './handover.js'
import { redisCall, shownUrl } from './redis.js'
import { ClusterError, counts, RUN_ENDS, parseMessage, type Control, type FoundAt, type Join, type Move, type Report, type RunKeys, type RunMeta } from './protocol.js'
import { CoordinatorFailed, Left, READ_BLOCK_MS, type ClusterWorkerOptions, type ClusterWorkerOutcome, type Connections } from './workerOptions.js'

/** Time-sliced expansion: yield to the event loop (heartbeats, receiving) this often. */
const SLICE_MS = 20

export class ClusterWorker {
  private readonly P: number
  private readonly W: number
  private readonly local: (Partition | undefined)[]
  private owned: Partition[] = []
  private expanders = new Map<number, Expander>()
  private readonly outbox: Outbox
  private readonly receiver: Receiver
  /** The level whose states are being received. */
  private filling = 1
  private totals: readonly number[] | undefined
  /** Per partition: how many of its expander's findings were reported. */
  private readonly reportedFound = new Map<number, number>()
  private readonly reached = new Set<string>()
  private done = false
  /** Whether the coordinator gave this worker partitions (at the start or by a move). */
  private member = false
  private failure: Error | undefined
  private heartbeat: ReturnType<typeof setInterval> | undefined
  private readonly heartbeatMs: number

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
    this.local = new Array<Partition | undefined>(this.P).fill(undefined)
    this.heartbeatMs = options.heartbeatMs ?? 10_000
    const receiver = new Receiver(id, run, keys, c, this.P, this.expanders, redis, (doing, f) => this.call(doing, f), {
      owned: () => this.owned,
      filling: () => this.filling,
      done: () => this.done,
      failure: () => this.failure,
      fail: (e) => void (this.failure ??= e),
      maybeReceived: () => this.maybeReceived(),
    })
    this.receiver = receiver
    this.outbox = new Outbox(
      this.P,
      this.W,
      this.local,
      (p, stored, instance) => receiver.counted(p, stored, instance),
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
      await this.receiver.ended()
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
    this.receiver.start()
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
    if (out.length > 0) await this.receiver.nextRead()
    for (const x of into) await this.takeOver(x.partition, level)
    this.member = true
    this.filling = level + 1
    this.receiver.start()
    await this.report({ t: 'moved', worker: this.id, level })
  }

  /** Sends partition `k` (Partition.image) to its handover stream in chunks, and forgets it. */
  private async handOver(k: number, level: number): Promise<void> {
    const p = this.local[k]
    if (p === undefined) throw new ClusterError(`Told to hand over partition ${k}, which this worker does not own.`)
    await sendHandover(this.handoverLink(), this.keys.handover(k), p, this.P, level)
    this.local[k] = undefined
    this.owned = this.owned.filter((q) => q !== p)
    this.expanders.delete(k)
    this.reportedFound.delete(k)
    this.log(`Handed partition ${k} over at level ${level}.`)
  }

  /** Reads partition `k` from its handover stream, checks it, and owns it. */
  private async takeOver(k: number, level: number): Promise<void> {
    const p = await readHandover(this.handoverLink(), this.keys.handover(k), {
      level,
      index: k,
      partitions: this.P,
      W: this.W,
      store: this.meta.options.store ?? 'exact',
      signal: this.options.signal,
      heartbeatMs: this.heartbeatMs,
      coordinatorAlive: () => this.coordinatorAlive(),
    })
    this.local[k] = p
    this.owned.push(p)
    this.expanders.set(k, new Expander(this.c, this.meta.options.continue))
    this.log(`Took partition ${k} over at level ${level}.`)
  }

  private handoverLink(): HandoverLink {
    return { run: this.run, cmd: this.redis.cmd, ctl: this.redis.ctl, call: (doing, f) => this.call(doing, f) }
  }

  /** When the level's totals are known and every owned partition got them all: the 'received' report. */
  private async maybeReceived(): Promise<void> {
    const totals = this.totals
    if (totals === undefined) return
    for (const p of this.owned) {
      const got = this.receiver.received[p.index]!
      if (got > totals[p.index]!) throw new ClusterError(`Partition ${p.index} received ${got} states of level ${this.filling}, but only ${totals[p.index]} were sent.`)
      if (got < totals[p.index]!) return
    }
    this.totals = undefined
    const level = this.filling
    const added: Record<string, number> = {}
    for (const p of this.owned) {
      added[p.index] = this.receiver.added[p.index]!
      p.nextLevel()
    }
    const produced = [...this.receiver.produced]
    this.receiver.nextLevel()
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

function sum<T>(items: Iterable<T>, f: (x: T) => number): number {
  let s = 0
  for (const x of items) s += f(x)
  return s
}
