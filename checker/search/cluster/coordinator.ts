/**
 * The coordinator of a cluster search (`mrcheck check MODEL --cluster URL`): partitioned,
 * level-synchronous breadth-first search (the PReach/DiVinE design) over Redis.
 *
 * It publishes the run (RunMeta), waits for its worker processes, assigns them the partitions,
 * seeds the initial states, and then drives the levels with a barrier of counts: for depth L it
 * tells every worker to expand its states of depth L, sums the states each sent to each partition
 * (their 'expanded' reports), tells the totals, and waits until every owner received them all
 * ('received'). So the first violation is found at the lowest depth, and its trace, rebuilt by
 * asking owner after owner where each state came from, is a shortest one. Between levels it asks
 * for checkpoints (when due), watches the workers' heartbeats (a lost worker stops the run,
 * incomplete, naming its partitions), samples Redis's memory, and at the end stops the workers
 * and removes the run's keys.
 *
 * This file starts the run (its options, the model's spec, the run's name and meta) and re-exports
 * what the library imports; the run itself is LevelLoop.ts, with its side of Redis (RunChannel.ts),
 * the workers' admission (Admission.ts, Roster.ts), the reports and heartbeats (Reports.ts), the
 * barrier's counts (LevelBarrier.ts), checkpoints (Checkpoints.ts, runRecord.ts) and the traces
 * (traces.ts).
 */
import { randomBytes } from 'node:crypto'
import { specSignature } from '../../compile/specSignature.js'
import type { ClusterCheckOptions, ClusterRun, CoordinatorIdentity } from './clusterRun.js'
import { buildClusterSpec } from './clusterSpec.js'
import { LevelLoop } from './LevelLoop.js'
import { ClusterError, PROTOCOL, keysOf, type RunMeta } from './protocol.js'
import { connect } from './redis.js'
import { readRunRecord } from './runRecord.js'

export type { ClusterCheckOptions, ClusterRun, ClusterStats, CoordinatorIdentity } from './clusterRun.js'
export { readRunRecord }

/** Runs a cluster search of `who.model` at `who.params` and returns its result and what it cost. */
export async function clusterCheck(who: CoordinatorIdentity, options: ClusterCheckOptions): Promise<ClusterRun> {
  const record = options.resumeFrom === undefined ? undefined : readRunRecord(options.resumeFrom)
  const runOptions: RunMeta['options'] = record?.options ?? {
    ...(options.only === undefined ? {} : { only: [...options.only] }),
    ...(options.symmetry === undefined ? {} : { symmetry: options.symmetry }),
    ...(options.view === undefined ? {} : { view: options.view }),
    continue: options.continue ?? false,
    ...(options.store === 'fingerprint' ? { store: 'fingerprint' as const } : {}),
  }
  const params = record?.model.params ?? who.params
  const built = buildClusterSpec(who.model, params, runOptions)
  const signature = specSignature(built.compiled) as unknown as Record<string, string>
  if (record !== undefined) {
    if (record.model.codeHash !== who.codeHash) throw new ClusterError(`The model's code changed since the checkpoint in ${options.resumeFrom} was written.`)
    if (JSON.stringify(record.signature) !== JSON.stringify(signature)) throw new ClusterError(`The checkpoint in ${options.resumeFrom} was written for another spec.`)
  }
  const workers = record?.workers ?? options.workers ?? 1
  const partitions = record?.partitions ?? options.partitions ?? 4 * workers
  if (!Number.isInteger(workers) || workers < 1) throw new ClusterError(`workers must be a positive integer, not ${workers}.`)
  if (!Number.isInteger(partitions) || partitions < workers || partitions > 65536) {
    throw new ClusterError(`--partitions must be an integer from the number of workers (${workers}) to 65536, not ${partitions}.`)
  }
  const run = options.run ?? `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
  if (!/^[\w-]{1,64}$/.test(run)) throw new ClusterError(`A run name may hold letters, digits, _ and - only (64 at most), not ${JSON.stringify(run)}.`)
  const meta: RunMeta = {
    protocol: PROTOCOL,
    version: who.version,
    model: { name: who.model.name, params: built.params, codeHash: who.codeHash },
    signature,
    options: runOptions,
    partitions,
    workers,
    ...(record === undefined ? {} : { resume: { level: record.level, from: record.run } }),
  }
  const cmd = await connect(options.url, `mrcheck-coordinator-${run}`)
  const reader = await connect(options.url, `mrcheck-coordinator-reader-${run}`)
  const c = new LevelLoop(run, keysOf(run), meta, built, { cmd, reader }, options, who, record)
  try {
    return await c.search()
  } finally {
    await c.cleanUp()
    cmd.disconnect()
    reader.disconnect()
  }
}
