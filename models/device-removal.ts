/**
 * Device hot-removal under open userspace verbs contexts (brief section A; the 2005
 * openib-general thread "RFD: uverbs and hotplug" in domain/seed-thread.txt asked what happens
 * to an application that has the device open when `ib_uverbs_remove_one` runs).
 *
 * WHAT IS MODELLED. One device, one open uverbs file (`ufile`) of one application, with:
 * - one memory region (handle, HW object, pinned pages, a count of HW destroy calls);
 * - `asyncFds` async-event fds (fd 0 is the default one), each with a reader thread blocked in
 *   read(), and a count of DEVICE_FATAL events posted to it;
 * - one doorbell VMA (slot 0, mapped with the core mmap API before the run) and, with `fork`, a
 *   child process whose copy of it is slot 1 (dup_mmap copies the page tables, then calls
 *   vm_ops->open, in one step: the parent's mmap_lock serialises it with the zap of that mm);
 * - `cmdThreads` application threads, each issuing one command: enter (SRCU read side and the
 *   `ibdev` check) and run the driver op, as two steps so that removal can fall between them;
 * - the remover: every step of RemoveOne is its own action (delete cdev; ibdev := NULL;
 *   synchronize_srcu; take ucontext_lock + hw_destroy_rwsem; destroy uobjects (DEVICE_FATAL);
 *   zap umaps; driver disassociate + free ucontext; close event queues; return).
 * Async fds and command threads are declared symmetric (`--symmetry on`), except the fds under
 * `disassociate-fatal-first-fd-only`, which singles out fd 0; the two VMA slots play different
 * roles (parent, child) and are not.
 * The `policy` parameter picks the removal design: `unregister` (2005: class device goes away,
 * the driver frees the device, the application keeps its doorbell mapping and its objects),
 * `zero-page` (the seed's idea: same, but the doorbell is remapped to the zero page; nobody is
 * told), `wait-for-close` (driver without disassociate: removal waits until the file is
 * released), `disassociate` (the shipped design), and the known-bug variants BA1-BA5.
 *
 * SIMPLIFIED, AND WHY.
 * - One ufile and one MR: every per-file step of RemoveOne is the same for each file; the list
 *   lock dropped between files only matters with several files, which the bugs here do not need.
 * - Touching a doorbell that still maps device IO is not a step (nothing changes while the device
 *   is there; after removal the state itself is the A2 violation). Touch is modelled only on
 *   zapped VMAs, where the fault handler decides the outcome.
 * - The zero page for read-only VMAs and the per-file zeroed page for writable ones are one
 *   value, `zero` (both are non-fatal, non-device memory).
 * - Every thread issues one command, and every application action happens at most once, so a run
 *   ends; that is what lets BA2 show up as a deadlock.
 * - Remote peers are left out: in every policy a remote op fails once the MR or the device is gone
 *   (access error or transport retry exhaustion), so they do not tell the policies apart; A3 is
 *   stated on the MR itself (pages stay pinned while its HW object is live).
 * - Mmap racing removal (`mmap`): a thread maps a second doorbell (slot 2) in two steps, as
 *   ib_uverbs_mmap does: enter the SRCU read side and check the context (EIO once `ibdev` is
 *   NULL), then call the driver's mmap under disassociation_lock (rdma_user_mmap_io maps the IO
 *   page and tracks the VMA). synchronize_srcu waits for it like a command, so the shipped design
 *   keeps A2; without the grace period (BA4) the mmap installs device IO after the zap, and
 *   NoIoAfterRemoval fails too (12 steps).
 * - Device reset beside removal (`reset`, disassociate family): the driver's reset
 *   (hns_roce_hw_v2_reset_notify_down) sets dis_db and calls rdma_user_mmap_disassociate, which
 *   zaps every tracked mapping of a file that still has a ucontext, destroys nothing, and tells
 *   nobody; the removal may run before, during or after it. NoIoAfterReset: after the reset no
 *   VMA maps device IO. The merged patch ("RDMA/core: Provide rdma_user_mmap_disassociate() to
 *   disassociate mmap pages", v6, 2024) holds disassociation_lock across the driver's mmap, which
 *   checks dis_db, so an mmap either is tracked before the zap or gets EPERM;
 *   `disassociate-reset-mmap-unlocked` is its v2, which read the flag before taking any lock:
 *   with `mmap` and `reset`, MmapEnter, DriverReset, MmapInstall maps IO under reset (3 steps).
 *   A reset gives up NoSilentBreak by design: a doorbell store after it lands on the zero page
 *   before the removal that follows posts DEVICE_FATAL (DriverReset, Touch; 2 steps), while
 *   AppLearnsDeviceGone still holds.
 * - BA6 (CVE-2019-11599), with `coreDump`: the application may die of a core-dumping signal.
 *   The 2019 coredump code walked the dying mm's VMAs without mmap_sem, on the assumption that
 *   nobody else edits an mm whose threads are all dead; the remover's
 *   uverbs_user_mmap_disassociate takes the mm with mmget_not_zero and zaps its VMAs under
 *   mmap_sem, which the dumper does not hold. The fix, "coredump: fix race condition between
 *   mmget_not_zero()/get_task_mm() and core dumping" (04f5866e41fb), added
 *   `if (!mmget_still_valid(mm)) goto skip_mm;` after down_write(&mm->mmap_sem) there: the
 *   disassociate family skips a dumping mm, `disassociate-zap-dying-mm` (BA6) zaps it anyway
 *   (NoEditOfDumpingMm). A skipped mm keeps its IO mapping until the dump ends and exit_mmap
 *   unmaps it (`CoreDumpEnd`); no user code runs in it meanwhile and the dumper skips VM_IO
 *   VMAs, so NoIoAfterRemoval exempts it. (Since 2020 the dumper holds mmap_lock while it
 *   snapshots the VMAs and the check is gone again, "mm: remove the now-unnecessary
 *   mmget_still_valid() hack"; the model is the 2019 kernel.) Dump-time page reads are not
 *   modelled: the dumper's view is the VMA state, the only thing the remover changes.
 * - `unregister` and `zero-page` follow the 2005 code: no SRCU, no `ibdev` check, so a command or
 *   a close after removal calls the driver on freed device state.
 * - `remove-blocks-on-waiter` (BA2): the removal (driver without disassociate) holds what the
 *   file's release path needs while it waits for the file to be released (the brief's shape for
 *   the `rdma link del` hang; which lock it is in that report was not established here). The
 *   application's close starts (`Close`: doorbell unmapped, fds closed, readers gone) and its
 *   release (`CloseRelease`) then waits for the remover, which waits for it: a deadlock two steps
 *   in, with nothing else in the trace.
 *
 * LIVENESS. L-A1, L-A2 and "the application eventually learns" are declared with the fairness
 * on the actions (weak on the remover, on a command's driver op and on a woken reader; none on
 * what the application chooses to do, so it may stall forever); their expected verdicts are in
 * the property docs.
 *
 * DEADLOCK. `checkDeadlock` is on. The normal end (removal returned) is made explicit by the
 * stutter action `Finished`, so a state without successors is exactly "removal has not returned
 * and nothing can move": BA2 is reported as Deadlock (and fails L-A1 too). Every other policy
 * has no deadlock.
 *
 * SIZE. The parameters' largest instance (asyncFds=2, cmdThreads=2, fork) is small: the shipped
 * `disassociate` keeps every property there, temporal ones included, in 5,023 distinct states
 * (under a second); the limits are the brief's scenarios, not the checker's. With `coreDump` (on in
 * its matrix) `disassociate` keeps every property in 13,511 states there (7,080 with symmetry).
 * `mmap` and `reset` are off by default and in the matrix; at the other defaults `disassociate`
 * has 5,983 states with `mmap`, 3,793 with `reset` and 16,219 with both.
 *
 * CHECKER VS BRIEF.
 * - "Post-zap touch is never fatal" (BA1) holds in the shipped design only for VMAs that the
 *   removal zapped (they keep their tracking record, so `rdma_umap_fault` hands out a zero
 *   page). A VMA duplicated by fork while disassociation holds hw_destroy_rwsem, or after the
 *   ucontext is gone, is zapped by `rdma_umap_open` with `vm_private_data = NULL`, and
 *   `rdma_umap_fault` answers SIGBUS to a VMA without a record (brief A.4, and uverbs_main.c).
 *   The model keeps that behaviour; PostZapTouchNotFatal is therefore stated for VMAs zapped
 *   by the removal, and the child's SIGBUS on its copy stays reachable in `disassociate`
 *   (test/models/device-removal.test.ts pins it).
 * - BA5 as the brief words it ("VmaOpen without the trylock") is harmless when open still
 *   registers the copy: a copy taken while the parent still maps IO is registered before the
 *   zap of that mm (mmap_lock), and the zap loop rescans the list until it is empty. The variant
 *   modelled is the one the `out_zap` path exists for: open cannot track the copy (it races
 *   disassociation) and does not zap it either, so the copy keeps the IO page tables with no
 *   record that the zap loop could find.
 * - Fork order (`forkOpensFirst`). `rdma_umap_open` relies on dup_mmap copying the page tables
 *   before calling vm_ops->open, so that its zap removes the copied IO PTEs. "fork: defer linking
 *   file vma until vma is fully initialized" (35e351780fa9, 2024) calls open first; the VFIO
 *   thread "Backport VFIO refactor to fix fork ordering bug" (Axel Rasmussen, July 2024) reports
 *   that this breaks the same zap-in-open guarantee for VFIO. With `forkOpensFirst` the shipped
 *   `disassociate` behaves like BA5 (a fork racing disassociation leaves the child mapping device
 *   IO after removal returns; NoIoAfterRemoval fails). UNVERIFIED: whether current kernels still
 *   call open before the copy for VM_PFNMAP VMAs, and whether RDMA was fixed separately.
 */
