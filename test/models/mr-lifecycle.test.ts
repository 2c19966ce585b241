import test from 'ava'
import { checkModel, type CheckResult } from '../../checker/index.js'
import mrLifecycle from '../../models/mr-lifecycle.js'

type Shapes = Record<string, readonly (string | null)[]>

const run = (params: Record<string, unknown>) => checkModel(mrLifecycle, params, { continue: true })
const violated = (r: CheckResult) => r.violations.map((v) => v.property).sort()
const shapes = (r: CheckResult): Shapes =>
  Object.fromEntries(r.violations.map((v) => [v.property, v.trace.map((s) => s.action?.name ?? null)]))

// Counterexample shapes (action names in order; null is the initial state), shared by both transports.
// MrContract breaks one step before the stale access: the device already honours the revoked key.
const BD3: Shapes = {
  RKeyNeverMisdirected: [null, 'RegMr', 'Advertise', 'DeregMr', 'RegMr', 'RdmaAccess'],
  KeyFreshAfterRevoke: [null, 'RegMr', 'Advertise', 'DeregMr', 'RegMr', 'RdmaAccess'],
  MrContract: [null, 'RegMr', 'Advertise', 'DeregMr', 'RegMr'],
}
const BD4: Shapes = {
  DiscloseOnlyValid: [null, 'RegMr', 'PostBind', 'Advertise'],
  RKeyHonoured: [null, 'RegMr', 'PostBind', 'Advertise', 'RdmaAccess'],
}
const BD5: Shapes = {
  MwNeverOutlivesMr: [null, 'RegMr', 'PostBind', 'BindExec', 'DeregMr'],
  NoDeregWithBoundMw: [null, 'RegMr', 'PostBind', 'BindExec', 'DeregMr'],
  NoSilentBreak: [null, 'RegMr', 'PostBind', 'BindExec', 'Advertise', 'DeregMr'],
  RKeyNeverMisdirected: [null, 'RegMr', 'PostBind', 'BindExec', 'DeregMr', 'Advertise', 'RdmaAccess'],
  NoAccessThroughInvalidKey: [null, 'RegMr', 'PostBind', 'BindExec', 'DeregMr', 'Advertise', 'RdmaAccess'],
  MrContract: [null, 'RegMr', 'PostBind', 'BindExec', 'DeregMr'],
}
// The responder refuses the access (page 2 lies past the MR) but its QP stays in RTS, unannounced.
const BD6: Shapes = {
  ResponderStopsOnAccessError: [null, 'RegMr', 'Advertise', 'RdmaAccess'],
  NoSilentBreak: [null, 'RegMr', 'Advertise', 'RdmaAccess'],
  MrContract: [null, 'RegMr', 'Advertise', 'RdmaAccess'],
}
// On iWARP a Send with no receive posted already draws a Terminate, one step shorter.
const BD6_IWARP: Shapes = { ...BD6, ResponderStopsOnAccessError: [null, 'PeerSend', 'DeliverSend'] }
// The MR key space runs out after three registrations; the fourth key lands in the MW range and is NAKed.
const BD2: Shapes = {
  RKeyHonoured: [null, 'RegMr', 'DeregMr', 'RegMr', 'DeregMr', 'RegMr', 'DeregMr', 'RegMr', 'Advertise', 'RdmaAccess'],
}
const rnrRound = ['DeliverSend', 'RnrRetry'] as const
const BD1: Shapes = {
  RnrForeverNeverDecremented: [null, 'PeerSend', 'DeliverSend'],
  // Seven RNR NAKs each followed by a retry, then the eighth NAK exceeds the (wrongly finite) count.
  RnrForeverNeverExceeded: [null, 'PeerSend', ...Array.from({ length: 7 }, () => rnrRound).flat(), 'DeliverSend'],
}

// The matrix at default parameters (rnr_retry = 7, no key-byte wrap): policy → transport → expectation.
const matrix: Record<string, Record<'ib' | 'iwarp', { distinct: number; shapes: Shapes }>> = {
  correct: { ib: { distinct: 8450, shapes: {} }, iwarp: { distinct: 4899, shapes: {} } },
  // BD1 needs RNR NAKs: on iWARP there are none, and the run equals `correct`.
  'bd1-decrement-at-7': { ib: { distinct: 42190, shapes: BD1 }, iwarp: { distinct: 4899, shapes: {} } },
  'bd2-mr-key-overflow': { ib: { distinct: 30162, shapes: BD2 }, iwarp: { distinct: 17499, shapes: BD2 } },
  'bd3-index-reuse-no-bump': { ib: { distinct: 2476, shapes: BD3 }, iwarp: { distinct: 1434, shapes: BD3 } },
  'bd4-early-rkey-disclosure': { ib: { distinct: 12494, shapes: BD4 }, iwarp: { distinct: 6927, shapes: BD4 } },
  'bd5-dereg-with-bound-mw': { ib: { distinct: 12614, shapes: BD5 }, iwarp: { distinct: 7237, shapes: BD5 } },
  'bd6-responder-continues-after-access-error': { ib: { distinct: 8588, shapes: BD6 }, iwarp: { distinct: 4978, shapes: BD6_IWARP } },
}

