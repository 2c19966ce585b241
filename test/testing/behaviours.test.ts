import test from 'ava'
import { testProp, fc } from '@fast-check/ava'
import { behaviours, compileSpec, instantiate, replayChoices, strictStep, t as types, vars } from '../../checker/index.js'
import dieHard from '../../models/examples/diehard.js'
import translationTable from '../../models/examples/translationTable.js'

const { spec: dieHardSpec, props: dieHardProps } = instantiate(dieHard)
const dieHardCompiled = compileSpec(dieHardSpec, dieHardProps)
const dieHardInstances = dieHardCompiled.instances

testProp(
  'every DieHard behaviour takes only enabled actions and replays step by step',
  [behaviours(dieHard, { maxSteps: 15 })],
  (t, b) => {
    t.true(b.trace.length <= 16)
    t.is(b.states.length, b.steps.length + 1)
    t.deepEqual(b.states[0], { small: 0, big: 0 })
    b.steps.forEach((step, i) => {
      const inst = dieHardInstances.find((x) => x.name === step.action)!
      t.deepEqual(strictStep(b.states[i], inst, dieHardCompiled.canonical), b.states[i + 1])
      t.is(b.trace[i + 1]!.action!.label, inst.label)
    })
    t.true(b.states.every((s) => Object.isFrozen(s)))
    t.is(b.last, b.states.at(-1)!)
    t.deepEqual(replayChoices(dieHard, b.choices).states, b.states)
  },
  { numRuns: 200 },
)

testProp(
  'the translation table stays coherent along every behaviour (checkSequence on)',
  [behaviours(translationTable, { params: { pages: 2 }, maxSteps: 30 })],
  (t, b) => {
    for (const s of b.states) t.true(s.dev.every((f, p) => f === null || f === s.cpu[p]))
  },
  { numRuns: 300 },
)

test('a failing behaviour property shrinks to a short behaviour, printed as a trace', (t) => {
  const out = fc.check(
    fc.property(behaviours(dieHard, { maxSteps: 30 }), (b) => b.states.every((s) => s.big !== 4)),
    { seed: 5, numRuns: 2000 },
  )
  if (!out.failed) return t.fail('no behaviour reached big = 4')
  const [b] = out.counterexample!
  t.log(`seed 5: shrunk to ${b.trace.length} states: ${b.trace.slice(1).map((s) => s.action!.label).join(', ')}`)
  t.is(b.last.big, 4)
  t.true(b.trace.length <= 9, `expected a short behaviour, got ${b.trace.length} states`)
  const report = fc.defaultReportMessage(out)!
  t.regex(report, /Behaviour of \d+ states:\nState 1: <Initial predicate>\n {2}\/\\ small = 0/)
})

test('behaviours end where nothing is enabled or outside the constraint', (t) => {
  const { spec, action } = vars({ n: types.int(0, 3) })
  const counter = spec({
    name: 'counter',
    init: { n: 0 },
    actions: { Inc: action({ guard: (s) => s.n < 3, effect: (d) => void d.n++ }) },
  })
  const b = replayChoices(counter, [0, 5, 5, 5, 5, 5])
  t.is(b.end, 'deadlock')
  t.deepEqual(b.states, [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }])
  t.deepEqual(b.choices, [0, 0, 0, 0])
  const constrained = replayChoices(spec({ ...counter, constraint: (s) => s.n < 2 }), [0, 1, 1, 1])
  t.is(constrained.end, 'constraint')
  t.deepEqual(constrained.last, { n: 2 })
  t.is(replayChoices(counter, [0, 1]).end, 'steps')
})
