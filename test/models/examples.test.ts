import test from 'ava'
import { alwaysEventually, check, checkModel, forAll, leadsTo, type TemporalViolation } from '../../checker/index.js'
import { instantiate } from '../../checker/compile/instantiate.js'
import { terminationDetected } from '../../models/examples/specs/ewd840.js'

type Ewd840State = { active: boolean[]; color: string[]; tpos: number; tcolor: string }
import twoPhase from '../../models/examples/twophase.js'
import peterson from '../../models/examples/peterson.js'
import ewd840 from '../../models/examples/ewd840.js'
import simpleAllocator from '../../models/examples/simpleAllocator.js'
import tokenRing from '../../models/examples/tokenRing.js'
import syncTerminationDetection from '../../models/examples/syncTerminationDetection.js'
import innerFifo from '../../models/examples/innerFifo.js'
import tcommit from '../../models/examples/tcommit.js'
import twoPhaseMsgs from '../../models/examples/twoPhaseMsgs.js'
import internalMemory from '../../models/examples/internalMemory.js'
import writeThroughCache from '../../models/examples/writeThroughCache.js'

test('TwoPhase with 3 resource managers: 288 distinct states (published TLC count), consistent', async (t) => {
  const r = await checkModel(twoPhase, { rms: 3 })
  t.is(r.status, 'ok')
  t.is(r.stats.distinct, 288)
})

test('TwoPhase with 1 and 2 resource managers', async (t) => {
  t.is((await checkModel(twoPhase, { rms: 1 })).stats.distinct, 12)
  t.is((await checkModel(twoPhase, { rms: 2 })).stats.distinct, 56)
})

/** An independent count of Peterson's reachable states, written out by hand. */
function petersonReference(): number {
  type S = { flag: boolean[]; turn: number; pc: string[] }
  const key = (s: S) => JSON.stringify(s)
  const start: S = { flag: [false, false], turn: 0, pc: ['idle', 'idle'] }
  const seen = new Set([key(start)])
  const queue = [start]
  while (queue.length > 0) {
    const s = queue.shift()!
    for (const p of [0, 1]) {
      const n: S = structuredClone(s)
      if (s.pc[p] === 'idle') (n.flag[p] = true), (n.pc[p] = 'flagged')
      else if (s.pc[p] === 'flagged') (n.turn = 1 - p), (n.pc[p] = 'waiting')
      else if (s.pc[p] === 'waiting' && (!s.flag[1 - p] || s.turn === p)) n.pc[p] = 'critical'
      else if (s.pc[p] === 'critical') (n.flag[p] = false), (n.pc[p] = 'idle')
      else continue
      if (!seen.has(key(n))) seen.add(key(n)), queue.push(n)
    }
  }
  return seen.size
}

test("Peterson: mutual exclusion holds; the state count matches an independent reference", async (t) => {
  const r = await checkModel(peterson)
  t.is(r.status, 'ok')
  t.is(r.stats.distinct, petersonReference())
  t.is(r.stats.distinct, 20)
})

test('Peterson without the turn check breaks mutual exclusion', async (t) => {
  const r = await checkModel(peterson, { bug: 'ignore-turn' })
  if (r.status !== 'violation') return t.fail(r.status)
  t.is(r.violations[0]?.property, 'MutualExclusion')
  t.deepEqual(r.violations[0]?.trace.at(-1)?.state, { flag: [true, true], turn: 0, pc: ['critical', 'critical'] })
})

test('EWD840 with N = 3: 302 distinct states (published TLC count), invariants and Liveness hold under WF_vars(System)', async (t) => {
  const r = await checkModel(ewd840, { N: 3 })
  t.is(r.status, 'ok')
  t.is(r.stats.distinct, 302)
  // TLC's manifest gives 2001 generated and depth 10 for its run; a plain breadth-first count of
  // the same spec (192 initial states included) gives these, as an independent Python count did.
  t.is(r.stats.generated, 1817)
  t.is(r.stats.depth, 9)
  t.deepEqual(r.checked.temporal, ['Liveness', 'TDSpec.Liveness'])
})

test('EWD840 without fairness: termination may never be detected', async (t) => {
  const r = await checkModel(ewd840, { N: 3, fairness: 'none' }, { continue: true })
  t.is(r.status, 'violation')
  t.deepEqual(r.violations.map((v) => v.property), ['Liveness', 'TDSpec.Liveness'])
})

test('SimpleAllocator with 3 clients and 2 resources: 400 distinct, 1633 generated, depth 6 (published TLC figures), every property holds', async (t) => {
  const r = await checkModel(simpleAllocator, {})
  t.is(r.status, 'ok')
  t.is(r.stats.distinct, 400)
  t.is(r.stats.generated, 1633)
  t.is(r.stats.depth, 6)
  t.deepEqual(r.checked.temporal, ['ClientsWillReturn', 'ClientsWillObtain', 'InfOftenSatisfied'])
})

