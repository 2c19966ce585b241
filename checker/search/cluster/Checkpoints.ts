/**
 * Checkpoints of a cluster run: at a level boundary, when one is due, every worker checkpoints its
 * partitions and then the coordinator writes its record of the run (runRecord.ts).
 */
import type { ClusterCheckOptions } from './clusterRun.js'
import type { LevelBarrier } from './LevelBarrier.js'
import type { RunMeta } from './protocol.js'
import type { Reports } from './Reports.js'
import type { Roster } from './Roster.js'
import type { RunChannel } from './RunChannel.js'
import { writeRunRecord, type RunRecord } from './runRecord.js'

export class Checkpoints {
  private lastCheckpoint = Date.now()

  constructor(
    private readonly checkpoint: ClusterCheckOptions['checkpoint'],
    /** How often the run being resumed was checkpointed (its record's everyMs). */
    private readonly resumedEveryMs: number | undefined,
    private readonly channel: RunChannel,
    private readonly reports: Reports,
    private readonly roster: Roster,
    private readonly meta: RunMeta,
    private readonly codeHash: string,
    /** The counts the record keeps. */
    private readonly tally: LevelBarrier,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * At a level boundary: when due (or `now`), every worker checkpoints its partitions, then the
   * coordinator records the run.
   */
  async maybeCheckpoint(level: number, frontier: number, now = false): Promise<void> {
    const cp = this.checkpoint
    if (cp === undefined) return
    const everyMs = cp.everyMs ?? this.resumedEveryMs ?? 60_000
    if (!now && Date.now() - this.lastCheckpoint < everyMs) return
    const waiting = new Set(Object.keys(this.roster.owners))
    await this.channel.control({ t: 'checkpoint', level })
    await this.reports.readUntil((r) => r.t === 'checkpointed' && r.level === level && waiting.delete(r.worker) && waiting.size === 0)
    const tally = this.tally
    const record: RunRecord = {
      format: 1,
      run: this.channel.run,
      level,
      partitions: this.meta.partitions,
      workers: Object.keys(this.roster.owners).length,
      model: { name: this.meta.model.name, ref: cp.ref, params: { ...this.meta.model.params }, codeHash: this.codeHash },
      options: this.meta.options,
      signature: { ...this.meta.signature },
      distinct: tally.distinct,
      generated: tally.generated,
      enabled: [...tally.enabled],
      produced: [...tally.produced],
      found: [...tally.found],
      reached: [...tally.reached],
      frontier,
      everyMs,
    }
    writeRunRecord(cp.dir, record)
    this.lastCheckpoint = Date.now()
    this.log(`Checkpoint written at level ${level} (${tally.distinct.toLocaleString('en-US')} states).`)
  }
}
