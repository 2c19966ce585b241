/**
 * The spec of internal-memory (models/examples/internalMemory.ts), kept apart so that the
 * properties and write-through-cache import it without a circle.
 */
import { t, vars, type SpecState } from '../../../checker/index.js'
import { memories, memoryTypes, noVal, rd, value, wr, type MemoryParams } from './memoryInterface.js'

export const build = (p: MemoryParams) => {
  const { Proc, Adr, Val, Datum, MemInt } = memoryTypes(p)
  const { spec, action } = vars({
    memInt: MemInt,
    mem: t.array(Adr, Val),
    ctl: t.array(Proc, t.enum('rdy', 'busy', 'done')),
    buf: t.array(Proc, Datum),
  })
  const procs = Array.from({ length: p.procs }, () => 0)
  return spec({
    name: 'internal-memory',
    constants: { ...p },
    // IInit: mem \in [Adr -> Val], every processor ready with an empty buffer, and memInt in
    // MCInitMemInt == {<<CHOOSE p \in Proc : TRUE, NoVal>>}.
    init: memories(p).map((mem) => ({
      memInt: { p: 0, d: noVal() },
      mem,
      ctl: procs.map(() => 'rdy' as const),
      buf: procs.map(noVal),
    })),
    actions: {
      // Req(p), \E req \in MReq: a read request (req = [op |-> "Rd", adr |-> adr]) ...
      ReqRd: action({ p: Proc, adr: Adr }, {
        guard: (s, { p }) => s.ctl[p] === 'rdy',
        effect: (d, { p, adr }) => {
          d.memInt = { p, d: rd(adr) } // Send(p, req, memInt, memInt')
          d.buf[p] = rd(adr)
          d.ctl[p] = 'busy'
        },
        actor: ({ p }) => `proc ${p}`,
      }),
      // ... or a write request (req = [op |-> "Wr", adr |-> adr, val |-> val]).
      ReqWr: action({ p: Proc, adr: Adr, val: Val }, {
        guard: (s, { p }) => s.ctl[p] === 'rdy',
        effect: (d, { p, adr, val }) => {
          d.memInt = { p, d: wr(adr, val) }
          d.buf[p] = wr(adr, val)
          d.ctl[p] = 'busy'
        },
        actor: ({ p }) => `proc ${p}`,
      }),
      Do: action({ p: Proc }, {
        guard: (s, { p }) => s.ctl[p] === 'busy',
        effect: (d, { p }) => {
          const r = d.buf[p]!
          if (r.op === 'Wr') {
            d.mem[r.adr!] = r.val!
            d.buf[p] = noVal()
          } else d.buf[p] = value(d.mem[r.adr!]!)
          d.ctl[p] = 'done'
        },
        actor: 'memory',
      }),
      Rsp: action({ p: Proc }, {
        guard: (s, { p }) => s.ctl[p] === 'done',
        effect: (d, { p }) => {
          d.memInt = { p, d: { ...d.buf[p]! } } // Reply(p, buf[p], memInt, memInt')
          d.ctl[p] = 'rdy'
        },
        actor: ({ p }) => `proc ${p}`,
      }),
    },
  })
}

export type InternalMemory = ReturnType<typeof build>
export type InternalMemoryState = SpecState<InternalMemory>
