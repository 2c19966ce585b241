import test from 'ava'
import type { ExecutionContext } from 'ava'
import { check, checkModel, instantiate } from '../../checker/index.js'
import type { CheckResult, Violation } from '../../checker/index.js'
import pageMigration from '../../models/page-migration.js'

const run = (params: Record<string, unknown>) => checkModel(pageMigration, params, { continue: true })

const violated = (r: CheckResult) => r.violations.map((v) => v.property).sort()

const find = (t: ExecutionContext, r: CheckResult, property: string): Violation => {
  const v = r.violations.find((x) => x.property === property)
  if (v === undefined) throw new Error(`${property} is not violated (violated: ${violated(r).join(', ')})`)
  t.is(v.trace[0]?.action, null)
  return v
}

/** What the model declares the instance is meant to break, sorted. */
const expectedBreaks = (params: Record<string, unknown>) =>
  [...pageMigration.expectedBreaks!(instantiate(pageMigration, params).params as never)].sort()

const actionsOf = (v: Violation) => v.trace.slice(1).map((s) => s.action?.name)

/** Re-runs a trace through the spec's own guards and effects: every step is enabled and gives the recorded state. */
const replays = (t: ExecutionContext, params: Record<string, unknown>, v: Violation) => {
  const { spec } = instantiate(pageMigration, params)
  let state = structuredClone(v.trace[0]!.state) as Record<string, unknown>
  for (const step of v.trace.slice(1)) {
    const a = step.action!
    const def = spec.actions[a.name]!
    t.true(def.guard === undefined || def.guard(state, a.params), `${a.label} is enabled`)
    const next = structuredClone(state)
    def.effect(next, a.params)
    t.notDeepEqual(next, state, `${a.label} changes the state`)
    t.deepEqual(next, step.state, `${a.label} gives the recorded state`)
    state = next
  }
}

/**
 * The policy matrix at default parameters (pages=1, frames=2, moves=1, writes=1, ib, rnr_retry=7):
 * every violated property per policy; the correct policies hold everything with these state counts.
 */
const matrix: Record<string, string[] | number> = {
  naive: ['MrContract', 'NoDmaToFreedFrame', 'NoLostWrite', 'NoSilentBreak', 'NoStaleTranslation'],
  pin: 12,
  eliminate: ['RKeyHonoured'],
  'suspend-resume': 29,
  odp: 225,
  'odp-no-retry-check': ['CommitMatchesSnapshot', 'MrContract', 'NoDmaToFreedFrame', 'NoLostWrite', 'NoSilentBreak', 'NoStaleTranslation'],
  'odp-snapshot-after-walk': ['MrContract', 'NoDmaToFreedFrame', 'NoLostWrite', 'NoSilentBreak', 'NoStaleTranslation'],
  'odp-check-not-atomic': [
    'CommitMatchesSnapshot',
    'MrContract',
    'NoDmaToFreedFrame',
    'NoLostWrite',
    'NoSilentBreak',
    'NoStaleTranslation',
    'ZappedOnReturn',
  ],
  'odp-async-zap': ['MrContract', 'NoDmaToFreedFrame', 'NoLostWrite', 'NoSilentBreak', 'NoStaleTranslation', 'ZappedOnReturn'],
  'odp-revoke-outside-lock': ['NoUpdateForRevokedKey'],
  // One invalidation at a time (the default) is all it needs to be the shipped design.
  'odp-range-end-ignores-others': 225,
  // Without a prefetch request, and without a munmap, these are the shipped design too.
  'odp-prefetch-count-before-sync': 225,
  'odp-unmap-fault-retries': 225,
}

test('page-migration: the matrix covers every policy', (t) => {
  const decl = pageMigration.params.policy
  t.is(pageMigration.matrixParam, 'policy')
  t.deepEqual(Object.keys(matrix), decl.kind === 'enum' ? [...decl.values] : [])
})

for (const [policy, expected] of Object.entries(matrix)) {
  test(`page-migration ${policy}: ${typeof expected === 'number' ? `holds, ${expected} states` : expected.join(', ')}`, async (t) => {
    const r = await run({ policy })
    t.true(r.complete)
    if (typeof expected === 'number') {
      t.is(r.status, 'ok')
      t.is(r.stats.distinct, expected)
    } else {
      t.is(r.status, 'violation')
      t.deepEqual(violated(r), expected)
    }
  })
}

