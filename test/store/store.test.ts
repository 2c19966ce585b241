/**
 * The storage of the search against plain references: the fingerprint sets and the exact state
 * table against a Set, the frontier against an array (model-based, fc.commands), trace records
 * with and without a spill file (read one by one and as whole columns), and the reusable-state
 * codec functions against decode/encode on random models' states. The store modes end to end are
 * in storeModes.test.ts.
 */
import test from 'ava'
import { testProp, fc } from '@fast-check/ava'
import { check, compileCodec, t as types, vars } from '../../checker/index.js'
import { fingerprint } from '../../checker/encode/fingerprint.js'
import { FingerprintSet } from '../../checker/store/FingerprintSet.js'
import { INSERTED, PARTITIONS, SharedStateSet } from '../../checker/store/SharedStateSet.js'
import { reserveFor } from '../../checker/store/doubleInPlace.js'
import { Frontier } from '../../checker/store/Frontier.js'
import { StateTable, FULL } from '../../checker/store/StateTable.js'
import { TraceRecords } from '../../checker/store/TraceRecords.js'
import peterson from '../../models/examples/peterson.js'
import { randomModel } from '../helpers/randomModels.js'

const lanes = fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }))
// Small ranges too, so that collisions in one lane and long probe runs happen.
const fingerprints = fc.array(fc.oneof(lanes, fc.tuple(fc.nat({ max: 40 }), fc.nat({ max: 40 }))), { maxLength: 3000 })

/** The set's key of a fingerprint: a high lane of 0 is stored as 1 (see FingerprintSet). */
const keyOf = ([lo, hi]: [number, number]) => `${lo},${hi === 0 ? 1 : hi}`

testProp('FingerprintSet answers "new" exactly as a Set does, across growth', [fingerprints], (t, fps) => {
  const set = new FingerprintSet(0)
  const ref = new Set<string>()
  for (const fp of fps) {
    const k = keyOf(fp)
    t.is(set.add(fp[0], fp[1]), !ref.has(k))
    ref.add(k)
  }
  t.is(set.count, ref.size)
  for (const fp of fps) t.true(set.has(fp[0], fp[1]))
  t.false(set.has(123456789, 987654321) && !ref.has(keyOf([123456789, 987654321])))
})

test('FingerprintSet keeps 4,000,000 fingerprints through every kind of growth (doubling, 1.25x, in place and moved)', (t) => {
  const set = new FingerprintSet(0)
  const n = 4_000_000
  // Multiplying by an odd constant is a bijection of 32-bit words: the high lanes are distinct.
  const hi = (i: number) => Math.imul(i, 0x9e3779b1) >>> 0
  const lo = (i: number) => Math.imul(i ^ (i >>> 16), 0x85ebca6b) >>> 0
  for (let i = 1; i <= n; i++) if (!set.add(lo(i), hi(i))) return t.fail(`fingerprint ${i} was taken for a seen one`)
  t.is(set.count, n)
  for (let i = 1; i <= n; i++) if (set.add(lo(i), hi(i)) || !set.has(lo(i), hi(i))) return t.fail(`fingerprint ${i} was lost`)
  t.false(set.has(lo(n + 1), hi(n + 1)))
  // Past 2^16 slots a partition (64 x 2^16 x 8 bytes) the partitions grow by 1.25x.
  t.true(set.bytes > 64 * 2 ** 16 * 8, 'the partitions passed the doubling stage')
  t.true(set.bytes / n < 12, `${(set.bytes / n).toFixed(1)} bytes a fingerprint`)
})

test('FingerprintSet: refusing to grow marks it full instead of failing', (t) => {
  let allowed = true
  const set = new FingerprintSet(0, () => allowed)
  for (let i = 0; i < 100_000; i++) set.add(i * 2654435761, i * 40503 + 7)
  allowed = false
  const before = set.bytes
  for (let i = 100_000; i < 160_000 && !set.full; i++) set.add(i * 2654435761, i * 40503 + 7)
  t.true(set.full)
  t.is(set.bytes, before)
})

