/**
 * The spec of innerFifo (models/examples/innerFifo.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars } from '../../../checker/index.js'

export const build = ({ messages, qLen }: { messages: number; qLen: number }) => {
  const Message = t.enum(...(Array.from({ length: messages }, (_, i) => `m${i + 1}`) as [string, ...string[]]))
  // Channel.tla's chan: [val: Data, rdy: {0, 1}, ack: {0, 1}].
  const Channel = t.record({ val: Message, rdy: t.int(0, 1), ack: t.int(0, 1) })
  const { spec, action } = vars({
    in: Channel,
    out: Channel,
    // One longer than the constraint allows: BufRcv on a full buffer gives a state that TLC
    // generates and then leaves unexplored (qConstraint), so it must be representable.
    q: t.seq(Message, qLen + 1),
  })
  return spec({
    name: 'innerFifo',
    constants: { messages, qLen },
    // Init == InChan!Init /\ OutChan!Init /\ q = << >>, where Channel's Init is
    // chan.val \in Data /\ chan.rdy \in {0, 1} /\ chan.ack = chan.rdy.
    init: { where: (s) => s.in.ack === s.in.rdy && s.out.ack === s.out.rdy && s.q.length === 0 },
    actions: {
      SSend: action(
        { msg: Message },
        {
          guard: (s) => s.in.rdy === s.in.ack,
          effect: (d, { msg }) => {
            d.in.val = msg
            d.in.rdy = 1 - d.in.rdy
          },
          actor: 'sender',
        },
      ),
      BufRcv: action({
        guard: (s) => s.in.rdy !== s.in.ack,
        effect: (d) => {
          d.in.ack = 1 - d.in.ack
          d.q.push(d.in.val) // q' = Append(q, in.val)
        },
        actor: 'buffer',
      }),
      BufSend: action({
        guard: (s) => s.q.length > 0 && s.out.rdy === s.out.ack,
        effect: (d) => {
          d.out.val = d.q.shift()! // OutChan!Send(Head(q)) /\ q' = Tail(q)
          d.out.rdy = 1 - d.out.rdy
        },
        actor: 'buffer',
      }),
      RRcv: action({
        guard: (s) => s.out.rdy !== s.out.ack,
        effect: (d) => void (d.out.ack = 1 - d.out.ack),
        actor: 'receiver',
      }),
    },
    // MCInnerFIFO's qConstraint == Len(q) <= qLen.
    constraint: (s) => s.q.length <= qLen,
  })
}

export type InnerFifo = ReturnType<typeof build>
