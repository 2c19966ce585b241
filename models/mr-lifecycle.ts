/**
 * mr-lifecycle: memory-region / memory-window keys and the remote-access protocol (brief, area D).
 *
 * WHAT IS MODELLED
 * One application (the responder) and one remote peer (the requester) joined by one reliable
 * connection (RC on InfiniBand/RoCE, or an iWARP stream). The application side has:
 * - key index 0: a memory region (MR) over pages 0..1, registered with local write, remote
 *   read/write and MW-bind rights. Its key is `index ‖ key byte`; the key byte is a small counter
 *   (0..3) that the key allocator bumps each time the index is handed out again (`RegMr`).
 * - key index 1: a type-2 memory window (MW), allocated up front. `PostBind(acc)` posts a bind WR
 *   naming the next key byte (ibv_inc_rkey), a window over page 0 of the MR (a strict sub-range, so
 *   the window's bounds check can fail inside the MR) with read or read+write rights;
 *   the device executes it later (`BindExec`): the MW becomes Valid, or, if its MR is no longer
 *   registered, the bind fails (MW_BIND_ERR) and the local QP goes to Error. A Valid type-2 MW is
 *   invalidated by `LocalInv` (local WR) or by the peer's Send-with-Invalidate.
 * - `Advertise(key)`: the application hands the current R-Key (with its range and rights) to the
 *   peer. The peer remembers one advertisement per key index and keeps using it after revocation
 *   (a stale R-Key), which is what D2 is about.
 * - `PostRecv`: at most one posted receive.
 * The peer:
 * - `RdmaAccess(key, op, page)`: an RDMA read or write of one page through its advertised R-Key,
 *   any page 0..2 (page 2 lies past the MR) and either op, so bounds and rights checks are
 *   exercised. The responder checks, in one step: key Valid, key byte equal, page in range,
 *   right granted. Pass: the data moves, nothing in the state changes. Fail: IB Class C —
 *   REM_ACCESS_ERR at the peer, responder QP to Error with the affiliated async event
 *   IB_EVENT_QP_ACCESS_ERR, requester QP to Error; iWARP — a Terminate (DDP invalid STag) and
 *   both ends in Error.
 * - `PeerSend(inv)`: a Send, or a Send-with-Invalidate naming the MW R-Key it was given. It stays
 *   in flight (`wr`) until `DeliverSend`. With a receive posted the message lands (and, for inv,
 *   the MW is invalidated if the R-Key matches; if not, IB Class J: the receive completes in error
 *   and the responder QP goes to Error while the requester gets its ACK). With no receive: IB
 *   answers RNR NAK (Class B): the requester waits (`RnrRetry`) and resends, decrementing
 *   `rnrLeft` unless `rnr_retry` is 7 (retry forever); an RNR NAK with `rnrLeft = 0` completes the
 *   WR with RNR_RETRY_EXC_ERR and the requester QP goes to Error. iWARP has no RNR: an untagged
 *   message with no receive buffer is a DDP error, a Terminate, both ends in Error.
 * - A request that reaches a responder QP already in Error gets no answer; the transport timeout
 *   is folded into the same step (RETRY_EXC_ERR on IB, the reset stream on iWARP).
 * - `FlushLocal`: a responder QP in Error completes every outstanding WR on it (the posted receive,
 *   a pending bind) with WR_FLUSH_ERR. It is a separate device step so that L-D3 means something.
 *
 * POLICIES (`policy`, the matrix parameter)
 * - `correct`.
 * - `bd1-decrement-at-7`  (BD1, the rejected 2020 rxe patch): rnr_retry = 7 is treated as a count.
 * - `bd2-mr-key-overflow` (BD2, fixed by 1aefe5c177c1 "RDMA/rxe: Prevent faulty rkey generation"):
 *   rxe builds an MR key as `index << 8 | key byte` with a new pool index for every MR created;
 *   after 0x10000 creations the MR index ran past RXE_MAX_MR_INDEX into the MW index range, and
 *   the responder's check_rkey() (rxe_resp.c), which tells an MW key from an MR key by its index
 *   (rkey_is_mw), looked the new MR's key up among the MWs and NAKed every access through it.
 *   Here the MR key space is the key byte's 0..3 (as for the no-wrap bound below): where `correct`
 *   refuses to register past it, BD2 hands out a key in the MW range (`mr.mwRange`) that names no
 *   MW. Caught as RKeyHonoured, the brief's shape (legitimate accesses NAKed). With `key_wrap` the
 *   allocator wraps inside the MR range and BD2 equals `correct`.
 * - `bd3-index-reuse-no-bump` (BD3): re-registering a freed MR index keeps the old key byte.
 * - `bd4-early-rkey-disclosure` (BD4): the MW R-Key is advertised once the bind WR is posted, before
 *   the bind has executed.
 * - `bd5-dereg-with-bound-mw` (BD5): DeregMr succeeds while a type-2 MW is bound to the MR; the MW
 *   keeps translating into the released memory (as rxe's MW keeps its reference on the MR object).
 * - `bd6-responder-continues-after-access-error` (BD6): on a refused access the responder answers
 *   the NAK (iWARP: the Terminate) but leaves its own QP in RTS and raises no async event, so the
 *   application keeps posting on a connection the peer has torn down. IB Class C (rxe_resp.c:
 *   a responder access error moves the QP to Error) and RFC 5040's Terminate both promise the
 *   opposite (ResponderStopsOnAccessError).
 *
 * SIMPLIFICATIONS AND WHY
 * - One PD, one QP pair, RC only: PD and QP-number checks (type 2B) cannot fail, so they are not
 *   modelled; UC/UD silently drop instead of breaking the QP and are out of scope.
 * - RDMA reads/writes are posted, checked at the responder and acknowledged in one step. The only
 *   point where an access can race a revocation is the responder's key check, so splitting the
 *   step would add states without new outcomes. Sends keep an in-flight stage because RNR needs it.
 * - At most one peer WR in flight (RC executes in order; later WRs would wait behind it) and one
 *   posted receive. Posting on a QP already in Error flushes at once and changes nothing here,
 *   so those actions are simply disabled in Error.
 * - MW type 1, DeallocMw, FRMR (FastReg/LocalInv of an MR), atomics, retry_cnt/ACK timeouts,
 *   re-connection and ODP are out of scope (FRMR and type-2 MW share the Valid/Invalid/bump code
 *   path that is modelled here; ODP stalls are area B). The MR is a plain user MR: not invalidatable
 *   locally or remotely, so the peer sends Send-with-Invalidate only for the MW key.
 * - No set here is interchangeable, so none is declared symmetric: the MR and the MW are different
 *   kinds of key, and the pages play different roles (page 0 is the window's, page 2 lies past the
 *   MR).
 * - Data contents are not modelled. Whether an access touched the right memory is judged by the
 *   properties from ghost state: each advertisement carries `live` (cleared when the application
 *   revokes that key: DeregMr, LocalInv, or the peer's own Send-with-Invalidate), and the MW
 *   carries `mrAlive` (cleared when the MR under it is deregistered).
 * - The local async event is always raised on a responder access error (IB_EVENT_QP_ACCESS_ERR,
 *   the "Local Access Violation WQ Error" of the IB spec; the brief says it "may" be raised, and
 *   older rxe did not raise it — then an application with no posted WR would not learn of the break).
 *
 * THE D2 ABA WINDOW (key byte wrap)
 * With an 8-bit key byte, an index reused 256 times matches an old R-Key again. Here the byte is
 * 0..3. With `key_wrap = false` (default) the allocator refuses to hand out an index whose byte is
 * exhausted (RegMr/PostBind disabled there): this stands for "fewer than 256 reuses of one index
 * while a stale R-Key is still held", and `correct` holds every safety property. With
 * `key_wrap = true` the byte wraps and the checker finds the ABA in `correct` too: a stale R-Key
 * held across four re-registrations writes into the newest one (RKeyNeverMisdirected,
 * KeyFreshAfterRevoke; MrContract at the fourth re-registration, before the access). That is the
 * expected ABA window, pinned in the tests, not a bug in `correct`.
 *
 * THE MR CONTRACT (models/mr-contract.ts; the mapping is `contractOf` below)
 * The model is checked to refine the contract (`MrContract`, a column of its matrix): the peer's
 * R-Keys taken together are the contract's key, the device's key table its translation, and
 * advertising a new key after a revocation its Reissue. `correct` keeps it on both transports and
 * at any rnr_retry; so do BD1 (the requester gives up by itself) and BD2 and BD4, which refuse
 * accesses the key promised but tell both sides. BD3 breaks it (5 states: the re-registration makes
 * the device honour the revoked R-Key the peer holds, one step before the stale access), as do BD5
 * (5 states: the window translates into the released MR) and BD6 (4 states: the responder breaks
 * the connection and its application is not told), and every policy with `key_wrap`.
 *
 * DEADLOCK CHECKING: off. Terminal states are legitimate quiescence, not deadlocks: the connection
 * is in Error (there is no re-connection here), the key bytes are used up under the no-wrap bound,
 * and the application has nothing left to do. Progress obligations are stated as temporal
 * properties (L-D1..L-D3) under the fairness declared on the device actions.
 *
 * SIZE. The instance is fixed (one MR, one MW, a 0..3 key byte); `correct` keeps every property,
 * temporal ones included, in 8,450 distinct states on IB and 4,899 on iWARP (about a second each);
 * the largest run, `correct` with `key_wrap` (the ABA window), has 108,160 states on IB (4 s).
 *
 * WHAT THE CHECKER FOUND, AGAINST THE BRIEF (pinned in test/models/mr-lifecycle.test.ts)
 * Default parameters (rnr_retry 7, no wrap); distinct states ib / iwarp:
 * - correct: every safety property holds; 8450 / 4899 states.
 * - BD1: RnrForeverNeverDecremented (3 states: the first RNR NAK already decrements) and
 *   RnrForeverNeverExceeded (17 states: seven retries, then RNR_RETRY_EXC_ERR), as the brief says.
 *   Only on IB with rnr_retry = 7; on iWARP (no RNR) and with rnr_retry < 7 it is the same state
 *   space as `correct`. 42190 states on IB (rnrLeft now counts down while a Send waits).
 * - BD2: RKeyHonoured (10 states: three registrations use up the MR key space, the fourth key lands in
 *   the MW range, is advertised and NAKed), as the brief says. 30162 / 17499 states.
 * - BD3: RKeyNeverMisdirected and KeyFreshAfterRevoke (6 states: RegMr, Advertise, DeregMr, RegMr,
 *   stale RdmaAccess succeeds), as the brief says (D2). D1 holds: the key is Valid, it is the wrong one.
 * - BD4: DiscloseOnlyValid (4 states) and RKeyHonoured (5 states: the access races the bind and is
 *   refused), as the brief says (D3, spurious remote access error).
 * - BD5: NoDeregWithBoundMw and MwNeverOutlivesMr (5 states), NoSilentBreak (6: an advertised MW
 *   stops being backed by registered memory and nobody is told), RKeyNeverMisdirected and
 *   NoAccessThroughInvalidKey (7: the MW access lands in released memory). The brief names D4/D1.
 *   One disagreement of wording: read literally ("no data through a key that is not Valid"), D1
 *   does NOT break in BD5, because the MW key is still Valid when the data moves; what is no
 *   longer Valid is the MR the MW translates through. D1 is checked here over the translation
 *   chain (the key and, for an MW, its MR); with that reading BD5 breaks it, as the brief says.
 * Other facts the model takes from the sources rather than the brief:
 * - IB Class J (Send-with-Invalidate naming a stale R-Key; rxe_resp.c): the responder's receive
 *   completes in error (REM_INV_REQ_ERR) and the responder QP goes to Error, but the Send is still
 *   ACKed, so the requester learns of the broken connection only on its next request. This is not a
 *   broken R-Key promise (no memory is involved) and NoSilentBreak does not count it.
 * - With rnr_retry < 7 on IB, RNR retry exhaustion puts only the requester in Error; nothing is
 *   sent to the responder, whose application is not told. IB behaviour, not a bug; the application
 *   had posted no receive, so no R-Key promise is broken.
 */
