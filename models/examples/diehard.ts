/**
 * DieHard: the water-jug puzzle from the film, as in the TLA+ examples (DieHard.tla). Jugs of
 * 3 and 5 gallons; the goal "the big jug holds 4" is stated as an invariant that must be violated,
 * and the shortest counterexample is the solution (7 states). Without the goal: 16 distinct states.
 */
import { defineModel, param, t, vars } from '../../checker/index.js'
import dieHardProperties from '../../properties/examples/diehard.js'

const build = ({ small, big }: { small: number; big: number }) => {
  const { spec, action } = vars({ small: t.int(0, small), big: t.int(0, big) })
  return spec({
    name: 'diehard',
    constants: { small, big },
    init: { small: 0, big: 0 },
    actions: {
      FillSmallJug: action({ effect: (d) => void (d.small = small) }),
      FillBigJug: action({ effect: (d) => void (d.big = big) }),
      EmptySmallJug: action({ effect: (d) => void (d.small = 0) }),
      EmptyBigJug: action({ effect: (d) => void (d.big = 0) }),
      SmallToBig: action({
        effect: (d) => {
          const poured = Math.min(d.small, big - d.big)
          d.big += poured
          d.small -= poured
        },
      }),
      BigToSmall: action({
        effect: (d) => {
          const poured = Math.min(d.big, small - d.small)
          d.small += poured
          d.big -= poured
        },
      }),
    },
  })
}

export type DieHard = ReturnType<typeof build>

export default defineModel({
  name: 'diehard',
  summary: 'The water-jug puzzle: measure 4 gallons with jugs of 3 and 5.',
  params: {
    small: param.int(3, { min: 1, max: 20 }, 'capacity of the small jug'),
    big: param.int(5, { min: 1, max: 20 }, 'capacity of the big jug'),
    goal: param.int(4, { min: 0, max: 20 }, 'the amount to measure; NotSolved fails when the big jug holds it'),
  },
  build,
  properties: dieHardProperties,
})