/**
 * The shared set grown as the coordinator has its workers grow it: laid out by `grown`, its
 * partitions moved in `order` (a permutation of them: the order the workers might take them in).
 */
const grown = (set: SharedStateSet, order: readonly number[] = [...Array(PARTITIONS).keys()]): SharedStateSet => {
  const next = new SharedStateSet(set.grown())
  for (const p of order) set.movePartition(p, next)
  return next
}

/** The keys a shared set holds, counted from its slots: a slot's first word, its tag, is 0 while it is empty. */
const keysIn = (set: SharedStateSet): number => {
  const { tables, slots, keyWords, refs } = set.handle
  const stride = keyWords + 1 + (refs ? 1 : 0)
  let n = 0
  for (const buffer of tables) {
    const t = new Int32Array(buffer, 0, slots * stride)
    for (let base = 0; base < t.length; base += stride) if (t[base] !== 0) n++
  }
  return n
}

/** A permutation of the partitions, picked by `seed`. */
const partitionOrder = (seed: number): number[] =>
  [...Array(PARTITIONS).keys()].sort((x, y) => ((x * 7919 + seed) % 101) - ((y * 7919 + seed) % 101))

testProp(
  'SharedStateSet (fingerprint keys and state keys) agrees with a Set, across growth, partitions moved in any order, and toFingerprints',
  [fingerprints, fc.array(fc.nat(3000), { maxLength: 6 }), fc.nat(1000)],
  (t, fps, growAt, seed) => {
    let set = new SharedStateSet(SharedStateSet.create(1, 16, false, 2 ** 26))
    let exact = new SharedStateSet(SharedStateSet.create(2, 16, false, 2 ** 26))
    const ref = new Set<string>()
    const refFp = new Set<string>()
    const key = new Uint32Array(2)
    // The shared set's tag is the high lane with 0 and 1 (its empty and busy marks) moved to 2 and 3.
    const tagOf = (hi: number) => (hi === 0 ? 2 : hi === 1 ? 3 : hi)
    fps.forEach(([lo, hi], i) => {
      // Grow where the coordinator would (three quarters full), and at the points drawn.
      const growNow = growAt.includes(i)
      if (growNow || refFp.size >= set.capacity * 0.75) set = grown(set, partitionOrder(seed + i))
      if (growNow || ref.size >= exact.capacity * 0.75) exact = grown(exact, partitionOrder(seed + 2 * i))
      key[0] = lo
      key[1] = hi
      const k = `${lo},${hi}`
      // The exact set compares whole keys: a poor tag (here lo ^ hi) costs probes, never answers.
      t.is(exact.add(lo, lo ^ hi, key, 0), !ref.has(k))
      ref.add(k)
      const kfp = `${lo},${tagOf(hi)}`
      t.is(set.add(lo, hi, key, 0), !refFp.has(kfp))
      refFp.add(kfp)
    })
    t.is(keysIn(set), refFp.size)
    t.is(keysIn(exact), ref.size)
    for (const k of ref) {
      const [lo, hi] = k.split(',').map(Number) as [number, number]
      key[0] = lo
      key[1] = hi
      t.true(exact.has(lo, lo ^ hi, key, 0), k)
      t.true(set.has(lo, hi, key, 0), k)
    }
    // An exact set turned into fingerprints holds the fingerprints of its states.
    const fps2 = new SharedStateSet(exact.toFingerprints(exact.capacity))
    const fp = new Uint32Array(2)
    const lo = new Uint32Array(1)
    for (const k of ref) {
      const w = Uint32Array.from(k.split(',').map(Number))
      fingerprint(w, 0, 2, fp)
      lo[0] = fp[0]!
      t.true(fps2.has(fp[0]!, fp[1]!, lo, 0))
    }
  },
)

