/**
 * The spec of ewd840 (models/examples/ewd840.ts): its state, actions and parameters, kept apart so
 * that the properties import them without a circle.
 */
import { t, vars } from '../../../checker/index.js'

export type Ewd840Fairness = 'system' | 'per-instance' | 'none'

export const build = ({ N, fairness }: { N: number; fairness: Ewd840Fairness }) => {
  const Node = t.index(N, { name: 'Node' })
  const Color = t.enum('white', 'black')
  const { spec, action } = vars({
    active: t.array(Node, t.bool()),
    color: t.array(Node, Color),
    tpos: Node,
    tcolor: Color,
  })
  type Colour = 'white' | 'black'
  // Init: every assignment of active and color, the token anywhere, black.
  const init = []
  for (let a = 0; a < 2 ** N; a++) {
    for (let k = 0; k < 2 ** N; k++) {
      for (let tpos = 0; tpos < N; tpos++) {
        const active = Array.from({ length: N }, (_, i) => ((a >>> i) & 1) === 1)
        const color = Array.from({ length: N }, (_, i): Colour => (((k >>> i) & 1) === 1 ? 'black' : 'white'))
        init.push({ active, color, tpos, tcolor: 'black' as Colour })
      }
    }
  }
  const perInstance = fairness === 'per-instance' ? 'weak' : undefined
  return spec({
    name: 'ewd840',
    constants: { N, fairness },
    init,
    checkDeadlock: false,
    actions: {
      InitiateProbe: action({
        guard: (s) => s.tpos === 0 && (s.tcolor === 'black' || s.color[0] === 'black'),
        effect: (d) => {
          d.tpos = N - 1
          d.tcolor = 'white'
          d.color[0] = 'white'
        },
        fairness: perInstance,
      }),
      PassToken: action({ i: t.int(1, N - 1) }, {
        guard: (s, { i }) => s.tpos === i && (!s.active[i] || s.color[i] === 'black' || s.tcolor === 'black'),
        effect: (d, { i }) => {
          d.tpos = i - 1
          if (d.color[i] === 'black') d.tcolor = 'black'
          d.color[i] = 'white'
        },
        fairness: perInstance,
      }),
      SendMsg: action({ i: Node, j: Node }, {
        guard: (s, { i, j }) => s.active[i]! && j !== i,
        effect: (d, { i, j }) => {
          d.active[j] = true
          if (j > i) d.color[i] = 'black'
        },
      }),
      Deactivate: action({ i: Node }, {
        guard: (s, { i }) => s.active[i]!,
        effect: (d, { i }) => void (d.active[i] = false),
      }),
    },
    // Spec == Init /\ [][Next]_vars /\ WF_vars(System), System == InitiateProbe \/ \E i : PassToken(i)
    fairness: fairness === 'system' ? [{ kind: 'weak', actions: ['InitiateProbe', 'PassToken'] }] : [],
  })
}

export type Ewd840 = ReturnType<typeof build>

/** terminationDetected: a white token at a white, passive node 0. */
export const terminationDetected = (s: { tpos: number; tcolor: string; color: readonly string[]; active: readonly boolean[] }) =>
  s.tpos === 0 && s.tcolor === 'white' && s.color[0] === 'white' && !s.active[0]
