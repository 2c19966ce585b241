/**
 * Senders post messages (records) into a set and a reader takes them out; Post writes the set
 * carelessly: a fresh record pushed, the set reversed, its first member again at the end. For the
 * tests of sets of records (test/encode/setsOfRecords.test.ts); a module of its own, so that search
 * workers can load it.
 */
import { defineModel, has, remove, t, vars } from '../../checker/index.js'

const Sender = t.index(2, { name: 'Sender' })
const Kind = t.enum('ping', 'pong')
export const Message = t.record({ from: Sender, kind: Kind })
type Msg = { from: number; kind: 'ping' | 'pong' }

/** Domain order: `from` first (slowest), then `kind`. */
const rank = (m: Msg) => m.from * 2 + (m.kind === 'ping' ? 0 : 1)
export const isCanonical = (members: readonly Msg[]) => members.every((m, i) => i === 0 || rank(members[i - 1]!) < rank(m))

const build = () => {
  const { spec, action } = vars({ box: t.set(Message), taken: t.int(0, 3) })
  return spec({
    name: 'mailbox',
    init: { box: [], taken: 0 },
    actions: {
      Post: action(
        { from: Sender, kind: Kind },
        {
          guard: (s, m) => !has(s.box, { ...m }),
          effect: (d, { from, kind }) => {
            d.box.push({ from, kind })
            d.box.reverse()
            d.box.push({ ...d.box[0]! })
          },
        },
      ),
      Take: action(
        { from: Sender, kind: Kind },
        {
          guard: (s, m) => has(s.box, { ...m }),
          effect: (d, m) => {
            remove(d.box, { ...m })
            d.taken = Math.min(3, d.taken + 1)
          },
        },
      ),
    },
    checkDeadlock: false,
  })
}

export default defineModel({
  name: 'mailbox',
  summary: 'a set of records written with duplicates and out of order',
  params: {},
  build,
  properties: () => ({
    invariants: {
      AtMostThree: (s) => s.box.length <= 3,
      Canonical: (s) => isCanonical(s.box),
    },
    actionProperties: { GrowsByOne: (s, n) => n.box.length <= s.box.length + 1 },
  }),
})