test('odp-no-retry-check (BB1): a short trace to a device translation through a frame the kernel reused', async (t) => {
  const params = { policy: 'odp-no-retry-check' } as const
  const r = await run(params)
  const v = find(t, r, 'NoStaleTranslation')
  t.deepEqual(actionsOf(v), ['FaultBegin', 'FaultWalk', 'InvStart', 'InvCallback', 'InvUnlock', 'FaultCommit', 'OsMutate'])
  const last = v.trace.at(-1)!.state as { dev: (number | null)[]; cpu: number[]; frames: { use: string }[] }
  t.deepEqual(last.dev, [0])
  t.deepEqual(last.cpu, [1])
  t.is(last.frames[0]?.use, 'kernel')
  replays(t, params, v)
  // The unchecked commit itself breaks B3 one step earlier. B3 is a mechanism, so a plain check
  // (stopping at the first broken promise) goes on to the stale translation and reports it first.
  t.deepEqual(actionsOf(find(t, r, 'CommitMatchesSnapshot')), actionsOf(v).slice(0, 6))
  const plain = await checkModel(pageMigration, params)
  t.deepEqual(
    plain.violations.map((x) => [x.property, x.trace.length]),
    [
      ['NoStaleTranslation', 8],
      ['CommitMatchesSnapshot', 7],
    ],
  )
  t.deepEqual(plain.violations[0], v)
})

test('odp-snapshot-after-walk (BB2): walk and pin, a whole munmap invalidation, then a snapshot that sees nothing', async (t) => {
  const params = { policy: 'odp-snapshot-after-walk' }
  const r = await run(params)
  const v = find(t, r, 'NoStaleTranslation')
  t.deepEqual(actionsOf(v), ['FaultWalk', 'InvStart', 'InvCallback', 'InvUnlock', 'OsMutate', 'InvEnd', 'FaultBegin', 'FaultCommit'])
  replays(t, params, v)
  // As in hfi1: the unmapped frame stays pinned by the driver, not reused by the kernel; the device
  // translates the page to it, so an acknowledged write lands where the process no longer looks.
  const last = v.trace.at(-1)!.state as { dev: (number | null)[]; cpu: number[]; frames: { use: string }[] }
  t.deepEqual([last.dev, last.cpu, last.frames.map((f) => f.use)], [[0], [1], ['pinned', 'page']])
  const lost = find(t, r, 'NoLostWrite')
  t.is(lost.trace.at(-1)?.action?.name, 'DmaLand')
  t.false(lost.trace.some((s) => (s.state as { frames: { use: string }[] }).frames.some((f) => f.use === 'kernel')))
  replays(t, params, lost)
})

test('odp-check-not-atomic (BB3): the invalidation slips between check and program', async (t) => {
  const params = { policy: 'odp-check-not-atomic' }
  const r = await run(params)
  const v = find(t, r, 'NoStaleTranslation')
  t.deepEqual(actionsOf(v), [
    'FaultBegin',
    'FaultWalk',
    'FaultCheck',
    'FaultUnlock',
    'InvStart',
    'InvCallback',
    'FaultProgram',
    'InvUnlock',
    'OsMutate',
  ])
  replays(t, params, v)
  t.deepEqual(actionsOf(find(t, r, 'CommitMatchesSnapshot')), actionsOf(v).slice(0, 7))
})

test('odp-async-zap (BB4): the callback returns before the zap, the kernel reuses the frame', async (t) => {
  const params = { policy: 'odp-async-zap' }
  const r = await run(params)
  const b2 = find(t, r, 'ZappedOnReturn')
  t.deepEqual(actionsOf(b2), ['FaultBegin', 'FaultWalk', 'FaultCommit', 'FaultUnlock', 'InvStart', 'InvCallback', 'InvUnlock'])
  const b1 = find(t, r, 'NoStaleTranslation')
  t.deepEqual(actionsOf(b1), [...actionsOf(b2), 'OsMutate'])
  replays(t, params, b1)
  const dma = find(t, r, 'NoDmaToFreedFrame')
  t.is(dma.trace.at(-1)?.action?.name, 'DmaLand')
  replays(t, params, dma)
})

