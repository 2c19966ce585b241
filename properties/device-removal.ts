/**
 * Properties of the device-removal model (brief section A): A1-A6, BA1's "post-zap touch is
 * never fatal", and the seed thread's requirement that the application is told, never broken
 * silently. The liveness properties L-A1, L-A2 and "the application eventually learns" are
 * declared for the liveness phase; their expected verdicts are in `docs`.
 */
import { eventually, forAll, leadsTo, properties, type SpecState } from '../checker/index.js'
import {
  destroyLockHeld,
  disassociates,
  driverStateGone,
  ibdevNull,
  inSyscall,
  mrMidTeardown,
  ownSlot,
  told,
  type DeviceRemoval,
  type DeviceRemovalParams,
} from '../models/specs/device-removal.js'

type S = SpecState<DeviceRemoval>

/**
 * The remover steps after which driver state may be freed under a running command: taking
 * hw_destroy_rwsem (the destroy of every object follows) and returning (the driver frees the device).
 */
const FREEING_STEPS = new Set(['RemoveLockUfile', 'RemoveReturn', 'RemoveWaitClients'])

export default properties<DeviceRemoval, DeviceRemovalParams>()(({ policy, asyncFds, reset }) => {
  /** The device is gone for verbs: ibdev is NULL (disassociation) or the removal has returned. */
  const goneForVerbs = (s: Readonly<S>) => ibdevNull(policy, s.remover) || s.remover === 'returned'
  /**
   * No VMA maps device IO, except in a core-dumping mm: it runs no user code, its dumper skips
   * VM_IO VMAs, and exit_mmap unmaps it after the dump.
   */
  const noIo = (s: Readonly<S>) =>
    s.vma.every((v, i) => (v !== 'io' && v !== 'ioUntracked') || (ownSlot(i) && s.dump === 'dumping'))
  /** NoIoAfterReset applies where the driver can reset the device with the 2024 core API. */
  const resetProps = reset && disassociates(policy)

  return {
    invariants: {
      // A core-dumping mm runs no user code and its dumper skips VM_IO VMAs; exit_mmap unmaps it after the dump.
      NoIoAfterRemoval: (s) => s.remover !== 'returned' || noIo(s),
      ...(resetProps ? { NoIoAfterReset: (s: Readonly<S>) => s.reset !== 'done' || noIo(s) } : {}),
      NoDmaToFreedFrame: (s) => s.mr.hw !== 'live' || s.mr.pinned,
      FatalEventOnEveryFd: (s) =>
        s.afd.every((f) => f.fatal <= 1) && (!driverStateGone(s.ctx) || s.afd.every((f) => f.fatal === 1)),
      DestroyExactlyOnce: (s) =>
        s.mr.destroys <= 1 && (s.ctx === 'live' || s.ctx === 'orphaned' || mrMidTeardown(s) || s.mr.destroys === 1),
    },
    actionProperties: {
      GracePeriod: (s, _n, step) => !FREEING_STEPS.has(step.action) || !inSyscall(s),
      NoUseAfterFree: (s, _n, step) => {
        const callsDriver =
          step.action === 'CmdDriverOp' ||
          step.action === 'MmapInstall' ||
          (step.action === 'DestroyMr' && s.mr.hw === 'live') ||
          (step.action === 'Close' &&
            (s.ctx === 'live' || s.ctx === 'orphaned') &&
            !(disassociates(policy) && destroyLockHeld(s.remover)))
        return !callsDriver || s.ctx === 'live'
      },
      // A step that ends the dump (exit_mmap after it) is not an edit under the dumper.
      NoEditOfDumpingMm: (s, n) =>
        s.dump !== 'dumping' || n.dump !== 'dumping' || n.vma.every((v, i) => !ownSlot(i) || v === s.vma[i]),
      PostZapTouchNotFatal: (s, n, step) =>
        step.action !== 'Touch' || s.vma[step.params.v] !== 'zapped' || n.vma[step.params.v] === 'zero',
      EioAfterDisassociate: (s, n, step) => {
        if (!goneForVerbs(s)) return true
        if (step.action === 'CmdEnter') return n.threads[step.params.t] === 'eio'
        if (step.action === 'MmapEnter') return n.mmapper === 'eio'
        if (step.action === 'DestroyMr') return !n.mr.handle
        return true
      },
      NoSilentBreak: (s, n, step) => {
        const silent =
          (step.action === 'Touch' && n.vma[step.params.v] === 'zero') ||
          (step.action === 'CmdEnter' && goneForVerbs(s) && n.threads[step.params.t] === 'inCmd') ||
          (step.action === 'MmapEnter' && goneForVerbs(s) && n.mmapper === 'entered')
        return !silent || told(n)
      },
    },
    reachable: {
      RemovalCanReturn: (s) => s.remover === 'returned',
    },
    temporal: {
      RemovalCompletes: eventually<S>((s) => s.remover === 'returned'),
      BlockedReaderWoken: forAll<S>(asyncFds, (f) =>
        leadsTo<S>(
          (s) => s.afd[f]!.reader === 'blocked',
          (s) => s.afd[f]!.reader !== 'blocked',
        ),
      ),
      AppLearnsDeviceGone: leadsTo<S>(
        (s) => s.remover !== 'idle' && s.app === 'running',
        (s) => told(s) || s.app !== 'running',
      ),
    },
    docs: {
      NoIoAfterRemoval:
        'A2: once RemoveOne has returned, no VMA (the application\'s or a forked copy) maps device IO pages. ' +
        'Fails: unregister (mapping kept), disassociate-vma-dup-not-zapped (BA5: a copy made during disassociation ' +
        'keeps IO), and disassociate with forkOpensFirst.',
      NoIoAfterReset:
        'With reset: once the driver has reset the device (rdma_user_mmap_disassociate), no VMA maps device IO: ' +
        'a doorbell store must not reach hardware under reset. Fails: disassociate-reset-mmap-unlocked with mmap (an ' +
        'mmap that passed the unlocked check installs its IO mapping after the zap), and wherever a fork copy escapes ' +
        'the zap (BA5, forkOpensFirst).',
      GracePeriod:
        'A1: the remover never starts destroying objects (takes hw_destroy_rwsem) or returns while a command that ' +
        'passed the ibdev check is still in the driver. Fails: unregister, zero-page (no grace period at all), ' +
        'disassociate-no-grace-period (BA4).',
      NoUseAfterFree:
        'A1/A4/BA4: driver code (a command\'s driver op, an MR destroy, the close-path cleanup) runs only on live ' +
        'driver state, never on objects the removal destroyed or a device it freed. Fails: unregister, zero-page, BA4.',
      NoDmaToFreedFrame:
        'A3/C3: while the MR\'s HW object is live (the device may DMA through it) its pages stay pinned: pages are ' +
        'released only after the HW destroy. Fails: disassociate-unpin-before-hw-destroy (BC4).',
      NoEditOfDumpingMm:
        'BA6 (CVE-2019-11599): while the application\'s mm is being core-dumped (its VMAs walked without ' +
        'mmap_sem), nobody changes its VMAs or page tables. Needs coreDump. Fails: disassociate-zap-dying-mm ' +
        '(BA6: the remover zaps it), zero-page (the 2005 remap predates the check).',
      PostZapTouchNotFatal:
        'BA1: a store to a doorbell VMA that the removal zapped gets a zero page, never SIGBUS. Fails: ' +
        'disassociate-no-fault-handler. (A VMA copied by fork during/after disassociation has no tracking record and ' +
        'gets SIGBUS by design, brief A.4; that is not covered here.)',
      FatalEventOnEveryFd:
        'A6: when the removal tears down a context still open, every async fd gets exactly one DEVICE_FATAL (and ' +
        'no fd ever gets two). Fails: unregister, zero-page (no event at all), disassociate-fatal-first-fd-only (BA3).',
      DestroyExactlyOnce:
        'A4: the MR\'s HW object is destroyed at most once, and exactly once when its context is gone (by the ' +
        'application, its close, or the removal), once that teardown has finished. Holds in every policy: the close ' +
        'path and the remover serialise on hw_destroy_rwsem and each destroys only an object whose HW is still there; ' +
        'a close path that skips that check destroys it twice (test/models/every-property-can-fail.test.ts).',
      EioAfterDisassociate:
        'A5: once the device is gone for verbs (ibdev NULL, or removal returned), every non-destroy command returns ' +
        'EIO and a destroy still succeeds. Fails: unregister, zero-page (commands go to the freed device).',
      NoSilentBreak:
        'Seed thread / brief E: the promise is broken with notification, never silently: a doorbell store that lands ' +
        'on the zero page, or a command accepted by a gone device, happens only after the application was told ' +
        '(DEVICE_FATAL queued, or EIO seen). Fails: unregister, zero-page; with reset, the disassociate family gives ' +
        'it up by design (a store after the reset\'s zap lands on the zero page before the removal that follows tells ' +
        'the application), except BA1, where that store is fatal instead.',
      RemovalCanReturn: 'Vacuity guard: some behaviour reaches the end of RemoveOne.',
      Deadlock:
        'No state where the removal has not returned and nothing can move. Fails: remove-blocks-on-waiter (BA2: the ' +
        'remover waits for the close, the closing process waits for the remover).',
      RemovalCompletes:
        'L-A1 (weak fairness on the remover; the application may stall forever): RemoveOne eventually returns. ' +
        'Expected: fails for wait-for-close (the application never closes) and remove-blocks-on-waiter (deadlock); ' +
        'holds for disassociate and the other policies.',
      BlockedReaderWoken:
        'L-A2: a reader blocked on an async fd is eventually woken (DEVICE_FATAL or EIO). Expected: holds for the ' +
        'disassociate family (BA3\'s second fd is woken by EIO); fails for unregister, zero-page, wait-for-close, BA2.',
      AppLearnsDeviceGone:
        'Once removal has started while the application runs, the application eventually learns it (DEVICE_FATAL ' +
        'or EIO) unless it stops first. Expected: fails for zero-page and unregister (never told), wait-for-close ' +
        'and BA2 (never told while it keeps running); holds for the disassociate family.',
    },
  }
})
