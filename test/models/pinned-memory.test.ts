import test from 'ava'
import { check, checkModel, instantiate, type CheckResult } from '../../checker/index.js'
import pinnedMemory, { POLICIES } from '../../models/pinned-memory.js'

const run = (params: Record<string, unknown>) => checkModel(pinnedMemory, params, { continue: true })
/** Each violated property with the actions of its shortest counterexample (temporal: a lasso's prefix). */
const shapes = (r: CheckResult) =>
  Object.fromEntries(r.violations.map((v) => [v.property, v.trace.slice(1).map((s) => s.action?.name)]))

const REGISTER = ['RegMr', 'GupMigrate', 'GupPin', 'ProgramHw']

test('the matrix parameter is policy, and every policy is pinned below', (t) => {
  t.is(pinnedMemory.matrixParam, 'policy')
  t.deepEqual([...POLICIES], ['correct', 'bc1-pins-in-movable', 'bc2-fast-gup-no-longterm-check', 'bc3-isolation-race', 'bc4-unpin-before-hw-destroy', 'bc5-fork-without-cow-protection'])
})

test('correct keeps C1-C5 and L-C1 with a CMA target and with a movable one', async (t) => {
  for (const target of ['cma', 'movable']) {
    const r = await run({ policy: 'correct', target })
    t.is(r.status, 'ok', target)
    t.is(r.stats.distinct, 944, target)
    t.deepEqual([...r.checked.temporal], ['TargetReclaimed'])
  }
})

test('BC1: the long-term pin stays in ZONE_MOVABLE, and the offline never completes', async (t) => {
  const r = await run({ policy: 'bc1-pins-in-movable', target: 'movable' })
  t.deepEqual(shapes(r), { PinNotMovable: ['RegMr', 'GupPin'], TargetReclaimed: ['RegMr', 'GupPin', 'ReclaimIsolate', 'ProgramHw'] })
  t.is((await run({ policy: 'bc1-pins-in-movable', target: 'cma' })).status, 'ok')
})

test('BC2: the fast path pins a CMA frame long-term, and the CMA allocation waits until dereg', async (t) => {
  const r = await run({ policy: 'bc2-fast-gup-no-longterm-check' })
  t.is(r.violations.find((v) => v.property === 'TargetReclaimed')?.kind, 'temporal')
  t.deepEqual(shapes(r), { PinNotMovable: ['RegMr', 'GupPin'], TargetReclaimed: ['ReclaimIsolate', 'RegMr', 'GupPin', 'ProgramHw'] })
})

test('BC3: isolate, then a pin check that reads MIGRATE_ISOLATE as not CMA', async (t) => {
  const r = await run({ policy: 'bc3-isolation-race' })
  t.deepEqual(shapes(r).PinNotMovable, ['ReclaimIsolate', 'RegMr', 'GupPin'])
  t.deepEqual(r.violations.map((v) => v.property).sort(), ['PinNotMovable', 'TargetReclaimed'])
})

test('BC4: dereg unpins while the device still translates through the frame', async (t) => {
  const r = await run({ policy: 'bc4-unpin-before-hw-destroy' })
  t.deepEqual(shapes(r), {
    DeviceFrameIsPinned: [...REGISTER, 'DeregMr'],
    DeviceSeesParentPage: [...REGISTER, 'DeregMr', 'Fork', 'ParentWrite'],
  })
})

test('BC5: fork shares the pinned page; the parent writes, gets a copy, and the device keeps the child page', async (t) => {
  const r = await run({ policy: 'bc5-fork-without-cow-protection' })
  t.deepEqual(shapes(r), { DeviceSeesParentPage: [...REGISTER, 'Fork', 'ParentWrite'] })
  const last = r.violations[0]!.trace.at(-1)!.state as { parent: number; hw: number; child: number }
  t.deepEqual([last.hw === last.child, last.parent !== last.hw], [true, true])
  // MADV_DONTFORK (ibv_fork_init) keeps the child away from the page.
  t.is((await run({ policy: 'bc5-fork-without-cow-protection', madvDontfork: true })).status, 'ok')
})

test('two MRs on one page (mrs=2): each holds its own pin; a dereg that drops the other MR\'s pin is caught only there', async (t) => {
  for (const target of ['cma', 'movable']) {
    const r = await run({ policy: 'correct', target, mrs: 2 })
    t.is(r.status, 'ok', target)
    t.is(r.stats.distinct, 5608, target)
    t.true(r.checked.reachable.includes('BothLive'))
  }
  // The mistake: the first dereg releases the pages (one pin per page, not a count).
  const releaseAll = async (mrs: number) => {
    const { spec, props } = instantiate(pinnedMemory, { policy: 'correct', mrs })
    const finish = spec.actions.DeregFinish!
    const effect = (d: any, p: any) => {
      finish.effect(d, p)
      d.pin = null
      for (const x of d.more) x.pin = null
    }
    return check({ ...spec, actions: { ...spec.actions, DeregFinish: { ...finish, effect } } }, props, { continue: true })
  }
  t.is((await releaseAll(1)).status, 'ok')
  const r = await releaseAll(2)
  t.deepEqual(shapes(r), {
    DeviceFrameIsPinned: ['RegMr', 'RegMr', 'GupMigrate', 'GupPin', 'GupPin', 'ProgramHw', 'ProgramHw', 'DeregMr', 'DeregFinish'],
    DeviceSeesParentPage: ['RegMr', 'RegMr', 'GupMigrate', 'GupPin', 'GupPin', 'ProgramHw', 'ProgramHw', 'DeregMr', 'DeregFinish', 'Fork', 'ParentWrite'],
  })
  t.true(r.violations.every((v) => v.shortest))
})
