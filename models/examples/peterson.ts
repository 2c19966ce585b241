/**
 * Peterson's mutual-exclusion algorithm for two processes, each step one atomic action:
 * raise the flag, give the turn away, wait until the other is not interested or it is our turn,
 * enter and leave the critical section. The `bug` variant skips the wait on the turn. Each step's
 * actor is its process, so sequence views draw one lane per process.
 */
import { defineModel, param, t, vars } from '../../checker/index.js'
import petersonProperties from '../../properties/examples/peterson.js'

const build = ({ bug }: { bug: 'none' | 'ignore-turn' }) => {
  const Proc = t.index(2, { name: 'Proc' })
  const { spec, action } = vars({
    flag: t.array(Proc, t.bool()),
    turn: Proc,
    pc: t.array(Proc, t.enum('idle', 'flagged', 'waiting', 'critical')),
  })
  return spec({
    name: 'peterson',
    constants: { bug },
    init: { flag: [false, false], turn: 0, pc: ['idle', 'idle'] },
    actions: {
      SetFlag: action(
        { p: Proc },
        {
          guard: (s, { p }) => s.pc[p] === 'idle',
          effect: (d, { p }) => {
            d.flag[p] = true
            d.pc[p] = 'flagged'
          },
          fairness: 'weak',
          actor: ({ p }) => `proc ${p}`,
        },
      ),
      GiveTurn: action(
        { p: Proc },
        {
          guard: (s, { p }) => s.pc[p] === 'flagged',
          effect: (d, { p }) => {
            d.turn = 1 - p
            d.pc[p] = 'waiting'
          },
          fairness: 'weak',
          actor: ({ p }) => `proc ${p}`,
        },
      ),
      Enter: action(
        { p: Proc },
        {
          guard: (s, { p }) => s.pc[p] === 'waiting' && (!s.flag[1 - p] || s.turn === p || bug === 'ignore-turn'),
          effect: (d, { p }) => void (d.pc[p] = 'critical'),
          fairness: 'weak',
          actor: ({ p }) => `proc ${p}`,
        },
      ),
      Exit: action(
        { p: Proc },
        {
          guard: (s, { p }) => s.pc[p] === 'critical',
          effect: (d, { p }) => {
            d.flag[p] = false
            d.pc[p] = 'idle'
          },
          fairness: 'weak',
          actor: ({ p }) => `proc ${p}`,
        },
      ),
    },
  })
}

export type Peterson = ReturnType<typeof build>

export default defineModel({
  name: 'peterson',
  summary: "Peterson's mutual exclusion for two processes.",
  params: { bug: param.enum(['none', 'ignore-turn'], 'none', 'ignore-turn: enter without waiting for the turn') },
  matrixParam: 'bug',
  build,
  properties: petersonProperties,
  expectedBreaks: ({ bug }) => (bug === 'ignore-turn' ? ['MutualExclusion'] : []),
})