testProp(
  'SharedStateSet keeps every key across growths in place and into new buffers, with runs of full slots that wrap around',
  [fc.array(fc.tuple(fc.integer(), fc.integer()), { minLength: 1, maxLength: 600, size: 'max' }), fc.nat(1000)],
  (t, keys, seed) => {
    // All keys in partition 0 with tags from few values next to 2^32 (long runs, wrapping around
    // the partition's end), keys of two words, refs kept; five growths: each partition reserves 16
    // times its first size (1,024 slots of 4 words), so the first four double in place and the
    // fifth moves every partition to a new buffer.
    let set = new SharedStateSet(SharedStateSet.create(2, 16, true, 16 * 1024 * 16 * 64))
    const key = new Int32Array(2)
    const ref = new Map<string, number>()
    const growths = new Set(Array.from({ length: 5 }, (_, g) => Math.floor(((g + 1) * keys.length) / 6)))
    keys.forEach(([a, b], i) => {
      if (growths.has(i)) set = grown(set, partitionOrder(seed + i))
      key[0] = a
      key[1] = b
      const tag = -1 - (Math.abs(a) % 40)
      const k = `${a},${b}`
      t.is(set.insert(0, tag, key, 0, i), ref.get(k) ?? INSERTED)
      if (!ref.has(k)) ref.set(k, i)
    })
    for (const [k, i] of ref) {
      const [a, b] = k.split(',').map(Number) as [number, number]
      key[0] = a
      key[1] = b
      t.true(set.has(0, -1 - (Math.abs(a) % 40), key, 0), k)
      t.is(set.insert(0, -1 - (Math.abs(a) % 40), key, 0, -5), i)
    }
  },
)

testProp('StateTable keeps every distinct state once, in discovery order, with its trace record', [fc.array(fc.tuple(fc.nat(50), fc.nat(3)), { maxLength: 3000 })], (t, states) => {
  const table = new StateTable(2, 1)
  const ref = new Map<string, number>()
  const buf = new Uint32Array(2)
  states.forEach(([a, b], i) => {
    buf[0] = a
    buf[1] = b
    const k = `${a},${b}`
    // A deliberately poor fingerprint: equal low lanes must still be told apart by the words.
    const id = table.add(buf, 0, a % 7, i, i + 1)
    if (ref.has(k)) t.is(id, -1)
    else {
      t.is(id, ref.size)
      ref.set(k, i)
    }
  })
  t.is(table.count, ref.size)
  let id = 0
  for (const [k, i] of ref) {
    t.deepEqual([...table.stateWords(id)], k.split(',').map(Number))
    t.is(table.parent[id], i)
    t.is(table.via[id], i + 1)
    id++
  }
})

testProp(
  'StateTable finds every state after its slots double in place, also when runs of slots wrap around the end',
  [fc.array(fc.tuple(fc.nat(20_000), fc.nat(15)), { minLength: 500, maxLength: 6000, size: 'max' }), fc.boolean()],
  (t, states, atTheTop) => {
    // Lanes whose first slots lie in the last 2,048 slots at every size (-1 - x & mask is the x-th
    // slot from the end), so that runs of full slots wrap around to the first ones, and entries
    // of one run stay or move when the slots double; or a few lanes for many states, so that runs
    // are long.
    const lane = (a: number, k: number) => (atTheTop ? -1 - k - (a & 63) * 32 : Math.imul(k, 0x9e3779b1) ^ (a & 3))
    const table = new StateTable(2, 1)
    const ids = new Map<string, number>()
    const buf = new Uint32Array(2)
    for (const [a, k] of states) {
      buf[0] = a
      buf[1] = k
      const id = table.add(buf, 0, lane(a, k), -1, 0)
      const key = `${a},${k}`
      if (ids.has(key)) t.is(id, -1)
      else {
        t.is(id, ids.size)
        ids.set(key, id)
      }
    }
    for (const [key, id] of ids) {
      const [a, k] = key.split(',').map(Number) as [number, number]
      buf[0] = a
      buf[1] = k
      t.true(table.has(buf, 0, lane(a, k)))
      t.deepEqual([...table.stateWords(id)], [a, k])
    }
  },
)

