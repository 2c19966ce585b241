/**
 * The barrier of counts that ends each level of a cluster search: seeding the initial states, having
 * every worker expand a level, waiting until every owner received what was sent to it, and the
 * search's counters and findings summed from those reports.
 */
import type { Found } from '../../trace/trace.js'
import { Expander, EXPANDED } from '../expand.js'
import type { BuiltSpec } from './clusterSpec.js'
import { Outbox } from './Outbox.js'
import { ClusterError, counts, type FoundAt, type RunMeta } from './protocol.js'
import type { Reports } from './Reports.js'
import type { Roster } from './Roster.js'
import type { RunChannel } from './RunChannel.js'
import type { RunRecord } from './runRecord.js'

export class LevelBarrier {
  // The search's counters.
  distinct: number
  generated: number
  readonly enabled: Float64Array
  readonly produced: Float64Array
  readonly found: FoundAt[]
  private readonly broken = new Set<string>()
  readonly reached: Set<string>
  /** Found by the coordinator itself (an initial state outside the constraint that breaks an invariant). */
  readonly ownFound: Found[] = []
  batches = 0
  bytesSent = 0

  constructor(
    private readonly channel: RunChannel,
    private readonly reports: Reports,
    private readonly roster: Roster,
    private readonly built: BuiltSpec,
    private readonly meta: RunMeta,
    record: RunRecord | undefined,
  ) {
    const A = built.c.actionNames.length
    this.distinct = record?.distinct ?? 0
    this.generated = record?.generated ?? 0
    this.enabled = Float64Array.from(record?.enabled ?? new Array<number>(A).fill(0))
    this.produced = Float64Array.from(record?.produced ?? new Array<number>(A).fill(0))
    this.found = [...(record?.found ?? [])]
    for (const f of this.found) this.broken.add(f.property)
    this.reached = new Set(record?.reached ?? [])
  }

  /** Sends the initial states to their owners; returns how many are new. */
  async seed(): Promise<number> {
    const c = this.built.c
    const { keys, redis } = this.channel
    const expander = new Expander(c, this.meta.options.continue)
    const outbox = new Outbox(
      this.meta.partitions,
      c.codec.words,
      [],
      () => {},
      (k, fields) => redis.cmd.xadd(keys.partition(k), '*', ...(fields as [string])),
      this.channel.run,
    )
    outbox.begin(1)
    for (let i = 0; i < c.init.length; i++) {
      if (expander.initial(i, outbox) !== EXPANDED) break
    }
    await this.channel.call('sending the initial states', () => outbox.flushAll())
    this.generated += expander.generated
    this.batches += outbox.batches
    this.bytesSent += outbox.bytes
    for (const f of expander.found) this.noteOwn(f)
    await this.channel.control({ t: 'sent', level: 1, totals: [...outbox.sent] })
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
  async expand(level: number): Promise<number[]> {
    const P = this.meta.partitions
    const A = this.built.c.actionNames.length
    const totals = new Array<number>(P).fill(0)
    const waiting = new Set(Object.keys(this.roster.owners))
    const founds: FoundAt[][] = []
    await this.channel.control({ t: 'expand', level })
    await this.reports.readUntil((r) => {
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
  async receive(level: number): Promise<number> {
    const A = this.built.c.actionNames.length
    const waiting = new Set(Object.keys(this.roster.owners))
    let added = 0
    await this.reports.readUntil((r) => {
      if (r.t !== 'received' || r.level !== level || !waiting.delete(r.worker)) return false
      for (const [k, n] of Object.entries(r.added)) {
        if (!(this.roster.owners[r.worker] ?? []).includes(Number(k)) || !Number.isInteger(n) || n < 0) throw new ClusterError(`Worker ${r.worker} reported states of partition ${k}, which it does not own.`)
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
}
