/**
 * The library entry points of cluster mode (search/cluster/): check a model with worker processes
 * on any number of machines over Redis, and be such a worker. Every process is given the model
 * itself; the coordinator and the workers compare what identifies it (the code's hash, the
 * mrcheck release, the spec's signature) before a worker joins.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AnyModel, ParamsOf } from '../model/model.js'
import { clusterCheck, readRunRecord, type ClusterCheckOptions, type ClusterRun } from '../search/cluster/coordinator.js'
import { runClusterWorker, type ClusterWorkerOptions, type ClusterWorkerOutcome } from '../search/cluster/worker.js'
import { ClusterError } from '../search/cluster/protocol.js'

export type { ClusterCheckOptions, ClusterRun, ClusterStats } from '../search/cluster/coordinator.js'
export type { ClusterWorkerOptions, ClusterWorkerOutcome } from '../search/cluster/worker.js'
export { ClusterError }

/** What identifies the model's code: for a model file, the hash compile/importModule.ts computes; by default this mrcheck's release. */
export interface CodeIdentity {
  readonly codeHash?: string
  readonly version?: string
}

let ownVersion: string | undefined
/** This mrcheck's release (package.json). */
export function mrcheckVersion(): string {
  const manifest = createRequire(import.meta.url).resolve('mrcheck/package.json')
  ownVersion ??= (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
  return ownVersion
}

const identity = (code: CodeIdentity) => {
  const version = code.version ?? mrcheckVersion()
  return { version, codeHash: code.codeHash ?? `mrcheck@${version}` }
}

/** Checks `model` at `params` as the coordinator of a cluster search; the workers run `clusterWorker`. */
export function checkCluster<M extends AnyModel>(
  model: M,
  params: ParamsOf<M> | Readonly<Record<string, unknown>>,
  options: ClusterCheckOptions & CodeIdentity,
): Promise<ClusterRun> {
  return clusterCheck({ model, params: params as Record<string, unknown>, ...identity(options) }, options)
}

/** Joins a cluster search of `model` (the oldest waiting run of it, or `options.run`) and serves it to its end. */
export function clusterWorker(model: AnyModel, options: ClusterWorkerOptions & CodeIdentity): Promise<ClusterWorkerOutcome> {
  return runClusterWorker({ model, ...identity(options) }, options)
}

/** The model a cluster checkpoint directory names (a built-in name or a file path), for resuming it. */
export function clusterCheckpointModel(dir: string): { readonly ref: string; readonly name: string } {
  const r = readRunRecord(dir)
  return { ref: r.model.ref, name: r.model.name }
}
