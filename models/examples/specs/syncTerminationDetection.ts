/**
 * The spec of sync-termination-detection (models/examples/syncTerminationDetection.ts), kept apart
 * so that the properties import it without a circle.
 */
import { t, vars } from '../../../checker/index.js'

export const build = ({ N }: { N: number }) => {
  const Node = t.index(N, { name: 'Node' })
  const { spec, action } = vars({ active: t.array(Node, t.bool()), terminationDetected: t.bool() })
  const terminated = (active: readonly boolean[]) => active.every((a) => !a)
  // Init: active any; terminationDetected \in {FALSE, terminated}.
  const init = Array.from({ length: 2 ** N }, (_, a) => Array.from({ length: N }, (_, i) => ((a >>> i) & 1) === 1)).flatMap(
    (active) => [false, terminated(active)].filter((td, k) => k === 0 || td).map((terminationDetected) => ({ active, terminationDetected })),
  )
  return spec({
    name: 'sync-termination-detection',
    constants: { N },
    init,
    checkDeadlock: false,
    actions: {
      // terminationDetected' \in {terminationDetected, terminated'}: detect picks the second
      // element, only where it differs from the first (a set of one element is one successor).
      Terminate: action({ i: Node, detect: t.bool() }, {
        guard: (s, { i, detect }) => s.active[i]! && (!detect || s.terminationDetected !== terminated(s.active.map((a, j) => a && j !== i))),
        effect: (d, { i, detect }) => {
          d.active[i] = false
          if (detect) d.terminationDetected = terminated(d.active)
        },
      }),
      Wakeup: action({ i: Node, j: Node }, {
        guard: (s, { i }) => s.active[i]!,
        effect: (d, { j }) => void (d.active[j] = true),
      }),
      DetectTermination: action({
        guard: (s) => terminated(s.active),
        effect: (d) => void (d.terminationDetected = true),
        fairness: 'weak',
      }),
    },
  })
}

export type SyncTerminationDetection = ReturnType<typeof build>