import { defineModel, param } from '../checker/index.js'
import { POLICIES, type Policy, POLICY_SOURCES, type DeviceRemovalParams, type DeviceRemoval, build, disassociates, told } from './specs/device-removal.js'
import mrContract, { deviceMap } from './mr-contract.js'
import type { SpecState } from '../checker/index.js'
import deviceRemovalProperties from '../properties/device-removal.js'

export * from './specs/device-removal.js'

/** What the 2005 designs give up: no grace period, no events, verbs reaching a freed device. */
const LEGACY = ['FatalEventOnEveryFd', 'GracePeriod', 'NoUseAfterFree', 'EioAfterDisassociate', 'NoSilentBreak', 'BlockedReaderWoken', 'AppLearnsDeviceGone']
/** What waiting for the application gives up: removal that ends, and telling the application. */
const WAITS = ['RemovalCompletes', 'BlockedReaderWoken', 'AppLearnsDeviceGone']
const BREAKS: Record<Policy, readonly string[]> = {
  unregister: ['NoIoAfterRemoval', ...LEGACY],
  'zero-page': LEGACY,
  'wait-for-close': WAITS,
  disassociate: [],
  'disassociate-no-fault-handler': ['PostZapTouchNotFatal'],
  'remove-blocks-on-waiter': [...WAITS, 'Deadlock'],
  'disassociate-fatal-first-fd-only': ['FatalEventOnEveryFd'],
  'disassociate-no-grace-period': ['GracePeriod', 'NoUseAfterFree'],
  'disassociate-vma-dup-not-zapped': ['NoIoAfterRemoval'],
  'disassociate-unpin-before-hw-destroy': ['NoDmaToFreedFrame'],
  'disassociate-zap-dying-mm': ['NoEditOfDumpingMm'],
  'disassociate-reset-mmap-unlocked': ['NoIoAfterReset'],
}

