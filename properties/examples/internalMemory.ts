/** InternalMemory's property, as MCInternalMemory checks it: the type invariant. */
import { properties } from '../../checker/index.js'
import type { InternalMemory } from '../../models/examples/specs/internalMemory.js'
import { isDatum, type MemoryParams } from '../../models/examples/specs/memoryInterface.js'

export default properties<InternalMemory, MemoryParams>()((p) => ({
  invariants: {
    /** TypeInvariant == mem \in [Adr -> Val] /\ ctl \in [Proc -> {"rdy", "busy", "done"}] /\ buf \in [Proc -> MReq \cup Val \cup {NoVal}]. */
    TypeInvariant: (s) => s.buf.every((d) => isDatum(d, p)),
  },
  docs: { TypeInvariant: 'Every buffer holds a request, a value or NoVal (memory and control states are typed).' },
}))
