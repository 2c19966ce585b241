/**
 * The spec of mr-lifecycle (models/mr-lifecycle.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars, type StateOf } from '../../checker/index.js'

export const POLICIES = [
  'correct',
  'bd1-decrement-at-7',
  'bd2-mr-key-overflow',
  'bd3-index-reuse-no-bump',
  'bd4-early-rkey-disclosure',
  'bd5-dereg-with-bound-mw',
  'bd6-responder-continues-after-access-error',
] as const
export type Policy = (typeof POLICIES)[number]

/** What each policy is, and for a known bug, where it comes from (`mrcheck list`, reports). */
export const POLICY_SOURCES: Readonly<Record<Policy, string>> = {
  correct: 'the verbs as specified (ibv_reg_mr, ibv_bind_mw, ibv_post_send man pages; IB spec; RFC 5040/5041)',
  'bd1-decrement-at-7': 'BD1: the rejected patch "RDMA/rxe: fix retry forever when rnr_retry >= 7" (2020)',
  'bd2-mr-key-overflow':
    'BD2: MR keys run into the MW key range after 0x10000 registrations, "RDMA/rxe: Prevent faulty rkey generation" (1aefe5c177c1)',
  'bd3-index-reuse-no-bump': 'BD3: key index reused without bumping the key byte (ib_inc_rkey exists for it); model-derived',
  'bd4-early-rkey-disclosure': 'BD4: MW R-Key sent before the bind completes (ibv_bind_mw.3 ordering rule); model-derived',
  'bd5-dereg-with-bound-mw': 'BD5: ibv_dereg_mr allowed with a bound MW (it must fail with EBUSY); model-derived',
  'bd6-responder-continues-after-access-error':
    'BD6: responder QP left in RTS after an access error (IB Class C, rxe_resp.c; RFC 5040 Terminate); model-derived',
}
export const TRANSPORTS = ['ib', 'iwarp'] as const
export type Transport = (typeof TRANSPORTS)[number]

/** The key byte runs 0..KEY_BYTE_MAX (an 8-bit field in real keys). */
export const KEY_BYTE_MAX = 3
/** rnr_retry = 7 means "retry forever" (IB spec). */
export const RNR_FOREVER = 7
/** The MR covers pages 0..MR_PAGES-1; the peer may also try page MR_PAGES (out of bounds). */
export const MR_PAGES = 2
/** A bound MW covers this one page of the MR: a strict sub-range, so its bounds check can fail inside the MR. */
export const MW_PAGE = 0

export interface MrLifecycleParams {
  readonly policy: Policy
  readonly transport: Transport
  readonly rnr_retry: number
  readonly key_wrap: boolean
}

const Byte = t.int(0, KEY_BYTE_MAX)
const Acc = t.enum('r', 'rw')

const schema = {
  /**
   * Key index 0: the MR. `byte` persists while Free: it is the allocator's memory of the index.
   * `mwRange` (BD2 only): the key handed out lies in the MW key range.
   */
  mr: t.record({ st: t.enum('free', 'valid'), byte: Byte, mwRange: t.bool() }),
  /** Key index 1: the type-2 MW; `mrAlive` is ghost state (the MR it was bound to is still registered). */
  mw: t.record({ st: t.enum('free', 'binding', 'valid'), byte: Byte, acc: Acc, mrAlive: t.bool() }),
  /** The peer's copy of the MR R-Key; `live` (ghost): the application has not revoked it. */
  advMr: t.option(t.record({ byte: Byte, live: t.bool() })),
  /** The peer's copy of the MW R-Key with the range and rights it was told. */
  advMw: t.option(t.record({ byte: Byte, acc: Acc, live: t.bool() })),
  /** The application's (responder's) QP and the peer's (requester's) QP. */
  qpL: t.enum('rts', 'err'),
  qpR: t.enum('rts', 'err'),
  /** Receives posted by the application. */
  rq: t.int(0, 1),
  /** The peer's Send in flight; `rnrWait`: RNR-NAKed, waiting for the RNR timer. */
  wr: t.option(t.record({ inv: t.bool(), byte: Byte, rnrWait: t.bool() })),
  rnrLeft: t.int(0, RNR_FOREVER),
  /** What the application was told when its QP broke. */
  appEvent: t.enum('none', 'QP_ACCESS_ERR', 'RECV_INV_ERR', 'MW_BIND_ERR', 'TERMINATE'),
  /** The error completion that put the peer's QP into Error. */
  peerErr: t.enum('none', 'REM_ACCESS_ERR', 'RNR_RETRY_EXC_ERR', 'RETRY_EXC_ERR', 'TERMINATE'),
}
export type MrLifecycleState = StateOf<typeof schema>
type S = MrLifecycleState

