/**
 * mr-lifecycle's properties: the R-Key promise (Bestler's "certified check": a key the application
 * advertised and has not revoked is honoured and touches only its own memory), the brief's D1..D6,
 * vacuity guards, and the liveness obligations L-D1..L-D3 (declared; checked by the liveness phase).
 *
 * Success or refusal of a remote access is read off the state change, not recomputed with the
 * model's own key check: an `RdmaAccess` step starts with the peer's QP in RTS, so it succeeded iff
 * the peer's QP is still in RTS afterwards. What the access was promised is read from the peer's
 * advertisement (ghost `live`, range and rights as told), what memory it reached from the MW's
 * ghost `mrAlive`.
 */
import { leadsTo, properties } from '../checker/index.js'
import type { MrLifecycle, MrLifecycleParams, MrLifecycleState as S } from '../models/specs/mr-lifecycle.js'

// Kept local (not imported as values) so that this module has no run-time cycle with the model.
const RNR_FOREVER = 7
const MR_PAGES = 2
const MW_PAGE = 0

type Key = 'mr' | 'mw'
const advOf = (s: Readonly<S>, key: Key) => (key === 'mr' ? s.advMr : s.advMw)

/** The access stays inside what the peer was told: the key's range and rights. */
const withinAdvert = (s: Readonly<S>, key: Key, op: 'read' | 'write', page: number): boolean => {
  if (key === 'mr') return page < MR_PAGES // the MR spans pages 0..1 with remote read and write
  const a = s.advMw
  return a !== null && page === MW_PAGE && (op === 'read' || a.acc === 'rw')
}

/** The advertised key can still serve its advertisement: key Valid with that byte, and its memory registered. */
const servable = (s: Readonly<S>, key: Key): boolean => {
  const a = advOf(s, key)
  if (a === null) return false
  if (key === 'mr') return s.mr.st === 'valid' && s.mr.byte === a.byte
  return s.mw.st === 'valid' && s.mw.byte === a.byte && s.mr.st === 'valid' && s.mw.mrAlive
}

const bothTold = (n: Readonly<S>) => n.appEvent !== 'none' && n.peerErr !== 'none'