test('odp-revoke-outside-lock (BB5): an invalidation posts a zap for the revoked key', async (t) => {
  const params = { policy: 'odp-revoke-outside-lock' }
  const v = find(t, await run(params), 'NoUpdateForRevokedKey')
  t.deepEqual(actionsOf(v), ['FaultBegin', 'FaultWalk', 'FaultCommit', 'FaultUnlock', 'DeregRevoke', 'InvStart', 'InvCallback'])
  t.is((v.trace.at(-1)!.state as { umrQp: string }).umrQp, 'error')
  replays(t, params, v)
})

test('naive: the kernel moves the page under an in-flight write; the ACK is a lie', async (t) => {
  const params = { policy: 'naive' }
  const r = await run(params)
  t.deepEqual(actionsOf(find(t, r, 'NoStaleTranslation')), ['Migrate'])
  const v = find(t, r, 'NoLostWrite')
  t.deepEqual(actionsOf(v), ['PeerWrite', 'DmaStart', 'Migrate', 'DmaLand'])
  replays(t, params, v)
})

test('eliminate: the R-Key promise is broken, with the app told in the same step', async (t) => {
  const params = { policy: 'eliminate' }
  const v = find(t, await run(params), 'RKeyHonoured')
  t.deepEqual(actionsOf(v), ['PeerWrite', 'Eliminate', 'AccessNak'])
  t.is((v.trace.at(-1)!.state as { appEvent: boolean }).appEvent, true)
  replays(t, params, v)
})

test('suspend-resume on iWARP cannot wait: TCP retransmission runs out, the stream is terminated', async (t) => {
  const params = { policy: 'suspend-resume', transport: 'iwarp' }
  const r = await run(params)
  t.deepEqual(violated(r), ['RKeyHonoured'])
  t.is(r.stats.distinct, 43)
  const v = find(t, r, 'RKeyHonoured')
  t.deepEqual(actionsOf(v), ['PeerWrite', 'Suspend', 'StallNak', 'StallNak'])
  replays(t, params, v)
})

test('odp on iWARP and on IB with a finite rnr_retry: a stall can end in an error', async (t) => {
  t.deepEqual(violated(await run({ policy: 'odp', transport: 'iwarp' })), ['RKeyHonoured'])
  // On IB the responder is not told that the requester gave up: the break is silent there.
  t.deepEqual(violated(await run({ policy: 'odp', rnrRetry: 1 })), ['MrContract', 'NoSilentBreak', 'RKeyHonoured'])
  t.deepEqual(violated(await run({ policy: 'suspend-resume', rnrRetry: 1 })), ['MrContract', 'NoSilentBreak', 'RKeyHonoured'])
})

test('pin in ZONE_MOVABLE (BC1): memory stays safe; the zone rule C1 fails from the start and offlining never succeeds (L-C1)', async (t) => {
  const r = await run({ policy: 'pin', movable: true })
  t.deepEqual(violated(r), ['MovableBlockVacated', 'PinNotMovable'])
  t.is(find(t, r, 'PinNotMovable').trace.length, 1)
  const lasso = find(t, r, 'MovableBlockVacated')
  t.is(lasso.kind, 'temporal')
  t.not(lasso.loopStart, undefined)
})

test('L-C1 at the README size and one larger: offlining is pursued to the end, so every correct design holds every promise', async (t) => {
  // Before the offline request was modelled, the kernel could spend its `moves` budget (or the
  // last free frame) on another page and stop with page 0 still in ZONE_MOVABLE: odp,
  // suspend-resume and eliminate failed MovableBlockVacated from two pages on.
  for (const size of [
    { pages: 2, frames: 3, moves: 2 },
    { pages: 3, frames: 4, moves: 2, writes: 2 },
  ]) {
    for (const policy of ['naive', 'pin', 'eliminate', 'suspend-resume', 'odp']) {
      const r = await run({ policy, ...size })
      t.true(r.complete, policy)
      t.deepEqual(violated(r), expectedBreaks({ policy, ...size }), `${policy} ${JSON.stringify(size)}`)
      t.false(violated(r).includes('MovableBlockVacated'), policy)
    }
    const bc1 = await run({ policy: 'pin', movable: true, ...size })
    t.deepEqual(violated(bc1), ['MovableBlockVacated', 'PinNotMovable'])
    t.is(find(t, bc1, 'MovableBlockVacated').kind, 'temporal')
  }
})

