/**
 * The MR contract (models/mr-contract.ts) and the designs checked to refine it: a failure names the
 * contract states the trace maps to, and a design that gives up RKeyHonoured but announces the
 * break keeps the contract. Mutants of mr-lifecycle's mapping and of the contract show that each
 * part of them is needed.
 */
import test from 'ava'
import { checkModel } from '../../checker/index.js'
import mrContract from '../../models/mr-contract.js'
import pageMigration from '../../models/page-migration.js'
import deviceRemoval from '../../models/device-removal.js'
import mrLifecycle, { contractOf, type MrLifecycleState } from '../../models/mr-lifecycle.js'

const only = { only: ['MrContract'] }

test('mr-contract on its own: every write acknowledged is what the application reads', async (t) => {
  const r = await checkModel(mrContract, { pages: 2, writes: 2 })
  t.is(r.status, 'ok')
  t.deepEqual(r.checked.invariants, ['AckedWriteVisible'])
})

test('naive migration: the step that moves the page under the device maps to no contract state', async (t) => {
  const r = await checkModel(pageMigration, { policy: 'naive' }, only)
  if (r.status !== 'violation') return t.fail(r.status)
  const v = r.violations[0]!
  t.deepEqual(v.trace.map((s) => s.action?.name ?? null), [null, 'Migrate'])
  t.regex(v.message, /State 2 maps to no state of mr-contract: deviceMap = "inconsistent" is outside its type/)
  t.regex(v.message, /\n {2}State 1 maps to \{"key":"valid","told":false,"deviceMap":"consistent",/)
})

test('eliminate and the iWARP stalls break RKeyHonoured but keep the contract: the break is announced', async (t) => {
  for (const params of [{ policy: 'eliminate' }, { policy: 'suspend-resume', transport: 'iwarp' }, { policy: 'odp', transport: 'iwarp' }] as const) {
    t.is((await checkModel(pageMigration, params, only)).status, 'ok', JSON.stringify(params))
    const all = await checkModel(pageMigration, params, { continue: true })
    t.deepEqual(all.violations.map((v) => v.property), ['RKeyHonoured'], JSON.stringify(params))
  }
})

test('a finite rnr_retry on IB: the requester gives up and the responder is never told, which the contract does not allow', async (t) => {
  const r = await checkModel(pageMigration, { policy: 'odp', rnrRetry: 1 }, only)
  if (r.status !== 'violation') return t.fail(r.status)
  t.is(r.violations[0]!.trace.at(-1)?.action?.name, 'StallNak')
  t.regex(r.violations[0]!.message, /maps to \{"peer":"waiting"\} -> \{"peer":"failed"\} \(the variables it changes\), which is no step of mr-contract/)
})

test('device removal: the 2005 designs withdraw the key silently; disassociation announces it in the same step', async (t) => {
  const r = await checkModel(deviceRemoval, { policy: 'unregister' }, only)
  if (r.status !== 'violation') return t.fail(r.status)
  t.deepEqual(r.violations[0]!.trace.map((s) => s.action?.name ?? null), [null, 'RemoveDeleteCdev', 'RemoveReturn'])
  t.regex(r.violations[0]!.message, /maps to \{"key":"valid"\} -> \{"key":"withdrawn"\} \(the variables it changes\), which is no step of mr-contract .*Withdraw/)
  t.is((await checkModel(deviceRemoval, { policy: 'disassociate' }, only)).status, 'ok')
})

test('mr-lifecycle: BD6 breaks the connection under a live R-Key and its application never hears of it', async (t) => {
  for (const transport of ['ib', 'iwarp'] as const) {
    const r = await checkModel(mrLifecycle, { policy: 'bd6-responder-continues-after-access-error', transport }, only)
    if (r.status !== 'violation') return t.fail(r.status)
    const v = r.violations[0]!
    t.deepEqual(v.trace.map((s) => s.action?.name ?? null), [null, 'RegMr', 'Advertise', 'RdmaAccess'], transport)
    t.deepEqual(v.trace.at(-1)!.action?.params, { key: 'mr', op: 'read', page: 2 }, transport)
    t.regex(
      v.message,
      /The step from state 3 to state 4 maps to \{"key":"valid"\} -> \{"key":"withdrawn"\} \(the variables it changes\), which is no step of mr-contract and no stutter \(its actions enabled there: Revoke, Withdraw, Announce\)/,
    )
    t.regex(v.message, /\n {2}State 4 maps to \{"key":"withdrawn","told":false,"deviceMap":"consistent",/)
  }
})

test('mr-lifecycle: a reused key byte (BD3) and a window over a released MR (BD5) leave the device translating inconsistently', async (t) => {
  const bd3 = await checkModel(mrLifecycle, { policy: 'bd3-index-reuse-no-bump' }, only)
  if (bd3.status !== 'violation') return t.fail(bd3.status)
  t.deepEqual(bd3.violations[0]!.trace.map((s) => s.action?.name ?? null), [null, 'RegMr', 'Advertise', 'DeregMr', 'RegMr'])
  t.regex(bd3.violations[0]!.message, /State 5 maps to no state of mr-contract: deviceMap = "inconsistent" is outside its type/)
  t.regex(bd3.violations[0]!.message, /\n {2}State 4 maps to \{"key":"revoked","told":true,"deviceMap":"consistent",/)
  const bd5 = await checkModel(mrLifecycle, { policy: 'bd5-dereg-with-bound-mw' }, only)
  if (bd5.status !== 'violation') return t.fail(bd5.status)
  t.deepEqual(bd5.violations[0]!.trace.map((s) => s.action?.name ?? null), [null, 'RegMr', 'PostBind', 'BindExec', 'DeregMr'])
  t.regex(bd5.violations[0]!.message, /State 5 maps to no state of mr-contract: deviceMap = "inconsistent"/)
})

test('mr-lifecycle: correct keeps the contract, and so do BD2 and BD4, which break RKeyHonoured but announce the break', async (t) => {
  for (const policy of ['correct', 'bd2-mr-key-overflow', 'bd4-early-rkey-disclosure'] as const) {
    for (const transport of ['ib', 'iwarp'] as const) t.is((await checkModel(mrLifecycle, { policy, transport }, only)).status, 'ok', `${policy} ${transport}`)
  }
})

test('mr-lifecycle: a mapping that forgets that the application knows what it revoked fails on correct, at the dereg', async (t) => {
  const forgetful = {
    ...mrLifecycle,
    name: 'mr-lifecycle-forgetful-mapping',
    refines: () => ({
      MrContract: {
        model: mrContract,
        params: { pages: 1, writes: 0 },
        map: (s: Readonly<MrLifecycleState>) => ({ ...contractOf(s), told: s.appEvent !== 'none' }),
      },
    }),
  }
  const r = await checkModel(forgetful, { policy: 'correct' }, only)
  if (r.status !== 'violation') return t.fail(r.status)
  t.deepEqual(r.violations[0]!.trace.map((s) => s.action?.name ?? null), [null, 'RegMr', 'Advertise', 'DeregMr'])
  t.regex(r.violations[0]!.message, /maps to \{"key":"valid"\} -> \{"key":"revoked"\} \(the variables it changes\), which is no step of mr-contract/)
})

test('mr-lifecycle needs Reissue: without it, advertising a new registration after a dereg is no step of the contract', async (t) => {
  const withoutReissue = {
    ...mrContract,
    name: 'mr-contract-without-reissue',
    build: (p: { pages: number; writes: number }) => {
      const spec = mrContract.build(p)
      const { Reissue: _dropped, ...actions } = spec.actions
      return { ...spec, actions }
    },
  }
  const strict = {
    ...mrLifecycle,
    name: 'mr-lifecycle-against-a-contract-without-reissue',
    refines: () => ({ MrContract: { model: withoutReissue, params: { pages: 1, writes: 0 }, map: contractOf } }),
  }
  const r = await checkModel(strict, { policy: 'correct' }, only)
  if (r.status !== 'violation') return t.fail(r.status)
  t.deepEqual(r.violations[0]!.trace.map((s) => s.action?.name ?? null), [null, 'RegMr', 'Advertise', 'DeregMr', 'RegMr', 'Advertise'])
  t.regex(r.violations[0]!.message, /maps to \{"key":"revoked","told":true\} -> \{"key":"valid","told":false\}/)
})
