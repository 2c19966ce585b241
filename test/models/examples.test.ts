import test from 'ava'
import { checkModel } from '../../checker/index.js'
import twoPhase from '../../models/examples/twophase.js'
import peterson from '../../models/examples/peterson.js'

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
