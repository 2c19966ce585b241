/**
 * Symmetry reduction on sets of records and tuples holding symmetric values, and on actions whose
 * parameters are records, tuples and sets of them, in the whole check, against the brute-force
 * orbit count of test/helpers/orbits.ts (every renaming of the decoded state, canonicalised by
 * encoding it, the least taken):
 * - TwoPhase as written (`twophase-msgs`, msgs a set of records with an rm field) has as many
 *   orbits as `twophase` (the same protocol with a set of RMs and two booleans): 80, 166, 314;
 * - SimpleAllocator (`S: t.set(Resource)` parameters, symmetric clients and resources);
 * - random models that are symmetric by construction, with a set of records naming two members, a
 *   set of pairs, a set of records naming one member, and parameters that are pairs of members, a
 *   set of members and a record holding a member: same verdicts as without symmetry, the reduced
 *   count is the number of orbits, and counterexamples replay and are shortest.
 */
import test from 'ava'
import { testProp, fc } from '@fast-check/ava'
import { check, compileSpec, has, instantiate, remove, t, vars, type PropertySet } from '../../checker/index.js'
import twoPhase from '../../models/examples/twophase.js'
import twoPhaseMsgs from '../../models/examples/twoPhaseMsgs.js'
import simpleAllocator from '../../models/examples/simpleAllocator.js'
import { orbits, reachable, replays, safety } from '../helpers/orbits.js'
import { symmetryMatchesOrbits } from '../helpers/symmetryAgreement.js'

const strategies = ['full', 'sorted', undefined] as const
const parts = (b: { spec: any; props: any }) => [b.spec, b.props] as const

for (const [rms, orbitCount] of [
  [3, 80],
  [4, 166],
  [5, 314],
] as const) {
  test(`TwoPhase as written with ${rms} resource managers: ${orbitCount} orbits with symmetry, as twophase has`, async (tt) => {
    const reference = await check(...parts(instantiate(twoPhase, { rms })), { symmetry: true })
    tt.is(reference.stats.distinct, orbitCount)
    const { spec, props } = instantiate(twoPhaseMsgs, { rms })
    for (const symmetryStrategy of strategies) {
      const r = await check(spec, props, { symmetry: true, ...(symmetryStrategy ? { symmetryStrategy } : {}) })
      tt.is(r.status, 'ok')
      tt.is(r.stats.distinct, orbitCount, symmetryStrategy)
      tt.is(r.reduction?.inexact, 0)
      if (symmetryStrategy === undefined) tt.is(r.reduction?.strategy, 'sorted', 'msgs names one RM per message: sorting is exact')
    }
    if (rms <= 4) {
      const c = compileSpec(spec, props)
      tt.is(orbits(c, reachable(c)), orbitCount)
    }
  })
}

test('TwoPhase as written, a broken invariant under symmetry: a concrete counterexample, as short as without', async (tt) => {
  const { spec } = instantiate(twoPhaseMsgs, { rms: 4 })
  const props = { invariants: { NoCommitSent: (s: any) => !has(s.msgs, { type: 'Commit', rm: null }) } }
  const plain = await check(spec, props)
  const reduced = await check(spec, props, { symmetry: true })
  if (plain.status !== 'violation' || reduced.status !== 'violation') return tt.fail()
  tt.is(reduced.violations[0]!.trace.length, plain.violations[0]!.trace.length)
  tt.is(replays(compileSpec(spec, props), reduced.violations[0]!.trace), null)
})

for (const given of [{}, { clients: 2, resources: 3 }]) {
  test(`SimpleAllocator ${JSON.stringify(given)} under symmetry (S \\in SUBSET Resources as a parameter): orbits by brute force, same verdict`, async (tt) => {
    const { spec, props } = instantiate(simpleAllocator, given)
    const only = safety(props)
    const c = compileSpec(spec, props, { only })
    const expected = orbits(c, reachable(c))
    for (const symmetryStrategy of strategies) {
      const r = await check(spec, props, { only, symmetry: true, ...(symmetryStrategy ? { symmetryStrategy } : {}) })
      tt.is(r.status, 'ok')
      tt.is(r.stats.distinct, expected, symmetryStrategy)
    }
    tt.log(`${reachable(c).length} states, ${expected} orbits`)
  })
}

// ---------------------------------------------------------------------------------------------
// Random models, symmetric by construction.

/**
 * Processes P with a local bit; `mail` holds records naming a sender and maybe a receiver, `link`
 * pairs of processes, `notes` records naming one process and a kind. Every rule reads only what
 * no renaming changes (a process's bit, whether a message between the two processes of the step
 * was sent, how many members a parameter set has, ...) and writes in the same terms, so the model
 * is symmetric whatever the tables say. A symmetric constraint bounds the sets.
 */
interface MailRules {
  readonly n: number
  readonly bound: number
  /** Per view of (p, q): [enabled, p's new bit, toggle mail p -> q, toggle mail p -> nobody, toggle link (p, q)]. */
  readonly send: readonly (readonly [boolean, number, boolean, boolean, boolean])[]
  /** Per view of S: [enabled, new bit of S's members, note kind each member adds (0: none)]. */
  readonly gather: readonly (readonly [boolean, number, number])[]
  /** Per view of note m: [enabled, its sender's new bit, toggle m, toggle mail from its sender to nobody]. */
  readonly note: readonly (readonly [boolean, number, boolean, boolean])[]
  readonly init: readonly number[]
  readonly maxMail: number
}