test('SimpleAllocator without its fairness: every liveness property fails', async (t) => {
  const r = await checkModel(simpleAllocator, { fairness: 'none' }, { continue: true })
  t.deepEqual(r.violations.map((v) => v.property).sort(), ['ClientsWillObtain', 'ClientsWillReturn', 'InfOftenSatisfied'])
})

test("EWD840's FalseLiveness, (\\A i : []<>~active[i]) ~> terminationDetected, fails as the spec says it does", async (t) => {
  const { spec } = instantiate(ewd840, { N: 3 })
  const FalseLiveness = leadsTo(forAll(3, (i) => alwaysEventually((s: Ewd840State) => !s.active[i])), terminationDetected)
  const r = await check(spec, { temporal: { FalseLiveness } })
  t.is(r.status, 'violation')
  const v = r.violations[0] as TemporalViolation
  // On the cycle every node is passive somewhere, and termination is never detected.
  const cycle = v.trace.slice(v.loopStart).map((s) => s.state as Ewd840State)
  for (const i of [0, 1, 2]) t.true(cycle.some((s) => !s.active[i]))
  t.false(v.trace.some((s) => terminationDetected(s.state as Ewd840State)))
})

test('TokenRing (EWD426) N = M = 6: every assignment initial, 46,656 distinct / 248,832 generated / depth 1 (published TLC counts), stabilizes', async (t) => {
  const r = await checkModel(tokenRing)
  t.is(r.status, 'ok')
  t.deepEqual([r.stats.initial, r.stats.distinct, r.stats.generated, r.stats.depth], [46_656, 46_656, 248_832, 1])
  t.deepEqual(r.checked.temporal, ['Stab'])
})

test('TokenRing with more nodes than counter values + 1 (N = 4, M = 2) does not stabilize', async (t) => {
  const r = await checkModel(tokenRing, { nodes: 4, values: 2 })
  if (r.status !== 'violation') return t.fail(r.status)
  t.is(r.violations[0]?.property, 'Stab')
  t.is(r.stats.initial, 16)
})

test('SyncTerminationDetection with N = 7: 129 distinct, 3722 generated, depth 1 (published TLC figures), TDCorrect and Liveness hold', async (t) => {
  const r = await checkModel(syncTerminationDetection, { N: 7 })
  t.is(r.status, 'ok')
  t.is(r.stats.distinct, 129)
  t.is(r.stats.generated, 3722)
  t.is(r.stats.depth, 1)
  t.deepEqual(r.checked.temporal, ['Liveness'])
})

test('InnerFIFO (Specifying Systems, MCInnerFIFO: 3 messages, qLen = 3): 3,864 distinct / 9,660 generated / depth 11 (published TLC counts)', async (t) => {
  for (const options of [{}, { strict: true }, { store: 'fingerprint' as const }]) {
    const r = await checkModel(innerFifo, {}, options)
    t.is(r.status, 'ok')
    t.deepEqual([r.stats.initial, r.stats.distinct, r.stats.generated, r.stats.depth], [36, 3_864, 9_660, 11], JSON.stringify(options))
  }
})

/**
 * An independent count of TwoPhase.tla's behaviour graph for n RMs, msgs as a JavaScript Set of
 * strings and states keyed by text: distinct, generated (as TLC counts: initial state included) and
 * depth (breadth-first levels).
 */
function twoPhaseReference(n: number): [number, number, number] {
  type S = { rm: string[]; tm: string; tmPrepared: number[]; msgs: string[] }
  const key = (s: S) => JSON.stringify([s.rm, s.tm, [...s.tmPrepared].sort(), [...s.msgs].sort()])
  const start: S = { rm: Array(n).fill('working'), tm: 'init', tmPrepared: [], msgs: [] }
  const seen = new Set([key(start)])
  let level = [start]
  let generated = 1
  let depth = 0
  while (level.length > 0) {
    depth++
    const next: S[] = []
    for (const s of level) {
      const msgs = new Set(s.msgs)
      const out: S[] = []
      const step = (f: (c: S) => void) => {
        const c = structuredClone(s)
        f(c)
        out.push({ ...c, msgs: [...new Set(c.msgs)], tmPrepared: [...new Set(c.tmPrepared)] })
      }
      if (s.tm === 'init' && s.tmPrepared.length === n) step((c) => ((c.tm = 'committed'), c.msgs.push('Commit')))
      if (s.tm === 'init') step((c) => ((c.tm = 'aborted'), c.msgs.push('Abort')))
      for (let r = 0; r < n; r++) {
        if (s.tm === 'init' && msgs.has(`Prepared ${r}`)) step((c) => c.tmPrepared.push(r))
        if (s.rm[r] === 'working') step((c) => ((c.rm[r] = 'prepared'), c.msgs.push(`Prepared ${r}`)))
        if (s.rm[r] === 'working') step((c) => (c.rm[r] = 'aborted'))
        if (msgs.has('Commit')) step((c) => (c.rm[r] = 'committed'))
        if (msgs.has('Abort')) step((c) => (c.rm[r] = 'aborted'))
      }
      generated += out.length
      for (const c of out) if (!seen.has(key(c))) seen.add(key(c)), next.push(c)
    }
    level = next
  }
  return [seen.size, generated, depth]
}

