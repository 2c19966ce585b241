import test from 'ava'
import {
  assertHolds,
  assertModelHolds,
  assertModelViolates,
  assertViolates,
  checks,
  t as types,
  vars,
  violates,
  type AnyModel,
  type TestContext,
} from '../../checker/index.js'
import dieHard from '../../models/examples/diehard.js'
import translationTable from '../../models/examples/translationTable.js'
import starvingMutex from '../../models/examples/starvingMutex.js'

// The one-line forms, as a user writes them.
test('the translation table keeps every promise', checks(translationTable, { pages: 2, keys: 2 }))
test(checks(dieHard, { goal: 6 }))
test('without the sequence check a fault installs a stale frame', violates(translationTable, { checkSequence: false }, 'Coherent'))
test(violates(dieHard, {}, 'NotSolved'))

test('under weak fairness a waiting process can starve', violates(starvingMutex, { fairness: 'weak' }, 'NoStarvation'))

test('a temporal violation resolves to a lasso', async (t) => {
  const v = await assertModelViolates(t, starvingMutex, { fairness: 'weak' }, 'NoStarvation')
  t.is(v?.kind, 'temporal')
  t.true(v?.loopStart !== undefined && v.loopStart < v.trace.length)
})

test('macros name their tests after the model and parameters', (t) => {
  t.is(checks(dieHard, { goal: 6 }).title(undefined), 'diehard {"goal":6} holds')
  t.is(violates(translationTable, { checkSequence: false }, 'Coherent').title(undefined), 'translation-table {"checkSequence":false} violates Coherent')
  t.is(checks(dieHard).title('given'), 'given')
})

test('assertModelViolates resolves to the shortest counterexample', async (t) => {
  const v = await assertModelViolates(t, translationTable, { checkSequence: false }, 'CommitInstallsCurrentFrame')
  t.is(v?.kind, 'action')
  t.is(v?.trace.length, 6)
  t.is(v?.trace.at(-1)?.action?.label, 'Commit(page=0)')
})

/** A test context that records instead of failing, to look at the messages. */
const recorder = () => {
  const failures: string[] = []
  const passes: string[] = []
  const ctx: TestContext = { pass: (m) => passes.push(m ?? ''), fail: (m) => failures.push(m ?? '') }
  return { ctx, failures, passes }
}

test('a broken promise fails the test with the printed counterexample and a re-run line', async (t) => {
  const { ctx, failures, passes } = recorder()
  const r = await assertModelHolds(ctx, translationTable, { checkSequence: false })
  t.is(r.status, 'violation')
  t.deepEqual(passes, [])
  t.is(failures.length, 1)
  const [message] = failures
  t.true(message!.startsWith('Expected every property of translation-table {"pages":2,"keys":1,"checkSequence":false} to hold, but Coherent is violated:\n'))
  t.regex(message!, /Error: Invariant Coherent is violated after 6 states\.\nState 1: <Initial predicate>/)
  t.regex(message!, /State 6: <Commit\(page=0\)>\n {2}dev\[0\]: null -> 0/)
  t.regex(message!, /Re-run: mrcheck check translation-table --param checkSequence=false/)
})

test('expecting a violation of a property that holds fails and says so', async (t) => {
  const { ctx, failures } = recorder()
  const v = await assertModelViolates(ctx, translationTable, {}, 'Coherent')
  t.is(v, undefined)
  t.regex(failures[0]!, /^Expected Coherent to be violated by translation-table .*, but it holds on all 1,416 distinct states:\n/)
})

test('a deadlock met first is named, with a hint', async (t) => {
  const { spec, action } = vars({ n: types.int(0, 2) })
  const counter = spec({
    name: 'counter',
    init: { n: 0 },
    actions: { Inc: action({ guard: (s) => s.n < 2, effect: (d) => void d.n++ }) },
  })
  const { ctx, failures } = recorder()
  await assertViolates(ctx, counter, { invariants: { Small: (s) => s.n < 5 } }, 'Small')
  t.regex(failures[0]!, /Expected Small to be violated by counter, but the search stopped at Deadlock first\. If deadlock is expected/)
  const ok = recorder()
  const d = await assertViolates(ok.ctx, counter, {}, 'Deadlock')
  t.is(d?.trace.length, 3)
  t.deepEqual(ok.failures, [])
  const held = recorder()
  const r = await assertHolds(held.ctx, { ...counter, checkDeadlock: false }, { invariants: { Small: (s) => s.n < 5 } })
  t.is(r.status, 'ok')
  t.deepEqual(held.failures, [])
  t.is(held.passes.length, 1)
})

test('an unknown property name is a CheckerError listing the valid names', async (t) => {
  const { ctx } = recorder()
  // A model typed only as AnyModel (as one loaded from a file is) has its names checked at run time.
  await t.throwsAsync(assertModelViolates(ctx, dieHard as AnyModel, {}, 'NotSovled'), {
    message: /has no property "NotSovled"\. Its properties: "TypeOK", "NotSolved"/,
  })
})
