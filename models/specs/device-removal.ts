/**
 * The spec of device-removal (models/device-removal.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars, type StateOf } from '../../checker/index.js'

export const POLICIES = [
  'unregister',
  'zero-page',
  'wait-for-close',
  'disassociate',
  'disassociate-no-fault-handler',
  'remove-blocks-on-waiter',
  'disassociate-fatal-first-fd-only',
  'disassociate-no-grace-period',
  'disassociate-vma-dup-not-zapped',
  'disassociate-unpin-before-hw-destroy',
  'disassociate-zap-dying-mm',
  'disassociate-reset-mmap-unlocked',
] as const
export type Policy = (typeof POLICIES)[number]

/** What each policy is, and for a known bug, where it comes from (`mrcheck list`, reports). */
export const POLICY_SOURCES: Readonly<Record<Policy, string>> = {
  unregister: 'design: 2005 openib-general "RFD: uverbs and hotplug" (domain/seed-thread.txt): the class device goes away',
  'zero-page': 'design: the seed thread\'s zero page for the doorbell, nobody told',
  'wait-for-close': 'shipped for drivers without disassociate_ucontext: ib_uverbs_remove_one waits for the last close',
  disassociate:
    'shipped: "IB/uverbs: Enable device removal when there are active user space applications" (036b10635739), ' +
    'core mmap API (5f9794dc94f5), zero-page fault handler (67f269b37f9b)',
  'disassociate-no-fault-handler': 'BA1: regression of 5f9794dc94f5, fixed by "RDMA/ucontext: Fix regression with disassociate" (67f269b37f9b)',
  'remove-blocks-on-waiter':
    'BA2: linux-rdma thread "\'rdma link del\' operation hangs at wait_for_completion() when a file descriptor is in use" (Tetsuo Handa, 2025)',
  'disassociate-fatal-first-fd-only':
    'BA3: "RDMA/uverbs: Move IB_EVENT_DEVICE_FATAL to destroy_uobj" (ccfdbaa5cf46, fixes d680e88e2013)',
  'disassociate-no-grace-period': 'BA4: no synchronize_srcu before destroying (uverbs_disassociate_api_pre); model-derived',
  'disassociate-vma-dup-not-zapped': 'BA5: rdma_umap_open without its out_zap path (5f9794dc94f5); model-derived',
  'disassociate-unpin-before-hw-destroy':
    'BC4: ib_umem_release before the HW destroy (the order mlx5_ib_dereg_mr keeps); model-derived, no fix commit',
  'disassociate-zap-dying-mm':
    'BA6: CVE-2019-11599, the remover zaps a core-dumping mm; fixed by "coredump: fix race condition between ' +
    'mmget_not_zero()/get_task_mm() and core dumping" (04f5866e41fb)',
  'disassociate-reset-mmap-unlocked':
    'reset race: v2 of "RDMA/core: Provide rdma_user_mmap_disassociate() to disassociate mmap pages" (linux-rdma, ' +
    'Aug 2024) checked the disassociated flag in ib_uverbs_mmap without disassociation_lock, a race its review found; ' +
    'the merged v6 holds the lock across the driver\'s mmap, which checks dis_db (hns_roce_mmap)',
}

export interface DeviceRemovalParams {
  readonly policy: Policy
  readonly asyncFds: number
  readonly cmdThreads: number
  readonly fork: boolean
  readonly forkOpensFirst: boolean
  readonly coreDump: boolean
  readonly mmap: boolean
  readonly reset: boolean
}

/** The remover's program counter: the last step of RemoveOne it completed. */
const REMOVER = [
  'idle', // not started
  'cdevGone', // a. char device deleted (no new opens)
  'ibdevNull', // b. disassociate_api_pre: ibdev := NULL, driver ioctls unhooked
  'graceDone', // b. synchronize_srcu returned
  'locked', // c. ucontext_lock + hw_destroy_rwsem (write) taken
  'objsDestroyed', // c. every uobject destroyed (MR HW destroyed, pages released, DEVICE_FATAL)
  'mapsZapped', // c. every tracked VMA zapped (zero-page policy: remapped to the zero page)
  'ufilesDone', // c. driver disassociate, ucontext freed, locks released (or the file was gone)
  'queuesClosed', // d. event queues marked closed, readers woken
  'returned', // e. RemoveOne returned; the driver frees the device
] as const
export type RemoverPc = (typeof REMOVER)[number]

