/**
 * WriteThroughCache from Specifying Systems (CachingMemory/WriteThroughCache.tla, checked as
 * MCWriteThroughCache): each processor's controller keeps a cache; a read that misses queues a
 * request on memQ (a sequence, at most QLen long) and waits for it to be served from the memory, a
 * write updates every cache holding the address and queues the write; the memory serves memQ in
 * order, and caches evict at will. At 2 processors, 1 address, 2 values and QLen = 1: 5,196
 * distinct states, 28,170 generated, depth 18, as TLC publishes (manifest.json at tlaplus/Examples
 * 32a32c7), with TypeInvariant, Coherence and LM_Inner_TypeInvariant holding.
 *
 * `refines` checks LMSpec, the cfg's PROPERTY LM_Inner_ISpec: the cache implements internal-memory
 * under the refinement mapping omem == vmem (the memory with every queued write applied), octl ==
 * ctl with "waiting" read as "busy", obuf == buf. `bug: 'write-not-queued'` (a test-only mutant)
 * updates the caches on a write but never queues it for the memory: Coherence still holds, but the
 * write is no step of internal-memory (its Do would have changed mem); Coherence breaks three steps
 * later, when a read served from the memory brings the old value into the other cache.
 */
import { defineModel, param } from '../../checker/index.js'
import { build, internalMemoryOf } from './specs/writeThroughCache.js'
import internalMemory from './internalMemory.js'
import writeThroughCacheProperties from '../../properties/examples/writeThroughCache.js'

export * from './specs/writeThroughCache.js'

export default defineModel({
  name: 'write-through-cache',
  summary: 'Processors with write-through caches and a memory queue (Specifying Systems): refines internal-memory.',
  params: {
    procs: param.int(2, { min: 1, max: 3 }, 'processors (Proc)'),
    adrs: param.int(1, { min: 1, max: 3 }, 'addresses (Adr)'),
    vals: param.int(2, { min: 1, max: 3 }, 'values (Val)'),
    qLen: param.int(1, { min: 1, max: 4 }, 'the longest memQ (QLen)'),
    bug: param.enum(['none', 'write-not-queued'], 'none', 'a test-only mutant: a write updates the caches but is never queued for the memory'),
  },
  build,
  properties: writeThroughCacheProperties,
  expectedBreaks: ({ bug }) => (bug === 'write-not-queued' ? ['LMSpec', 'Coherence'] : []),
  // LM == INSTANCE Memory; PROPERTY LM_Inner_ISpec, with mem <- vmem, ctl <- octl, buf <- obuf.
  refines: ({ procs, adrs, vals }) => ({
    LMSpec: { model: internalMemory, params: { procs, adrs, vals }, map: internalMemoryOf },
  }),
})
