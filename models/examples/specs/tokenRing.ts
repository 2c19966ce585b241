/**
 * The spec of tokenRing (models/examples/tokenRing.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars } from '../../../checker/index.js'

export const build = ({ nodes, values }: { nodes: number; values: number }) => {
  const { spec, action } = vars({
    /** The counter at each node; a node holds the token when its counter differs from its left neighbour's (node 0: equals). */
    c: t.array(nodes, t.int(0, values - 1)),
  })
  return spec({
    name: 'tokenRing',
    constants: { nodes, values },
    // Init == c \in [Node -> 0..M-1]: every assignment of the counters is an initial state.
    init: { where: () => true },
    actions: {
      CreateToken: action({
        guard: (s) => s.c[0] === s.c[nodes - 1],
        effect: (d) => void (d.c[0] = (d.c[nodes - 1]! + 1) % values),
        actor: 'node 0',
      }),
      PassToken: action(
        { i: t.int(1, Math.max(1, nodes - 1)) },
        {
          guard: (s, { i }) => i < nodes && s.c[i] !== s.c[i - 1],
          effect: (d, { i }) => void (d.c[i] = d.c[i - 1]!),
          actor: ({ i }) => `node ${i}`,
        },
      ),
    },
    // WF_vars(Next): the ring moves on as long as some move is enabled, one fairness over every action.
    fairness: [{ kind: 'weak', actions: ['CreateToken', 'PassToken'] }],
  })
}

/** UniqueToken: counters equal to c[0] up to some node, and c[0] - 1 (mod M) from there on. */
export const uniqueToken = (c: readonly number[], values: number): boolean => {
  for (let i = 0; i <= c.length; i++) {
    if (c.slice(0, i).every((x) => x === c[0]) && c.slice(i).every((x) => x === (c[0]! - 1 + values) % values)) return true
  }
  return false
}

export type TokenRing = ReturnType<typeof build>
