/**
 * pinned-memory's properties: the brief's C1, C2, C3 and C5, and L-C1 (the reclaim of a CMA area
 * or a ZONE_MOVABLE block eventually succeeds with an MR registered).
 */
import { eventually, properties } from '../checker/index.js'
import { mrAt, type PinnedMemory, type PinnedMemoryParams, type PinnedMemoryState } from '../models/specs/pinned-memory.js'

type S = Readonly<PinnedMemoryState>

// Kept local (not imported as a value) so that this module has no run-time cycle with the model.
const TARGET = 0

export default properties<PinnedMemory, PinnedMemoryParams>()(({ mrs }) => {
  const ids = Array.from({ length: mrs }, (_, m) => m)
  /** The property holds for every MR. */
  const each = (ok: (s: S, m: number) => boolean) => (s: S) => ids.every((m) => ok(s, m))
  return {
    invariants: {
      PinNotMovable: each((s, m) => mrAt(s, m).pin !== TARGET),
      PinnedFrameKept: each((s, m) => {
        const f = mrAt(s, m).pin
        return f === null || (s.frames[f]!.use !== 'free' && s.frames[f]!.use !== 'taken')
      }),
      DeviceFrameIsPinned: each((s, m) => mrAt(s, m).hw === null || mrAt(s, m).pin === mrAt(s, m).hw),
      DeviceSeesParentPage: each((s, m) => mrAt(s, m).hw === null || s.parent === mrAt(s, m).hw),
    },
    reachable: {
      Registered: (s: S) => s.mr === 'live',
      Reclaimed: (s: S) => s.reclaim === 'done',
      ForkedWithMr: (s: S) => s.forked && s.mr === 'live',
      ...(mrs > 1 ? { BothLive: (s: S) => ids.every((m) => mrAt(s, m).mr === 'live') } : {}),
    },
    temporal: {
      TargetReclaimed: eventually<PinnedMemoryState>((s) => s.reclaim === 'done'),
    },
    docs: {
      PinNotMovable:
        'C1: a long-term pin is never on the CMA area or the ZONE_MOVABLE block the kernel reclaims. Fails: BC1 (movable target), BC2, BC3 (CMA target).',
      PinnedFrameKept: 'C2: a pinned frame is never freed or taken by the reclaim (migration skips pinned pages).',
      DeviceFrameIsPinned:
        'C3: while the device translates through a frame, that frame is pinned by that MR (unpin only after the HW destroy). ' +
        'Fails: BC4; with mrs=2, a dereg that releases the pages the other MR still pins (test/models/pinned-memory.test.ts).',
      DeviceSeesParentPage:
        "C5: the frame the device writes is the one the parent's buffer maps, also after fork and a write. Fails: BC5.",
      Registered: 'Vacuity guard: the MR is registered and live.',
      Reclaimed: 'Vacuity guard: the reclaim completes.',
      ForkedWithMr: 'Vacuity guard: the process forks while the MR is live.',
      TargetReclaimed:
        'L-C1: the CMA allocation or the offline of the movable block eventually succeeds, even with the MR registered (weak fairness on the kernel). Fails: BC1, BC2, BC3.',
      BothLive: 'Vacuity guard (mrs=2): both MRs are live on the page at once.',
    },
  }
})