/**
 * The ufile's driver context: `tornDown` = its objects were destroyed by the removal, ucontext
 * still allocated; `orphaned` = the device was freed under a live context (2005 policies).
 */
const CTX = ['live', 'tornDown', 'freedByRemoval', 'orphaned', 'freedByClose'] as const
export type CtxState = (typeof CTX)[number]

/**
 * A doorbell VMA: `io` maps device IO and is tracked (umaps list, or the file mapping for the
 * 2005 policies); `ioUntracked` maps IO with no tracking record (BA5); `zapped` has no PTEs and a
 * record (a fault gets the zero page); `zero` has the zero page installed; `untracked` has no
 * PTEs and no record (a fault gets SIGBUS).
 */
const VMA = ['none', 'io', 'ioUntracked', 'zapped', 'zero', 'untracked'] as const
export type VmaState = (typeof VMA)[number]

const rank = (pc: RemoverPc): number => REMOVER.indexOf(pc)

/** Whether the policy is a disassociation design (the shipped one or one of its bug variants). */
export const disassociates = (policy: Policy): boolean => policy.startsWith('disassociate')

/** Whether the remover has set `ibdev := NULL` (commands now get EIO). */
export const ibdevNull = (policy: Policy, pc: RemoverPc): boolean =>
  disassociates(policy) && rank(pc) >= rank('ibdevNull')

/** Whether the remover holds ucontext_lock and hw_destroy_rwsem for write. */
export const destroyLockHeld = (pc: RemoverPc): boolean =>
  pc === 'locked' || pc === 'objsDestroyed' || pc === 'mapsZapped'

/** Whether the removal has freed (or is freeing) the driver state this ufile's objects live in. */
export const driverStateGone = (ctx: CtxState): boolean =>
  ctx === 'tornDown' || ctx === 'freedByRemoval' || ctx === 'orphaned'

/** The MR's teardown has begun: its HW object is destroyed or its pages are released. */
export const mrTeardownStarted = (s: { readonly mr: { readonly hw: string; readonly pinned: boolean } }): boolean =>
  s.mr.hw === 'destroyed' || !s.mr.pinned
/** The MR is half torn down: one of HW destroy and page release is done, not the other. */
export const mrMidTeardown = (s: { readonly mr: { readonly hw: string; readonly pinned: boolean } }): boolean =>
  (s.mr.hw === 'destroyed') === s.mr.pinned

/** Whether the application has been told the device is gone: a DEVICE_FATAL posted, or an EIO seen. */
export function told(s: {
  readonly afd: readonly { readonly fatal: number; readonly reader: string }[]
  readonly threads: readonly string[]
  readonly mmapper: string
}): boolean {
  const fromFds = s.afd.some((f) => f.fatal > 0 || f.reader === 'fatal' || f.reader === 'eio')
  return fromFds || s.threads.some((x) => x === 'eio') || s.mmapper === 'eio'
}

/** A system call of the application is inside the SRCU read side: a command, or an mmap (with `mmap`). */
export const inSyscall = (s: { readonly threads: readonly string[]; readonly mmapper: string }): boolean =>
  s.mmapper === 'entered' || s.threads.some((x) => x === 'inCmd')

/** The doorbell slots of the application's own mm (slot 1 is the forked child's). */
export const ownSlot = (v: number): boolean => v !== 1

/**
 * Async fds are interchangeable, except under the variant that posts the fatal event on the
 * first one only; command threads are interchangeable (symmetry reduction, `--symmetry on`).
 * Without threads there is no Thread type (an index type has at least one member).
 */
const indexTypes = ({ policy, asyncFds, cmdThreads }: DeviceRemovalParams) => ({
  AsyncFd: t.index(asyncFds, { name: 'AsyncFd', symmetric: policy !== 'disassociate-fatal-first-fd-only' }),
  Thread: cmdThreads > 0 ? t.index(cmdThreads, { name: 'Thread', symmetric: true }) : undefined,
})

