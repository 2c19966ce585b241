import test from 'ava'
import { checkModel, type CheckResult } from '../../checker/index.js'
import implicitOdp, { POLICIES } from '../../models/implicit-odp.js'

const run = (policy: (typeof POLICIES)[number]) => checkModel(implicitOdp, { policy }, { continue: true })
const shapes = (r: CheckResult) =>
  Object.fromEntries(r.violations.map((v) => [v.property, v.trace.map((s) => s.action?.name ?? null)]))

/** Per policy: distinct states and each broken property's shortest trace (null is the initial state). */
const MATRIX: Record<(typeof POLICIES)[number], { distinct: number; shapes: Record<string, (string | null)[]> }> = {
  'implicit-odp': { distinct: 11, shapes: {} },
  // The brief's shape: child empty, destroy work queued; the parent's dereg frees it; the work updates it.
  'bb6-parent-freed-under-child-work': {
    distinct: 13,
    shapes: { NoUseOfFreedParent: [null, 'Invalidate', 'WorkStart', 'DeregStart', 'DeregFree', 'WorkFinish'] },
  },
  // CVE-2025-21714: a second munmap queues the running work again; its second run meets the freed child.
  'bb6-child-destroy-queued-twice': {
    distinct: 29,
    shapes: { NoUseOfFreedChild: [null, 'Invalidate', 'WorkStart', 'Invalidate', 'WorkFinish', 'WorkStart'] },
  },
}

test('the matrix covers exactly the declared policies', (t) => {
  t.deepEqual(Object.keys(MATRIX), [...POLICIES])
  t.is(implicitOdp.matrixParam, 'policy')
})

for (const policy of POLICIES) {
  test(`${policy}: broken properties, shortest traces and distinct states`, async (t) => {
    const r = await run(policy)
    const want = MATRIX[policy]
    t.true(r.complete)
    t.is(r.stats.distinct, want.distinct)
    t.is(r.status, Object.keys(want.shapes).length === 0 ? 'ok' : 'violation')
    t.deepEqual(shapes(r), want.shapes)
    t.true(r.violations.every((v) => v.shortest))
    t.deepEqual([...r.checked.reachable].sort(), ['ChildDestroyedByWork', 'ParentFreed'])
  })
}
