/**
 * Guards that keep the RDMA models honest (issue: "deep enough to trust"):
 * - every safety and temporal property of every model is broken by some policy value or by a
 *   test-only mutant below, so no matrix column can only ever say "holds";
 * - every policy's verdicts are exactly what its model declares in `expectedBreaks`;
 * - every `reachable` goal is met under every policy it applies to.
 * A mutant is the model with one action changed into a plausible mistake; each must break the
 * property it is there for.
 */
import test from 'ava'
import { check, checkModel, instantiate, type AnyModel, type CheckResult, type Spec } from '../../checker/index.js'
import deviceRemoval from '../../models/device-removal.js'
import mrLifecycle from '../../models/mr-lifecycle.js'
import pageMigration from '../../models/page-migration.js'
import pinnedMemory from '../../models/pinned-memory.js'
import implicitOdp from '../../models/implicit-odp.js'

type Params = Record<string, unknown>
type Draft = any

const violated = (r: CheckResult) => [...new Set(r.violations.map((v) => v.property))].sort()

/** The instances each model is checked at: every policy at its defaults, and with the parameters that change verdicts. */
const INSTANCES: readonly { model: AnyModel; extra: readonly Params[] }[] = [
  {
    model: pageMigration,
    extra: [
      {},
      { zapWaitsForDma: false },
      { transport: 'iwarp' },
      { rnrRetry: 1 },
      { movable: true },
      { pages: 2, frames: 3, moves: 2 },
      { invalidations: 2, pages: 2, frames: 4 },
      { prefetches: 1 },
      { unmap: true },
    ],
  },
  {
    model: deviceRemoval,
    extra: [{}, { forkOpensFirst: true }, { asyncFds: 1, cmdThreads: 0, fork: false }, { coreDump: true }, { mmap: true, reset: true }],
  },
  { model: mrLifecycle, extra: [{}, { transport: 'iwarp' }, { rnr_retry: 2 }, { key_wrap: true, transport: 'iwarp' }] },
  { model: pinnedMemory, extra: [{}, { target: 'movable' }, { madvDontfork: true }, { mrs: 2 }] },
  { model: implicitOdp, extra: [{}] },
]

const policiesOf = (model: AnyModel): readonly string[] => {
  const decl = model.params[model.matrixParam!]
  return decl?.kind === 'enum' ? decl.values : []
}

/** Changes one action of a spec: `change(original)` gives the new guard/effect pair. */
const mutate = (spec: Spec, action: string, change: (a: Spec['actions'][string]) => Partial<Spec['actions'][string]>): Spec => {
  const original = spec.actions[action]
  if (original === undefined) throw new Error(`${spec.name} has no action ${action}`)
  return { ...spec, actions: { ...spec.actions, [action]: { ...original, ...change(original) } } }
}
const without = (spec: Spec, action: string): Spec => {
  const { [action]: _dropped, ...rest } = spec.actions
  return { ...spec, actions: rest }
}

interface Mutant {
  readonly model: AnyModel
  readonly params: Params
  readonly mistake: string
  readonly breaks: string
  readonly apply: (spec: Spec) => Spec
}