/** The state variables (TLA+ VARIABLES) with their types. */
const schema = ({ AsyncFd, Thread }: ReturnType<typeof indexTypes>, mmap: boolean) => ({
  remover: t.enum(...REMOVER),
  ctx: t.enum(...CTX),
  mr: t.record({
    handle: t.bool(),
    hw: t.enum('live', 'destroyed'),
    pinned: t.bool(),
    /** HW destroy calls made for this MR, by the application, the close path or the remover. */
    destroys: t.int(0, 2),
  }),
  afd: t.array(
    AsyncFd,
    t.record({
      /** DEVICE_FATAL events posted to this fd. */
      fatal: t.int(0, 2),
      /** The reader thread blocked in read(): still blocked, or what read() returned. */
      reader: t.enum('blocked', 'fatal', 'eio', 'gone'),
    }),
  ),
  /**
   * Slot 0: the application's doorbell mapping; slot 1: the forked child's copy; slot 2 (with
   * `mmap`): a doorbell the application maps while the run goes on.
   */
  vma: t.array(mmap ? 3 : 2, t.enum(...VMA)),
  forked: t.bool(),
  threads: t.array(Thread ?? 0, t.enum('idle', 'inCmd', 'done', 'eio')),
  /** `closing`: close() has dropped the fds, the file's release has not run yet. */
  app: t.enum('running', 'killed', 'closing', 'closed', 'reopened'),
  /** The application's core dump (with `coreDump`): `dumping` walks its mm's VMAs without mmap_sem. */
  dump: t.enum('none', 'dumping', 'done'),
  /**
   * With `mmap`: the thread mapping slot 2: inside ib_uverbs_mmap (SRCU read side, context
   * checked), or what mmap returned (EIO: device gone; EPERM: the device is being reset).
   */
  mmapper: t.enum('idle', 'entered', 'done', 'eio', 'eperm'),
  /** With `reset`: the driver has reset the device (dis_db set, rdma_user_mmap_disassociate run). */
  reset: t.enum('none', 'done'),
})