/**
 * The MR contract's state a device-removal state stands for (one page, no remote writes: this
 * model leaves the peers out). The application gave the key up once it destroyed the MR or stopped
 * running (closed, killed); the kernel withdrew it when the HW MR is destroyed or the device freed
 * (the removal returned) under an application that still holds it. The application knows when it
 * was told (DEVICE_FATAL, EIO) or gave the key up; the device map is consistent while the pages of
 * a live HW MR stay pinned. The 2005 designs withdraw the key silently; BC4 unpins under a live MR.
 */
const contractOf = (s: Readonly<SpecState<DeviceRemoval>>) => {
  const gaveUp = !s.mr.handle || s.app !== 'running'
  return {
    key: gaveUp ? 'revoked' : s.mr.hw === 'destroyed' || s.remover === 'returned' ? 'withdrawn' : 'valid',
    told: gaveUp || told(s),
    deviceMap: deviceMap(s.mr.hw !== 'live' || s.mr.pinned),
    peer: 'idle',
    target: null,
    written: 0,
    acked: [0],
    mem: [0],
  }
}
/** The designs that break the contract: the removal frees the device under a silent application, or unpins under a live MR. */
const BREAKS_CONTRACT: readonly Policy[] = ['unregister', 'zero-page', 'disassociate-unpin-before-hw-destroy']

