/**
 * The spec of twophase (models/examples/twophase.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars } from '../../../checker/index.js'

export const build = ({ rms }: { rms: number }) => {
  const RM = t.index(rms, { name: 'RM', symmetric: true })
  const { spec, action } = vars({
    rmState: t.array(RM, t.enum('working', 'prepared', 'committed', 'aborted')),
    tmState: t.enum('init', 'done'),
    tmPrepared: t.set(RM),
    prepared: t.set(RM),
    commitSent: t.bool(),
    abortSent: t.bool(),
  })
  return spec({
    name: 'twophase',
    constants: { rms },
    init: {
      rmState: Array<'working'>(rms).fill('working'),
      tmState: 'init',
      tmPrepared: [],
      prepared: [],
      commitSent: false,
      abortSent: false,
    },
    actions: {
      TMRcvPrepared: action(
        { rm: RM },
        {
          guard: (s, { rm }) => s.tmState === 'init' && s.prepared.includes(rm),
          effect: (d, { rm }) => void (d.tmPrepared = [...new Set([...d.tmPrepared, rm])]),
          actor: 'manager',
        },
      ),
      TMCommit: action({
        guard: (s) => s.tmState === 'init' && s.tmPrepared.length === rms,
        effect: (d) => {
          d.tmState = 'done'
          d.commitSent = true
        },
        actor: 'manager',
      }),
      TMAbort: action({
        guard: (s) => s.tmState === 'init',
        effect: (d) => {
          d.tmState = 'done'
          d.abortSent = true
        },
        actor: 'manager',
      }),
      RMPrepare: action(
        { rm: RM },
        {
          guard: (s, { rm }) => s.rmState[rm] === 'working',
          effect: (d, { rm }) => {
            d.rmState[rm] = 'prepared'
            d.prepared = [...new Set([...d.prepared, rm])]
          },
          actor: 'resource',
        },
      ),
      RMChooseToAbort: action(
        { rm: RM },
        {
          guard: (s, { rm }) => s.rmState[rm] === 'working',
          effect: (d, { rm }) => void (d.rmState[rm] = 'aborted'),
          actor: 'resource',
        },
      ),
      RMRcvCommitMsg: action(
        { rm: RM },
        { guard: (s) => s.commitSent, effect: (d, { rm }) => void (d.rmState[rm] = 'committed'), actor: 'resource' },
      ),
      RMRcvAbortMsg: action(
        { rm: RM },
        { guard: (s) => s.abortSent, effect: (d, { rm }) => void (d.rmState[rm] = 'aborted'), actor: 'resource' },
      ),
    },
  })
}

export type TwoPhase = ReturnType<typeof build>