test('tables reserve room to double in place only up to 1 GiB, so that big searches can still allocate them', (t) => {
  t.is(reserveFor(64 * 2 ** 20), 16)
  t.is(reserveFor(512 * 2 ** 20), 2)
  t.is(reserveFor(2 ** 31), 1)
  // 2^27 ids: 2^28 slots of 8 bytes, 2 GiB in use when full; 16 times that would be past what a
  // process may map here. The pages are only given as they are written.
  const table = new StateTable(1, 2 ** 27)
  const buf = new Uint32Array(1)
  for (let i = 0; i < 1000; i++) {
    buf[0] = i
    t.is(table.add(buf, 0, Math.imul(i, 0x9e3779b1), -1, 0), i)
  }
  // A shared set's partitions reserve their share of the budget (here 1 GiB each of 64 GiB) when
  // that is less than 64 times their size (20 MiB).
  const set = new SharedStateSet(SharedStateSet.create(4, 2 ** 26, false, 2 ** 36))
  t.true(set.add(0, 7, Uint32Array.of(1, 2, 3, 4), 0))
})

test('StateTable keeps 300,000 states through growth in place and moves to larger reservations', (t) => {
  const table = new StateTable(3, 1)
  const buf = new Uint32Array(3)
  const n = 300_000
  // Each state twice: the second add must find it. Pairs of states share a low lane.
  let wrong = 0
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < n; i++) {
      buf.set([i, i ^ 0x5555, 7])
      if (table.add(buf, 0, Math.imul(i >>> 1, 0x9e3779b1), i - 1, i & 0xff) !== (round === 0 ? i : -1)) wrong++
    }
  }
  t.is(table.count, n)
  for (let i = 0; i < n; i++) {
    const [a, b, c] = table.stateWords(i)
    if (a !== i || b !== (i ^ 0x5555) || c !== 7 || table.parent[i] !== i - 1 || table.via[i] !== (i & 0xff)) wrong++
  }
  t.is(wrong, 0)
})

test('StateTable answers FULL when it may not grow, and stays usable', (t) => {
  const table = new StateTable(1, 8, () => false)
  const buf = new Uint32Array(1)
  let full = 0
  for (let i = 0; i < 100; i++) {
    buf[0] = i
    if (table.add(buf, 0, i, -1, 0) === FULL) full++
  }
  t.true(full > 0)
  buf[0] = 0
  t.is(table.add(buf, 0, 0, -1, 0), -1)
})

/** Frontier commands, checked against an array. */
type Real = { frontier: Frontier }
type Model = { queue: number[][] }
/** What a checkpoint writes: the queued states, oldest first. */
const sameQueue = (m: Model, r: Real) => {
  const got = [...r.frontier.queued()].flatMap((piece) => [...piece])
  if (got.join() !== m.queue.flat().join()) throw new Error(`queued() gives ${got}, expected ${m.queue.flat()}`)
}
class Push implements fc.Command<Model, Real> {
  constructor(readonly state: number[]) {}
  check = () => true
  run(m: Model, r: Real) {
    r.frontier.push(Uint32Array.from(this.state), 0)
    m.queue.push(this.state)
    if (r.frontier.length !== m.queue.length) throw new Error('length differs')
    sameQueue(m, r)
  }
  toString = () => `push(${this.state})`
}
class Take implements fc.Command<Model, Real> {
  check = (m: Readonly<Model>) => m.queue.length > 0
  run(m: Model, r: Real) {
    r.frontier.take()
    const got = [...r.frontier.words.subarray(r.frontier.at, r.frontier.at + 3)]
    const want = m.queue.shift()!
    if (got.join() !== want.join()) throw new Error(`took ${got}, expected ${want}`)
    sameQueue(m, r)
  }
  toString = () => 'take'
}

for (const maxResident of [Infinity, 2, 3]) {
  testProp(
    `Frontier ${maxResident === Infinity ? 'in memory' : `with ${maxResident} chunks resident, the rest on disk`} ` +
      'is a FIFO queue of packed states across chunk boundaries, and queued() lists it',
    [
      fc.commands(
        [
          fc.array(fc.nat(), { minLength: 3, maxLength: 3 }).map((s) => new Push(s)),
          fc.array(fc.nat(), { minLength: 3, maxLength: 3 }).map((s) => new Push(s)),
          fc.constant(new Take()),
        ],
        { size: '+1' },
      ),
    ],
    (t, cmds) => {
      const frontier = new Frontier(3, 4, maxResident)
      try {
        fc.modelRun(() => ({ model: { queue: [] }, real: { frontier } }), cmds)
      } finally {
        frontier.close()
      }
      t.pass()
    },
  )
}

