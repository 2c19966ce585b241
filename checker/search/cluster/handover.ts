/**
 * The handover of a moved partition between two workers of a cluster run: the giving worker sends
 * the partition's image (Partition.image) to the partition's handover stream in numbered chunks,
 * and the taking worker reads them in order, checks that they are of its run, and rebuilds the
 * partition (Partition.fromBytes). Who owns what, and when, is ClusterWorker.move's.
 */
import { Partition } from './Partition.js'
import { ClusterError, type ClusterStore } from './protocol.js'
import type { Redis } from './redis.js'
import { Left, READ_BLOCK_MS } from './workerOptions.js'

/** Bytes per entry of a partition's handover. */
const HANDOVER_CHUNK = 1 << 20

/** What both ends of a handover use: the run, its connections, and how a Redis call is made. */
export interface HandoverLink {
  readonly run: string
  readonly cmd: Redis
  readonly ctl: Redis
  readonly call: <T>(doing: string, f: () => Promise<T>) => Promise<T>
}

/** Sends partition `p` (Partition.image) to its handover stream `key` in chunks. */
export async function sendHandover(link: HandoverLink, key: string, p: Partition, partitions: number, level: number): Promise<void> {
  const { bytes, pieces } = p.image(partitions, level)
  const chunks = Math.max(1, Math.ceil(bytes / HANDOVER_CHUNK))
  let chunk = Buffer.alloc(Math.min(HANDOVER_CHUNK, bytes))
  let fill = 0
  let seq = 0
  const send = async () => {
    const d = chunk.subarray(0, fill)
    const n = seq++
    await link.call('handing over a partition', () => link.cmd.xadd(key, '*', 'run', link.run, 'seq', String(n), 'of', String(chunks), 'd', d))
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
}

/** What the taking worker knows of the partition it takes, and how it keeps an eye on the run meanwhile. */
export interface Taking {
  readonly level: number
  readonly index: number
  readonly partitions: number
  readonly W: number
  readonly store: ClusterStore
  readonly signal: AbortSignal | undefined
  readonly heartbeatMs: number
  readonly coordinatorAlive: () => Promise<void>
}

/** Reads partition `t.index` from its handover stream `key`, checks it, and returns it. */
export async function readHandover(link: HandoverLink, key: string, t: Taking): Promise<Partition> {
  const k = t.index
  const parts: Buffer[] = []
  let last = '0'
  let of = 1
  let checked = Date.now()
  while (parts.length < of) {
    if (t.signal?.aborted) throw new Left()
    const got = (await link.call('taking over a partition', () => link.ctl.xreadBuffer('COUNT', 16, 'BLOCK', READ_BLOCK_MS, 'STREAMS', key, last))) as
      | [Buffer, [Buffer, Buffer[]][]][]
      | null
    for (const [, entries] of got ?? []) {
      for (const [entryId, fields] of entries) {
        last = entryId.toString('latin1')
        const get = (name: string) => fields[fields.findIndex((f, i) => i % 2 === 0 && f.toString('latin1') === name) + 1]
        const seq = Number(get('seq')?.toString('latin1'))
        of = Number(get('of')?.toString('latin1'))
        const d = get('d')
        if (get('run')?.toString('latin1') !== link.run || seq !== parts.length || !Number.isInteger(of) || of < 1 || d === undefined) {
          throw new ClusterError(`The handover of partition ${k} on ${key} holds a chunk out of order or of another run: refused.`)
        }
        parts.push(d)
      }
    }
    if (Date.now() - checked > t.heartbeatMs / 2) {
      checked = Date.now()
      await t.coordinatorAlive()
    }
  }
  await link.call('taking over a partition', () => link.cmd.del(key))
  const refuse = (what: string): never => {
    throw new ClusterError(`The handover of partition ${k} on ${key} ${what}: refused.`)
  }
  return Partition.fromBytes(Buffer.concat(parts), refuse, { level: t.level, index: k, partitions: t.partitions, W: t.W, store: t.store })
}
