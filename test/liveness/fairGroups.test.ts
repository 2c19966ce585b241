import test from 'ava'
import { eventually, t as types, vars } from '../../checker/index.js'
import { compileSpec } from '../../checker/compile/compile.js'
import { checkTemporal } from '../../checker/liveness/checkTemporal.js'
import type { FairGroup } from '../../checker/index.js'
import { resolveFairness } from '../../checker/liveness/resolveFairness.js'
import { CheckerError } from '../../checker/result/errors.js'

/**
 * x in 0..2: A takes 0 to 1, B takes 1 back to 0, C takes 0 to 2 (the goal). A behaviour may
 * cycle 0 -> 1 -> 0 forever; whether that is fair depends on how fairness groups the steps.
 */
const cycle = (perAction: { A?: 'weak' | 'strong'; C?: 'weak' | 'strong' }, groups: FairGroup<{ x: number }, any>[]) => {
  const { spec, action } = vars({ x: types.int(0, 2) })
  return spec({
    name: 'cycle',
    init: { x: 0 },
    checkDeadlock: false,
    actions: {
      A: action({ guard: (s) => s.x === 0, effect: (d) => void (d.x = 1), fairness: perAction.A }),
      B: action({ guard: (s) => s.x === 1, effect: (d) => void (d.x = 0), fairness: 'weak' }),
      C: action({ guard: (s) => s.x === 0, effect: (d) => void (d.x = 2), fairness: perAction.C }),
    },
    fairness: groups,
  })
}
const reachesGoal = { temporal: { Goal: eventually<{ x: number }>((s) => s.x === 2) } }
const verdict = (spec: ReturnType<typeof cycle>) => checkTemporal(compileSpec(spec, reachesGoal)).violations

test('SF_vars(C) per instance forces C; SF_vars(A \\/ C) as one group is met by A alone', (t) => {
  t.deepEqual(verdict(cycle({ C: 'strong' }, [])), [])
  const [v] = verdict(cycle({}, [{ kind: 'strong', actions: ['A', 'C'] }]))
  if (v === undefined) return t.fail('expected the 0 -> 1 -> 0 cycle')
  t.false(v.stuttering)
  t.deepEqual(
    v.trace.map((s) => (s.state as { x: number }).x),
    [0, 1],
  )
  t.is(v.loopAction?.name, 'B')
})

test('WF_vars(A \\/ C) forbids stuttering in 0, and WF over a group per value splits it', (t) => {
  // Without any fairness on A or C the behaviour may stutter in 0.
  t.true(verdict(cycle({}, []))[0]?.stuttering)
  // The group is enabled in 0 and met by A; in 1 it is disabled: the cycle is fair.
  const [v] = verdict(cycle({}, [{ kind: 'weak', actions: ['A', 'C'] }]))
  t.false(v?.stuttering ?? true)
  // One group per action (per: the action's name) is the per-action reading: still the cycle.
  t.is(verdict(cycle({}, [{ kind: 'weak', actions: ['A', 'C'], per: (step) => step.action }])).length, 1)
  // Strong fairness per action forces C.
  t.deepEqual(verdict(cycle({}, [{ kind: 'strong', actions: ['A', 'C'], per: (step) => step.action }])), [])
})

test('a group whose instance the state picks: only the steps `when` accepts count', (t) => {
  // SF over C, counted only where when holds: nowhere, so it is never enabled and constrains nothing.
  const never = checkTemporal(compileSpec(cycle({}, [{ kind: 'strong', actions: ['C'], when: () => false }]), reachesGoal))
  t.is(never.violations.length, 1)
  t.true(never.warnings.some((w) => /Fairness group SF_vars\(C\) is never enabled/.test(w)))
  t.deepEqual(verdict(cycle({}, [{ kind: 'strong', actions: ['C'], when: (s) => s.x === 0 }])), [])
})

test('a malformed group is refused, naming the model, the group and what is wrong', (t) => {
  const refused = (groups: unknown[], pattern: RegExp, code: CheckerError['code'] = 'MODEL_DEFINITION') => {
    const e = t.throws(() => checkTemporal(compileSpec(cycle({}, groups as FairGroup<{ x: number }, any>[]), reachesGoal)))
    t.true(e instanceof CheckerError)
    t.is((e as CheckerError).code, code)
    t.regex(e!.message, pattern)
  }
  refused([{ kind: 'weak', actions: ['D'] }], /Model "cycle", fairness group 1 names "D", which is not an action\. Its actions: .*A.*B.*C/)
  refused([{ kind: 'weak', actions: ['A'] }, { kind: 'fair', actions: ['A'] }], /fairness group 2: kind must be "weak" or "strong"/)
  refused([{ kind: 'weak', actions: [] }], /fairness group 1: actions must name at least one action/)
  refused([{ kind: 'weak', actions: ['A'], per: () => new Map() }], /per must return a value of a declared type .*; on A it returned an object of class Map/)
  refused([{ kind: 'weak', actions: ['A'], per: () => ({ c: undefined }) }], /on A it returned a record holding such a value/)
  refused([{ kind: 'weak', actions: ['A'], per: () => [() => 0] }], /on A it returned an array holding such a value/)
  refused(
    [{ kind: 'weak', actions: ['A'], per: () => { throw new Error('boom') } }],
    /fairness group 1: per threw boom on A/,
    'EVALUATION',
  )
})

test('per may give a record, tuple or set: equal values by structure make one group', (t) => {
  const P = types.index(2, { name: 'P' })
  const { spec, action } = vars({ done: types.array(P, types.bool()) })
  const finishing = (per: (step: any) => unknown) =>
    compileSpec(
      spec({
        name: 'finishing',
        init: { done: [false, false] },
        checkDeadlock: false,
        actions: {
          Finish: action(
            { w: types.record({ p: P, how: types.enum('a', 'b') }), with: types.set(P) },
            { guard: (s, { w, with: ps }) => !s.done[w.p] && ps.includes(w.p), effect: (d, { w }) => void (d.done[w.p] = true) },
          ),
        },
        fairness: [{ kind: 'weak', actions: ['Finish'], per }],
      }),
      { temporal: { AllDone: eventually<{ done: boolean[] }>((s) => s.done.every(Boolean)) } },
    )
  const groups = (per: (step: any) => unknown) => resolveFairness(finishing(per)).labels
  // 2 x 2 records times the 4 subsets of P: 16 instances.
  t.is(groups((step) => step.params.w).length, 4)
  t.is(groups((step) => ({ how: step.params.w.how, p: step.params.w.p })).length, 4)
  t.is(groups((step) => [step.params.w.p, step.params.w.how]).length, 4)
  t.is(groups((step) => step.params.with).length, 4)
  t.is(groups((step) => step.params.w.how).length, 2)
  t.deepEqual(groups((step) => ({ p: step.params.w.p })), ['WF_vars(Finish) for {"p":0}', 'WF_vars(Finish) for {"p":1}'])
  // Per process, every process finishes; the verdict equals the one keyed by a string.
  t.deepEqual(checkTemporal(finishing((step) => ({ p: step.params.w.p }))).violations, [])
  t.deepEqual(checkTemporal(finishing((step) => `p${step.params.w.p}`)).violations, [])
})
