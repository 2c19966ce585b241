/** WriteThroughCache's invariants, as MCWriteThroughCache checks them. */
import { properties } from '../../checker/index.js'
import { internalMemoryOf, type WriteThroughCache, type WriteThroughCacheParams } from '../../models/examples/specs/writeThroughCache.js'
import { isDatum, isRequest } from '../../models/examples/specs/memoryInterface.js'

export default properties<WriteThroughCache, WriteThroughCacheParams>()((p) => ({
  invariants: {
    /** TypeInvariant: buf \in [Proc -> MReq \cup Val \cup {NoVal}] /\ memQ \in Seq(Proc \X MReq) (the rest is typed). */
    TypeInvariant: (s) => s.buf.every((d) => isDatum(d, p)) && s.memQ.every((e) => isRequest(e.req, p)),
    /** Coherence == \A p, q \in Proc, a \in Adr : NoVal \notin {cache[p][a], cache[q][a]} => cache[p][a] = cache[q][a]. */
    Coherence: (s) => s.cache.every((c) => c.every((v, a) => v === null || s.cache.every((o) => o[a] === null || o[a] === v))),
    /** LM_Inner_TypeInvariant: internal-memory's type invariant of the mapped state. */
    LMInnerTypeInvariant: (s) => internalMemoryOf(s).buf.every((d) => isDatum(d, p)),
  },
  docs: {
    TypeInvariant: 'Every buffer holds a request, a value or NoVal, and the memory queue only requests.',
    Coherence: 'Two caches that both hold an address hold the same value for it.',
    LMInnerTypeInvariant: "The mapped state's buffers hold requests, values or NoVal (internal-memory's TypeInvariant under the mapping).",
  },
}))
