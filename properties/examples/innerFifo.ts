/** InnerFIFO's property, as MCInnerFIFO checks it: the type invariant. */
import { properties } from '../../checker/index.js'
import type { InnerFifo } from '../../models/examples/specs/innerFifo.js'

export default properties<InnerFifo, { messages: number; qLen: number }>()(({ messages }) => {
  const isMessage = (m: string) => /^m[0-9]+$/.test(m) && Number(m.slice(1)) >= 1 && Number(m.slice(1)) <= messages
  const channelOk = (c: { val: string; rdy: number; ack: number }) => isMessage(c.val) && [0, 1].includes(c.rdy) && [0, 1].includes(c.ack)
  return {
    invariants: {
      /** TypeInvariant == InChan!TypeInvariant /\ OutChan!TypeInvariant /\ q \in Seq(Message). */
      TypeInvariant: (s) => channelOk(s.in) && channelOk(s.out) && s.q.every(isMessage),
    },
    docs: { TypeInvariant: 'Both channels hold a message and 0/1 handshake bits; the buffer is a sequence of messages.' },
  }
})
