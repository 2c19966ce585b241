/**
 * StarvingMutex: N processes share one lock; a waiting process enters when the lock is free. The
 * textbook case for strong fairness. Without fairness a waiting process may wait forever
 * (the behaviour just stutters); with weak fairness on Enter it still may, because the other
 * processes can take the lock in turn forever, so Enter(p) is enabled only now and then and weak
 * fairness asks nothing; with strong fairness on Enter (`\A p : SF_vars(Enter(p))`) nobody starves.
 * Exit is weakly fair whenever Enter is fair: a process in its critical section leaves it.
 */
import { defineModel, param, t, vars } from '../../checker/index.js'
import starvingMutexProperties from '../../properties/examples/starvingMutex.js'

export type EnterFairness = 'none' | 'weak' | 'strong'

const build = ({ N, fairness }: { N: number; fairness: EnterFairness }) => {
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

export default defineModel({
  name: 'starvingMutex',
  summary: 'A lock shared by N processes: starvation without fairness and under weak fairness, none under strong.',
  params: {
    N: param.int(2, { min: 1, max: 6 }, 'number of processes'),
    fairness: param.enum(['none', 'weak', 'strong'], 'strong', 'fairness of Enter (Exit is weakly fair unless none)'),
  },
  build,
  properties: starvingMutexProperties,
})
