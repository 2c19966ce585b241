/**
 * The fast walker's memory of states and steps (checker/simulate/walkCache.ts) against a Map of
 * everything kept: a lookup may miss (a newer entry took the slot), but a hit is always what was
 * last kept for that very state, and what was just kept is found. Hashes are drawn from a few
 * values that share their low bits, so that different states fight over the same slots.
 */
import { testProp, fc } from '@fast-check/ava'
import { WalkCache } from '../../checker/simulate/walkCache.js'

const W = 2
const INSTANCES = 40
const M = Math.ceil(INSTANCES / 32)
/** A state: W words from a small set, so that states repeat; its hash: one of four that collide in a table of up to 2^16 slots. */
const stateArb = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 0xffffffff, 7), fc.integer({ min: 0, max: 3 }))
const op = fc.oneof(
  fc.record({ kind: fc.constant('enabled' as const), state: stateArb, enabled: fc.uniqueArray(fc.integer({ min: 0, max: INSTANCES - 1 }), { maxLength: 6 }) }),
  fc.record({ kind: fc.constant('step' as const), state: stateArb, inst: fc.integer({ min: 0, max: INSTANCES - 1 }), next: stateArb }),
  fc.record({ kind: fc.constant('look' as const), state: stateArb, inst: fc.integer({ min: 0, max: INSTANCES - 1 }) }),
)
const packed = ([a, b]: readonly [number, number, number]) => Uint32Array.of(a, b)
const hashOf = ([, , h]: readonly [number, number, number]) => h << 16
const keyOf = ([a, b]: readonly [number, number, number]) => `${a},${b}`

testProp('a hit is what was last kept for that state or step; what was just kept is found', [fc.array(op, { minLength: 1, maxLength: 200 })], (t, ops) => {
  t.plan(ops.length + ops.filter((o) => o.kind === 'look').length)
  const cache = new WalkCache(W, M)
  const enabled = new Map<string, number[]>()
  const successors = new Map<string, string>()
  const out = new Uint32Array(W)
  const enabledThere = (state: readonly [number, number, number]) => {
    const n = cache.enabledAt(packed(state), hashOf(state))
    return n < 0 ? undefined : Array.from({ length: n }, (_, r) => cache.pick(r))
  }
  const successorThere = (state: readonly [number, number, number], inst: number) =>
    cache.successor(packed(state), hashOf(state), inst, out) ? `${out[0]},${out[1]}` : undefined
  for (const o of ops) {
    const key = keyOf(o.state)
    if (o.kind === 'enabled') {
      const sorted = [...o.enabled].sort((x, y) => x - y)
      cache.keepEnabled(packed(o.state), hashOf(o.state), Int32Array.from(sorted), sorted.length)
      enabled.set(key, sorted)
      t.deepEqual(enabledThere(o.state), sorted)
    } else if (o.kind === 'step') {
      cache.keepSuccessor(packed(o.state), hashOf(o.state), o.inst, packed(o.next))
      successors.set(`${key}/${o.inst}`, keyOf(o.next))
      t.is(successorThere(o.state, o.inst), keyOf(o.next))
    } else {
      const e = enabledThere(o.state)
      t.true(e === undefined || e.join() === enabled.get(key)?.join(), `enabled in ${key}`)
      const s = successorThere(o.state, o.inst)
      t.true(s === undefined || s === successors.get(`${key}/${o.inst}`), `successor of ${key} by ${o.inst}`)
    }
  }
})
