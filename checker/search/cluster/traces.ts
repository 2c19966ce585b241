/**
 * The traces of a cluster search's findings, rebuilt by asking owner after owner where each state
 * came from (`traces`, `origin`), and kept as one store of paths (`Chains`) for trace/trace.ts.
 */
import { fingerprintThird } from '../../encode/fingerprint.js'
import type { Found, PathSource } from '../../trace/trace.js'
import type { BuiltSpec } from './clusterSpec.js'
import { FINGERPRINT_BITS } from './Partition.js'
import { ClusterError, PARENT_INITIAL, type ClusterStore, type FoundAt, type Report } from './protocol.js'
import type { Reports } from './Reports.js'
import type { RunChannel } from './RunChannel.js'

/** Who to ask for the origins of states, and what their answers must fit. */
export interface OwnersOfStates {
  readonly channel: RunChannel
  readonly reports: Reports
  readonly c: BuiltSpec['c']
  readonly store: ClusterStore
  readonly partitions: number
}

/** The paths to every finding, asked of the owners state by state. */
export async function traces(found: readonly FoundAt[], owners: OwnersOfStates): Promise<Chains> {
  const chains = new Chains(owners.store, owners.c.codec.words)
  for (const f of found) {
    const steps: { words: Uint32Array; instance: number }[] = []
    let at = { partition: f.partition, id: f.state }
    let init = -1
    for (let guard = 0; init < 0; guard++) {
      if (guard > 10_000_000) throw new ClusterError('A trace does not end at an initial state.')
      const o = await origin(at.partition, at.id, owners)
      steps.push({ words: Uint32Array.from(o.words), instance: o.instance })
      if (o.parentPartition === PARENT_INITIAL) init = o.parentId
      else at = { partition: o.parentPartition, id: o.parentId }
    }
    chains.add(f, init, steps.reverse())
  }
  return chains
}

async function origin(partition: number, id: number, owners: OwnersOfStates): Promise<Extract<Report, { t: 'parent' }>> {
  const { c, store } = owners
  const W = c.codec.words
  await owners.channel.control({ t: 'trace', partition, id })
  let answer: Extract<Report, { t: 'parent' }> | undefined
  await owners.reports.readUntil((r) => {
    if (r.t !== 'parent' || r.partition !== partition || r.id !== id) return false
    const ok =
      Array.isArray(r.words) &&
      r.words.length === (store === 'exact' ? W : FINGERPRINT_BITS / 32) &&
      r.words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) &&
      Number.isInteger(r.parentId) &&
      Number.isInteger(r.instance) &&
      r.instance < c.instances.length &&
      (r.parentPartition === PARENT_INITIAL ? r.parentId < c.init.length : r.parentPartition < owners.partitions)
    if (!ok) throw new ClusterError(`Worker ${r.worker} answered a trace request with an impossible state.`)
    answer = r
    return true
  })
  return answer!
}

/**
 * The paths of the findings, as the owners told them, as one store of states (trace/trace.ts
 * PathSource): each path's states get consecutive ids, the first one's parent marking its initial
 * state. With exact states the owners told each state's words, which the replayed trace is checked
 * against; with fingerprints, its fingerprint, and the replayed states must have those.
 */
export class Chains implements PathSource {
  readonly found: Found[] = []
  private readonly parent: number[] = []
  private readonly via: number[] = []
  private readonly words: Uint32Array[] = []
  private readonly fingerprints = new Set<string>()
  readonly contains?: (buf: Uint32Array, at: number, lo: number, hi: number) => boolean

  constructor(
    private readonly store: ClusterStore,
    W: number,
  ) {
    if (store === 'fingerprint') {
      this.contains = (buf, at, lo, hi) => this.fingerprints.has(`${lo >>> 0},${hi >>> 0},${fingerprintThird(buf, at, W)}`)
    }
  }

  add(f: FoundAt, init: number, steps: readonly { words: Uint32Array; instance: number }[]): void {
    const base = this.words.length
    steps.forEach((s, k) => {
      this.parent.push(k === 0 ? -1 - init : base + k - 1)
      this.via.push(s.instance)
      this.words.push(s.words)
      if (this.store === 'fingerprint') this.fingerprints.add([...s.words].join(','))
    })
    this.found.push({ property: f.property, kind: f.kind, state: base + steps.length - 1, instance: f.instance })
  }

  parentOf(id: number): number {
    return this.parent[id]!
  }
  instanceOf(id: number): number {
    return this.via[id]!
  }
  stateWords(id: number): Uint32Array | undefined {
    return this.store === 'exact' ? this.words[id]! : undefined
  }
}
