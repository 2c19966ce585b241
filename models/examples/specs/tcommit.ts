/**
 * The spec of tcommit (models/examples/tcommit.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars } from '../../../checker/index.js'

export const RMState = t.enum('working', 'prepared', 'committed', 'aborted')

export const build = ({ rms }: { rms: number }) => {
  const RM = t.index(rms, { name: 'RM' })
  const { spec, action } = vars({ rmState: t.array(RM, RMState) })
  // canCommit == \A r \in RM : rmState[r] \in {"prepared", "committed"}
  const canCommit = (s: { rmState: readonly string[] }) => s.rmState.every((x) => x === 'prepared' || x === 'committed')
  // notCommitted == \A r \in RM : rmState[r] # "committed"
  const notCommitted = (s: { rmState: readonly string[] }) => s.rmState.every((x) => x !== 'committed')
  return spec({
    name: 'tcommit',
    constants: { rms },
    init: { rmState: Array<'working'>(rms).fill('working') },
    // TCNext == \E r \in RM : Prepare(r) \/ Decide(r), Decide's two disjuncts as two actions.
    actions: {
      Prepare: action({ r: RM }, { guard: (s, { r }) => s.rmState[r] === 'working', effect: (d, { r }) => void (d.rmState[r] = 'prepared') }),
      DecideCommit: action(
        { r: RM },
        { guard: (s, { r }) => s.rmState[r] === 'prepared' && canCommit(s), effect: (d, { r }) => void (d.rmState[r] = 'committed') },
      ),
      DecideAbort: action(
        { r: RM },
        {
          guard: (s, { r }) => (s.rmState[r] === 'working' || s.rmState[r] === 'prepared') && notCommitted(s),
          effect: (d, { r }) => void (d.rmState[r] = 'aborted'),
        },
      ),
    },
    // TCommit.cfg: CHECK_DEADLOCK FALSE (every RM decided is a final state).
    checkDeadlock: false,
  })
}

export type TCommit = ReturnType<typeof build>
