/**
 * Changes read with the state's types (report/typedChanges.ts): a map's changes are named by key,
 * keys that come or go say so, sets change whole; two values differ exactly when some change is
 * listed, over every pair of values of small types; values outside their type fall back to the
 * untyped diff.
 */
import test from 'ava'
import { isDeepStrictEqual } from 'node:util'
import { t, type AnyType } from '../../checker/index.js'
import { valuesOf } from '../../checker/model/values.js'
import { NO_KEY, typedChanges } from '../../checker/report/typedChanges.js'
import { diffStates } from '../../checker/result/diff.js'

const Client = t.index(2, { name: 'Client' })
const vars = {
  holder: t.map(t.enum('r1', 'r2'), Client),
  slots: t.map(t.tuple(t.enum('x'), t.bool()), t.record({ n: t.int(0, 1), tags: t.set(t.enum('a', 'b')) })),
  owner: t.option(t.record({ id: Client, tags: t.set(Client) })),
} as unknown as Record<string, AnyType>

test('a map changes at its key, a key that comes or goes says so, a set changes whole', (tt) => {
  const before = { holder: [['r1', 0]], slots: [[['x', true], { n: 0, tags: ['a'] }]], owner: { id: 0, tags: [0] } }
  const after = { holder: [['r1', 1], ['r2', 0]], slots: [[['x', true], { n: 1, tags: ['b'] }]], owner: { id: 0, tags: [1] } }
  tt.deepEqual(typedChanges(before, after, vars), [
    { path: 'holder["r1"]', from: 0, to: 1 },
    { path: 'holder["r2"]', from: NO_KEY, to: 0 },
    { path: 'slots[["x",true]].n', from: 0, to: 1 },
    { path: 'slots[["x",true]].tags', from: ['a'], to: ['b'] },
    { path: 'owner.tags', from: [0], to: [1] },
  ])
  tt.deepEqual(typedChanges(after, { ...after, holder: [['r2', 0]] }, vars), [{ path: 'holder["r1"]', from: 1, to: NO_KEY }])
  // The untyped diff says where in the pairs, not which key.
  tt.deepEqual(diffStates(before.holder, [['r1', 1]], 'holder'), [{ path: 'holder[0][1]', from: 0, to: 1 }])
})

test('two values differ exactly when a change is listed, for every pair of values of each variable', (tt) => {
  for (const [name, type] of Object.entries(vars)) {
    const values = valuesOf(type, 10_000)
    tt.true(values.length > 4, name)
    for (const a of values) {
      for (const b of values) {
        // A copy: states decoded apart share no objects.
        const changes = typedChanges({ [name]: a }, { [name]: structuredClone(b) }, vars)
        if (isDeepStrictEqual(a, b) !== (changes.length === 0)) return tt.fail(`${name}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`)
        if (!changes.every((c) => c.path.startsWith(name))) return tt.fail(JSON.stringify(changes))
      }
    }
  }
})

test('values that do not fit their type, and variables without one, are compared as the untyped diff does', (tt) => {
  const odd = { holder: 3, other: [1, 2] }
  const odder = { holder: [['r1', 0]], other: [1, 3] }
  tt.deepEqual(typedChanges(odd, odder, vars), diffStates(odd, odder))
})
