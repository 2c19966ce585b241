/**
 * A model whose code takes long per state: the search looks at its clock every 1,024 states, or
 * every state while they come slowly, so a time limit and an interruption stop it within a state
 * or two, not 1,024 states later (here that would be the whole search, several seconds).
 */
import test from 'ava'
import { check, t as ty, vars } from '../../checker/index.js'

/** Busy for `ms`, as a model's code that computes a lot would be. */
const spin = (ms: number): void => {
  const until = Date.now() + ms
  while (Date.now() < until);
}

/** 40 states, each guard taking 25 ms: about 2 s for the whole search. */
const slowCounter = () => {
  const { spec, action } = vars({ x: ty.int(0, 39) })
  return spec({
    name: 'slow-counter',
    init: { x: 0 },
    checkDeadlock: false,
    actions: {
      Inc: action({ guard: (s) => (spin(25), s.x < 39), effect: (d) => void (d.x += 1) }),
    },
  })
}

test('a time limit stops a search of slow states within a few states of it', async (t) => {
  const r = await check(slowCounter(), {}, { timeoutMs: 300 })
  t.is(r.status, 'incomplete')
  if (r.status === 'incomplete') t.is(r.stopReason, 'timeout')
  t.true(r.stats.distinct < 30, `${r.stats.distinct} states`)
})

test('an interruption stops a search of slow states within a few states of it', async (t) => {
  const abort = new AbortController()
  setTimeout(() => abort.abort(), 300)
  const r = await check(slowCounter(), {}, { signal: abort.signal })
  t.is(r.status, 'incomplete')
  if (r.status === 'incomplete') t.is(r.stopReason, 'interrupted')
  t.true(r.stats.distinct < 30, `${r.stats.distinct} states`)
})