test('zapWaitsForDma off: a device that acknowledges a revocation with DMA in flight lands data through a dead key', async (t) => {
  const pin = { policy: 'pin', zapWaitsForDma: false }
  const r = await run(pin)
  t.deepEqual(violated(r), ['MrContract', 'NoAccessThroughInvalidKey', 'NoDmaToFreedFrame', 'NoLostWrite', 'NoSilentBreak'])
  const v = find(t, r, 'NoAccessThroughInvalidKey')
  t.deepEqual(actionsOf(v), ['PeerWrite', 'DmaStart', 'Dereg', 'DmaLand'])
  replays(t, pin, v)
  t.deepEqual(actionsOf(find(t, r, 'NoDmaToFreedFrame')), ['PeerWrite', 'DmaStart', 'Dereg', 'Migrate', 'DmaLand'])
  // odp rests on the same assumption: the zap returns, the kernel moves the page, the DMA lands in the old frame.
  const odp = { policy: 'odp', zapWaitsForDma: false }
  const o = await run(odp)
  t.deepEqual(violated(o), ['MrContract', 'NoAccessThroughInvalidKey', 'NoDmaToFreedFrame', 'NoLostWrite', 'NoSilentBreak'])
  const dma = find(t, o, 'NoDmaToFreedFrame')
  t.deepEqual(actionsOf(dma), [
    'PeerWrite',
    'FaultBegin',
    'FaultWalk',
    'FaultCommit',
    'DmaStart',
    'FaultUnlock',
    'InvStart',
    'InvCallback',
    'InvUnlock',
    'OsMutate',
    'DmaLand',
  ])
  replays(t, odp, dma)
  t.is(find(t, o, 'NoAccessThroughInvalidKey').trace.length, 9)
})

test('properties that a policy has no part for are not checked for it (not applicable)', (t) => {
  const names = (policy: string) => {
    const { props } = instantiate(pageMigration, { policy })
    return [props.invariants, props.actionProperties, props.temporal].flatMap((x) => Object.keys(x ?? {}))
  }
  t.false(names('pin').includes('CommitMatchesSnapshot'))
  t.false(names('odp').includes('PinNotMovable'))
  t.true(names('pin').includes('PinNotMovable'))
  t.true(names('odp').includes('FaultResolves'))
  t.false(names('odp').includes('SuspensionEnds'))
  t.true(names('eliminate').includes('PeerLearnsOfBreak'))
})

test('the instances of the benchmark are within the declared parameters, so the CLI can check them; one page more is refused', (t) => {
  for (const params of [
    { pages: 4, frames: 6, moves: 3, writes: 3 },
    { pages: 5, frames: 7, moves: 4, writes: 4 },
    { pages: 5, frames: 7, moves: 5, writes: 5 },
  ]) {
    t.is(instantiate(pageMigration, params).params.pages, params.pages)
  }
  t.throws(() => instantiate(pageMigration, { pages: 6, frames: 7 }), { message: /parameter "pages": "?6"? is not an integer in 1\.\.5/ })
})