test('the matrix parameter is policy, and its values are exactly the pinned rows', (t) => {
  t.is(mrLifecycle.matrixParam, 'policy')
  const decl = mrLifecycle.params.policy
  t.deepEqual(decl.kind === 'enum' ? [...decl.values].sort() : [], Object.keys(matrix).sort())
})

for (const [policy, byTransport] of Object.entries(matrix)) {
  for (const transport of ['ib', 'iwarp'] as const) {
    const { distinct, shapes: expected } = byTransport[transport]
    test(`${policy} on ${transport}: ${Object.keys(expected).length === 0 ? 'holds' : Object.keys(expected).sort().join(', ')}`, async (t) => {
      const r = await run({ policy, transport })
      t.true(r.complete)
      t.is(r.stats.distinct, distinct)
      t.deepEqual(violated(r), Object.keys(expected).sort())
      if (Object.keys(expected).length === 0) {
        t.is(r.status, 'ok')
      } else {
        t.is(r.status, 'violation')
        t.deepEqual(shapes(r), expected)
      }
    })
  }
}

test('BD1 only matters at rnr_retry = 7: with rnr_retry = 2 it is the same state space as correct', async (t) => {
  const [ok, bd1] = await Promise.all([
    run({ policy: 'correct', rnr_retry: 2 }),
    run({ policy: 'bd1-decrement-at-7', rnr_retry: 2 }),
  ])
  t.is(ok.status, 'ok')
  t.is(bd1.status, 'ok')
  t.is(ok.stats.distinct, 17290)
  t.is(bd1.stats.distinct, 17290)
  // L-D1 replaces L-D2 when the retry count is finite.
  t.deepEqual([...ok.checked.temporal].sort(), ['ErrorFlushesAll', 'RnrExhaustionReported'])
})

test('rnr_retry = 0: no RNR wait at all, so the RnrWait vacuity guard is not declared and correct holds', async (t) => {
  const r = await run({ policy: 'correct', rnr_retry: 0 })
  t.is(r.status, 'ok')
  t.false(r.checked.reachable.includes('RnrWait'))
})

test('temporal properties declared per transport (not checked by the engine yet)', async (t) => {
  const [ib, iwarp] = await Promise.all([run({ transport: 'ib' }), run({ transport: 'iwarp' })])
  t.deepEqual([...ib.checked.temporal].sort(), ['ErrorFlushesAll', 'RnrForeverWaitsForReceive'])
  t.deepEqual([...iwarp.checked.temporal], ['ErrorFlushesAll'])
  t.deepEqual([...ib.checked.reachable].sort(), ['AccessRefused', 'MwAdvertisedAndBound', 'RnrWait', 'StaleRKeyUsable'])
})

test('BD2 needs the key space to run out: with a wrapping key byte it is the same state space as correct', async (t) => {
  const [ok, bd2] = await Promise.all([
    run({ policy: 'correct', transport: 'iwarp', key_wrap: true }),
    run({ policy: 'bd2-mr-key-overflow', transport: 'iwarp', key_wrap: true }),
  ])
  t.is(bd2.stats.distinct, ok.stats.distinct)
  t.deepEqual(violated(bd2), violated(ok))
})

test('D2 ABA window: with a wrapping key byte, correct itself lets a stale R-Key reach a later registration', async (t) => {
  const r = await run({ policy: 'correct', transport: 'iwarp', key_wrap: true })
  t.is(r.status, 'violation')
  t.is(r.stats.distinct, 57120)
  t.deepEqual(violated(r), ['KeyFreshAfterRevoke', 'MrContract', 'RKeyNeverMisdirected'])
  // Registered with byte 1, advertised, revoked; four more registrations bring the byte back to 1.
  const wrapped = [null, 'RegMr', 'Advertise', 'DeregMr', 'RegMr', 'DeregMr', 'RegMr', 'DeregMr', 'RegMr', 'DeregMr', 'RegMr']
  const aba = [...wrapped, 'RdmaAccess']
  t.deepEqual(shapes(r), { KeyFreshAfterRevoke: aba, RKeyNeverMisdirected: aba, MrContract: wrapped })
})
