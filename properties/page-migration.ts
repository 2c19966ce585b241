/**
 * page-migration's properties: Bestler's two promises (the translation follows the kernel's map;
 * an advertised R-Key is honoured on demand), the brief's ODP invariants B1-B5, the pinning
 * invariants C1-C3, and liveness L-B1, L-B2, L-C1 (declared; checked once the engine has a
 * liveness phase).
 */
import { eventually, forAll, leadsTo, properties } from '../checker/index.js'
import {
  fhAt,
  invAt,
  noInvalidation,
  stale,
  type PageMigration,
  type PageMigrationParams,
  type PageMigrationState,
} from '../models/specs/page-migration.js'

type S = Readonly<PageMigrationState>

/** An acknowledged write to page q is not in the frame the application reads (a page it unmapped has none). */
const lost = (s: S, q: number): boolean => {
  const f = s.cpu[q]
  return f !== null && f !== undefined && (s.frames[f]?.data ?? 0) < s.acked[q]!
}
/** Page q is on the ZONE_MOVABLE block. */
const onMovable = (s: S, q: number): boolean => {
  const f = s.cpu[q]
  return f !== null && f !== undefined && s.frames[f]?.movable === true
}
const staleOrLost = (s: S, q: number): boolean => stale(s, q) || lost(s, q)
/**
 * Whether some page q of state s has `p(s, q)`. A loop rather than an array of the pages: the
 * invariants run on every new state, and an array per call was most of what a search allocated.
 */
const somePage = (s: S, p: (s: S, q: number) => boolean): boolean => {
  for (let q = 0; q < s.cpu.length; q++) if (p(s, q)) return true
  return false
}
/** A promise is broken: the kernel destroyed the key, the translation or data went wrong, or an access failed on a live key. */
const broken = (s: S): boolean =>
  s.key === 'destroyed' ||
  somePage(s, staleOrLost) ||
  (s.peer === 'failed' && s.key === 'valid')

/**
 * The properties a policy's design has the parts for. The others do not apply to it (the matrix
 * shows them as not applicable): the ODP mechanisms and their liveness outside ODP, C1 outside
 * `pin`, suspension outside `suspend-resume`, the kernel's destruction of the key outside `eliminate`,
 * the prefetch work's use of a freed MR outside ODP or without `prefetches`.
 */
const NOT_APPLICABLE: Readonly<Record<string, (policy: PageMigrationParams['policy'], p: PageMigrationParams) => boolean>> = {
  SeqParity: (policy) => !policy.startsWith('odp'),
  NoUpdateForRevokedKey: (policy) => !policy.startsWith('odp'),
  ZappedOnReturn: (policy) => !policy.startsWith('odp'),
  CommitMatchesSnapshot: (policy) => !policy.startsWith('odp'),
  FaultResolves: (policy) => !policy.startsWith('odp'),
  InvalidationCompletes: (policy) => !policy.startsWith('odp'),
  PinNotMovable: (policy) => policy !== 'pin',
  SuspensionEnds: (policy) => policy !== 'suspend-resume',
  PeerLearnsOfBreak: (policy) => policy !== 'eliminate',
  NoUseOfFreedMr: (policy, p) => !policy.startsWith('odp') || p.prefetches === 0,
}
const applicable = <K extends string, T>(p: PageMigrationParams, named: Record<K, T>): Record<K, T> =>
  Object.fromEntries(Object.entries(named).filter(([name]) => NOT_APPLICABLE[name]?.(p.policy, p) !== true)) as Record<K, T>

/** A step of the prefetch work: its queueing, its drop, or a fault-path step it takes as handler 1. */
const prefetchWork = (step: { readonly action: string; readonly params: object }): boolean =>
  step.action === 'PrefetchQueue' || step.action === 'PrefetchDrop' || (step.params as { h?: number }).h === 1