test('two invalidations in flight (invalidations=2): odp holds; ending the sequence with either range lets a stale fault through and hangs the next', async (t) => {
  const two = { invalidations: 2, pages: 2, frames: 4 }
  const [ok, bug] = await Promise.all([run({ policy: 'odp', ...two }), run({ policy: 'odp-range-end-ignores-others', ...two })])
  t.is(ok.status, 'ok')
  t.is(ok.stats.distinct, 24295)
  t.deepEqual(violated(bug), expectedBreaks({ policy: 'odp-range-end-ignores-others', ...two }))
  const parity = find(t, bug, 'SeqParity')
  t.deepEqual(actionsOf(parity), ['InvStart', 'InvCallback', 'InvUnlock', 'OsMutate', 'InvStart', 'InvEnd'])
  const stale = find(t, bug, 'NoStaleTranslation')
  t.true(stale.shortest)
  t.is(stale.trace.length, 13)
  t.deepEqual(actionsOf(stale), [
    'InvStart', 'InvCallback', 'InvUnlock', 'OsMutate', 'InvStart', 'InvCallback', 'InvUnlock',
    'InvEnd', 'FaultBegin', 'FaultWalk', 'FaultCommit', 'OsMutate',
  ])
  // The fault read_begin let through is for page 1, which slot 1 is still invalidating; slot 1 then moves it.
  t.deepEqual(stale.trace[9]?.action?.params, { page: 1 })
  t.deepEqual(stale.trace.at(-1)?.action?.params, { i: 1, to: 3 })
  replays(t, { policy: 'odp-range-end-ignores-others', ...two }, stale)
  const hang = find(t, bug, 'Deadlock')
  t.is(hang.trace.length, 17)
  const last = hang.trace.at(-1)!.state as { mmSeq: number; mniSeq: number; fh: { pc: string } }
  // The subscription was stamped with the even sequence: read_begin sleeps until it changes, which it never does.
  t.deepEqual([last.mmSeq, last.mniSeq, last.mmSeq % 2, last.fh.pc], [4, 4, 0, 'retry'])
})

test('prefetch (prefetches=1): odp holds with the work racing faults; reading the prefetch count before the SRCU sync lets the work touch the freed MR', async (t) => {
  const params = { policy: 'odp-prefetch-count-before-sync', prefetches: 1 } as const
  const [ok, bug] = await Promise.all([run({ policy: 'odp', prefetches: 1 }), run(params)])
  t.is(ok.status, 'ok')
  t.is(ok.stats.distinct, 1493)
  t.deepEqual(violated(bug), expectedBreaks(params))
  const v = find(t, bug, 'NoUseOfFreedMr')
  t.true(v.shortest)
  t.is(v.trace.length, 7)
  // aa116b810ac9's race: the prefetch passed the live check, dereg read a zero count and skipped the
  // flush, the prefetch queued its work, dereg's SRCU sync returned and the MR was freed under the work.
  t.deepEqual(actionsOf(v), ['PrefetchAdvise', 'DeregRevoke', 'DeregUnlock', 'PrefetchQueue', 'DeregRelease', 'PrefetchDrop'])
  replays(t, params, v)
})

test('munmap during a fault (unmap=true): odp fails the fault and the QP; retrying an unmapped walk never resolves the fault', async (t) => {
  const params = { policy: 'odp-unmap-fault-retries', unmap: true } as const
  const [ok, bug] = await Promise.all([run({ policy: 'odp', unmap: true }), run(params)])
  t.is(ok.status, 'ok')
  t.is(ok.stats.distinct, 684)
  t.deepEqual(violated(bug), expectedBreaks(params))
  const v = find(t, bug, 'FaultResolves')
  t.deepEqual(actionsOf(v), ['PeerWrite', 'RaiseFault', 'Munmap', 'InvCallback', 'InvUnlock', 'OsUnmap', 'InvEnd', 'FaultBegin', 'FaultWalk'])
  t.is(v.trace.length, 10)
  t.is(v.loopStart, 8)
  // odp: the fault that took its snapshot before the munmap walks an unmapped page and fails the
  // access; the peer learns it from the error, the application from the QP's async event (the
  // shortest such behaviour, found as a broken invariant).
  const { spec, props } = instantiate(pageMigration, { policy: 'odp', unmap: true })
  type Failed = { peer: string; appEvent: boolean; cpu: (number | null)[] }
  const notFailed = (s: Failed) => !(s.peer === 'failed' && s.appEvent && s.cpu[0] === null)
  const failed = await check(spec, { ...props, invariants: { ...props.invariants, NotFailed: notFailed } as never })
  t.deepEqual(actionsOf(failed.violations[0]!), [
    'PeerWrite', 'RaiseFault', 'FaultBegin', 'Munmap', 'InvCallback', 'InvUnlock', 'OsUnmap', 'FaultWalk', 'FaultFail',
  ])
})
