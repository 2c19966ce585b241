/**
 * The coordinator's side of a run in Redis: its two connections (commands, and the reader that
 * blocks on the streams), publishing the run and keeping the coordinator's heartbeat, the control
 * stream it tells the workers through, and removing the run's keys at the end.
 */
import { ClusterError, RUNS_KEY, type Control, type RunKeys, type RunMeta } from './protocol.js'
import { redisCall, type Redis } from './redis.js'

export class RunChannel {
  private heartbeat: ReturnType<typeof setInterval> | undefined
  /** Whether this run's keys are this coordinator's (a run of the same name may exist already). */
  private published = false

  constructor(
    private readonly url: string,
    readonly run: string,
    readonly keys: RunKeys,
    readonly redis: { readonly cmd: Redis; readonly reader: Redis },
    private readonly heartbeatMs: number,
  ) {}

  call<T>(doing: string, f: () => Promise<T>): Promise<T> {
    return redisCall(this.url, doing, f)
  }

  /** Which of `workers` have no heartbeat in Redis any more. */
  async stoppedBeating(workers: readonly string[]): Promise<string[]> {
    const alive = await this.call('checking heartbeats', () => Promise.all(workers.map((w) => this.redis.cmd.exists(this.keys.heartbeat(w)))))
    return workers.filter((_, i) => alive[i] === 0)
  }

  async control(m: Control): Promise<void> {
    await this.call('writing the control stream', () => this.redis.cmd.xadd(this.keys.ctl, '*', 'm', JSON.stringify(m)))
  }

  /** Whether the run was published: from then on, its workers may be listening. */
  get isPublished(): boolean {
    return this.published
  }

  /** Publishes the run (its meta and the coordinator's heartbeat); refuses a name a run in this Redis has already. */
  async publish(meta: RunMeta): Promise<void> {
    const { cmd } = this.redis
    const { keys, run } = this
    const beat = () => cmd.set(keys.heartbeat('coordinator'), '1', 'PX', this.heartbeatMs)
    await this.call('starting the run', async () => {
      if ((await cmd.exists(keys.meta)) === 1) throw new ClusterError(`A run named ${run} already exists in this Redis.`)
      await beat()
      await cmd.set(keys.meta, JSON.stringify(meta))
      await cmd.sadd(RUNS_KEY, run)
    })
    this.published = true
    this.heartbeat = setInterval(() => void beat().catch(() => {}), Math.max(50, this.heartbeatMs / 4))
  }

  async usedMemory(): Promise<number> {
    const info = await this.call('reading INFO memory', () => this.redis.cmd.info('memory'))
    const m = /used_memory:(\d+)/.exec(info)
    return m === null ? 0 : Number(m[1])
  }

  /** Stops the heartbeat and removes the run's keys once `workers` have left (or after a short wait); never another run's of the same name. */
  async cleanUp(workers: readonly string[], partitions: number): Promise<void> {
    clearInterval(this.heartbeat)
    if (!this.published) return
    const { cmd } = this.redis
    try {
      for (let i = 0; i < 150; i++) {
        const alive = await Promise.all(workers.map((w) => cmd.exists(this.keys.heartbeat(w))))
        if (alive.every((a) => a === 0)) break
        await new Promise((r) => setTimeout(r, 20))
      }
      const keys = [this.keys.meta, this.keys.join, this.keys.ctl, this.keys.rep, this.keys.heartbeat('coordinator')]
      for (let k = 0; k < partitions; k++) keys.push(this.keys.partition(k), this.keys.handover(k))
      await cmd.del(...keys)
      await cmd.srem(RUNS_KEY, this.run)
    } catch {
      // Redis is gone: nothing to remove.
    }
  }
}