export default properties<PageMigration, PageMigrationParams>()((params) => ({
  invariants: applicable(params, {
    NoStaleTranslation: (s) => !somePage(s, stale),
    NoLostWrite: (s) => !somePage(s, lost),
    NoSilentBreak: (s) => !broken(s) || s.appEvent,
    SeqParity: (s) => s.mmSeq % 2 === (noInvalidation(s) ? 0 : 1) && s.mniSeq % 2 === 1,
    NoUpdateForRevokedKey: (s) => s.umrQp === 'ok',
    PinNotMovable: (s) => !(s.key === 'valid' && somePage(s, onMovable)),
  }),
  actionProperties: applicable(params, {
    NoDmaToFreedFrame: (s, _n, step) =>
      step.action !== 'DmaLand' || (s.inflight !== null && s.frames[s.inflight]?.use === 'page' && s.cpu[s.target!] === s.inflight),
    ZappedOnReturn: (s, n, step) => step.action !== 'InvUnlock' || n.dev[invAt(s, step.params.i ?? 0).invPage!] === null,
    RKeyHonoured: (s, n) =>
      !(s.peer !== 'failed' && n.peer === 'failed') || s.key === 'revoked' || (s.target !== null && s.cpu[s.target] === null),
    CommitMatchesSnapshot: (s, n, step) => {
      const h = (step.params as { h?: number }).h ?? 0
      const programs =
        (step.action === 'FaultCommit' && fhAt(n, h).pc === 'programmed') || step.action === 'FaultProgram'
      return !programs || s.mniSeq === fhAt(s, h).snap
    },
    NoAccessThroughInvalidKey: (s, _n, step) =>
      (step.action !== 'DmaStart' && step.action !== 'DmaLand') || s.key === 'valid',
    NoUseOfFreedMr: (s, _n, step) => s.dereg !== 'released' || !prefetchWork(step),
  }),
  // B2-B4 state how the ODP code keeps its promise (zap before return, the sequence check, the
  // sequence parity), not the promise itself: a check that breaks one goes on to the harm.
  mechanisms: params.policy.startsWith('odp') ? ['ZappedOnReturn', 'CommitMatchesSnapshot', 'SeqParity'] : [],
  reachable: {
    PageMoved: (s) => s.frames.some((f) => f.use === 'kernel' || f.use === 'pinned'),
    WriteAcked: (s) => s.acked.some((a) => a > 0),
    DeviceTranslates: (s) => s.dev.some((f) => f !== null),
  },
  temporal: applicable(params, {
    FaultResolves: forAll(params.pages, (q) =>
      leadsTo<PageMigrationState>(
        (s) => s.faultReq[q] === true,
        (s) => s.faultReq[q] === false,
      ),
    ),
    InvalidationCompletes: leadsTo<PageMigrationState>(
      (s) => !noInvalidation(s),
      (s) => noInvalidation(s),
    ),
    MovableBlockVacated: eventually<PageMigrationState>((s) => !somePage(s, onMovable)),
    WriteAnswered: leadsTo<PageMigrationState>(
      (s) => s.peer === 'waiting',
      (s) => s.peer !== 'waiting',
    ),
    SuspensionEnds: leadsTo<PageMigrationState>(
      (s) => s.mr !== 'live',
      (s) => s.mr === 'live',
    ),
    PeerLearnsOfBreak: leadsTo<PageMigrationState>(
      (s) => s.key === 'destroyed' && s.peer === 'waiting',
      (s) => s.peer === 'failed',
    ),
  }),
  docs: {
    NoStaleTranslation:
      'B1/C2: the device never translates a page through a frame other than the one the kernel maps it to (never a moved, freed or reused frame).',
    NoLostWrite: 'A remote write acknowledged to the peer is in the frame the application reads for that page.',
    NoSilentBreak:
      'When a promise is broken (key destroyed, stale translation, lost write, access failed on a live key), the application has been told by an async event; the peer learns from the error on its access.',
    ZappedOnReturn:
      'B2: when the invalidation callback returns, the device has no translation for the page (only a later successful commit may install one).',
    SeqParity:
      'B4: the mm sequence is odd exactly while an invalidation runs (any of them, with invalidations=2); the subscription ' +
      'sequence only holds odd values. Fails: odp-range-end-ignores-others with invalidations=2.',
    NoUpdateForRevokedKey:
      'B5: no translation update (UMR) is posted for a key that has been revoked; one would put the shared UMR QP in error (CVE-2025-21732).',
    PinNotMovable: 'C1: a long-term pin that the kernel cannot revoke is never on a ZONE_MOVABLE frame.',
    NoDmaToFreedFrame: "C3: the device's DMA only lands in a frame the kernel still maps to the page it was meant for.",
    RKeyHonoured:
      'An access through an advertised R-Key the application has not revoked (nor unmapped the page of) never fails; it may wait (RNR), but it is not refused.',
    CommitMatchesSnapshot:
      'B3 (as the code guarantees it): the fault path programs a translation only if no invalidation callback stamped the subscription since its snapshot.',
    NoAccessThroughInvalidKey: 'D1: no data is placed through a key that is not valid.',
    NoUseOfFreedMr:
      'BB6 shape for prefetch: no step of the prefetch work (ibv_advise_mr) touches the MR after its dereg released it. ' +
      'Fails: odp-prefetch-count-before-sync with prefetches=1 (aa116b810ac9).',
    PageMoved: 'Vacuity guard: a migration (or, under odp-snapshot-after-walk, a munmap) completes.',
    WriteAcked: 'Vacuity guard: a remote write is acknowledged.',
    DeviceTranslates: 'Vacuity guard: the device holds a translation at some point.',
    FaultResolves: 'L-B1: a device page fault is eventually resolved (invalidations are finite).',
    InvalidationCompletes: 'L-B2: an invalidation never waits forever on the fault handler.',
    MovableBlockVacated: 'L-C1: the ZONE_MOVABLE frame is eventually free of the MR page (offlining succeeds).',
    WriteAnswered: 'Every remote write eventually gets an answer (ACK or error).',
    SuspensionEnds: 'A suspended MR is eventually resumed.',
    PeerLearnsOfBreak: 'After the kernel destroys the key, a waiting peer eventually gets an error.',
  },
}))