export const build = (p: DeviceRemovalParams) => {
  const { policy, asyncFds, cmdThreads, fork, forkOpensFirst, coreDump, mmap, reset } = p
  const types = indexTypes(p)
  const fds = Array.from({ length: asyncFds }, (_, i) => i)
  const threadIds = Array.from({ length: cmdThreads }, (_, i) => i)
  const vmaIds = [0, ...(fork ? [1] : []), ...(mmap ? [2] : [])]
  const { spec, action } = vars(schema(types, mmap))
  type S = StateOf<ReturnType<typeof schema>>

  const dis = disassociates(policy)
  const legacy = policy === 'unregister' || policy === 'zero-page'
  const waits = policy === 'wait-for-close' || policy === 'remove-blocks-on-waiter'

  const unpinFirst = policy === 'disassociate-unpin-before-hw-destroy'
  /** The MR's HW destroy: the device stops translating through it. */
  const destroyHw = (d: S) => {
    d.mr.hw = 'destroyed'
    d.mr.destroys = Math.min(2, d.mr.destroys + 1)
  }
  /**
   * The first half of an MR's teardown (dereg_mr): the HW destroy, whose second half
   * (`MrReleasePages`, ib_umem_release) unpins the pages. BC4 does it the other way round.
   */
  const startMrTeardown = (d: S) => {
    if (unpinFirst) d.mr.pinned = false
    else destroyHw(d)
  }
  /** BA2: the removal holds what the file's release needs from its start until it returns. */
  const releaseBlocked = (s: Readonly<S>) =>
    policy === 'remove-blocks-on-waiter' && s.remover !== 'idle' && s.remover !== 'returned'
  /** The file's release: destroy_ufile_hw(CLOSE) unless the remover holds the lock, then the handles go. */
  const release = (d: S) => {
    const lockedOut = dis && destroyLockHeld(d.remover)
    if (!lockedOut && (d.ctx === 'live' || d.ctx === 'orphaned')) {
      if (!mrTeardownStarted(d)) startMrTeardown(d)
      d.ctx = 'freedByClose'
    }
    d.mr.handle = false
    d.app = 'closed'
  }
  /**
   * uverbs_user_mmap_disassociate (removal and reset alike): zap every tracked IO mapping of the
   * file, skipping an mm being core-dumped (mmget_still_valid; BA6: no such check).
   */
  const zapTracked = (d: S) => {
    const skipDumping = policy !== 'disassociate-zap-dying-mm' && d.dump === 'dumping'
    for (const v of vmaIds) if (d.vma[v] === 'io' && !(ownSlot(v) && skipDumping)) d.vma[v] = 'zapped'
  }
  /** The application's mm loses its doorbells (munmap at close, exit_mmap at death). */
  const unmapOwn = (d: S) => {
    for (const v of vmaIds) if (ownSlot(v)) d.vma[v] = 'none'
  }
  const killReaders = (d: S) => {
    for (const f of d.afd) if (f.reader === 'blocked') f.reader = 'gone'
  }

  return spec({
    name: 'device-removal',
    about: POLICY_SOURCES[policy],
    constants: { policy, asyncFds, cmdThreads, fork, forkOpensFirst, coreDump, mmap, reset },
    init: {
      remover: 'idle',
      ctx: 'live',
      mr: { handle: true, hw: 'live', pinned: true, destroys: 0 },
      afd: fds.map(() => ({ fatal: 0, reader: 'blocked' as const })),
      vma: mmap ? ['io', 'none', 'none'] : ['io', 'none'],
      forked: false,
      threads: threadIds.map(() => 'idle' as const),
      app: 'running',
      dump: 'none',
      mmapper: 'idle',
      reset: 'none',
    },
    checkDeadlock: true,
    actions: {
      // ---------------------------------------------------------------- the remover (kernel)
      /** a. Delete the char device: no new opens (2005: class_device_unregister). */
      RemoveDeleteCdev: action({
        guard: (s) => s.remover === 'idle',
        effect: (d) => void (d.remover = 'cdevGone'),
        fairness: 'weak',
        actor: 'kernel',
      }),
      /** b. disassociate_api_pre: `ibdev := NULL`; later commands see EIO at lookup. */
      RemoveNullIbdev: action({
        guard: (s) => dis && s.remover === 'cdevGone',
        effect: (d) => void (d.remover = 'ibdevNull'),
        fairness: 'weak',
        actor: 'kernel',
      }),
      /** b. synchronize_srcu: wait for every command that passed the ibdev check (BA4: no wait). */
      RemoveSyncSrcu: action({
        guard: (s) =>
          dis &&
          s.remover === 'ibdevNull' &&
          (policy === 'disassociate-no-grace-period' || !inSyscall(s)),
        effect: (d) => void (d.remover = 'graceDone'),
        fairness: 'weak',
        actor: 'kernel',
      }),
      /** c. Take ucontext_lock and hw_destroy_rwsem for write; a file the app already released is skipped. */
      RemoveLockUfile: action({
        // hw_destroy_rwsem for write waits for an application destroy still holding it for read.
        guard: (s) => dis && s.remover === 'graceDone' && !mrMidTeardown(s),
        effect: (d) => void (d.remover = d.ctx === 'live' ? 'locked' : 'ufilesDone'),
        fairness: 'weak',
        actor: 'kernel',
      }),
      /**
       * c. destroy_ufile_hw(DRIVER_REMOVE): destroy every uobject. Async-fd uobjects post
       * DEVICE_FATAL as they are destroyed (BA3: the old code posted it to the default fd only).
       */
      RemoveDestroyObjects: action({
        guard: (s) => dis && s.remover === 'locked',
        effect: (d) => {
          if (!mrTeardownStarted(d)) startMrTeardown(d)
          d.afd.forEach((f, i) => {
            if (policy !== 'disassociate-fatal-first-fd-only' || i === 0) f.fatal = Math.min(2, f.fatal + 1)
          })
          d.ctx = 'tornDown'
          d.remover = 'objsDestroyed'
        },
        fairness: 'weak',
        actor: 'kernel',
      }),
      /**
       * c. uverbs_user_mmap_disassociate: zap every tracked VMA, skipping an mm being core-dumped
       * (mmget_still_valid; BA6: no such check). zero-page: remap every VMA of the file
       * (including a child's copy) to the zero page, then return.
       */
      RemoveZapMaps: action({
        guard: (s) =>
          (dis && s.remover === 'objsDestroyed' && !mrMidTeardown(s)) || (policy === 'zero-page' && s.remover === 'cdevGone'),
        effect: (d) => {
          if (dis) zapTracked(d)
          else for (const v of vmaIds) if (d.vma[v] === 'io') d.vma[v] = 'zapped'
          d.remover = 'mapsZapped'
        },
        fairness: 'weak',
        actor: 'kernel',
      }),
      /** c. Driver disassociate_ucontext, dealloc ucontext, `ucontext := NULL`, release the locks. */
      RemoveFreeContext: action({
        guard: (s) => dis && s.remover === 'mapsZapped',
        effect: (d) => {
          d.ctx = 'freedByRemoval'
          d.remover = 'ufilesDone'
        },
        fairness: 'weak',
        actor: 'kernel',
      }),
      /** d. Mark every event queue closed and wake its readers (an empty queue now reads EIO). */
      RemoveCloseQueues: action({
        guard: (s) => dis && s.remover === 'ufilesDone',
        effect: (d) => void (d.remover = 'queuesClosed'),
        fairness: 'weak',
        actor: 'kernel',
      }),
      /**
       * e. Return without waiting for the application; the driver then frees the device. In the
       * 2005 policies a context still open is left pointing at freed device state.
       */
      RemoveReturn: action({
        guard: (s) =>
          (dis && s.remover === 'queuesClosed') ||
          (policy === 'unregister' && s.remover === 'cdevGone') ||
          (policy === 'zero-page' && s.remover === 'mapsZapped'),
        effect: (d) => {
          if (legacy && d.ctx === 'live') d.ctx = 'orphaned'
          d.remover = 'returned'
        },
        fairness: 'weak',
        actor: 'kernel',
      }),
      /** Without disassociate: wait_for_completion until the last reference (the file) is released. */
      RemoveWaitClients: action({
        guard: (s) => waits && s.remover === 'cdevGone' && s.ctx === 'freedByClose' && !mrMidTeardown(s),
        effect: (d) => void (d.remover = 'returned'),
        fairness: 'weak',
        actor: 'kernel',
      }),

      /**
       * The second half of an MR's teardown, in the same dereg_mr call as the first: ib_umem_release
       * unpins the pages after the HW destroy (mlx5_ib_dereg_mr, __ib_umem_release).
       */
      MrReleasePages: action({
        guard: (s) => !unpinFirst && mrMidTeardown(s),
        effect: (d) => void (d.mr.pinned = false),
        fairness: 'weak',
        actor: 'kernel',
      }),
      /** BC4: the pages were released first; the HW destroy comes second, with the device still translating meanwhile. */
      MrDestroyHw: action({
        guard: (s) => unpinFirst && mrMidTeardown(s),
        effect: (d) => destroyHw(d),
        fairness: 'weak',
        actor: 'kernel',
      }),

      // ------------------------------------------------------------------- the application
      /**
       * A thread issues a command: SRCU read side, then the lookup. After `ibdev := NULL` a
       * non-destroy command returns EIO; the 2005 policies have no such check.
       */
      CmdEnter: action(
        { t: types.Thread ?? threadIds },
        {
          guard: (s, { t: i }) => s.app === 'running' && s.threads[i] === 'idle',
          effect: (d, { t: i }) => void (d.threads[i] = ibdevNull(policy, d.remover) ? 'eio' : 'inCmd'),
          actor: 'application',
        },
      ),
      /** The command runs its driver op on the context's objects, leaves the SRCU read side, returns. */
      CmdDriverOp: action(
        { t: types.Thread ?? threadIds },
        {
          guard: (s, { t: i }) => s.threads[i] === 'inCmd',
          effect: (d, { t: i }) => void (d.threads[i] = 'done'),
          fairness: 'weak',
          actor: 'application',
        },
      ),
      /**
       * The application destroys its MR (uobj_destroy: hw_destroy_rwsem for read, the uobject's
       * lock). Allowed after disassociation: with the HW object already gone it only drops the handle.
       */
      DestroyMr: action({
        guard: (s) =>
          s.app === 'running' &&
          s.mr.handle &&
          s.threads.every((x) => x !== 'inCmd') &&
          !(dis && destroyLockHeld(s.remover)),
        effect: (d) => {
          if (!mrTeardownStarted(d)) startMrTeardown(d)
          d.mr.handle = false
        },
        actor: 'application',
      }),
      /**
       * fork(): the child gets a copy of the doorbell VMA (page tables copied, then vm_ops->open).
       * Core mmap API: open tracks the copy, or, racing disassociation (trylock fails) or after it
       * (no ucontext), zaps it and clears its record. BA5: open neither tracks nor zaps the copy.
       * `forkOpensFirst`: open runs before the page tables are copied, so its zap comes too early.
       */
      Fork: action({
        guard: (s) => fork && !s.forked && s.app === 'running' && s.vma[0] !== 'none',
        effect: (d) => {
          const parent = d.vma[0]!
          d.forked = true
          if (!dis) {
            d.vma[1] = parent
          } else if (!destroyLockHeld(d.remover) && d.ctx === 'live') {
            d.vma[1] = parent
          } else if (policy === 'disassociate-vma-dup-not-zapped' || forkOpensFirst) {
            d.vma[1] = parent === 'io' ? 'ioUntracked' : 'untracked'
          } else {
            d.vma[1] = 'untracked'
          }
        },
        actor: 'application',
      }),
      /**
       * A store to a doorbell whose PTEs are gone: the fault handler gives a tracked VMA the zero
       * page and an untracked one SIGBUS (BA1: no fault handler, SIGBUS for every zapped VMA).
       * SIGBUS kills the process that owns the VMA.
       */
      Touch: action(
        { v: vmaIds },
        {
          guard: (s, { v }) => (s.vma[v] === 'zapped' || s.vma[v] === 'untracked') && (v === 1 || s.app === 'running'),
          effect: (d, { v }) => {
            const fatal = d.vma[v] === 'untracked' || policy === 'disassociate-no-fault-handler'
            if (!fatal) {
              d.vma[v] = 'zero'
            } else if (ownSlot(v)) {
              unmapOwn(d)
              d.app = 'killed'
              killReaders(d)
            } else {
              d.vma[1] = 'none'
            }
          },
          actor: 'application',
        },
      ),
      /**
       * With `coreDump`: a core-dumping signal kills the application once no thread is inside a
       * command (coredump_wait); the dumper then walks its mm's VMAs without mmap_sem.
       */
      CoreDump: action({
        guard: (s) => coreDump && s.app === 'running' && s.dump === 'none' && !inSyscall(s),
        effect: (d) => {
          d.dump = 'dumping'
          d.app = 'killed'
          killReaders(d)
        },
        actor: 'application',
      }),
      /** The dump is written and the process exits: exit_mmap unmaps the doorbell (its fds close in `Close`). */
      CoreDumpEnd: action({
        guard: (s) => s.dump === 'dumping',
        effect: (d) => {
          d.dump = 'done'
          unmapOwn(d)
        },
        fairness: 'weak',
        actor: 'kernel',
      }),
      /**
       * With `mmap`: a thread maps another doorbell (ib_uverbs_mmap): the SRCU read side and the
       * context check (EIO once `ibdev` is NULL). The 2005 policies check nothing. Under
       * `disassociate-reset-mmap-unlocked` the reset flag is read here, without the lock that the
       * reset's zap holds.
       */
      MmapEnter: action({
        guard: (s) => mmap && s.app === 'running' && s.mmapper === 'idle',
        effect: (d) => {
          if (ibdevNull(policy, d.remover)) d.mmapper = 'eio'
          else if (policy === 'disassociate-reset-mmap-unlocked' && d.reset === 'done') d.mmapper = 'eperm'
          else d.mmapper = 'entered'
        },
        actor: 'application',
      }),
      /**
       * The driver's mmap under disassociation_lock: it refuses a device being reset (hns_roce_mmap
       * checks dis_db: EPERM), else rdma_user_mmap_io maps the IO page and tracks the VMA; then
       * the SRCU read side ends. A process that died meanwhile loses the mapping with its mm.
       */
      MmapInstall: action({
        guard: (s) => s.mmapper === 'entered',
        effect: (d) => {
          if (policy !== 'disassociate-reset-mmap-unlocked' && d.reset === 'done') {
            d.mmapper = 'eperm'
            return
          }
          if (d.app === 'running') d.vma[2] = 'io'
          d.mmapper = 'done'
        },
        fairness: 'weak',
        actor: 'application',
      }),
      /**
       * With `reset` (disassociate family): the driver resets the device (hns_roce_hw_v2_reset_notify_down):
       * dis_db is set, then rdma_user_mmap_disassociate zaps every tracked mapping of a file that
       * still has a ucontext, under disassociation_lock, without destroying any object. Nobody is
       * told: the application learns of it only when the removal that follows posts DEVICE_FATAL.
       */
      DriverReset: action({
        guard: (s) => reset && dis && s.reset === 'none' && (s.ctx === 'live' || s.ctx === 'tornDown'),
        effect: (d) => {
          d.reset = 'done'
          zapTracked(d)
        },
        actor: 'kernel',
      }),
      /** The child exits (or unmaps its copy). */
      ChildExit: action({
        guard: (s) => s.vma[1] !== 'none',
        effect: (d) => void (d.vma[1] = 'none'),
        actor: 'application',
      }),
      /** A blocked reader of an async fd returns: the queued DEVICE_FATAL, or EIO on a closed empty queue. */
      ReadAsyncEvent: action(
        { f: types.AsyncFd },
        {
          guard: (s, { f }) =>
            s.afd[f]!.reader === 'blocked' && (s.afd[f]!.fatal > 0 || (dis && rank(s.remover) >= rank('queuesClosed'))),
          effect: (d, { f }) => {
            const fd = d.afd[f]!
            fd.reader = fd.fatal > 0 ? 'fatal' : 'eio'
          },
          fairness: 'weak',
          actor: 'application',
        },
      ),
      /**
       * The application unmaps its doorbell and closes its fds (or exits after SIGBUS); the file is
       * released once the child's copy is gone too. destroy_ufile_hw(CLOSE) uses a trylock on
       * ucontext_lock: if the remover holds it, the remover does the cleanup. BA2: while the
       * removal runs, the release has to wait for it (`CloseRelease`).
       */
      Close: action({
        guard: (s) =>
          (s.app === 'running' || s.app === 'killed') &&
          s.vma[1] === 'none' &&
          s.dump !== 'dumping' &&
          !inSyscall(s) &&
          // The file is released after a destroy the application has under way returns.
          !(mrMidTeardown(s) && !(dis && destroyLockHeld(s.remover))),
        effect: (d) => {
          unmapOwn(d)
          killReaders(d)
          if (releaseBlocked(d)) d.app = 'closing'
          else release(d)
        },
        actor: 'application',
      }),
      /** BA2: the file's release runs once the removal no longer holds what it needs. */
      CloseRelease: action({
        guard: (s) => s.app === 'closing' && !releaseBlocked(s),
        effect: (d) => release(d),
        fairness: 'weak',
        actor: 'kernel',
      }),
      /** The application opens another device and carries on there. */
      ReopenOther: action({
        guard: (s) => s.app === 'closed',
        effect: (d) => void (d.app = 'reopened'),
        actor: 'application',
      }),
      /** Stutter once the removal has returned: the normal end of a run is not a deadlock. */
      Finished: action({
        guard: (s) => s.remover === 'returned',
        effect: () => {},
        actor: 'kernel',
      }),
    },
  })
}

export type DeviceRemoval = ReturnType<typeof build>
