/** TokenRing's property: from any initial state, the ring stabilizes to a single token. */
import { eventuallyAlways, properties } from '../../checker/index.js'
import { uniqueToken, type TokenRing } from '../../models/examples/specs/tokenRing.js'

export default properties<TokenRing, { nodes: number; values: number }>()(({ values }) => ({
  temporal: {
    /** Stab == <>[]UniqueToken. */
    Stab: eventuallyAlways<{ c: number[] }>((s) => uniqueToken(s.c, values)),
  },
  docs: {
    Stab: 'From any initial assignment of the counters, eventually exactly one node holds the token, forever (<>[]UniqueToken).',
  },
}))
