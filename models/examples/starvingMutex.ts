/**
 * StarvingMutex: N processes share one lock; a waiting process enters when the lock is free. The
 * textbook case for strong fairness. Without fairness a waiting process may wait forever
 * (the behaviour just stutters); with weak fairness on Enter it still may, because the other
 * processes can take the lock in turn forever, so Enter(p) is enabled only now and then and weak
 * fairness asks nothing; with strong fairness on Enter (`\A p : SF_vars(Enter(p))`) nobody starves.
 * Exit is weakly fair whenever Enter is fair: a process in its critical section leaves it.
 */
import { defineModel, param } from '../../checker/index.js'
import { build } from './specs/starvingMutex.js'
import starvingMutexProperties from '../../properties/examples/starvingMutex.js'

export * from './specs/starvingMutex.js'

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
