import test from 'ava'
import {
  check,
  checkModel,
  instantiate,
  properties,
  type CheckResult,
  type Violation,
} from '../../checker/index.js'
import deviceRemoval, { POLICIES, type DeviceRemoval } from '../../models/device-removal.js'

/** One exhaustive run per parameter set, shared by the tests that look at it. */
const runs = new Map<string, Promise<CheckResult>>()
const run = (params: Record<string, unknown>): Promise<CheckResult> => {
  const key = JSON.stringify(params)
  if (!runs.has(key)) runs.set(key, checkModel(deviceRemoval, params, { continue: true }))
  return runs.get(key)!
}
const violated = (r: CheckResult) => r.violations.map((v) => v.property).sort()
const actions = (v: Violation | undefined) => v?.trace.slice(1).map((s) => s.action?.name)
const find = (r: CheckResult, property: string) => r.violations.find((v) => v.property === property)

/**
 * Per policy at the default parameters: the exact set of broken properties (safety and liveness)
 * and the state count.
 */
const MATRIX: Record<(typeof POLICIES)[number], { violated: string[]; distinct: number }> = {
  unregister: {
    violated: [
      'AppLearnsDeviceGone',
      'BlockedReaderWoken',
      'EioAfterDisassociate',
      'FatalEventOnEveryFd',
      'GracePeriod',
      'MrContract',
      'NoIoAfterRemoval',
      'NoSilentBreak',
      'NoUseAfterFree',
    ],
    distinct: 129,
  },
  'zero-page': {
    violated: [
      'AppLearnsDeviceGone',
      'BlockedReaderWoken',
      'EioAfterDisassociate',
      'FatalEventOnEveryFd',
      'GracePeriod',
      'MrContract',
      'NoSilentBreak',
      'NoUseAfterFree',
    ],
    distinct: 262,
  },
  'wait-for-close': { violated: ['AppLearnsDeviceGone', 'BlockedReaderWoken', 'RemovalCompletes'], distinct: 94 },
  disassociate: { violated: [], distinct: 1673 },
  'disassociate-no-fault-handler': { violated: ['PostZapTouchNotFatal'], distinct: 1481 },
  'remove-blocks-on-waiter': {
    violated: ['AppLearnsDeviceGone', 'BlockedReaderWoken', 'Deadlock', 'RemovalCompletes'],
    distinct: 102,
  },
  'disassociate-fatal-first-fd-only': { violated: ['FatalEventOnEveryFd'], distinct: 1265 },
  'disassociate-no-grace-period': { violated: ['GracePeriod', 'NoUseAfterFree'], distinct: 2058 },
  'disassociate-vma-dup-not-zapped': { violated: ['NoIoAfterRemoval'], distinct: 1865 },
  'disassociate-unpin-before-hw-destroy': { violated: ['MrContract', 'NoDmaToFreedFrame'], distinct: 1673 },
  // BA6 needs a core dump (coreDump); without one it is the shipped design.
  'disassociate-zap-dying-mm': { violated: [], distinct: 1673 },
  // The reset race needs a reset and an mmap (reset, mmap); without them it is the shipped design.
  'disassociate-reset-mmap-unlocked': { violated: [], distinct: 1673 },
}

const TO_DESTROY = ['RemoveDeleteCdev', 'RemoveNullIbdev', 'RemoveSyncSrcu', 'RemoveLockUfile', 'RemoveDestroyObjects']
/** RemoveDestroyObjects destroys the MR's HW object; ib_umem_release unpins its pages in the next step. */
const TO_RELEASE = [...TO_DESTROY, 'MrReleasePages']
const TO_RETURN_AFTER_ZAP = ['RemoveZapMaps', 'RemoveFreeContext', 'RemoveCloseQueues', 'RemoveReturn']

test('the matrix covers exactly the declared policies', (t) => {
  t.deepEqual(Object.keys(MATRIX), [...POLICIES])
  t.is(deviceRemoval.matrixParam, 'policy')
})

for (const policy of POLICIES) {
  test(`${policy}: broken properties and distinct states at the defaults`, async (t) => {
    const r = await run({ policy })
    const want = MATRIX[policy]
    t.true(r.complete)
    t.is(r.status, want.violated.length === 0 ? 'ok' : 'violation')
    t.deepEqual(violated(r), want.violated)
    t.is(r.stats.distinct, want.distinct)
    // Safety counterexamples are shortest; lassos are fair but not necessarily shortest.
    t.true(r.violations.every((v) => v.shortest || v.kind === 'temporal'))
  })
}