test('TwoPhase as written, msgs a set of records (RM = {r1, r2, r3}): 288 distinct / 1,146 generated / depth 11 (published TLC counts), as an independent count; refines TCommit', async (t) => {
  t.deepEqual(twoPhaseReference(3), [288, 1_146, 11])
  for (const options of [{}, { strict: true }, { store: 'fingerprint' as const }]) {
    const r = await checkModel(twoPhaseMsgs, { rms: 3 }, options)
    t.is(r.status, 'ok', JSON.stringify(options))
    t.deepEqual([r.stats.distinct, r.stats.generated, r.stats.depth], [288, 1_146, 11], JSON.stringify(options))
    t.deepEqual(r.checked.invariants, ['TPTypeOK', 'TCConsistent', 'TCSpec'])
  }
  for (const rms of [1, 2]) {
    const r = await checkModel(twoPhaseMsgs, { rms })
    t.deepEqual([r.stats.distinct, r.stats.generated, r.stats.depth], twoPhaseReference(rms), `rms = ${rms}`)
  }
})

test('TCommit (RM = {r1, r2, r3}): 34 distinct / 94 generated / depth 7 (published TLC counts), TCTypeOK and TCConsistent hold', async (t) => {
  const r = await checkModel(tcommit, { rms: 3 })
  t.is(r.status, 'ok')
  t.deepEqual([r.stats.distinct, r.stats.generated, r.stats.depth], [34, 94, 7])
})

test('InternalMemory (Specifying Systems, MCInternalMemory: 2 processors, 3 addresses, 2 values): 4,408 distinct / 21,400 generated / depth 10 (published TLC counts)', async (t) => {
  const r = await checkModel(internalMemory, {})
  t.is(r.status, 'ok')
  t.deepEqual([r.stats.initial, r.stats.distinct, r.stats.generated, r.stats.depth], [8, 4_408, 21_400, 10])
})

test('WriteThroughCache (MCWriteThroughCache: 2 processors, 1 address, 2 values, QLen = 1): 5,196 distinct / 28,170 generated / depth 18 (published TLC counts), and it refines InternalMemory', async (t) => {
  for (const options of [{}, { strict: true }]) {
    const r = await checkModel(writeThroughCache, {}, options)
    t.is(r.status, 'ok')
    t.deepEqual([r.stats.initial, r.stats.distinct, r.stats.generated, r.stats.depth], [2, 5_196, 28_170, 18], JSON.stringify(options))
    t.deepEqual(r.checked.invariants, ['TypeInvariant', 'Coherence', 'LMInnerTypeInvariant', 'LMSpec'])
    t.deepEqual(r.checked.actionProperties, ['LMSpec'])
  }
})

test('WriteThroughCache whose writes never reach the memory queue: the refinement fails at the write, with the mapped InternalMemory states', async (t) => {
  const r = await checkModel(writeThroughCache, { bug: 'write-not-queued' }, { continue: true })
  if (r.status !== 'violation') return t.fail(r.status)
  t.deepEqual(r.violations.map((v) => [v.property, v.trace.length]), [['LMSpec', 3], ['Coherence', 6]])
  const v = r.violations[0]!
  t.deepEqual(v.trace.slice(1).map((s) => s.action?.label), ['ReqWr(p=0, adr=0, val=v2)', 'DoWr(p=0)'])
  // The write changes what the processor sees but not the memory it maps to: no step of InternalMemory.
  t.regex(
    v.message,
    /The step from state 2 to state 3 maps to \{"ctl":\["busy","rdy"\],"buf":\[\{"op":"Wr","adr":0,"val":"v2"\},.*\} -> \{"ctl":\["done","rdy"\],"buf":\[\{"op":"NoVal",.*\} \(the variables it changes\), which is no step of internal-memory and no stutter \(its actions enabled there: .*Do\(p=0\)\)/,
  )
  t.regex(v.message, /\n {2}State 3 maps to \{"memInt":.*,"mem":\["v1"\],"ctl":\["done","rdy"\],"buf":\[\{"op":"NoVal","adr":null,"val":null\},/)
})
