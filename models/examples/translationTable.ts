/**
 * The translation table of an RDMA device with on-demand paging (ODP), small enough to check
 * exhaustively: a key table, the CPU and device page tables of one registered range, and per page
 * a device page fault in three steps that races with the kernel's invalidations, as ODP does with
 * an mmu_interval_notifier (snapshot the sequence, walk, commit only if no invalidation ran).
 *
 * The sequence counter itself is abstracted to a `stale` flag per fault in flight: an
 * invalidation marks every fault in flight stale, and a commit of a stale fault retries. With
 * `checkSequence = false` the commit ignores the flag: the classic race, where a fault that
 * walked before a migration installs the old frame (Coherent is violated after 6 states).
 *
 * implementations/translationTable.ts is ordinary code for the same device; the model serves as
 * the oracle in its model-based test (test/testing/modelCommands.test.ts).
 */
import { defineModel, param } from '../../checker/index.js'
import { build } from './specs/translationTable.js'
import translationTableProperties from '../../properties/examples/translationTable.js'

export * from './specs/translationTable.js'

export default defineModel({
  name: 'translation-table',
  summary: 'An ODP device translation table: page faults racing with invalidations (mmu_interval_notifier).',
  params: {
    pages: param.int(2, { min: 1, max: 3 }, 'pages of the registered range (frames: one more)'),
    keys: param.int(1, { min: 1, max: 2 }, 'key slots of the key table'),
    checkSequence: param.bool(true, 'a fault commit retries when an invalidation ran since its snapshot; false plants the race'),
  },
  build,
  properties: translationTableProperties,
})