test('unregister (2005): the mapping stays on device IO and verbs reach the freed device unannounced', async (t) => {
  const r = await run({ policy: 'unregister' })
  t.deepEqual(actions(find(r, 'NoIoAfterRemoval')), ['RemoveDeleteCdev', 'RemoveReturn'])
  t.deepEqual(actions(find(r, 'NoSilentBreak')), ['RemoveDeleteCdev', 'RemoveReturn', 'CmdEnter'])
  t.deepEqual(actions(find(r, 'NoUseAfterFree')), ['RemoveDeleteCdev', 'RemoveReturn', 'DestroyMr'])
  t.deepEqual(actions(find(r, 'GracePeriod')), ['RemoveDeleteCdev', 'CmdEnter', 'RemoveReturn'])
})

test('zero-page (the seed idea): the doorbell store lands on the zero page and nobody was told', async (t) => {
  const r = await run({ policy: 'zero-page' })
  const v = find(r, 'NoSilentBreak')
  t.deepEqual(actions(v), ['RemoveDeleteCdev', 'RemoveZapMaps', 'Touch'])
  t.deepEqual((v?.trace.at(-1)?.state as { vma: string[] }).vma[0], 'zero')
  t.deepEqual(actions(find(r, 'FatalEventOnEveryFd')), ['RemoveDeleteCdev', 'RemoveZapMaps', 'RemoveReturn'])
})

test('BA1 disassociate-no-fault-handler: a store to the zapped doorbell is fatal', async (t) => {
  const r = await run({ policy: 'disassociate-no-fault-handler' })
  const v = find(r, 'PostZapTouchNotFatal')
  t.is(v?.kind, 'action')
  t.deepEqual(actions(v), [...TO_RELEASE, 'RemoveZapMaps', 'Touch'])
  t.deepEqual(v?.trace.at(-1)?.action?.params, { v: 0 })
  t.is((v?.trace.at(-1)?.state as { app: string }).app, 'killed')
})

test('BA2 remove-blocks-on-waiter: the close starts, its release waits for the remover, which waits for the release', async (t) => {
  const r = await run({ policy: 'remove-blocks-on-waiter' })
  const v = find(r, 'Deadlock')
  t.is(v?.kind, 'deadlock')
  t.deepEqual(actions(v), ['RemoveDeleteCdev', 'Close'])
  const last = v?.trace.at(-1)?.state as { remover: string; app: string; ctx: string }
  t.deepEqual([last.remover, last.app, last.ctx], ['cdevGone', 'closing', 'live'])
  // A close before the removal starts releases the file, and the removal then returns.
  t.is((await run({ policy: 'wait-for-close' })).violations.some((x) => x.kind === 'deadlock'), false)
})

test('BA3 disassociate-fatal-first-fd-only: the second async fd gets no DEVICE_FATAL', async (t) => {
  const r = await run({ policy: 'disassociate-fatal-first-fd-only' })
  const v = find(r, 'FatalEventOnEveryFd')
  t.deepEqual(actions(v), TO_DESTROY)
  t.deepEqual(
    (v?.trace.at(-1)?.state as { afd: { fatal: number }[] }).afd.map((f) => f.fatal),
    [1, 0],
  )
})

test('BA4 disassociate-no-grace-period: a command that passed the ibdev check runs on destroyed objects', async (t) => {
  const r = await run({ policy: 'disassociate-no-grace-period' })
  t.deepEqual(actions(find(r, 'GracePeriod')), [
    'RemoveDeleteCdev',
    'CmdEnter',
    'RemoveNullIbdev',
    'RemoveSyncSrcu',
    'RemoveLockUfile',
  ])
  t.deepEqual(actions(find(r, 'NoUseAfterFree')), [
    'RemoveDeleteCdev',
    'CmdEnter',
    'RemoveNullIbdev',
    'RemoveSyncSrcu',
    'RemoveLockUfile',
    'RemoveDestroyObjects',
    'CmdDriverOp',
  ])
})

