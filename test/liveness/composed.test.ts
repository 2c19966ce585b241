import test from 'ava'
import { testProp } from '@fast-check/ava'
import { always, alwaysEventually, eventually, eventuallyAlways, forAll, leadsTo } from '../../checker/index.js'
import { compileSpec } from '../../checker/compile/compile.js'
import { checkTemporal } from '../../checker/liveness/checkTemporal.js'
import { holdsOnLasso } from '../../checker/trace/replayTrace.js'
import {
  composedOf,
  lassoBreaksComposed,
  lassoProblem,
  randomComposed,
  referenceComposedViolated,
  specOf,
} from '../helpers/randomGraphs.js'

/** Re-run a failure with SEED=<the seed ava prints>. */
const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31)

testProp(
  'composed formulas on random graphs: verdict matches the reference, lassos are real, fair and violating',
  [randomComposed],
  (t, { m, kind }) => {
    const formula = composedOf(m, kind)
    const c = compileSpec(specOf(m), { temporal: { Prop: formula } })
    const r = checkTemporal(c, { fairness: m.override })
    t.is(r.violations.length > 0, referenceComposedViolated(m, kind), `verdict of ${kind}`)
    const v = r.violations[0]
    if (v === undefined) return
    const nodes = v.trace.map((s) => s.state)
    t.is(lassoProblem(m, v.trace, v.loopStart, v.loopAction, v.stuttering, lassoBreaksComposed(m, kind, v.trace, v.loopStart)), null)
    // The checker's own lasso evaluator (replay's) agrees that the behaviour breaks the formula.
    t.false(holdsOnLasso(formula, nodes, v.loopStart))
  },
  { numRuns: 600, seed },
)

test('the constructors normalise compositions to the forms the liveness phase decides', (t) => {
  const P = (s: { x: number }) => s.x > 0
  const Q = (s: { x: number }) => s.x > 1
  t.deepEqual(eventually(alwaysEventually(P)), alwaysEventually(P))
  t.deepEqual(eventually(always(P)), eventuallyAlways(P))
  t.deepEqual(always(eventually(P)), alwaysEventually(P))
  t.deepEqual(always(eventuallyAlways(P)), eventuallyAlways(P))
  t.deepEqual(always(leadsTo(P, Q)), leadsTo(P, Q))
  t.deepEqual(leadsTo(eventually(P), eventually(Q)), leadsTo(P, Q))
  t.deepEqual(leadsTo(always(P), Q), leadsTo(eventuallyAlways(P), Q))
  t.is(leadsTo(alwaysEventually(P), Q).kind, 'leadsToTemporal')
})

test('a composition the liveness phase cannot decide is refused with what is supported', (t) => {
  const P = (s: { x: number }) => s.x > 0
  t.throws(() => eventually(leadsTo(P, P)), { message: /asks for <> of a leadsTo, which mrcheck cannot check\. Supported: / })
  t.throws(() => leadsTo(leadsTo(P, P), P), { message: /a leadsTo whose premise is a leadsTo/ })
  t.throws(() => leadsTo(P, forAll(2, () => alwaysEventually(P))), { message: /a leadsTo whose conclusion is a forAll/ })
  t.throws(() => eventually(forAll(2, () => alwaysEventually(P))), { message: /<> of a forAll/ })
})
