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
import { defineModel, param, t, vars } from '../../checker/index.js'
import philosophersProperties from '../../properties/examples/philosophers.js'

const build = ({ NP, fairness }: { NP: number; fairness: 'weak' | 'none' }) => {
  const Phil = t.index(NP, { name: 'Phil' })
  const { spec, action } = vars({
    forks: t.array(NP, t.record({ holder: Phil, clean: t.bool() })),
    hungry: t.array(Phil, t.bool()),
    pc: t.array(Phil, t.enum('Loop', 'Eat', 'Think')),
  })
  const leftFork = (p: number) => p
  const rightFork = (p: number) => (p + 1) % NP
  const leftPhilosopher = (p: number) => (p + NP - 1) % NP
  const rightPhilosopher = (p: number) => (p + 1) % NP
  return spec({
    name: 'philosophers',
    constants: { NP, fairness },
    init: {
      // Each fork starts dirty, with the lower-numbered neighbour in the published spec's
      // numbering: fork 1 (0-based) goes to philosopher 0, every other fork to its left owner.
      forks: Array.from({ length: NP }, (_, f) => ({ holder: f === 1 ? 0 : f, clean: false })),
      hungry: Array<boolean>(NP).fill(true),
      pc: Array<'Loop'>(NP).fill('Loop'),
    },
    actions: {
      Philosopher: action({ p: Phil }, {
        effect: (d, { p }) => {
          const L = leftFork(p)
          const R = rightFork(p)
          switch (d.pc[p]) {
            case 'Loop': {
              // CanEat is read in the state before the step, as in the TLA+ translation.
              const canEat =
                d.forks[L]!.holder === p && d.forks[R]!.holder === p && d.forks[L]!.clean && d.forks[R]!.clean
              if (d.forks[L]!.holder === p && !d.forks[L]!.clean) {
                d.forks[L] = { holder: leftPhilosopher(p), clean: true }
              } else if (d.forks[R]!.holder === p && !d.forks[R]!.clean) {
                d.forks[R] = { holder: rightPhilosopher(p), clean: true }
              }
              d.pc[p] = d.hungry[p] ? (canEat ? 'Eat' : 'Loop') : 'Think'
              break
            }
            case 'Think':
              d.hungry[p] = true
              d.pc[p] = 'Loop'
              break
            case 'Eat':
              d.hungry[p] = false
              d.forks[L]!.clean = false
              d.forks[R]!.clean = false
              d.pc[p] = 'Loop'
              break
          }
        },
        fairness: fairness === 'none' ? undefined : fairness,
      }),
    },
  })
}

export type Philosophers = ReturnType<typeof build>

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
