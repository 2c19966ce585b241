/**
 * DieHard: the water-jug puzzle from the film, as in the TLA+ examples (DieHard.tla). Jugs of
 * 3 and 5 gallons; the goal "the big jug holds 4" is stated as an invariant that must be violated,
 * and the shortest counterexample is the solution (7 states). Without the goal: 16 distinct states.
 */
import { defineModel, param } from '../../checker/index.js'
import { build } from './specs/diehard.js'
import dieHardProperties from '../../properties/examples/diehard.js'

export * from './specs/diehard.js'

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
