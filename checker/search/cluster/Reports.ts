/**
 * The report stream as the coordinator reads it: waiting for the reports a step needs while
 * watching the owners' heartbeats, the failures and departures that end the run (LostWorkers),
 * and Redis's memory, sampled on the way.
 */
import { ClusterError, parseMessage, type Report } from './protocol.js'
import type { Roster } from './Roster.js'
import type { RunChannel } from './RunChannel.js'

export const POLL_MS = 100

/** Workers gone from the run: their heartbeats expired, or (`left`) one was interrupted and said so. */
export class LostWorkers extends Error {
  constructor(
    readonly lost: readonly string[],
    readonly left = false,
  ) {
    super('lost')
  }
}

const REPORTS: readonly Report['t'][] = ['expanded', 'received', 'checkpointed', 'moved', 'parent', 'failed', 'left']

export class Reports {
  private lastReport = '0'
  private lastBeatCheck = 0
  private redisBase = 0
  private redisPeak = 0

  constructor(
    private readonly channel: RunChannel,
    private readonly roster: Roster,
    private readonly heartbeatMs: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Takes Redis's used memory now as the base its peak is measured from. */
  async startMemory(): Promise<void> {
    this.redisBase = await this.channel.usedMemory()
    this.redisPeak = this.redisBase
  }

  /** Redis's used memory at its highest so far, above the base. */
  get redisPeakBytes(): number {
    return Math.max(0, this.redisPeak - this.redisBase)
  }

  /** Reads reports until `want` says it has all it waits for; watches heartbeats and failures on the way. */
  async readUntil(want: (r: Report) => boolean): Promise<void> {
    const { keys, redis } = this.channel
    for (;;) {
      const got = (await this.channel.call('reading reports', () =>
        redis.reader.xread('COUNT', 64, 'BLOCK', POLL_MS, 'STREAMS', keys.rep, this.lastReport),
      )) as [string, [string, string[]][]][] | null
      for (const [, entries] of got ?? []) {
        for (const [id, fields] of entries) {
          this.lastReport = id
          const r = parseMessage<Report>(keys.rep, fields[1], REPORTS)
          if (r.t === 'left') {
            if (Object.hasOwn(this.roster.owners, r.worker)) throw new LostWorkers([r.worker], true)
            this.roster.standby = this.roster.standby.filter((w) => w !== r.worker)
            continue
          }
          if (r.t === 'failed') {
            // A worker that is not in the run (refused, or too late) does not stop it.
            if (!Object.hasOwn(this.roster.owners, r.worker)) {
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

  /** Reads, without waiting, the reports that can come before the run starts (refusals, and workers that left), up to 16. */
  async readBeforeStart(each: (r: Report) => void): Promise<void> {
    const { keys, redis } = this.channel
    const refused = (await this.channel.call('reading reports', () => redis.reader.xread('COUNT', 16, 'STREAMS', keys.rep, this.lastReport))) as
      | [string, [string, string[]][]][]
      | null
    for (const [, entries] of refused ?? []) {
      for (const [id, fields] of entries) {
        this.lastReport = id
        each(parseMessage<Report>(keys.rep, fields[1], ['failed', 'left']))
      }
    }
  }

  private async checkHeartbeats(): Promise<void> {
    const now = Date.now()
    if (now - this.lastBeatCheck < Math.min(500, this.heartbeatMs / 4)) return
    this.lastBeatCheck = now
    const peak = await this.channel.usedMemory()
    if (peak > this.redisPeak) this.redisPeak = peak
    const { keys, redis } = this.channel
    const ws = Object.keys(this.roster.owners)
    if (ws.length === 0) return
    const lost = await this.channel.stoppedBeating(ws)
    if (lost.length === 0) return
    // A worker that failed says why before its heartbeat goes: that, if it is there, rather than "lost".
    const after = (await this.channel.call('reading reports', () => redis.reader.xread('COUNT', 1000, 'STREAMS', keys.rep, this.lastReport))) as
      | [string, [string, string[]][]][]
      | null
    for (const [, entries] of after ?? []) {
      for (const [, fields] of entries) {
        const r = parseMessage<Report>(keys.rep, fields[1], REPORTS)
        if (r.t === 'failed' && lost.includes(r.worker)) throw new ClusterError(`Worker ${r.worker} failed: ${r.message}`)
        if (r.t === 'left' && lost.includes(r.worker)) throw new LostWorkers([r.worker], true)
      }
    }
    throw new LostWorkers(lost)
  }
}
