/**
 * Growing the visited set the parallel workers share, or, with `store: 'auto'`, turning it into
 * fingerprints, once every worker has stopped at the pause mark (search/Coordinator.ts). The budget
 * holds the set, the trace records and the frontier, as with one worker.
 */
import { MiB } from '../store/memory.js'
import type { SharedStateSet, SharedStateSetHandle } from '../store/SharedStateSet.js'
import type { TraceRecords } from '../store/TraceRecords.js'
import type { StoreMode } from './bfs.js'
import { CONTROL_REHASH_NEXT } from './workerProtocol.js'
import type { WorkerPool } from './WorkerPool.js'

/** The coordinator's set and what growing it touches. */
export interface Growth {
  readonly set: SharedStateSet
  readonly exact: boolean
  readonly mode: StoreMode
  readonly records: TraceRecords
  readonly pool: WorkerPool
  readonly control: Int32Array
  readonly budget: number
  /** The bytes of the behaviour graph being recorded (0 when none). */
  readonly graphBytes: number
  readonly warnings: string[]
  /** Gives up recording the graph. */
  readonly forgetGraph: () => void
}

/**
 * Grows the shared set (the workers rehash into the grown one before this returns), or turns it
 * into fingerprints; the new set, and whether it keeps exact states. Undefined when the budget
 * forbids both. `frontierBytes`: the frontier's share of the budget.
 */
export async function growSharedSet(g: Growth, frontierBytes: number): Promise<{ readonly handle: SharedStateSetHandle; readonly exact: boolean } | undefined> {
  const { records, budget, control, pool, set } = g
  const bigger = set.grownCapacity
  const resident = set.bytes + records.bytes + frontierBytes
  const more = set.growthBytes(pool.searchers)
  // The states come first: the graph gives way when both would not fit.
  if (resident + more + g.graphBytes > budget) g.forgetGraph()
  if (resident + more <= budget) {
    const h = set.grown()
    Atomics.store(control, CONTROL_REHASH_NEXT, 0)
    pool.postAll({ type: 'grow', set: h })
    for (let done = 0; done < pool.searchers; ) if ((await pool.next()).message.type === 'rehashed') done++
    return { handle: h, exact: g.exact }
  } else if (g.exact && g.mode === 'auto') {
    // As with one worker: the trace records go to disk, and the exact set goes once its
    // states are fingerprinted, into a set of the grown size or, when that does not fit, one
    // of the same size (filled further before the search stops).
    records.startSpilling()
    const room = [bigger, set.capacity].find((n) => records.bytes + frontierBytes + n * 8 <= budget)
    if (room === undefined) return undefined
    const h = set.toFingerprints(room)
    g.warnings.push(
      `Switched from exact states to fingerprints at ${records.count.toLocaleString('en-US')} distinct states ` +
        `(memory budget ${Math.round(budget / MiB)} MiB).`,
    )
    return { handle: h, exact: false }
  } else return undefined
}
