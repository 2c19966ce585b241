/**
 * InnerFIFO from Specifying Systems (FIFO/InnerFIFO.tla, checked as MCInnerFIFO): a sender and a
 * receiver joined by two handshake channels (Channel.tla) and a buffer `q` between them, a
 * sequence: BufRcv appends what arrives on `in`, BufSend sends the head on `out` and keeps the
 * tail. The channels start in any state their Init allows (an init predicate); the buffer is
 * bounded by the state constraint Len(q) <= qLen. At 3 messages and qLen = 3: 3,864 distinct
 * states, 9,660 generated, depth 11, as TLC publishes.
 */
import { defineModel, param } from '../../checker/index.js'
import { build } from './specs/innerFifo.js'
import innerFifoProperties from '../../properties/examples/innerFifo.js'

export * from './specs/innerFifo.js'

export default defineModel({
  name: 'innerFifo',
  summary: 'The FIFO buffer between two handshake channels (Specifying Systems, InnerFIFO): a sequence.',
  params: {
    messages: param.int(3, { min: 1, max: 6 }, 'the number of distinct messages (Message)'),
    qLen: param.int(3, { min: 0, max: 8 }, 'the state constraint Len(q) <= qLen'),
  },
  build,
  properties: innerFifoProperties,
})
