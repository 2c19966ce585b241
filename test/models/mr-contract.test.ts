/**
 * The MR contract (models/mr-contract.ts) and the designs checked to refine it: a failure names the
 * contract states the trace maps to, and a design that gives up RKeyHonoured but announces the
 * break keeps the contract.
 */
import test from 'ava'
import { checkModel } from '../../checker/index.js'
import mrContract from '../../models/mr-contract.js'
import pageMigration from '../../models/page-migration.js'
import deviceRemoval from '../../models/device-removal.js'

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