export const build = (p: MrLifecycleParams) => {
  const { spec, action } = vars(schema)

  const ib = p.transport === 'ib'
  const forever = p.rnr_retry === RNR_FOREVER && p.policy !== 'bd1-decrement-at-7'
  const canBump = (b: number) => p.key_wrap || b < KEY_BYTE_MAX
  const bump = (b: number) => (b + 1) % (KEY_BYTE_MAX + 1)
  const freeMw = (d: S) => {
    d.mw = { st: 'free', byte: d.mw.byte, acc: 'r', mrAlive: false }
  }
  const revokeMr = (d: S) => {
    if (d.advMr !== null) d.advMr.live = false
  }
  const revokeMw = (d: S) => {
    // A revoked advertisement promises nothing: its range and rights are dropped (canonical values).
    if (d.advMw !== null) d.advMw = { byte: d.advMw.byte, acc: 'r', live: false }
  }
  /**
   * The responder refuses a request (bad key, bounds or rights; a missing receive on iWARP). BD6:
   * it NAKs (or sends the Terminate) but its own QP stays in RTS and its application is not told.
   */
  const refuse = (d: S) => {
    if (p.policy !== 'bd6-responder-continues-after-access-error') {
      d.qpL = 'err'
      d.appEvent = ib ? 'QP_ACCESS_ERR' : 'TERMINATE'
    }
    d.qpR = 'err'
    d.peerErr = ib ? 'REM_ACCESS_ERR' : 'TERMINATE'
  }
  /** A request reached a responder QP in Error: no answer; the requester times out. */
  const noAnswer = (d: S) => {
    d.qpR = 'err'
    d.peerErr = ib ? 'RETRY_EXC_ERR' : 'TERMINATE'
    d.wr = null
  }

  return spec({
    name: 'mr-lifecycle',
    about: POLICY_SOURCES[p.policy],
    constants: { keyByteMax: KEY_BYTE_MAX, mrPages: MR_PAGES },
    init: {
      mr: { st: 'free', byte: 0, mwRange: false },
      mw: { st: 'free', byte: 0, acc: 'r', mrAlive: false },
      advMr: null,
      advMw: null,
      qpL: 'rts',
      qpR: 'rts',
      rq: 0,
      wr: null,
      rnrLeft: p.rnr_retry,
      appEvent: 'none',
      peerErr: 'none',
    },
    checkDeadlock: false,
    actions: {
      /**
       * ibv_reg_mr on the freed index; the allocator bumps the key byte (BD3: it does not). BD2: past
       * the end of the MR key space the key runs on into the MW range, and stays there.
       */
      RegMr: action({
        guard: (s) =>
          s.mr.st === 'free' &&
          (p.policy === 'bd3-index-reuse-no-bump' || p.policy === 'bd2-mr-key-overflow' || canBump(s.mr.byte)),
        effect: (d) => {
          if (p.policy === 'bd3-index-reuse-no-bump') d.mr = { st: 'valid', byte: d.mr.byte, mwRange: false }
          else d.mr = { st: 'valid', byte: bump(d.mr.byte), mwRange: d.mr.mwRange || !canBump(d.mr.byte) }
        },
        actor: 'kernel',
      }),
      /** ibv_dereg_mr: refused (EBUSY) while an MW is bound (BD5: allowed). */
      DeregMr: action({
        guard: (s) => s.mr.st === 'valid' && (p.policy === 'bd5-dereg-with-bound-mw' || s.mw.st !== 'valid'),
        effect: (d) => {
          d.mr.st = 'free'
          revokeMr(d)
          d.mw.mrAlive = false
        },
        actor: 'kernel',
      }),
      /** Post a type-2 bind WR naming the next key byte, a one-page window and its rights. */
      PostBind: action(
        { acc: ['r', 'rw'] as const },
        {
          guard: (s) => s.qpL === 'rts' && s.mw.st === 'free' && s.mr.st === 'valid' && canBump(s.mw.byte),
          effect: (d, { acc }) => {
            d.mw = { st: 'binding', byte: bump(d.mw.byte), acc, mrAlive: false }
          },
          actor: 'application',
        },
      ),
      /** The device executes the bind WR; it fails (MW_BIND_ERR, QP to Error) if the MR is gone. */
      BindExec: action({
        guard: (s) => s.qpL === 'rts' && s.mw.st === 'binding',
        effect: (d) => {
          if (d.mr.st === 'valid') {
            d.mw.st = 'valid'
            d.mw.mrAlive = true
          } else {
            freeMw(d)
            d.qpL = 'err'
            d.appEvent = 'MW_BIND_ERR'
          }
        },
        fairness: 'weak',
        actor: 'device',
      }),
      /** LOCAL_INV WR on the MW (posted and executed in one step). */
      LocalInv: action({
        guard: (s) => s.qpL === 'rts' && s.mw.st === 'valid',
        effect: (d) => {
          freeMw(d)
          revokeMw(d)
        },
        actor: 'application',
      }),
      /** Hand the R-Key (and its range and rights) to the peer over the connection. */
      Advertise: action(
        { key: ['mr', 'mw'] as const },
        {
          guard: (s, { key }) =>
            s.qpL === 'rts' &&
            s.qpR === 'rts' &&
            (key === 'mr'
              ? s.mr.st === 'valid'
              : s.mw.st === 'valid' || (p.policy === 'bd4-early-rkey-disclosure' && s.mw.st === 'binding')),
          effect: (d, { key }) => {
            if (key === 'mr') d.advMr = { byte: d.mr.byte, live: true }
            else d.advMw = { byte: d.mw.byte, acc: d.mw.acc, live: true }
          },
          actor: 'application',
        },
      ),
      PostRecv: action({
        guard: (s) => s.qpL === 'rts' && s.rq === 0,
        effect: (d) => void (d.rq = 1),
        actor: 'application',
      }),
      /** An RDMA read/write through the peer's R-Key, checked and answered at the responder. */
      RdmaAccess: action(
        { key: ['mr', 'mw'] as const, op: ['read', 'write'] as const, page: t.int(0, MR_PAGES) },
        {
          guard: (s, { key }) => s.qpR === 'rts' && s.wr === null && (key === 'mr' ? s.advMr : s.advMw) !== null,
          effect: (d, { key, op, page }) => {
            if (d.qpL === 'err') return noAnswer(d)
            let ok: boolean
            if (key === 'mr') {
              // A key in the MW range is looked up among the MWs (rkey_is_mw), where it names none.
              ok = d.mr.st === 'valid' && !d.mr.mwRange && d.mr.byte === d.advMr!.byte && page < MR_PAGES
            } else {
              // The MW carries its own translation; the device does not look at the MR again.
              ok =
                d.mw.st === 'valid' &&
                d.mw.byte === d.advMw!.byte &&
                page === MW_PAGE &&
                (op === 'read' || d.mw.acc === 'rw')
            }
            if (!ok) refuse(d)
          },
          actor: 'peer',
        },
      ),
      /** The peer posts a Send, or a Send-with-Invalidate naming its MW R-Key. */
      PeerSend: action(
        { inv: t.bool() },
        {
          guard: (s, { inv }) => s.qpR === 'rts' && s.wr === null && (!inv || s.advMw !== null),
          effect: (d, { inv }) => {
            d.wr = { inv, byte: inv ? d.advMw!.byte : 0, rnrWait: false }
          },
          actor: 'peer',
        },
      ),
      /** The Send reaches the responder. */
      DeliverSend: action({
        guard: (s) => s.qpR === 'rts' && s.wr !== null && !s.wr.rnrWait,
        effect: (d) => {
          const wr = d.wr!
          if (d.qpL === 'err') return noAnswer(d)
          if (d.rq === 0) {
            if (!ib) {
              // DDP: untagged message with no receive buffer → Terminate.
              refuse(d)
              d.wr = null
              return
            }
            // IB Class B: RNR NAK.
            if (forever) {
              wr.rnrWait = true
            } else if (d.rnrLeft > 0) {
              d.rnrLeft--
              wr.rnrWait = true
            } else {
              d.wr = null
              d.qpR = 'err'
              d.peerErr = 'RNR_RETRY_EXC_ERR'
            }
            return
          }
          d.rq = 0
          d.wr = null
          d.rnrLeft = p.rnr_retry
          if (wr.inv) {
            if (d.mw.st === 'valid' && d.mw.byte === wr.byte) {
              freeMw(d)
              revokeMw(d)
            } else if (ib) {
              // IB Class J: the receive completes in error, the responder QP goes to Error; the Send is ACKed.
              d.qpL = 'err'
              d.appEvent = 'RECV_INV_ERR'
            } else {
              // iWARP: invalid STag in Send-with-Invalidate → Terminate.
              refuse(d)
            }
          }
        },
        fairness: 'weak',
        actor: 'device',
      }),
      /** The RNR timer expires; the requester resends. */
      RnrRetry: action({
        guard: (s) => s.qpR === 'rts' && s.wr !== null && s.wr.rnrWait,
        effect: (d) => void (d.wr!.rnrWait = false),
        // Never enabled on iWARP (no RNR), where declaring it fair would constrain nothing.
        ...(ib ? { fairness: 'weak' as const } : {}),
        actor: 'device',
      }),
      /** A responder QP in Error completes its outstanding WRs with WR_FLUSH_ERR. */
      FlushLocal: action({
        guard: (s) => s.qpL === 'err' && (s.rq > 0 || s.mw.st === 'binding'),
        effect: (d) => {
          d.rq = 0
          if (d.mw.st === 'binding') freeMw(d)
        },
        fairness: 'weak',
        actor: 'device',
      }),
    },
  })
}

export type MrLifecycle = ReturnType<typeof build>