test('a spilled Frontier keeps its resident chunks bounded and reuses file slots', (t) => {
  const frontier = new Frontier(2, 4, 2)
  const state = new Uint32Array(2)
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 40; i++) {
      state[0] = round
      state[1] = i
      frontier.push(state, 0)
    }
    t.true(frontier.bytes <= 3 * 4 * 2 * 4, 'two resident chunks and one spare')
    for (let i = 0; i < 40; i++) {
      frontier.take()
      t.deepEqual([...frontier.words.subarray(frontier.at, frontier.at + 2)], [round, i])
    }
  }
  // 40 states in chunks of 4: at most 10 chunks were ever waiting, 8 of them on disk at once.
  t.true(frontier.spilledBytes <= 9 * 4 * 2 * 4)
  frontier.close()
})

for (const spill of [false, true, 'from the middle on'] as const) {
  test(`TraceRecords ${spill === false ? 'in memory' : spill === true ? 'spilled to a file' : `spilled ${spill}`} read back what was appended`, (t) => {
    const records = new TraceRecords({ spill: spill === true })
    const n = 200_000
    for (let i = 0; i < n; i++) {
      // Three full chunks of 65,536 in memory, then spilled, then a fourth chunk half full.
      if (i === 196_608 && spill !== true && spill !== false) records.startSpilling()
      records.append(i - 3, (i * 7) & 0xffff)
    }
    t.is(records.count, n)
    for (const i of [0, 1, 65535, 65536, 65537, 131071, 150000, 196607, 196608, n - 1]) {
      t.is(records.parentOf(i), i - 3)
      t.is(records.instanceOf(i), (i * 7) & 0xffff)
    }
    if (spill !== false) t.deepEqual([records.bytes, records.spilledBytes], [65536 * 6, 3 * 65536 * 6])
    records.close()
  })
}

for (const spill of [false, true]) {
  for (const wideInstances of [false, true]) {
    test(`TraceRecords ${spill ? 'spilled to a file' : 'in memory'}, ${wideInstances ? 'wide' : 'narrow'} instances: column() gives every record in id order`, (t) => {
      const records = new TraceRecords({ spill, wideInstances })
      const n = 150_000
      const instanceOf = (i: number) => (wideInstances ? i * 7 : (i * 7) & 0xffff)
      for (let i = 0; i < n; i++) records.append(i - 3, instanceOf(i))
      for (const which of ['parent', 'instance'] as const) {
        const want = which === 'parent' ? (i: number) => i - 3 : instanceOf
        let id = 0
        let same = true
        for (const piece of records.column(which)) for (const v of piece) same &&= v === want(id++)
        t.is(id, n)
        t.true(same, which)
      }
      records.close()
    })
  }
}

testProp(
  'decodeInto, and successors begun, changed and packed, agree with decode and encode on random models',
  [randomModel, fc.infiniteStream(fc.nat())],
  (t, m, picks) => {
    const codec = compileCodec(m.spec.vars)
    const W = codec.words
    const words = m.states.map((s) => {
      const w = new Uint32Array(W)
      codec.encode(s, w, 0)
      return w
    })
    const scratch = codec.scratch()
    const successor = codec.successor()
    const out = new Uint32Array(W)
    const want = new Uint32Array(W)
    const it = picks[Symbol.iterator]()
    const pick = () => it.next().value! % words.length
    for (let k = 0; k < 30; k++) {
      const pw = words[pick()]!
      const parent = codec.decode(pw, 0)
      codec.decodeInto(scratch, pw, 0)
      t.deepEqual(scratch.state, parent)
      codec.begin(successor, pw, 0)
      // Some variables read first (each read of an array, record or set counts as a change).
      for (const key of Object.keys(parent)) if (pick() % 3 === 0) t.deepEqual(successor[key], parent[key], key)
      // An effect that replaces variables with copies of another state's, like the random models' effects.
      const other = m.states[pick()]!
      const expected = structuredClone(parent)
      for (const key of Object.keys(other)) {
        if (pick() % 2 === 0) successor[key] = expected[key] = structuredClone(other[key])
      }
      codec.encode(expected, want, 0)
      codec.pack(successor, out, 0)
      t.deepEqual([...out], [...want])
      // Packed into a row that is then overwritten (as symmetry does), it still reads as the successor.
      out.fill(0)
      t.deepEqual({ ...successor }, expected)
    }
  },
  { numRuns: 60 },
)

