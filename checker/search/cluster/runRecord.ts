/**
 * The coordinator's checkpoint: its record of a run at a level boundary (RunRecord), written to a
 * checkpoint directory and read back on resume.
 */
import { closeSync } from 'node:fs'
import { join } from 'node:path'
import { checkpointDir, openFramed, readAt, writeFramed } from '../../longrun/checkpoint.js'
import { ClusterError, type FoundAt, type RunMeta } from './protocol.js'

const CHECKPOINT_FILE = 'cluster-run.bin'

/** The coordinator's record of a run at a level boundary (its checkpoint). */
export interface RunRecord {
  readonly format: 1
  readonly run: string
  readonly level: number
  readonly partitions: number
  readonly workers: number
  readonly model: { readonly name: string; readonly ref: string; readonly params: Record<string, unknown>; readonly codeHash: string }
  readonly options: RunMeta['options']
  readonly signature: Record<string, string>
  readonly distinct: number
  readonly generated: number
  readonly enabled: number[]
  readonly produced: number[]
  readonly found: FoundAt[]
  readonly reached: string[]
  readonly frontier: number
  readonly everyMs: number
}

/** Reads the coordinator's checkpoint in `dir`. */
export function readRunRecord(dir: string): RunRecord {
  const f = openFramed(join(dir, CHECKPOINT_FILE), 'cluster-run')
  let r: any
  try {
    const buf = Buffer.alloc(f.bytes)
    readAt(f, buf, f.bytes, 0)
    r = JSON.parse(buf.toString('utf8'))
  } catch (e) {
    throw new ClusterError(`Cluster checkpoint ${join(dir, CHECKPOINT_FILE)} cannot be read: ${(e as Error).message}.`)
  } finally {
    closeSync(f.fd)
  }
  if (r?.format !== 1 || typeof r.run !== 'string' || !Number.isInteger(r.level) || typeof r.model?.ref !== 'string') {
    throw new ClusterError(`Cluster checkpoint ${join(dir, CHECKPOINT_FILE)} is not one this mrcheck wrote.`)
  }
  return r as RunRecord
}

/** Writes the coordinator's checkpoint to `dir`. */
export function writeRunRecord(dir: string, record: RunRecord): void {
  checkpointDir(dir)
  const text = Buffer.from(JSON.stringify(record, null, 1), 'utf8')
  writeFramed(dir, CHECKPOINT_FILE, 'cluster-run', text.byteLength, [text])
}