const SEND_VIEWS = 2 ** 7
const GATHER_VIEWS = 4 * 4 * 2
const NOTE_VIEWS = 2 * 2 * 2 * 4

// Three processes with at most two set members in all, or two with at most three: a few thousand states at most.
const size = fc.oneof(fc.constant({ n: 3, bound: 2 }), fc.record({ n: fc.constant(2), bound: fc.integer({ min: 2, max: 3 }) }))

const mailRules: fc.Arbitrary<MailRules> = size.chain(({ n, bound }) =>
  fc.record({
    n: fc.constant(n),
    bound: fc.constant(bound),
    send: fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 1 }), fc.boolean(), fc.boolean(), fc.boolean()), { minLength: SEND_VIEWS, maxLength: SEND_VIEWS }),
    gather: fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 })), { minLength: GATHER_VIEWS, maxLength: GATHER_VIEWS }),
    note: fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 1 }), fc.boolean(), fc.boolean()), { minLength: NOTE_VIEWS, maxLength: NOTE_VIEWS }),
    init: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
    maxMail: fc.integer({ min: 1, max: 3 }),
  }),
)

/** Digits to one number: `[value, base], ...`, the first slowest. */
const code = (...digits: (readonly [number | boolean, number])[]) => digits.reduce((acc, [v, base]) => acc * base + Number(v), 0)

function mailSpec(r: MailRules) {
  const P = t.index(r.n, { name: 'P', symmetric: true })
  const Kind = t.enum('a', 'b')
  const { spec, action } = vars({
    local: t.array(P, t.int(0, 1)),
    mail: t.set(t.record({ from: P, to: t.option(P) })),
    link: t.set(t.tuple(P, P)),
    notes: t.set(t.record({ from: P, kind: Kind })),
  })
  type S = { local: number[]; mail: { from: number; to: number | null }[]; link: [number, number][]; notes: { from: number; kind: 'a' | 'b' }[] }
  const toggle = <V>(set: V[], v: V) => void (remove(set, v) || set.push(v))
  const sendView = (s: S, p: number, q: number) =>
    code([s.local[p]!, 2], [s.local[q]!, 2], [p === q, 2], [has(s.mail, { from: p, to: q }), 2], [has(s.mail, { from: p, to: null }), 2], [has(s.link, [p, q]), 2], [has(s.link, [q, p]), 2])
  const gatherView = (s: S, set: readonly number[]) =>
    code([set.length, 4], [set.filter((p) => s.local[p] === 0).length, 4], [s.notes.some((m) => set.includes(m.from)), 2])
  const noteView = (s: S, m: { from: number; kind: 'a' | 'b' }) =>
    code([s.local[m.from]!, 2], [m.kind === 'a', 2], [has(s.notes, m), 2], [s.link.filter(([a]) => a === m.from).length, 4])
  const built = spec({
    name: 'Mail',
    init: { local: [...r.init], mail: [], link: [], notes: [] },
    actions: {
      Send: action({ p: P, q: P }, {
        guard: (s, { p, q }) => r.send[sendView(s, p, q)]![0],
        effect: (d, { p, q }) => {
          const [, bit, to, nobody, link] = r.send[sendView(d, p, q)]!
          d.local[p] = bit
          if (to) toggle(d.mail, { from: p, to: q })
          if (nobody) toggle(d.mail, { from: p, to: null })
          if (link) toggle(d.link, [p, q])
        },
      }),
      Gather: action({ S: t.set(P) }, {
        guard: (s, { S }) => r.gather[gatherView(s, S)]![0],
        effect: (d, { S }) => {
          const [, bit, kind] = r.gather[gatherView(d, S)]!
          for (const p of S) {
            d.local[p] = bit
            if (kind > 0) d.notes.push({ from: p, kind: kind === 1 ? 'a' : 'b' })
          }
        },
      }),
      Note: action({ m: t.record({ from: P, kind: Kind }) }, {
        guard: (s, { m }) => r.note[noteView(s, m)]![0],
        effect: (d, { m }) => {
          const [, bit, note, mail] = r.note[noteView(d, m)]!
          d.local[m.from] = bit
          if (note) toggle(d.notes, { ...m })
          if (mail) toggle(d.mail, { from: m.from, to: null })
        },
      }),
    },
    constraint: (s) => s.mail.length + s.link.length + s.notes.length <= r.bound,
    checkDeadlock: false,
  })
  const props: PropertySet<S, any> = {
    invariants: {
      FewMail: (s) => s.mail.length <= r.maxMail,
      NotesHaveMail: (s) => s.notes.every((m) => s.mail.some((x) => x.from === m.from)),
      NoMutualLink: (s) => !s.link.some(([a, b]) => a !== b && has(s.link, [b, a])),
    },
  }
  return { spec: built, props }
}

testProp(
  'random symmetric models with sets of records and tuples and compound parameters: same verdicts, reduced count = orbits, traces replay and are shortest',
  [mailRules],
  async (tt, r) => {
    const { spec, props } = mailSpec(r)
    await symmetryMatchesOrbits(tt, spec, props)
  },
  { numRuns: Number(process.env['SYMMETRY_RUNS'] ?? 25) },
)
