/**
 * Workers joining a cluster run: reading the join stream, waiting for the workers the run starts
 * with and giving them the partitions, and admitting later joiners at a level boundary by moving
 * partitions to them.
 */
import type { ClusterCheckOptions } from './clusterRun.js'
import { ClusterError, OWNER_GROUP, type Join, type Move, type RunMeta } from './protocol.js'
import { POLL_MS, type Reports } from './Reports.js'
import type { Roster } from './Roster.js'
import type { RunChannel } from './RunChannel.js'

export class Admission {
  private lastJoin = '0'

  constructor(
    private readonly channel: RunChannel,
    private readonly reports: Reports,
    private readonly roster: Roster,
    private readonly meta: RunMeta,
    private readonly options: Pick<ClusterCheckOptions, 'signal' | 'joinTimeoutMs'>,
    private readonly log: (line: string) => void,
  ) {}

  /** Waits for the run's workers to join (the join stream); on resume, until the checkpoints of every partition are held. */
  async awaitWorkers(): Promise<Join[]> {
    const joined: Join[] = []
    const started = Date.now()
    for (;;) {
      await this.awaitJoins(joined, started)
      // One that died or left since it joined would stop the run once it owned partitions.
      const gone = await this.channel.stoppedBeating(joined.map((j) => j.worker))
      if (gone.length === 0) return joined
      for (const w of gone) joined.splice(joined.findIndex((j) => j.worker === w), 1)
      this.log(`Worker${gone.length === 1 ? '' : 's'} ${gone.join(', ')} joined but stopped beating before the run started (${joined.length} of ${this.meta.workers}).`)
    }
  }

  /** Adds to `joined` the workers that join, until there are as many as the run waits for. */
  private async awaitJoins(joined: Join[], started: number): Promise<void> {
    while (joined.length < this.meta.workers) {
      for (const j of await this.joins(POLL_MS)) {
        if (!joined.some((x) => x.worker === j.worker)) joined.push(j)
        this.log(`Worker ${j.worker} joined (${joined.length} of ${this.meta.workers}).`)
      }
      // Refusals come as reports, and so do workers that left before the run started.
      await this.reports.readBeforeStart((r) => {
        if (r.t === 'failed') this.log(`A worker was refused: ${r.message}`)
        const gone = joined.findIndex((j) => j.worker === r.worker)
        if (r.t === 'left' && gone >= 0) {
          joined.splice(gone, 1)
          this.log(`Worker ${r.worker} left before the run started (${joined.length} of ${this.meta.workers}).`)
        }
      })
      if (this.options.signal?.aborted) throw new ClusterError('Interrupted while waiting for workers.')
      if (this.options.joinTimeoutMs !== undefined && Date.now() - started > this.options.joinTimeoutMs) {
        throw new ClusterError(`Only ${joined.length} of ${this.meta.workers} workers joined run ${this.channel.run} in ${this.options.joinTimeoutMs / 1000} s.`)
      }
    }
  }

  /** The joins read from the join stream (waiting up to `blockMs`, or not at all when undefined). */
  private async joins(blockMs: number | undefined): Promise<Join[]> {
    const { keys, redis } = this.channel
    const block = blockMs === undefined ? [] : ['BLOCK', blockMs]
    const got = (await this.channel.call('reading joins', () =>
      redis.reader.xread('COUNT', 16, ...(block as ['BLOCK', number]), 'STREAMS', keys.join, this.lastJoin),
    )) as [string, [string, string[]][]][] | null
    const out: Join[] = []
    for (const [, entries] of got ?? []) {
      for (const [id, fields] of entries) {
        this.lastJoin = id
        let j: Join
        try {
          j = JSON.parse(fields[1] ?? '') as Join
        } catch {
          throw new ClusterError(`A message on ${keys.join} is not JSON.`)
        }
        if (typeof j?.worker !== 'string' || !Array.isArray(j.holds) || !(j.heartbeatMs > 0)) throw new ClusterError(`A message on ${keys.join} is not a join.`)
        this.roster.heartbeatOf.set(j.worker, j.heartbeatMs)
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
  async admit(level: number): Promise<void> {
    const roster = this.roster
    const candidates = (await this.joins(undefined)).map((j) => j.worker).concat(roster.standby).filter((w, i, all) => !Object.hasOwn(roster.owners, w) && all.indexOf(w) === i)
    if (candidates.length === 0) return
    const gone = await this.channel.stoppedBeating(candidates)
    const joiners = candidates.filter((w) => !gone.includes(w))
    if (gone.length > 0) this.log(`Worker${gone.length === 1 ? '' : 's'} ${gone.join(', ')} joined but stopped beating before ${gone.length === 1 ? 'it was' : 'they were'} given partitions: passed over.`)
    if (joiners.length === 0) {
      roster.standby = []
      return
    }
    const owners: Record<string, number[]> = Object.fromEntries(Object.entries(roster.owners).map(([w, ps]) => [w, [...ps]]))
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
    roster.standby = joiners.filter((w) => owners[w]!.length === 0)
    for (const w of roster.standby) delete owners[w]
    if (moves.length === 0) {
      this.log(`Worker${joiners.length === 1 ? '' : 's'} ${joiners.join(', ')} joined, but every process owns at most one partition more than another: ${joiners.length === 1 ? 'it waits' : 'they wait'}.`)
      return
    }
    const waiting = new Set(moves.flatMap((x) => [x.from, x.to]))
    await this.channel.control({ t: 'move', level, moves, owners })
    // Owners from here on: a joiner that fails or is lost while it takes its partitions over loses them.
    roster.owners = owners
    await this.reports.readUntil((r) => r.t === 'moved' && r.level === level && waiting.delete(r.worker) && waiting.size === 0)
    for (const w of joiners.filter((x) => owners[x] !== undefined)) {
      this.log(`Worker ${w} joined at depth ${level}: partition${owners[w]!.length === 1 ? '' : 's'} ${owners[w]!.join(', ')} moved to it.`)
    }
  }

  /** Gives each worker its partitions (on resume, those it holds checkpoints of), makes the streams and groups, and tells the workers. */
  async assign(joined: readonly Join[]): Promise<void> {
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
    const { cmd } = this.channel.redis
    await this.channel.call('making the partition streams', async () => {
      for (let k = 0; k < P; k++) await cmd.xgroup('CREATE', this.channel.keys.partition(k), OWNER_GROUP, '$', 'MKSTREAM')
    })
    this.roster.owners = owners
    await this.channel.control({ t: 'assign', owners })
  }
}
