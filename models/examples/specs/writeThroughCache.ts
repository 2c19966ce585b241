/**
 * The spec of write-through-cache (models/examples/writeThroughCache.ts): its state, actions and
 * the refinement mapping to internal-memory, kept apart so that the properties import them without
 * a circle.
 */
import { t, vars, type SpecState } from '../../../checker/index.js'
import { memories, memoryTypes, noVal, rd, value, wr, type MemoryParams } from './memoryInterface.js'

export type WriteThroughCacheBug = 'none' | 'write-not-queued'

export interface WriteThroughCacheParams extends MemoryParams {
  readonly qLen: number
  readonly bug: WriteThroughCacheBug
}

export const build = ({ qLen, bug, ...p }: WriteThroughCacheParams) => {
  const { Proc, Adr, Val, Datum, MemInt } = memoryTypes(p)
  const { spec, action } = vars({
    memInt: MemInt,
    wmem: t.array(Adr, Val),
    ctl: t.array(Proc, t.enum('rdy', 'busy', 'waiting', 'done')),
    buf: t.array(Proc, Datum),
    /** cache[p][a]: the value processor p's cache holds for address a, null for NoVal. */
    cache: t.array(Proc, t.array(Adr, t.option(Val))),
    /** memQ \in Seq(Proc \X MReq): the requests on their way to the memory, at most QLen. */
    memQ: t.seq(t.record({ p: Proc, req: Datum }), qLen),
  })
  const procs = Array.from({ length: p.procs }, () => 0)
  const ready = (s: { ctl: readonly string[] }, p: number) => s.ctl[p] === 'rdy'
  return spec({
    name: 'write-through-cache',
    constants: { ...p, qLen, bug },
    // Init == M!IInit /\ cache = [p \in Proc |-> [a \in Adr |-> NoVal]] /\ memQ = << >>
    init: memories(p).map((wmem) => ({
      memInt: { p: 0, d: noVal() },
      wmem,
      ctl: procs.map(() => 'rdy' as const),
      buf: procs.map(noVal),
      cache: procs.map(() => wmem.map(() => null)),
      memQ: [],
    })),
    actions: {
      // Req(p) == M!Req(p) /\ UNCHANGED <<cache, memQ>>, split by the request's kind as
      // internal-memory's Req is.
      ReqRd: action({ p: Proc, adr: Adr }, {
        guard: (s, { p }) => ready(s, p),
        effect: (d, { p, adr }) => {
          d.memInt = { p, d: rd(adr) }
          d.buf[p] = rd(adr)
          d.ctl[p] = 'busy'
        },
        actor: ({ p }) => `proc ${p}`,
      }),
      ReqWr: action({ p: Proc, adr: Adr, val: Val }, {
        guard: (s, { p }) => ready(s, p),
        effect: (d, { p, adr, val }) => {
          d.memInt = { p, d: wr(adr, val) }
          d.buf[p] = wr(adr, val)
          d.ctl[p] = 'busy'
        },
        actor: ({ p }) => `proc ${p}`,
      }),
      Rsp: action({ p: Proc }, {
        guard: (s, { p }) => s.ctl[p] === 'done',
        effect: (d, { p }) => {
          d.memInt = { p, d: { ...d.buf[p]! } }
          d.ctl[p] = 'rdy'
        },
        actor: ({ p }) => `proc ${p}`,
      }),
      RdMiss: action({ p: Proc }, {
        guard: (s, { p }) =>
          s.ctl[p] === 'busy' && s.buf[p]!.op === 'Rd' && s.cache[p]![s.buf[p]!.adr!] === null && s.memQ.length < qLen,
        effect: (d, { p }) => {
          d.memQ.push({ p, req: { ...d.buf[p]! } }) // memQ' = Append(memQ, <<p, buf[p]>>)
          d.ctl[p] = 'waiting'
        },
        actor: ({ p }) => `cache ${p}`,
      }),
      DoRd: action({ p: Proc }, {
        guard: (s, { p }) =>
          (s.ctl[p] === 'busy' || s.ctl[p] === 'waiting') && s.buf[p]!.op === 'Rd' && s.cache[p]![s.buf[p]!.adr!] !== null,
        effect: (d, { p }) => {
          d.buf[p] = value(d.cache[p]![d.buf[p]!.adr!]!)
          d.ctl[p] = 'done'
        },
        actor: ({ p }) => `cache ${p}`,
      }),
      DoWr: action({ p: Proc }, {
        guard: (s, { p }) => s.ctl[p] === 'busy' && s.buf[p]!.op === 'Wr' && s.memQ.length < qLen,
        effect: (d, { p }) => {
          const r = { ...d.buf[p]! }
          // Every cache that holds the address, and the writer's own, takes the new value.
          d.cache.forEach((c, q) => {
            if (q === p || c[r.adr!] !== null) c[r.adr!] = r.val
          })
          if (bug !== 'write-not-queued') d.memQ.push({ p, req: r })
          d.buf[p] = noVal()
          d.ctl[p] = 'done'
        },
        actor: ({ p }) => `cache ${p}`,
      }),
      Evict: action({ p: Proc, a: Adr }, {
        guard: (s, { p, a }) => s.ctl[p] !== 'waiting' || s.buf[p]!.adr !== a,
        effect: (d, { p, a }) => void (d.cache[p]![a] = null),
        actor: ({ p }) => `cache ${p}`,
      }),
      MemQWr: action({
        guard: (s) => s.memQ.length > 0 && s.memQ[0]!.req.op === 'Wr',
        effect: (d) => {
          const r = d.memQ.shift()!.req
          d.wmem[r.adr!] = r.val!
        },
        actor: 'memory',
      }),
      MemQRd: action({
        guard: (s) => s.memQ.length > 0 && s.memQ[0]!.req.op === 'Rd',
        effect: (d) => {
          const { p, req } = d.memQ[0]!
          const adr = req.adr!
          const fresh = vmem(d)[adr]! // vmem before memQ' = Tail(memQ)
          d.memQ.shift()
          d.cache[p]![adr] = fresh
        },
        actor: 'memory',
      }),
    },
  })
}

export type WriteThroughCache = ReturnType<typeof build>
export type WriteThroughCacheState = SpecState<WriteThroughCache>

/** vmem: the memory as it will be once every write in memQ has reached it. */
export const vmem = (s: { readonly wmem: readonly string[]; readonly memQ: readonly { readonly req: { op: string; adr: number | null; val: string | null } }[] }): string[] => {
  const mem = [...s.wmem]
  for (const { req } of s.memQ) if (req.op === 'Wr') mem[req.adr!] = req.val!
  return mem
}

/**
 * The refinement mapping of MCWriteThroughCache: omem == vmem, octl == ctl with "waiting" read as
 * "busy", obuf == buf (memInt is memInt).
 */
export const internalMemoryOf = (s: Readonly<WriteThroughCacheState>) => ({
  memInt: s.memInt,
  mem: vmem(s),
  ctl: s.ctl.map((c) => (c === 'waiting' ? 'busy' : c)),
  buf: s.buf,
})
