/** DieHard's properties: the typing invariant and the goal, stated so that a solution violates it. */
import { properties } from '../../checker/index.js'
import type { DieHard } from '../../models/examples/specs/diehard.js'

export default properties<DieHard, { small: number; big: number; goal: number }>()(({ small, big, goal }) => ({
  invariants: {
    /** TypeOK: both jugs hold between nothing and their capacity. */
    TypeOK: (s) => s.small >= 0 && s.small <= small && s.big >= 0 && s.big <= big,
    /** The goal as a violated invariant: a counterexample is a way to measure `goal` gallons. */
    NotSolved: (s) => s.big !== goal,
  },
  docs: {
    TypeOK: 'Both jugs hold between nothing and their capacity.',
    NotSolved: 'The big jug never holds the goal amount; a counterexample is a solution.',
  },
}))
