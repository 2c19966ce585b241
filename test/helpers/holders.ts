/**
 * Processes grab and release a shared resource, kept in a set field that Grab writes carelessly:
 * backwards, with its first member again at the end. For the tests of canonical sets
 * (test/search/setFields.test.ts); a module of its own, so that search workers can load it.
 */
import { defineModel, param, t, vars } from '../../checker/index.js'

export const isCanonical = (members: readonly number[]) => members.every((m, i) => i === 0 || members[i - 1]! < m)

const build = ({ init }: { init: 'empty' | 'messy' }) => {
  const P = t.index(3, { name: 'Proc' })
  const { spec, action } = vars({ holders: t.set(P), grabs: t.int(0, 3) })
  return spec({
    name: 'holders',
    init: { holders: init === 'empty' ? [] : [2, 0, 2], grabs: 0 },
    actions: {
      Grab: action(
        { p: P },
        {
          guard: (s, { p }) => !s.holders.includes(p),
          effect: (d, { p }) => {
            d.holders.push(p)
            d.holders.reverse()
            d.holders.push(d.holders[0]!)
            d.grabs = Math.min(3, d.grabs + 1)
          },
        },
      ),
      Release: action(
        { p: P },
        {
          guard: (s, { p }) => s.holders.includes(p),
          effect: (d, { p }) => void (d.holders = [p, ...d.holders.filter((q) => q !== p)].slice(1).reverse()),
        },
      ),
    },
    constraint: (s) => isCanonical(s.holders),
    checkDeadlock: false,
  })
}

export default defineModel({
  name: 'holders',
  summary: 'a set field written with duplicates and out of order',
  params: { init: param.enum(['empty', 'messy'], 'empty', 'the initial holders: none, or {0, 2} written as [2, 0, 2]') },
  build,
  properties: () => ({
    invariants: {
      AtMostTwo: (s) => s.holders.length <= 2,
      Canonical: (s) => isCanonical(s.holders),
      NotZeroAndTwo: (s) => s.holders.join() !== '0,2',
    },
    actionProperties: { GrowsByOne: (s, n) => n.holders.length <= s.holders.length + 1 },
  }),
})
