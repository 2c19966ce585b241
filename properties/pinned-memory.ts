/**
 * pinned-memory's properties: the brief's C1, C2, C3 and C5, and L-C1 (the reclaim of a CMA area
 * or a ZONE_MOVABLE block eventually succeeds with an MR registered).
 */
import { eventually, properties } from '../checker/index.js'
import type { PinnedMemory, PinnedMemoryParams, PinnedMemoryState } from '../models/specs/pinned-memory.js'

type S = Readonly<PinnedMemoryState>

// Kept local (not imported as a value) so that this module has no run-time cycle with the model.
const TARGET = 0

export default properties<PinnedMemory, PinnedMemoryParams>(() => ({
  invariants: {
    PinNotMovable: (s) => s.pin !== TARGET,
    PinnedFrameKept: (s) => s.pin === null || (s.frames[s.pin]!.use !== 'free' && s.frames[s.pin]!.use !== 'taken'),
    DeviceFrameIsPinned: (s) => s.hw === null || s.pin === s.hw,
    DeviceSeesParentPage: (s) => s.hw === null || s.parent === s.hw,
  },
  reachable: {
    Registered: (s: S) => s.mr === 'live',
    Reclaimed: (s: S) => s.reclaim === 'done',
    ForkedWithMr: (s: S) => s.forked && s.mr === 'live',
  },
  temporal: {
    TargetReclaimed: eventually<PinnedMemoryState>((s) => s.reclaim === 'done'),
  },
  docs: {
    PinNotMovable:
      'C1: a long-term pin is never on the CMA area or the ZONE_MOVABLE block the kernel reclaims. Fails: BC1 (movable target), BC2, BC3 (CMA target).',
    PinnedFrameKept: 'C2: a pinned frame is never freed or taken by the reclaim (migration skips pinned pages).',
    DeviceFrameIsPinned: 'C3: while the device translates through a frame, that frame is pinned (unpin only after the HW destroy). Fails: BC4.',
    DeviceSeesParentPage:
      "C5: the frame the device writes is the one the parent's buffer maps, also after fork and a write. Fails: BC5.",
    Registered: 'Vacuity guard: the MR is registered and live.',
    Reclaimed: 'Vacuity guard: the reclaim completes.',
    ForkedWithMr: 'Vacuity guard: the process forks while the MR is live.',
    TargetReclaimed:
      'L-C1: the CMA allocation or the offline of the movable block eventually succeeds, even with the MR registered (weak fairness on the kernel). Fails: BC1, BC2, BC3.',
  },
}))
