import test from 'ava'
import { checkModel, defineModel, param, type AnyModel, type Refinement } from '../../checker/index.js'
import { CheckerError } from '../../checker/result/errors.js'
import ewd840, { build as buildEwd840, terminationDetected } from '../../models/examples/ewd840.js'
import syncTerminationDetection from '../../models/examples/syncTerminationDetection.js'
import ewd840Properties from '../../properties/examples/ewd840.js'

type S = { active: boolean[]; color: string[]; tpos: number; tcolor: string }
const tdMap = (s: any) => ({ active: s.active, terminationDetected: terminationDetected(s) })

/** EWD840 with its refinements replaced, and with PassToken passing active nodes when `bug`. */
const variant = (refines: Record<string, Refinement<any>>, bug = false): AnyModel =>
  defineModel({
    name: 'ewd840-variant',
    summary: 'EWD840 with other refinements',
    params: { N: param.int(3, { min: 2, max: 4 }) },
    build: ({ N }) => {
      const spec = buildEwd840({ N, fairness: 'system' })
      if (!bug) return spec as never
      const pass = spec.actions.PassToken
      // The token passes node i even while it is active: termination is detected too early.
      return { ...spec, actions: { ...spec.actions, PassToken: { ...pass, guard: (s: S, p: { i: number }) => s.tpos === p.i } } } as never
    },
    properties: () => ({ invariants: {}, temporal: {} }),
    refines: () => refines,
  }) as AnyModel

test('EWD840 refines SyncTerminationDetection (TDSpec, as its cfg checks), its Liveness included', async (t) => {
  const r = await checkModel(ewd840, { N: 3 })
  t.is(r.status, 'ok')
  t.deepEqual(r.checked.invariants, ['TerminationDetection', 'Inv', 'TDSpec'])
  t.deepEqual(r.checked.actionProperties, ['TDSpec'])
  t.deepEqual(r.checked.temporal, ['Liveness', 'TDSpec.Liveness'])
  t.is(r.stats.distinct, 302)
})

test('a step whose image is no abstract step: the concrete trace, the images and the abstract step not allowed', async (t) => {
  const r = await checkModel(variant({ TDSpec: { model: syncTerminationDetection, params: { N: 3 }, map: tdMap } }, true), {})
  t.is(r.status, 'violation')
  const v = r.violations[0]!
  t.is(v.property, 'TDSpec')
  t.is(v.kind, 'action')
  const last = v.trace.at(-1)!.state as S
  t.true(terminationDetected(last) && last.active.some((a) => a))
  t.regex(v.message, /The step from state \d+ to state \d+ maps to \{.*"terminationDetected":false\} -> \{.*"terminationDetected":true\} \(the variables it changes\), which is no step of sync-termination-detection and no stutter \(its actions enabled there: /)
  t.regex(v.message, /The trace mapped to sync-termination-detection:\n {2}State 1 maps to /)
  t.is(v.message.split('\n').filter((l) => / {2}State \d+ maps to /.test(l)).length, v.trace.length)
})

test('an initial state whose image is no abstract initial state breaks the refinement in state 1', async (t) => {
  const map = (s: any) => ({ active: s.active, terminationDetected: true })
  const r = await checkModel(variant({ Wrong: { model: syncTerminationDetection, params: { N: 3 }, map } }), {})
  t.is(r.status, 'violation')
  const v = r.violations[0]!
  t.is(v.property, 'Wrong')
  t.is(v.kind, 'invariant')
  t.is(v.trace.length, 1)
  t.regex(v.message, /State 1 maps to no initial state of sync-termination-detection/)
})

test('an image outside the abstract types breaks the refinement, saying why', async (t) => {
  const map = (s: any) => ({ active: [...s.active, false], terminationDetected: false })
  const r = await checkModel(variant({ Wrong: { model: syncTerminationDetection, params: { N: 3 }, map } }), {})
  const v = r.violations[0]!
  t.is(v.property, 'Wrong')
  t.regex(v.message, /State 1 maps to no state of sync-termination-detection: .*active/)
})

test('several refinements per model, each checked under its own name; temporal properties by name', async (t) => {
  const r = await checkModel(
    variant({
      TD3: { model: syncTerminationDetection, params: { N: 3 }, map: tdMap, temporal: ['Liveness'] },
      TDAgain: { model: syncTerminationDetection, params: { N: 3 }, map: tdMap },
    }),
    {},
  )
  t.is(r.status, 'ok')
  t.deepEqual(r.checked.actionProperties, ['TD3', 'TDAgain'])
  t.deepEqual(r.checked.temporal, ['TD3.Liveness'])
})

test('a refinement naming an abstract temporal property that does not exist, or taking a property name, is refused', async (t) => {
  const unknown = await t.throwsAsync(
    checkModel(variant({ TD: { model: syncTerminationDetection, params: { N: 3 }, map: tdMap, temporal: ['Nope'] } }), {}),
  )
  t.true(unknown instanceof CheckerError)
  t.regex(unknown!.message, /refinement TD: sync-termination-detection has no temporal property "Nope"\. Its temporal properties: "Liveness"/)
  const clash = defineModel({
    name: 'clash',
    summary: 's',
    params: { N: param.int(3, { min: 2, max: 4 }) },
    build: ({ N }) => buildEwd840({ N, fairness: 'system' }),
    properties: ewd840Properties,
    refines: ({ N }) => ({ Inv: { model: syncTerminationDetection, params: { N }, map: tdMap } }),
  })
  await t.throwsAsync(checkModel(clash, {}), { message: /refinement Inv: the model already has a property of that name/ })
})