import { defineModel, param } from '../checker/index.js'
import { POLICIES, type Policy, POLICY_SOURCES, TRANSPORTS, RNR_FOREVER, type MrLifecycleParams, type MrLifecycleState, build } from './specs/mr-lifecycle.js'
import mrContract, { deviceMap } from './mr-contract.js'
import mrLifecycleProperties from '../properties/mr-lifecycle.js'

export * from './specs/mr-lifecycle.js'

const BREAKS: Record<Policy, readonly string[]> = {
  correct: [],
  'bd1-decrement-at-7': ['RnrForeverNeverDecremented', 'RnrForeverNeverExceeded'],
  'bd2-mr-key-overflow': ['RKeyHonoured'],
  'bd3-index-reuse-no-bump': ['RKeyNeverMisdirected', 'KeyFreshAfterRevoke', 'MrContract'],
  'bd4-early-rkey-disclosure': ['RKeyHonoured', 'DiscloseOnlyValid'],
  'bd5-dereg-with-bound-mw': [
    'MwNeverOutlivesMr',
    'RKeyNeverMisdirected',
    'NoSilentBreak',
    'NoAccessThroughInvalidKey',
    'NoDeregWithBoundMw',
    'MrContract',
  ],
  'bd6-responder-continues-after-access-error': ['ResponderStopsOnAccessError', 'NoSilentBreak', 'MrContract'],
}