test('BA5 disassociate-vma-dup-not-zapped: a fork during disassociation keeps device IO after removal', async (t) => {
  const r = await run({ policy: 'disassociate-vma-dup-not-zapped' })
  const v = find(r, 'NoIoAfterRemoval')
  t.deepEqual(actions(v), [...TO_RELEASE, 'Fork', ...TO_RETURN_AFTER_ZAP])
  t.deepEqual((v?.trace.at(-1)?.state as { vma: string[] }).vma, ['zapped', 'ioUntracked'])
})

test('the shipped design with open-before-copy fork order breaks A2 exactly like BA5', async (t) => {
  const r = await run({ policy: 'disassociate', forkOpensFirst: true })
  t.deepEqual(violated(r), ['NoIoAfterRemoval'])
  t.deepEqual(actions(find(r, 'NoIoAfterRemoval')), [...TO_RELEASE, 'Fork', ...TO_RETURN_AFTER_ZAP])
  t.is(r.stats.distinct, 1865)
})

test('BA6 disassociate-zap-dying-mm: the remover zaps the VMAs of an mm being core-dumped; the shipped design skips it', async (t) => {
  const [bug, ok] = await Promise.all([
    run({ policy: 'disassociate-zap-dying-mm', coreDump: true }),
    run({ policy: 'disassociate', coreDump: true }),
  ])
  t.deepEqual(violated(bug), ['NoEditOfDumpingMm'])
  const v = find(bug, 'NoEditOfDumpingMm')
  t.deepEqual(actions(v), [...TO_RELEASE, 'CoreDump', 'RemoveZapMaps'])
  t.is(v?.trace.length, 9)
  t.is(ok.status, 'ok')
  t.true(ok.complete)
  // The skipped mm keeps its IO mapping until the dump ends, after the removal has returned.
  t.true(ok.checked.actionProperties.includes('NoEditOfDumpingMm'))
})

test('each bug needs its ingredient: without it the variant holds', async (t) => {
  t.is((await run({ policy: 'disassociate-fatal-first-fd-only', asyncFds: 1 })).status, 'ok')
  t.is((await run({ policy: 'disassociate-no-grace-period', cmdThreads: 0 })).status, 'ok')
  t.is((await run({ policy: 'disassociate-vma-dup-not-zapped', fork: false })).status, 'ok')
  t.is((await run({ policy: 'disassociate', cmdThreads: 2 })).stats.distinct, 5023)
})

test('BC4 disassociate-unpin-before-hw-destroy: the pages are released while the device still translates through the MR', async (t) => {
  const r = await run({ policy: 'disassociate-unpin-before-hw-destroy' })
  const v = find(r, 'NoDmaToFreedFrame')
  // The application's own dereg is enough; the removal's teardown of a live MR does the same.
  t.deepEqual(actions(v), ['DestroyMr'])
  t.deepEqual((v?.trace.at(-1)?.state as { mr: { hw: string; pinned: boolean } }).mr, {
    handle: false,
    hw: 'live',
    pinned: false,
    destroys: 0,
  })
  const byRemoval = await check(
    instantiate(deviceRemoval, { policy: 'disassociate-unpin-before-hw-destroy' }).spec,
    properties<DeviceRemoval>(() => ({
      invariants: { NoDmaToFreedFrame: (s) => s.mr.handle === false || s.mr.hw !== 'live' || s.mr.pinned },
    }))({}),
  )
  t.deepEqual(actions(byRemoval.violations[0]), TO_DESTROY)
})

test('disassociate: a child touching a copy made during disassociation gets SIGBUS (no tracking record)', async (t) => {
  const { spec } = instantiate(deviceRemoval, { policy: 'disassociate' })
  const childCopy = properties<DeviceRemoval>(() => ({
    actionProperties: {
      ChildCopyTouchNotFatal: (s, n, step) =>
        !(step.action === 'Touch' && step.params.v === 1 && s.vma[1] === 'untracked' && n.vma[1] === 'none'),
    },
  }))
  const r = await check(spec, childCopy({}))
  const v = r.violations[0]
  t.is(v?.property, 'ChildCopyTouchNotFatal')
  t.deepEqual(actions(v), [...TO_DESTROY.slice(0, 4), 'Fork', 'Touch'])
})