export default properties<MrLifecycle, MrLifecycleParams>()(({ transport, rnr_retry }) => {
  const ib = transport === 'ib'
  return {
    invariants: {
      // RNR exists on IB only; "7 retries forever" only at rnr_retry = 7 (not applicable otherwise).
      ...(ib
        ? {
            RnrForeverNeverDecremented: (s: Readonly<S>) =>
              s.rnrLeft <= rnr_retry && (rnr_retry !== RNR_FOREVER || s.rnrLeft === RNR_FOREVER),
          }
        : {}),
      ...(ib && rnr_retry === RNR_FOREVER
        ? { RnrForeverNeverExceeded: (s: Readonly<S>) => s.peerErr !== 'RNR_RETRY_EXC_ERR' }
        : {}),
      ResponderStopsOnAccessError: (s) =>
        !(s.peerErr === 'REM_ACCESS_ERR' || s.peerErr === 'TERMINATE') || (s.qpL === 'err' && s.appEvent !== 'none'),
      MwNeverOutlivesMr: (s) => s.mw.st !== 'valid' || (s.mr.st === 'valid' && s.mw.mrAlive),
    },
    actionProperties: {
      RKeyNeverMisdirected: (s, n, step) => {
        if (step.action !== 'RdmaAccess' || n.qpR !== 'rts') return true
        const { key, op, page } = step.params
        const a = advOf(s, key)
        return a !== null && a.live && withinAdvert(s, key, op, page) && (key === 'mr' || s.mw.mrAlive)
      },
      RKeyHonoured: (s, n, step) => {
        if (step.action !== 'RdmaAccess') return true
        const { key, op, page } = step.params
        const a = advOf(s, key)
        const promised = a !== null && a.live && withinAdvert(s, key, op, page) && s.qpL === 'rts'
        return !promised || n.qpR === 'rts'
      },
      NoSilentBreak: (s, n, step) => {
        // A refused access (the responder was still up) is reported to both sides.
        if (step.action === 'RdmaAccess' && s.qpL === 'rts' && n.qpR === 'err' && !bothTold(n)) return false
        // A live advertisement that stops being servable without being revoked is reported to both sides.
        for (const key of ['mr', 'mw'] as const) {
          const a = advOf(s, key)
          const b = advOf(n, key)
          if (a?.live === true && b?.live === true && servable(s, key) && !servable(n, key) && !bothTold(n)) return false
        }
        return true
      },
      NoAccessThroughInvalidKey: (s, n, step) => {
        if (step.action !== 'RdmaAccess' || n.qpR !== 'rts') return true
        const { key } = step.params
        const a = advOf(s, key)!
        if (key === 'mr') return s.mr.st === 'valid' && s.mr.byte === a.byte
        return s.mw.st === 'valid' && s.mw.byte === a.byte && s.mr.st === 'valid' && s.mw.mrAlive
      },
      KeyFreshAfterRevoke: (s, n, step) => {
        if (step.action !== 'RdmaAccess' || n.qpR !== 'rts') return true
        return advOf(s, step.params.key)?.live === true
      },
      DiscloseOnlyValid: (s, _n, step) => {
        if (step.action !== 'Advertise') return true
        return step.params.key === 'mr' ? s.mr.st === 'valid' : s.mw.st === 'valid'
      },
      NoDeregWithBoundMw: (s, _n, step) => step.action !== 'DeregMr' || s.mw.st !== 'valid',
      NoDataMovementInError: (s, n, step) => {
        switch (step.action) {
          case 'RdmaAccess':
            return n.qpR !== 'rts' || (s.qpL === 'rts' && s.qpR === 'rts')
          case 'DeliverSend':
            return n.rq === s.rq || (s.qpL === 'rts' && s.qpR === 'rts')
          case 'BindExec':
            return n.mw.st !== 'valid' || s.qpL === 'rts'
          default:
            // Outside the device's execution steps, receives leave only by flush at an Error QP.
            return n.rq >= s.rq || (step.action === 'FlushLocal' && s.qpL === 'err')
        }
      },
    },
    reachable: {
      StaleRKeyUsable: (s) => s.qpR === 'rts' && (s.advMr?.live === false || s.advMw?.live === false),
      MwAdvertisedAndBound: (s) => s.qpR === 'rts' && s.advMw?.live === true && s.mw.st === 'valid',
      AccessRefused: (s) => s.peerErr === (ib ? 'REM_ACCESS_ERR' : 'TERMINATE'),
      ...(ib && rnr_retry > 0 ? { RnrWait: (s: Readonly<S>) => s.wr?.rnrWait === true } : {}),
    },
    temporal: {
      ...(ib && rnr_retry < RNR_FOREVER
        ? { RnrExhaustionReported: leadsTo<S>((s) => s.wr !== null, (s) => s.wr === null) }
        : {}),
      ...(ib && rnr_retry === RNR_FOREVER
        ? {
            RnrForeverWaitsForReceive: leadsTo<S>(
              (s) => s.wr !== null && s.rq > 0 && s.qpL === 'rts',
              (s) => s.wr === null,
            ),
          }
        : {}),
      ErrorFlushesAll: leadsTo<S>(
        (s) => s.qpL === 'err' && (s.rq > 0 || s.mw.st === 'binding'),
        (s) => s.rq === 0 && s.mw.st !== 'binding',
      ),
    },
    docs: {
      RKeyNeverMisdirected:
        'An access through an R-Key touches only the memory that key was advertised for (its range, its rights, ' +
        'the registration it was advertised for, still registered), or fails — never other memory (D1/D2).',
      RKeyHonoured:
        'A remote access through an advertised R-Key that the application has not revoked, within the advertised ' +
        'range and rights, is never refused by the key check (it may wait, as with RNR, but is not NAKed).',
      NoSilentBreak:
        'When a promise is broken, both the application and the peer learn of it: a refused access raises an ' +
        'error at both ends, and an unrevoked advertised R-Key never stops working unannounced.',
      NoAccessThroughInvalidKey:
        'D1: no data is placed or fetched through a key that is not Valid at access time, counting the whole ' +
        'translation chain (an MW and the MR under it).',
      KeyFreshAfterRevoke:
        'D2: after LocalInv, Send-with-Invalidate or DeregMr, no later remote access succeeds with the old R-Key.',
      DiscloseOnlyValid: 'D3: an R-Key is disclosed to the peer only while its key is Valid (after the bind completes).',
      NoDeregWithBoundMw: 'D4: DeregMr does not succeed while a memory window is bound to the MR.',
      MwNeverOutlivesMr: 'D4: a Valid memory window always sits on a registered MR, the one it was bound to.',
      NoDataMovementInError:
        'D5: with a QP end in Error no data moves and no WR executes; receives leave an Error QP only by flush.',
      RnrForeverNeverDecremented: 'D6: rnrLeft stays within 0..rnr_retry, and rnr_retry = 7 is never decremented.',
      RnrForeverNeverExceeded: 'D6: with rnr_retry = 7 the requester never completes a WR with RNR_RETRY_EXC_ERR.',
      ResponderStopsOnAccessError:
        'IB Class C / iWARP Terminate: once the responder has refused an access (REM_ACCESS_ERR or Terminate at the ' +
        'peer), its own QP is in Error and its application has been told; it does not go on as if nothing happened.',
      StaleRKeyUsable: 'Vacuity: the peer can still use an R-Key the application has revoked.',
      MwAdvertisedAndBound: 'Vacuity: a bound memory window is advertised and usable.',
      AccessRefused: 'Vacuity: a remote access error (IB NAK or iWARP Terminate) happens at all.',
      RnrWait: 'Vacuity (IB): a Send waits on an RNR NAK.',
      RnrExhaustionReported:
        'L-D1 (IB, rnr_retry < 7): every Send completes; with a receiver that never posts, it ends in RNR_RETRY_EXC_ERR.',
      RnrForeverWaitsForReceive:
        'L-D2 (IB, rnr_retry = 7): endless RNR retry while no receive is posted is allowed (no property here ' +
        'demands progress then); once a receive is posted, the waiting Send completes.',
      ErrorFlushesAll: 'L-D3: once the application QP is in Error, every outstanding WR on it completes (flush).',
    },
  }
})
