/**
 * DiningPhilosophers: the Chandy-Misra "hygienic" solution, as in the TLA+ examples repository
 * (specifications/DiningPhilosophers, a PlusCal algorithm by Jeff Hemphill). NP philosophers sit
 * in a ring with one fork between neighbours; a philosopher hands a dirty fork it holds to the
 * neighbour who shares it (cleaning it), eats when holding both forks clean, which dirties them,
 * and then thinks and becomes hungry again. With NP = 5 TLC reports 67 distinct states, 336
 * generated, depth 29, and NobodyStarves holds under weak fairness per philosopher.
 *
 * The PlusCal process has labels Loop, Eat and Think; the fairness is `\A p : WF_vars(Philosopher(p))`
 * with Philosopher(p) the disjunction of the three. To keep exactly that fairness, one action
 * `Philosopher(p)` takes the step of p's current label (its guard is always true, as one of the
 * three disjuncts is always enabled). Philosophers are numbered 0..NP-1 here: fork p lies between
 * philosopher p (its left fork) and philosopher p-1 (its right fork).
 */
import { defineModel, param } from '../../checker/index.js'
import { build } from './specs/philosophers.js'
import philosophersProperties from '../../properties/examples/philosophers.js'

export * from './specs/philosophers.js'

export default defineModel({
  name: 'philosophers',
  summary: 'Dining philosophers, Chandy-Misra solution: nobody starves under weak fairness (67 states for 5).',
  params: {
    NP: param.int(5, { min: 2, max: 8 }, 'number of philosophers'),
    fairness: param.enum(['weak', 'none'], 'weak', 'WF_vars(Philosopher(p)) for every p, or no fairness'),
  },
  build,
  properties: philosophersProperties,
})
