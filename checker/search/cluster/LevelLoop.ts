/**
 * The coordinator's run once its workers are known: the level loop (seed, then expand level after
 * level until the frontier is empty, a property breaks, or a limit stops it), what a lost worker
 * makes of the run, and the result with its traces.
 */
import type { StopReason } from '../../result/result.js'
import type { Found } from '../../trace/trace.js'
import { progressOf, runInfo, searchResult } from '../outcome.js'
import { Admission } from './Admission.js'
import { Checkpoints } from './Checkpoints.js'
import type { ClusterCheckOptions, ClusterRun, CoordinatorIdentity } from './clusterRun.js'
import type { BuiltSpec } from './clusterSpec.js'
import { LevelBarrier } from './LevelBarrier.js'
import { FINGERPRINT_BITS } from './Partition.js'
import type { ClusterStore, RunKeys, RunMeta } from './protocol.js'
import { shownUrl, type Redis } from './redis.js'
import { LostWorkers, Reports } from './Reports.js'
import { Roster } from './Roster.js'
import { RunChannel } from './RunChannel.js'
import type { RunRecord } from './runRecord.js'
import { Chains, traces } from './traces.js'

export class LevelLoop {
  private readonly log: (line: string) => void
  private readonly started = Date.now()
  private readonly store: ClusterStore
  private readonly roster = new Roster()
  private readonly channel: RunChannel
  private readonly reports: Reports
  private readonly admission: Admission
  private readonly barrier: LevelBarrier
  private readonly checkpoints: Checkpoints

  constructor(
    private readonly run: string,
    keys: RunKeys,
    private readonly meta: RunMeta,
    private readonly built: BuiltSpec,
    redis: { readonly cmd: Redis; readonly reader: Redis },
    private readonly options: ClusterCheckOptions,
    who: CoordinatorIdentity,
    private readonly record: RunRecord | undefined,
  ) {
    this.log = options.log ?? (() => {})
    this.store = meta.options.store ?? 'exact'
    const heartbeatMs = options.heartbeatMs ?? 10_000
    this.channel = new RunChannel(options.url, run, keys, redis, heartbeatMs)
    this.reports = new Reports(this.channel, this.roster, heartbeatMs, this.log)
    this.admission = new Admission(this.channel, this.reports, this.roster, meta, options, this.log)
    this.barrier = new LevelBarrier(this.channel, this.reports, this.roster, built, meta, record)
    this.checkpoints = new Checkpoints(options.checkpoint, record?.everyMs, this.channel, this.reports, this.roster, meta, who.codeHash, this.barrier, this.log)
  }

  /** The run; when it fails, the workers are told so (they end with the coordinator's error). */
  async search(): Promise<ClusterRun> {
    try {
      return await this.searchLevels()
    } catch (e) {
      if (this.channel.isPublished) await this.channel.control({ t: 'stop', why: (e as Error).message, end: 'failed' }).catch(() => {})
      throw e
    }
  }

  private async searchLevels(): Promise<ClusterRun> {
    const { meta, run, barrier } = this
    await this.channel.publish(meta)
    await this.reports.startMemory()
    this.log(`Run ${run} of ${meta.model.name} at ${shownUrl(this.options.url)}: waiting for ${meta.workers} worker process${meta.workers === 1 ? '' : 'es'} (mrcheck worker ${meta.model.name} --cluster ${shownUrl(this.options.url)}).`)
    const joined = await this.admission.awaitWorkers()
    await this.admission.assign(joined)
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
        frontier = await barrier.seed()
        stoppedByViolation = this.stops()
      } else {
        level = this.record.level
        frontier = this.record.frontier
      }
      depth = frontier > 0 ? level : 0
      // A resumed run expands one level before it heeds its time limit: waiting for the workers may
      // take most of a short limit, and a run resumed in time-limited slices must still get on.
      const heedTimeFrom = this.record === undefined ? level : level + 1
      while (!stoppedByViolation) {
        if (frontier === 0) {
          complete = true
          break
        }
        depth = level
        await this.admission.admit(level)
        const timedOut = this.options.timeoutMs !== undefined && level >= heedTimeFrom && Date.now() - this.started >= this.options.timeoutMs
        // A run stopped by its time limit checkpoints where it stops, as one worker's search does, so
        // that the next slice (resume --max-seconds) goes on from there, not from an older checkpoint.
        await this.checkpoints.maybeCheckpoint(level, frontier, timedOut)
        if (this.options.maxDepth !== undefined && level >= this.options.maxDepth) {
          stopReason = 'maxDepth'
          break
        }
        if (this.options.maxStates !== undefined && barrier.distinct >= this.options.maxStates) {
          stopReason = 'maxStates'
          break
        }
        if (timedOut) {
          stopReason = 'timeout'
          break
        }
        if (this.options.signal?.aborted) {
          stopReason = 'interrupted'
          break
        }
        this.options.onProgress?.(progressOf(this.started, barrier.distinct, barrier.generated, depth, frontier))
        const totals = await barrier.expand(level)
        if (this.stops()) {
          stoppedByViolation = true
          break
        }
        await this.channel.control({ t: 'sent', level: level + 1, totals })
        frontier = await barrier.receive(level + 1)
        level++
        stoppedByViolation = this.stops()
      }
    } catch (e) {
      if (!(e instanceof LostWorkers)) throw e
      const parts = e.lost.flatMap((w) => this.roster.owners[w] ?? []).sort((a, b) => a - b)
      const silent = Math.max(...e.lost.map((w) => this.roster.heartbeatOf.get(w) ?? 0)) / 1000
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
    if (complete) for (const [name] of c.reachable) if (!barrier.reached.has(name)) barrier.ownFound.push({ property: name, kind: 'reachable', state: -1, instance: -1 })
    // Traces are rebuilt while the owners are still there; a lost worker's states are gone with it.
    const chains =
      stopReason === 'workerLost'
        ? new Chains(this.store, c.codec.words)
        : await traces(barrier.found, { channel: this.channel, reports: this.reports, c, store: this.store, partitions: meta.partitions })
    await this.channel.control({
      t: 'stop',
      why: complete ? 'the search is complete' : stopReason === undefined ? 'a property is violated' : `stopped early (${stopReason})`,
      end: stopReason === undefined ? 'verdict' : 'incomplete',
    }).catch(() => {})
    const info = runInfo(
      c,
      this.started,
      {
        distinct: barrier.distinct,
        generated: barrier.generated,
        depth,
        left: complete ? 0 : frontier,
        enabled: (i) => barrier.enabled[i]!,
        produced: (i) => barrier.produced[i]!,
      },
      this.store,
      meta.workers,
      warnings,
      FINGERPRINT_BITS,
    )
    const found: Found[] = [...barrier.ownFound.filter((f) => f.kind !== 'reachable'), ...chains.found, ...barrier.ownFound.filter((f) => f.kind === 'reachable')]
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
        batches: barrier.batches,
        bytesSent: barrier.bytesSent,
        redisPeakBytes: this.reports.redisPeakBytes,
        levels: depth,
      },
    }
  }

  /** Whether the search stops here: a violation was found and --continue was not given. */
  private stops(): boolean {
    return !this.meta.options.continue && (this.barrier.found.length > 0 || this.barrier.ownFound.length > 0)
  }

  /** Stops the heartbeat and removes the run's keys once its workers have left (or after a short wait); never another run's of the same name. */
  async cleanUp(): Promise<void> {
    await this.channel.cleanUp(Object.keys(this.roster.owners), this.meta.partitions)
  }
}