test('liveness properties are declared and every property has a doc', (t) => {
  const { props } = instantiate(deviceRemoval, {})
  t.deepEqual(Object.keys(props.temporal ?? {}), ['RemovalCompletes', 'BlockedReaderWoken', 'AppLearnsDeviceGone'])
  const names = [
    ...Object.keys(props.invariants ?? {}),
    ...Object.keys(props.actionProperties ?? {}),
    ...Object.keys(props.reachable ?? {}),
    ...Object.keys(props.temporal ?? {}),
    'Deadlock',
  ]
  for (const n of names) t.truthy(props.docs?.[n], n)
})

test('L-A1: wait-for-close never finishes removal while the application keeps the device open; disassociate does', async (t) => {
  const lasso = find(await run({ policy: 'wait-for-close' }), 'RemovalCompletes')
  if (lasso === undefined) return t.fail('RemovalCompletes holds under wait-for-close')
  t.is(lasso.kind, 'temporal')
  t.not(lasso.loopStart, undefined)
  // The application never closes in the behaviour: the remover waits forever.
  t.false(lasso.trace.some((s) => s.action?.name === 'Close'))
  t.is(find(await run({ policy: 'disassociate' }), 'RemovalCompletes'), undefined)
})

test('zero-page: the application never learns the device is gone', async (t) => {
  const lasso = find(await run({ policy: 'zero-page' }), 'AppLearnsDeviceGone')
  t.is(lasso?.kind, 'temporal')
  t.is(find(await run({ policy: 'disassociate' }), 'AppLearnsDeviceGone'), undefined)
})

test('mmap racing removal: the grace period covers an mmap as it covers a command; without it (BA4) the mmap maps IO after the zap', async (t) => {
  const [ok, bug] = await Promise.all([
    run({ policy: 'disassociate', mmap: true }),
    run({ policy: 'disassociate-no-grace-period', mmap: true }),
  ])
  t.is(ok.status, 'ok')
  t.is(ok.stats.distinct, 5983)
  t.deepEqual(violated(bug), ['GracePeriod', 'NoIoAfterRemoval', 'NoUseAfterFree'])
  const v = find(bug, 'NoIoAfterRemoval')
  t.true(v?.shortest)
  t.is(v?.trace.length, 13)
  t.deepEqual(actions(v), [
    'RemoveDeleteCdev',
    'MmapEnter',
    'RemoveNullIbdev',
    'RemoveSyncSrcu',
    'RemoveLockUfile',
    'RemoveDestroyObjects',
    'MrReleasePages',
    ...TO_RETURN_AFTER_ZAP,
    'MmapInstall',
  ])
  t.deepEqual((v?.trace.at(-1)?.state as { vma: string[] }).vma, ['zapped', 'none', 'io'])
})

test('device reset beside removal: the reset race of the v2 patch maps IO under reset; the merged design holds it', async (t) => {
  const [ok, bug, noMmap] = await Promise.all([
    run({ policy: 'disassociate', mmap: true, reset: true }),
    run({ policy: 'disassociate-reset-mmap-unlocked', mmap: true, reset: true }),
    run({ policy: 'disassociate-reset-mmap-unlocked', reset: true }),
  ])
  t.true(ok.checked.invariants.includes('NoIoAfterReset'))
  // A reset drops doorbell stores on the zero page before the removal tells anyone: given up by design.
  t.deepEqual(violated(ok), ['NoSilentBreak'])
  t.deepEqual(actions(find(ok, 'NoSilentBreak')), ['DriverReset', 'Touch'])
  t.is(ok.stats.distinct, 16219)
  t.deepEqual(violated(bug), ['NoIoAfterReset', 'NoSilentBreak'])
  const v = find(bug, 'NoIoAfterReset')
  t.true(v?.shortest)
  t.is(v?.trace.length, 4)
  t.deepEqual(actions(v), ['MmapEnter', 'DriverReset', 'MmapInstall'])
  t.deepEqual((v?.trace.at(-1)?.state as { vma: string[] }).vma, ['zapped', 'none', 'io'])
  // The race needs an mmap in flight.
  t.deepEqual(violated(noMmap), ['NoSilentBreak'])
  // NoIoAfterReset applies only where the driver can reset.
  t.false((await run({ policy: 'disassociate' })).checked.invariants.includes('NoIoAfterReset'))
})
