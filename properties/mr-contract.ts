/** mr-contract's property: what the contract itself keeps, stated as an invariant. */
import { properties } from '../checker/index.js'
import type { MrContract, MrContractParams } from '../models/specs/mr-contract.js'

export default properties<MrContract, MrContractParams>()(() => ({
  invariants: {
    AckedWriteVisible: (s) => s.acked.every((a, q) => s.mem[q] === a),
  },
  reachable: {
    WriteLands: (s) => s.acked.some((a) => a > 0),
  },
  docs: {
    AckedWriteVisible: 'The application reads at each page the last write acknowledged to the peer for it.',
    WriteLands: 'Vacuity guard: a remote write is acknowledged.',
  },
}))
