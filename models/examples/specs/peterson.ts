/**
 * The spec of peterson (models/examples/peterson.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars } from '../../../checker/index.js'

export const build = ({ bug }: { bug: 'none' | 'ignore-turn' }) => {
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