/** The one page's acknowledged and placed versions: none, as this model keeps no data (read only). */
const NO_DATA: readonly number[] = [0]

/**
 * The MR contract's state an mr-lifecycle state stands for: one page and no remote writes, since
 * this model keeps no data (an access that succeeds changes no state). The contract's key is the
 * peer's R-Keys taken together:
 * - `revoked` while the peer holds an R-Key the application revoked (DeregMr, LocalInv, or the
 *   peer's own Send-with-Invalidate, which the receive completion reports); advertising a new key
 *   in its place is the contract's Reissue;
 * - `withdrawn` once the responder has broken the connection the peer holds a live R-Key over (an
 *   access error, a Terminate, a failed bind, IB Class J), which the application must hear of in
 *   that step; a requester that gives up by itself (its RNR retries spent) only stops using the key;
 * - `valid` otherwise.
 * The application knows of a break when it got an event, or revoked a key the peer still holds. The
 * device map is inconsistent when the device would honour an R-Key the peer holds and the
 * application revoked (a reused key byte: BD3, the key_wrap ABA window), or a valid window
 * translates into an MR that is no longer registered (BD5).
 */
export const contractOf = (s: Readonly<MrLifecycleState>) => {
  const revoked = s.advMr?.live === false || s.advMw?.live === false
  const held = s.advMr !== null || s.advMw !== null
  const broken = s.qpL === 'err' || s.peerErr === 'REM_ACCESS_ERR' || s.peerErr === 'TERMINATE'
  const honoursRevoked =
    (s.advMr?.live === false && s.mr.st === 'valid' && !s.mr.mwRange && s.mr.byte === s.advMr.byte) ||
    (s.advMw?.live === false && s.mw.st === 'valid' && s.mw.byte === s.advMw.byte)
  return {
    key: revoked ? 'revoked' : broken && held ? 'withdrawn' : 'valid',
    told: revoked || s.appEvent !== 'none',
    deviceMap: deviceMap(!honoursRevoked && !(s.mw.st === 'valid' && !s.mw.mrAlive)),
    peer: 'idle',
    target: null,
    written: 0,
    acked: NO_DATA,
    mem: NO_DATA,
  }
}

