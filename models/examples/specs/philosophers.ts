/**
 * The spec of philosophers (models/examples/philosophers.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars } from '../../../checker/index.js'

export const build = ({ NP, fairness }: { NP: number; fairness: 'weak' | 'none' }) => {
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
