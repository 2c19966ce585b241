/**
 * The spec of diehard (models/examples/diehard.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars } from '../../../checker/index.js'

export const build = ({ small, big }: { small: number; big: number }) => {
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