/**
 * The properties an instance is meant to break. A bug needs its ingredient: BA3 a second async fd,
 * BA4 a command thread, BA5 a fork; with `forkOpensFirst` the shipped design breaks A2 as BA5 does.
 * Without command threads the 2005 designs keep A1 and A5 (no command ever runs).
 */
const expectedBreaks = (p: DeviceRemovalParams): readonly string[] => {
  const out = new Set(BREAKS[p.policy])
  if (p.policy === 'disassociate-fatal-first-fd-only' && p.asyncFds < 2) out.delete('FatalEventOnEveryFd')
  // A system call in the SRCU read side: a command thread, or the mmap.
  const noSyscall = p.cmdThreads === 0 && !p.mmap
  if (p.policy === 'disassociate-no-grace-period' && noSyscall) out.clear()
  // Without a system call no verb reaches the gone device; unregister's silent break was one.
  if (noSyscall) for (const name of ['GracePeriod', 'EioAfterDisassociate']) out.delete(name)
  if (noSyscall && p.policy === 'unregister') out.delete('NoSilentBreak')
  if (p.policy === 'disassociate-vma-dup-not-zapped' && !p.fork) out.clear()
  if (p.policy.startsWith('disassociate') && p.fork && p.forkOpensFirst) out.add('NoIoAfterRemoval')
  // BA6 needs a core dump; the 2005 zero page remaps a dumping mm as well (it predates the check).
  if (!p.coreDump) out.delete('NoEditOfDumpingMm')
  if (p.coreDump && p.policy === 'zero-page') out.add('NoEditOfDumpingMm')
  // mmap racing removal: without the grace period (BA4), or with no check at all (2005 zero page),
  // an mmap that entered before the zap installs device IO after it.
  if (p.mmap && (p.policy === 'disassociate-no-grace-period' || p.policy === 'zero-page')) out.add('NoIoAfterRemoval')
  // The reset race needs both a reset and an mmap in flight; a fork copy that escapes the
  // removal's zap (BA5, forkOpensFirst) escapes the reset's as well.
  if (!(p.reset && p.mmap)) out.delete('NoIoAfterReset')
  const forkEscapes = p.fork && (p.policy === 'disassociate-vma-dup-not-zapped' || p.forkOpensFirst)
  if (p.reset && disassociates(p.policy) && forkEscapes) out.add('NoIoAfterReset')
  // A reset drops doorbell stores on the zero page before anyone is told (the removal that follows tells).
  if (p.reset && disassociates(p.policy) && p.policy !== 'disassociate-no-fault-handler') out.add('NoSilentBreak')
  if (BREAKS_CONTRACT.includes(p.policy)) out.add('MrContract')
  return [...out]
}

export default defineModel({
  name: 'device-removal',
  summary: 'Device hot-removal while applications hold uverbs contexts: the 2005 options, disassociation and its bugs.',
  params: {
    policy: param.enum(
      POLICIES,
      'disassociate',
      'removal design: unregister | zero-page | wait-for-close | disassociate, or a known-bug variant of disassociate',
      POLICY_SOURCES,
    ),
    asyncFds: param.int(2, { min: 1, max: 2 }, 'async-event fds of the context (fd 0 is the default one)'),
    cmdThreads: param.int(1, { min: 0, max: 2 }, 'application threads that each issue one command'),
    fork: param.bool(true, 'the application may fork once, giving a child a copy of the doorbell VMA'),
    forkOpensFirst: param.bool(
      false,
      'fork calls vm_ops->open before copying the page tables (the order since 35e351780fa9, 2024)',
    ),
    coreDump: param.bool(false, 'the application may die of a core-dumping signal, its mm dumped without mmap_sem (BA6)'),
    mmap: param.bool(false, 'an application thread maps another doorbell (ib_uverbs_mmap) while removal or reset runs'),
    reset: param.bool(
      false,
      'disassociate family: the driver may reset the device, zapping every mapping with rdma_user_mmap_disassociate (2024)',
    ),
  },
  matrixParam: 'policy',
  matrix: { instance: { asyncFds: 2, cmdThreads: 2, coreDump: true } },
  build,
  properties: deviceRemovalProperties,
  expectedBreaks,
  refines: () => ({ MrContract: { model: mrContract, params: { pages: 1, writes: 0 }, map: contractOf } }),
})
