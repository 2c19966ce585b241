/**
 * The receiving side of a cluster worker: one loop that reads the streams of the partitions the
 * worker owns (re-reading which those are before each read, as a move may change them), adds each
 * arriving state to its partition, checks the invariants of the new ones, and counts per partition
 * what came in and was added, and per action what was produced, for the level's 'received' report.
 * When to report, and which level is being received, stay the worker's (ClusterWorker.ts).
 */
import { fingerprint } from '../../encode/fingerprint.js'
import { PropertyThrew, describeThrow } from '../../compile/evaluation.js'
import type { ReducedSpec } from '../../reduce/reduction.js'
import type { Expander } from '../expand.js'
import type { Partition } from './Partition.js'
import { ClusterError, NO_INSTANCE, OWNER_GROUP, PARENT_INITIAL, parseBatch, partitionOf, stride, type RunKeys } from './protocol.js'
import type { Redis } from './redis.js'
import { READ_BLOCK_MS, type Connections } from './workerOptions.js'

/** Arriving states whose table slots are read ahead at once. */
const AHEAD = 16

/** What the receive loop reads from its worker, which changes as the run goes on. */
export interface ReceiverHost {
  /** The partitions owned now. */
  owned(): readonly Partition[]
  /** The level whose states are being received. */
  filling(): number
  done(): boolean
  failure(): Error | undefined
  fail(e: Error): void
  /** Called after each read that got something: the worker's chance to report the level received. */
  maybeReceived(): Promise<void>
}

export class Receiver {
  private readonly P: number
  private readonly W: number
  private readonly S: number
  /** How many states each owned partition got so far in the level being received, and how many of them were new. */
  readonly received: Float64Array
  readonly added: Float64Array
  /** Per action: the new states it produced in the level being received. */
  readonly produced: Float64Array
  /** Waiting for the receive loop's next read (nextRead). */
  private readers: (() => void)[] = []
  private receiving: Promise<void> | undefined
  /** Scratch for the fingerprints of arriving states (take). */
  private readonly fp = new Uint32Array(2)
  private readonly fps = new Uint32Array(2 * AHEAD)

  constructor(
    private readonly id: string,
    private readonly run: string,
    private readonly keys: RunKeys,
    private readonly c: ReducedSpec,
    partitions: number,
    private readonly expanders: ReadonlyMap<number, Expander>,
    private readonly redis: Connections,
    private readonly call: <T>(doing: string, f: () => Promise<T>) => Promise<T>,
    private readonly host: ReceiverHost,
  ) {
    this.P = partitions
    this.W = c.codec.words
    this.S = stride(this.W)
    this.received = new Float64Array(this.P)
    this.added = new Float64Array(this.P)
    this.produced = new Float64Array(c.actionNames.length)
  }

  start(): void {
    if (this.receiving === undefined && this.host.owned().length > 0) this.receiving = this.receiveLoop().catch((e) => void this.host.fail(e))
  }

  /** Resolves once the receive loop's read under the partitions owned before has ended (the next one reads those owned now). */
  nextRead(): Promise<void> {
    return this.receiving === undefined || this.host.done() ? Promise.resolve() : new Promise<void>((go) => this.readers.push(go))
  }

  /** Resolves when the receive loop has ended (it ends once the worker is done), if it ever started. */
  async ended(): Promise<void> {
    await this.receiving?.catch(() => {})
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
    while (!this.host.done() && this.host.failure() === undefined) {
      // Each read names the partitions owned now (a move may have changed them); a move waits for the read before it to end.
      const owned = this.host.owned()
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
      if (got !== null) await this.host.maybeReceived()
    }
  }

  /** Adds the states of one batch to partition `p`, checking each (the batch was checked as a whole by parseBatch). */
  private take(key: string, p: Partition, fields: Buffer[] | null): void {
    const { W, S, P } = this
    const filling = this.host.filling()
    const batch = parseBatch(key, this.run, W, fields)
    if (batch.level !== filling) throw new ClusterError(`A batch on ${key} is for level ${batch.level}, but level ${filling} is being received: refused.`)
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
      if (stored >= 0) this.arrived(p, stored, words, o, filling)
    }
  }

  /** A state added to owned partition `p` (as `stored`, or -1 when seen), from a batch or by this process's expansion. */
  counted(p: Partition, stored: number, instance: number): void {
    this.received[p.index]!++
    if (stored < 0) return
    this.added[p.index]!++
    if (instance >= 0) this.produced[this.c.instances[instance]!.action]!++
  }

  /**
   * The invariants of a new state that came in a batch, stored as `stored` in `p` and packed at
   * `buf[at..]` (those of a successor added here are checked by its expansion, Outbox.add).
   */
  private arrived(p: Partition, stored: number, buf: Uint32Array, at: number, filling: number): void {
    try {
      this.expanders.get(p.index)!.arrived(stored, buf, at)
    } catch (e) {
      this.host.fail(new ClusterError(`Model "${this.c.spec.name}": ${threw(e)} on a new state of depth ${filling}.`))
    }
  }

  /** Forgets the counts of the level received. */
  nextLevel(): void {
    this.received.fill(0)
    this.added.fill(0)
    this.produced.fill(0)
  }
}

/** What a property that threw did, in words. */
export const threw = (e: unknown): string => (e instanceof PropertyThrew ? `property ${e.property} threw: ${describeThrow(e.cause)}` : `a property threw: ${describeThrow(e)}`)
