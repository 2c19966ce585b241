/**
 * Specifying Systems' MemoryInterface (CachingMemory/MemoryInterface.tla), shared by
 * internal-memory and write-through-cache: the processors, addresses and values, the requests a
 * processor sends (MReq), and the one value type that holds a request, a value or NoVal (what the
 * buffers and the interface variable memInt carry), with MCInternalMemory's Send and Reply
 * (`memInt' = <<p, d>>`).
 */
import { t } from '../../../checker/index.js'

export interface MemoryParams {
  readonly procs: number
  readonly adrs: number
  readonly vals: number
}

/**
 * A member of MReq \cup Val \cup {NoVal}, tagged: `{op: 'Rd', adr}` and `{op: 'Wr', adr, val}` are
 * requests, `{op: 'Val', val}` a value, `{op: 'NoVal'}` NoVal; the fields a member lacks are null,
 * so that each TLA+ value has one representation.
 */
export interface Datum {
  op: 'Rd' | 'Wr' | 'Val' | 'NoVal'
  adr: number | null
  val: string | null
}

export const rd = (adr: number): Datum => ({ op: 'Rd', adr, val: null })
export const wr = (adr: number, val: string): Datum => ({ op: 'Wr', adr, val })
export const value = (val: string): Datum => ({ op: 'Val', adr: null, val })
export const noVal = (): Datum => ({ op: 'NoVal', adr: null, val: null })

/** The types of MemoryInterface at the given constants: Proc, Adr, Val, and Datum. */
export const memoryTypes = ({ procs, adrs, vals }: MemoryParams) => {
  const Proc = t.index(procs, { name: 'Proc' })
  const Adr = t.index(adrs, { name: 'Adr' })
  const values = Array.from({ length: vals }, (_, i) => `v${i + 1}`)
  const Val = t.enum(...(values as [string, ...string[]]))
  const Datum = t.record({ op: t.enum('Rd', 'Wr', 'Val', 'NoVal'), adr: t.option(Adr), val: t.option(Val) })
  // memInt: <<p, d>>, what the last Send or Reply put on the interface.
  const MemInt = t.record({ p: Proc, d: Datum })
  return { Proc, Adr, Val, values, Datum, MemInt }
}

/** Every function in [Adr -> Val]: the memories IInit allows. */
export const memories = ({ adrs, vals }: MemoryParams): string[][] =>
  Array.from({ length: vals ** adrs }, (_, n) => Array.from({ length: adrs }, (_, a) => `v${(Math.floor(n / vals ** a) % vals) + 1}`))

/** Whether `d` is a request (MReq) at these constants. */
export const isRequest = (d: Datum, { adrs, vals }: MemoryParams): boolean =>
  d.adr !== null && d.adr < adrs && (d.op === 'Rd' ? d.val === null : d.op === 'Wr' && isVal(d.val, vals))

/** Whether `d` is in MReq \cup Val \cup {NoVal}. */
export const isDatum = (d: Datum, p: MemoryParams): boolean =>
  isRequest(d, p) || (d.op === 'Val' && d.adr === null && isVal(d.val, p.vals)) || (d.op === 'NoVal' && d.adr === null && d.val === null)

const isVal = (v: string | null, vals: number) => v !== null && /^v[0-9]+$/.test(v) && Number(v.slice(1)) >= 1 && Number(v.slice(1)) <= vals
