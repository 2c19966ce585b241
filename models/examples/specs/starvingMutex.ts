/**
 * The spec of starvingMutex (models/examples/starvingMutex.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars } from '../../../checker/index.js'

export type EnterFairness = 'none' | 'weak' | 'strong'

export const build = ({ N, fairness }: { N: number; fairness: EnterFairness }) => {
  const Proc = t.index(N, { name: 'Proc' })
  const { spec, action } = vars({
    pc: t.array(Proc, t.enum('idle', 'waiting', 'critical')),
    /** The lock: the process holding it, or null when it is free. */
    owner: t.option(Proc),
  })
  return spec({
    name: 'starvingMutex',
    constants: { N, fairness },
    init: { pc: Array<'idle'>(N).fill('idle'), owner: null },
    actions: {
      Request: action({ p: Proc }, {
        guard: (s, { p }) => s.pc[p] === 'idle',
        effect: (d, { p }) => void (d.pc[p] = 'waiting'),
      }),
      Enter: action({ p: Proc }, {
        guard: (s, { p }) => s.pc[p] === 'waiting' && s.owner === null,
        effect: (d, { p }) => {
          d.pc[p] = 'critical'
          d.owner = p
        },
        fairness: fairness === 'none' ? undefined : fairness,
      }),
      Exit: action({ p: Proc }, {
        guard: (s, { p }) => s.pc[p] === 'critical',
        effect: (d, { p }) => {
          d.pc[p] = 'idle'
          d.owner = null
        },
        fairness: fairness === 'none' ? undefined : 'weak',
      }),
    },
  })
}

export type StarvingMutex = ReturnType<typeof build>