const MUTANTS: readonly Mutant[] = [
  {
    model: pinnedMemory,
    // BC2 leaves a pinned page on the CMA frame, where the reclaim meets it.
    params: { policy: 'bc2-fast-gup-no-longterm-check' },
    mistake: 'the reclaim migrates a page whatever its pin count',
    breaks: 'PinnedFrameKept',
    apply: (spec) =>
      mutate(spec, 'ReclaimMigrate', () => ({
        guard: (s: Draft, p: Draft) =>
          s.reclaim === 'isolated' && s.frames[0].use !== 'free' && p.to !== 0 && s.frames[p.to].use === 'free',
      })),
  },
  {
    model: pageMigration,
    params: { policy: 'odp' },
    mistake: 'invalidate_range_end forgets to bump mm.seq back to even',
    breaks: 'SeqParity',
    apply: (spec) =>
      mutate(spec, 'InvEnd', () => ({
        effect: (d: Draft) => {
          d.inv = 'idle'
          d.invPage = null
        },
      })),
  },
  {
    model: pageMigration,
    params: { policy: 'odp' },
    mistake: 'the fault handler programs the page but never resumes the stalled QP',
    breaks: 'FaultResolves',
    apply: (spec) =>
      mutate(spec, 'FaultUnlock', (a) => ({
        effect: (d: Draft, p: Draft) => {
          const programmed = d.fh.pc === 'programmed'
          const page = d.fh.page
          a.effect(d, p)
          if (programmed) d.faultReq[page] = true
        },
      })),
  },
  {
    model: pageMigration,
    params: { policy: 'odp' },
    mistake: 'the invalidation callback waits for the fault handler, which waits in read_begin for the invalidation',
    breaks: 'InvalidationCompletes',
    apply: (spec) => mutate(spec, 'InvUnlock', (a) => ({ guard: (s: Draft, p: Draft) => a.guard!(s, p) && s.fh.pc === 'idle' })),
  },
  {
    model: pageMigration,
    params: { policy: 'eliminate' },
    mistake: 'the device drops an access to a destroyed key instead of NAKing it',
    breaks: 'WriteAnswered',
    apply: (spec) => without(spec, 'AccessNak'),
  },
  {
    model: pageMigration,
    params: { policy: 'suspend-resume' },
    mistake: 'the kernel remaps the page and never resumes the MR',
    breaks: 'SuspensionEnds',
    apply: (spec) => without(spec, 'Resume'),
  },
  {
    model: deviceRemoval,
    params: { policy: 'disassociate' },
    mistake: 'the close path destroys the objects again after the remover destroyed them',
    breaks: 'DestroyExactlyOnce',
    apply: (spec) =>
      mutate(spec, 'Close', (a) => ({
        effect: (d: Draft, p: Draft) => {
          const byRemover = d.ctx === 'tornDown' || d.ctx === 'freedByRemoval'
          a.effect(d, p)
          if (byRemover) {
            d.mr.hw = 'destroyed'
            d.mr.destroys = Math.min(2, d.mr.destroys + 1)
          }
        },
      })),
  },
  {
    model: mrLifecycle,
    params: { policy: 'correct' },
    mistake: 'the responder serves an RDMA access on a QP already in Error',
    breaks: 'NoDataMovementInError',
    apply: (spec) =>
      mutate(spec, 'RdmaAccess', (a) => ({
        effect: (d: Draft, p: Draft) => {
          const local = d.qpL
          d.qpL = 'rts'
          a.effect(d, p)
          if (d.qpL === 'rts') d.qpL = local
        },
      })),
  },
  {
    model: mrLifecycle,
    params: { policy: 'correct' },
    mistake: 'a QP in Error never flushes its outstanding work requests',
    breaks: 'ErrorFlushesAll',
    apply: (spec) => without(spec, 'FlushLocal'),
  },
  {
    model: mrLifecycle,
    params: { policy: 'correct', rnr_retry: 2 },
    mistake: 'the requester keeps waiting on RNR after its retry count is spent',
    breaks: 'RnrExhaustionReported',
    apply: (spec) =>
      mutate(spec, 'DeliverSend', (a) => ({
        effect: (d: Draft, p: Draft) => {
          if (d.qpL === 'rts' && d.rq === 0 && d.rnrLeft === 0) d.wr.rnrWait = true
          else a.effect(d, p)
        },
      })),
  },
  {
    model: mrLifecycle,
    params: { policy: 'correct' },
    mistake: 'the responder RNR-NAKs a Send although a receive is posted',
    breaks: 'RnrForeverWaitsForReceive',
    apply: (spec) =>
      mutate(spec, 'DeliverSend', (a) => ({
        effect: (d: Draft, p: Draft) => {
          if (d.qpL === 'rts') d.wr.rnrWait = true
          else a.effect(d, p)
        },
      })),
  },
]

/** One run per instance, shared by the tests. */
const runs = new Map<string, Promise<CheckResult>>()
const run = (model: AnyModel, params: Params) => {
  const key = `${model.name} ${JSON.stringify(params)}`
  if (!runs.has(key)) runs.set(key, checkModel(model, params, { continue: true }))
  return runs.get(key)!
}
const instancesOf = (model: AnyModel, extra: readonly Params[]) =>
  policiesOf(model).flatMap((policy) => extra.map((e) => ({ ...e, [model.matrixParam!]: policy })))

const declared = (model: AnyModel, params: Params) => {
  const { props } = instantiate(model, params)
  return [props.invariants, props.actionProperties, props.temporal].flatMap((x) => Object.keys(x ?? {}))
}

for (const { model, extra } of INSTANCES) {
  test(`${model.name}: every policy breaks exactly what it declares, and meets every reachable goal`, async (t) => {
    for (const params of instancesOf(model, extra)) {
      const r = await run(model, params)
      const label = JSON.stringify(params)
      t.true(r.complete, label)
      t.deepEqual(r.violations.filter((v) => v.kind === 'reachable').map((v) => v.property), [], label)
      const expected = [...model.expectedBreaks!(instantiate(model, params).params)].sort()
      t.deepEqual(violated(r), expected, label)
    }
  })

  test(`${model.name}: every property is broken by a policy or a mutant`, async (t) => {
    const broken = new Set<string>()
    const all = new Set<string>()
    for (const params of instancesOf(model, extra)) {
      for (const name of declared(model, params)) all.add(name)
      for (const name of violated(await run(model, params))) broken.add(name)
    }
    for (const m of MUTANTS.filter((x) => x.model === model)) broken.add(m.breaks)
    t.deepEqual([...all].filter((name) => !broken.has(name)), [])
  })
}

for (const m of MUTANTS) {
  test(`mutant of ${m.model.name} (${m.mistake}) breaks ${m.breaks}`, async (t) => {
    const { spec, props } = instantiate(m.model, m.params)
    t.is((await run(m.model, m.params)).violations.some((v) => v.property === m.breaks), false, 'the model itself keeps it')
    const r = await check(m.apply(spec), props, { continue: true })
    t.true(
      r.violations.some((v) => v.property === m.breaks),
      `violated: ${violated(r).join(', ')}`,
    )
  })
}