test('a successor is changed in place and packed, then begun again from another state', (t) => {
  const { spec, action } = vars({
    n: types.int(0, 7),
    cells: types.array(types.index(3), types.record({ use: types.enum('free', 'page'), data: types.int(0, 3) })),
    members: types.set(types.index(4)),
    owner: types.option(types.index(3)),
    // Names a successor might use for itself are the model's to take.
    $: types.bool(),
  })
  const s = spec({ name: 'successor', init: { n: 1, cells: [{ use: 'page', data: 2 }, { use: 'free', data: 0 }, { use: 'free', data: 1 }], members: [1, 3], owner: null, $: false }, actions: { A: action({ effect: () => {} }) } })
  const codec = compileCodec(s.vars)
  const encoded = (state: unknown) => {
    const w = new Uint32Array(codec.words)
    codec.encode(state, w, 0)
    return w
  }
  const first = encoded(s.init)
  const x = codec.successor()
  codec.begin(x, first, 0)
  x.cells[1].use = 'page'
  x.cells[2] = { use: 'page', data: 3 }
  x.members.push(0)
  x.n += 1
  x.$ = true
  const out = new Uint32Array(codec.words)
  codec.pack(x, out, 0)
  const changed = { n: 2, cells: [{ use: 'page', data: 2 }, { use: 'page', data: 0 }, { use: 'page', data: 3 }], members: [1, 3, 0], owner: null, $: true }
  t.deepEqual([...out], [...encoded(changed)])
  // Once packed, its set reads as the store keeps it: distinct members in domain order.
  t.deepEqual(JSON.parse(JSON.stringify(x)), { ...changed, members: [0, 1, 3] })
  t.deepEqual(Object.keys(x), ['n', 'cells', 'members', 'owner', '$'])
  // The record put in place of its own is not kept: the next state reads from its own words.
  const second = { n: 5, cells: [{ use: 'free', data: 1 }, { use: 'free', data: 1 }, { use: 'free', data: 0 }], members: [], owner: 2, $: false }
  codec.begin(x, encoded(second), 0)
  t.deepEqual({ ...x }, second)
  codec.pack(x, out, 0)
  t.deepEqual([...out], [...encoded(second)])
  // A wrong value is named by its path, as encode names it.
  codec.begin(x, first, 0)
  x.cells[0].data = 9
  t.throws(() => codec.pack(x, out, 0), { message: /^cells\[0\]\.data = 9 is outside its type/ })
})

test('the reusable state is sealed, and an effect that adds a field is reported as in strict mode', async (t) => {
  const codec = compileCodec(peterson.build({ bug: 'none' }).vars)
  const s = codec.scratch()
  t.throws(() => {
    s.state.extra = 1
  })
  const successor = codec.successor()
  t.throws(() => {
    successor.extra = 1
  })
  const { spec, action } = vars({ x: types.int(0, 3) })
  const sloppy = spec({
    name: 'adds-a-field',
    init: { x: 0 },
    actions: { Grow: action({ effect: (d) => void ((d as Record<string, unknown>).y = 1) }) },
  })
  const r = await check(sloppy)
  if (r.status !== 'error') return t.fail(r.status)
  t.regex(r.error.message, /action Grow produced y = 1, outside its type \(expected no such field\)/)
})
