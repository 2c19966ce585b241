/**
 * Symmetry reduction on map fields in the whole check, against the brute-force orbit count of
 * test/helpers/orbits.ts (every renaming of the decoded state, canonicalised by encoding it, the
 * least taken): random models that are symmetric by construction, with a map keyed by a symmetric
 * type, one keyed by pairs of its members, one whose values are its members, and a parameter that
 * is such a map. Same verdicts as without symmetry, the reduced count is the number of orbits, and
 * counterexamples replay and are as short as without.
 */
import { testProp, fc } from '@fast-check/ava'
import { get, hasKey, put, removeKey, t, vars, type PropertySet } from '../../checker/index.js'
import { symmetryMatchesOrbits } from '../helpers/symmetryAgreement.js'

/** Per view of a step or a hand-over: whether it is enabled and what it writes (see mapSpec). */
interface MapRules {
  readonly n: number
  readonly bound: number
  /** Per view of (p, q): [enabled, p's new bit, vote[p] (0 keep, 1 yes, 2 no, 3 remove), edge (p, q) (0 keep, 1 toggle, 2 flip), lead r1 (0 keep, 1 p, 2 remove)]. */
  readonly step: readonly (readonly [boolean, number, number, number, number])[]
  /** Per view of the map m: [enabled, take m as lead]. */
  readonly hand: readonly (readonly [boolean, boolean])[]
  readonly init: readonly number[]
  readonly maxVotes: number
}

const STEP_VIEWS = 2 * 2 * 2 * 3 * 3 * 3 * 4
const HAND_VIEWS = 3 * 2 * 2 * 3

// Two processes with at most two map entries in vote and edge, or three with one: a few thousand states at most.
const size = fc.oneof(fc.constant({ n: 3, bound: 1 }), fc.constant({ n: 2, bound: 2 }))

const mapRules: fc.Arbitrary<MapRules> = size.chain(({ n, bound }) =>
  fc.record({
    n: fc.constant(n),
    bound: fc.constant(bound),
    step: fc.array(
      fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
      { minLength: STEP_VIEWS, maxLength: STEP_VIEWS },
    ),
    hand: fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: HAND_VIEWS, maxLength: HAND_VIEWS }),
    init: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
    maxVotes: fc.integer({ min: 0, max: 2 }),
  }),
)

/** Digits to one number: `[value, base], ...`, the first slowest. */
const code = (...digits: (readonly [number | boolean, number])[]) => digits.reduce((acc, [v, base]) => acc * base + Number(v), 0)

function mapSpec(r: MapRules) {
  const P = t.index(r.n, { name: 'P', symmetric: true })
  const Role = t.enum('r1', 'r2')
  const { spec, action } = vars({
    local: t.array(P, t.int(0, 1)),
    vote: t.map(P, t.enum('yes', 'no')),
    edge: t.map(t.tuple(P, P), t.bool()),
    lead: t.map(Role, P),
  })
  type S = { local: number[]; vote: [number, 'yes' | 'no'][]; edge: [[number, number], boolean][]; lead: ['r1' | 'r2', number][] }
  const three = (v: unknown) => (v === undefined ? 0 : v === 'yes' || v === true ? 1 : 2)
  const stepView = (s: S, p: number, q: number) => {
    const l = get(s.lead, 'r1')
    return code(
      [s.local[p]!, 2],
      [s.local[q]!, 2],
      [p === q, 2],
      [three(get(s.vote, p)), 3],
      [three(get(s.edge, [p, q])), 3],
      [three(get(s.edge, [q, p])), 3],
      [l === undefined ? 0 : l === p ? 1 : l === q ? 2 : 3, 4],
    )
  }
  const handView = (s: S, m: readonly (readonly ['r1' | 'r2', number])[]) => {
    const same = m.length === 2 && m[0]![1] === m[1]![1]
    const first = m.length === 0 ? 2 : s.local[m[0]![1]]!
    return code([m.length, 3], [same, 2], [JSON.stringify(m) === JSON.stringify(s.lead), 2], [first, 3])
  }
  const built = spec({
    name: 'Maps',
    init: { local: [...r.init], vote: [], edge: [], lead: [] },
    actions: {
      Step: action({ p: P, q: P }, {
        guard: (s, { p, q }) => r.step[stepView(s, p, q)]![0],
        effect: (d, { p, q }) => {
          const [, bit, vote, edge, lead] = r.step[stepView(d, p, q)]!
          d.local[p] = bit
          if (vote === 3) removeKey(d.vote, p)
          else if (vote > 0) put(d.vote, p, vote === 1 ? 'yes' : 'no')
          if (edge === 1 && !removeKey(d.edge, [p, q])) put(d.edge, [p, q], false)
          if (edge === 2 && hasKey(d.edge, [p, q])) put(d.edge, [p, q], !get(d.edge, [p, q]))
          if (lead === 1) put(d.lead, 'r1', p)
          if (lead === 2) removeKey(d.lead, 'r1')
        },
      }),
      Hand: action({ m: t.map(Role, P) }, {
        guard: (s, { m }) => r.hand[handView(s, m)]![0],
        effect: (d, { m }) => {
          // Written in reverse key order: the store keeps them in domain order.
          if (r.hand[handView(d, m)]![1]) d.lead = m.map(([k, v]) => [k, v] as ['r1' | 'r2', number]).reverse()
        },
      }),
    },
    constraint: (s) => s.vote.length + s.edge.length <= r.bound,
    checkDeadlock: false,
  })
  const props: PropertySet<S, any> = {
    invariants: {
      FewVotes: (s) => s.vote.length <= r.maxVotes,
      LeadVoted: (s) => s.lead.every(([, p]) => hasKey(s.vote, p) || s.local[p] === 0),
      NoMutualEdge: (s) => !s.edge.some(([[a, b]]) => a !== b && hasKey(s.edge, [b, a])),
    },
  }
  return { spec: built, props }
}

testProp(
  'random symmetric models with maps keyed by members, by pairs of members, holding members, and a map parameter: same verdicts, reduced count = orbits, traces replay and are shortest',
  [mapRules],
  async (tt, r) => {
    const { spec, props } = mapSpec(r)
    await symmetryMatchesOrbits(tt, spec, props)
  },
  { numRuns: Number(process.env['SYMMETRY_RUNS'] ?? 25) },
)
