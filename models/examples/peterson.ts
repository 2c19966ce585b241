/**
 * Peterson's mutual-exclusion algorithm for two processes, each step one atomic action:
 * raise the flag, give the turn away, wait until the other is not interested or it is our turn,
 * enter and leave the critical section. The `bug` variant skips the wait on the turn. Each step's
 * actor is its process, so sequence views draw one lane per process.
 */
import { defineModel, param } from '../../checker/index.js'
import { build } from './specs/peterson.js'
import petersonProperties from '../../properties/examples/peterson.js'

export * from './specs/peterson.js'

export default defineModel({
  name: 'peterson',
  summary: "Peterson's mutual exclusion for two processes.",
  params: { bug: param.enum(['none', 'ignore-turn'], 'none', 'ignore-turn: enter without waiting for the turn') },
  matrixParam: 'bug',
  build,
  properties: petersonProperties,
  expectedBreaks: ({ bug }) => (bug === 'ignore-turn' ? ['MutualExclusion'] : []),
})
