/**
 * The spec of twophase-msgs (models/examples/twoPhaseMsgs.ts): its state, actions, parameters and
 * the helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { has, t, vars } from '../../../checker/index.js'
import { RMState } from './tcommit.js'

export const build = ({ rms }: { rms: number }) => {
  const RM = t.index(rms, { name: 'RM', symmetric: true })
  // Message == [type : {"Prepared"}, rm : RM] \cup [type : {"Commit", "Abort"}]: one record type,
  // whose rm is null in a Commit or an Abort.
  const Message = t.record({ type: t.enum('Prepared', 'Commit', 'Abort'), rm: t.option(RM) })
  const { spec, action } = vars({
    rmState: t.array(RM, RMState),
    tmState: t.enum('init', 'committed', 'aborted'),
    tmPrepared: t.set(RM),
    msgs: t.set(Message),
  })
  return spec({
    name: 'twophase-msgs',
    constants: { rms },
    init: { rmState: Array<'working'>(rms).fill('working'), tmState: 'init', tmPrepared: [], msgs: [] },
    // TPNext == TMCommit \/ TMAbort \/ \E rm \in RM : TMRcvPrepared(rm) \/ RMPrepare(rm) \/ ...
    actions: {
      TMRcvPrepared: action(
        { rm: RM },
        {
          guard: (s, { rm }) => s.tmState === 'init' && has(s.msgs, { type: 'Prepared', rm }),
          effect: (d, { rm }) => void d.tmPrepared.push(rm), // tmPrepared' = tmPrepared \cup {rm}
          actor: 'manager',
        },
      ),
      TMCommit: action({
        guard: (s) => s.tmState === 'init' && s.tmPrepared.length === rms, // tmPrepared = RM
        effect: (d) => {
          d.tmState = 'committed'
          d.msgs.push({ type: 'Commit', rm: null }) // msgs' = msgs \cup {[type |-> "Commit"]}
        },
        actor: 'manager',
      }),
      TMAbort: action({
        guard: (s) => s.tmState === 'init',
        effect: (d) => {
          d.tmState = 'aborted'
          d.msgs.push({ type: 'Abort', rm: null })
        },
        actor: 'manager',
      }),
      RMPrepare: action(
        { rm: RM },
        {
          guard: (s, { rm }) => s.rmState[rm] === 'working',
          effect: (d, { rm }) => {
            d.rmState[rm] = 'prepared'
            d.msgs.push({ type: 'Prepared', rm })
          },
          actor: 'resource',
        },
      ),
      RMChooseToAbort: action(
        { rm: RM },
        { guard: (s, { rm }) => s.rmState[rm] === 'working', effect: (d, { rm }) => void (d.rmState[rm] = 'aborted'), actor: 'resource' },
      ),
      RMRcvCommitMsg: action(
        { rm: RM },
        {
          guard: (s) => has(s.msgs, { type: 'Commit', rm: null }),
          effect: (d, { rm }) => void (d.rmState[rm] = 'committed'),
          actor: 'resource',
        },
      ),
      RMRcvAbortMsg: action(
        { rm: RM },
        {
          guard: (s) => has(s.msgs, { type: 'Abort', rm: null }),
          effect: (d, { rm }) => void (d.rmState[rm] = 'aborted'),
          actor: 'resource',
        },
      ),
    },
  })
}

export type TwoPhaseMsgs = ReturnType<typeof build>