/**
 * The properties an instance is meant to break. BD1 needs RNR NAKs with rnr_retry = 7 (on iWARP
 * or with a finite count it is `correct`); BD2 needs the key space to run out (with `key_wrap` it
 * wraps instead); a wrapping key byte opens the D2 ABA window in every policy, which the MR contract
 * does not allow either.
 */
const expectedBreaks = (p: MrLifecycleParams): readonly string[] => {
  const bd1Applies = p.transport === 'ib' && p.rnr_retry === RNR_FOREVER
  const inert = (p.policy === 'bd1-decrement-at-7' && !bd1Applies) || (p.policy === 'bd2-mr-key-overflow' && p.key_wrap)
  const out = new Set(inert ? [] : BREAKS[p.policy])
  if (p.key_wrap) out.add('RKeyNeverMisdirected').add('KeyFreshAfterRevoke').add('MrContract')
  return [...out]
}

export default defineModel({
  name: 'mr-lifecycle',
  summary: 'MR/MW key lifecycle and the remote-access protocol (IB and iWARP): R-Keys, key bytes, RNR, flush.',
  params: {
    policy: param.enum(
      POLICIES,
      'correct',
      'correct, or one of the known buggy variants BD1, BD2, BD3, BD4, BD5, BD6',
      POLICY_SOURCES,
    ),
    transport: param.enum(TRANSPORTS, 'ib', 'ib (RC with RNR NAKs) or iwarp (no RNR: a missing receive terminates)'),
    rnr_retry: param.int(RNR_FOREVER, { min: 0, max: RNR_FOREVER }, 'the requester rnr_retry (7 = retry forever)'),
    key_wrap: param.bool(false, 'let the key byte wrap (shows the D2 ABA window); off: an exhausted index is not reused'),
  },
  matrixParam: 'policy',
  matrix: { sweep: { transport: ['ib', 'iwarp'] } },
  build,
  properties: mrLifecycleProperties,
  expectedBreaks,
  refines: () => ({ MrContract: { model: mrContract, params: { pages: 1, writes: 0 }, map: contractOf } }),
})
