/**
 * InternalMemory from Specifying Systems (CachingMemory/InternalMemory.tla, checked as
 * MCInternalMemory): processors send read and write requests to a memory through the interface
 * variable memInt (Send and Reply as MCInternalMemory defines them: memInt' = <<p, d>>); the memory
 * performs each request (Do) and the processor takes the reply (Rsp). It is the abstract spec that
 * write-through-cache refines. At 2 processors, 3 addresses and 2 values: 4,408 distinct states,
 * 21,400 generated, depth 10, as TLC publishes (manifest.json at tlaplus/Examples 32a32c7).
 */
import { defineModel, param } from '../../checker/index.js'
import { build } from './specs/internalMemory.js'
import internalMemoryProperties from '../../properties/examples/internalMemory.js'

export * from './specs/internalMemory.js'

export default defineModel({
  name: 'internal-memory',
  summary: 'A memory serving read and write requests (Specifying Systems, InternalMemory): what write-through-cache refines.',
  params: {
    procs: param.int(2, { min: 1, max: 3 }, 'processors (Proc)'),
    adrs: param.int(3, { min: 1, max: 4 }, 'addresses (Adr)'),
    vals: param.int(2, { min: 1, max: 3 }, 'values (Val)'),
  },
  build,
  properties: internalMemoryProperties,
})
