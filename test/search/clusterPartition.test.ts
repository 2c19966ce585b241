/**
 * A cluster partition (search/cluster/Partition.ts) in both ways of keeping states, against a plain
 * Map of the states added: which adds are new, where each state came from, the states of each
 * depth to expand, and the same again after a checkpoint is written and read back; a file of the
 * other kind, or damaged, is refused.
 */
import test from 'ava'
import { testProp } from '@fast-check/ava'
import fc from 'fast-check'
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fingerprint } from '../../checker/encode/fingerprint.js'
import { CheckerError } from '../../checker/index.js'
import { Partition } from '../../checker/search/cluster/Partition.js'
import { PARENT_INITIAL, type ClusterStore } from '../../checker/search/cluster/protocol.js'

const W = 3
const dir = mkdtempSync(join(tmpdir(), 'mrcheck-partition-'))
test.after.always(() => rmSync(dir, { recursive: true, force: true }))

/** Levels of states (each a few small words), added in order; each level's states get parents in the level before. */
const levels = fc.array(fc.array(fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)), { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 5 })

let files = 0
const stores: ClusterStore[] = ['exact', 'fingerprint']

for (const store of stores) {
  testProp(`${store === 'exact' ? 'an exact' : 'a fingerprint'} partition keeps what a map of its states keeps, across a checkpoint`, [levels], (t, states) => {
    let p = new Partition(0, W, store)
    const seen = new Map<string, { id: number; origin: { parentPartition: number; parentId: number; instance: number } }>()
    const fp = new Uint32Array(2)
    let level = 0
    let nextId = 0
    for (const batch of states) {
      for (const [k, s] of batch.entries()) {
        const words = Uint32Array.from(s)
        fingerprint(words, 0, W, fp)
        const origin = level === 0 ? { parentPartition: PARENT_INITIAL, parentId: k, instance: -1 } : { parentPartition: 1 + (k % 3), parentId: k, instance: k % 7 }
        const id = p.add(words, 0, fp[0]!, fp[1]!, origin.parentPartition, origin.parentId, origin.instance)
        const key = s.join(',')
        t.is(id, seen.has(key) ? -1 : nextId++)
        if (id >= 0) seen.set(key, { id, origin })
      }
      p.nextLevel()
      level++
      if (level === 2) {
        // A checkpoint at this boundary, read back.
        const run = `r${files++}`
        p.save(dir, run, level, 4)
        p = Partition.load(dir, run, level, 0, 4, W, store)
      }
      // The states of the depth to expand are those added last, in order.
      const expected = [...seen.entries()].filter(([, v]) => v.id >= p.levelStart && v.id < p.levelEnd).sort((a, b) => a[1].id - b[1].id)
      t.is(p.levelEnd - p.levelStart, expected.length)
      for (const [key, v] of expected) {
        p.take(v.id)
        t.deepEqual([...p.words.subarray(p.at, p.at + W)], key.split(',').map(Number))
      }
    }
    for (const [key, v] of seen) {
      t.deepEqual(p.origin(v.id), v.origin, key)
      if (store === 'exact') t.deepEqual([...p.kept(v.id)], key.split(',').map(Number))
      else t.is(p.kept(v.id).length, 3)
    }
  }, { numRuns: 8 })
}

test('a checkpoint of the other kind, or damaged, is refused', (t) => {
  const p = new Partition(2, W, 'fingerprint')
  const fp = new Uint32Array(2)
  for (let i = 0; i < 10; i++) {
    const words = Uint32Array.of(i, i * 2, 7)
    fingerprint(words, 0, W, fp)
    p.add(words, 0, fp[0]!, fp[1]!, PARENT_INITIAL, i, -1)
  }
  p.nextLevel()
  p.save(dir, 'kinds', 1, 4)
  const e = t.throws(() => Partition.load(dir, 'kinds', 1, 2, 4, W, 'exact'), { instanceOf: CheckerError })
  t.regex(e!.message, /is not partition 2 of 4 at level 1 with exact states of 3-word states/)
  const file = join(dir, readdirSync(dir).find((f) => f.includes('kinds'))!)
  const bytes = readFileSync(file)
  bytes[bytes.length - 5]! ^= 0xff
  writeFileSync(file, bytes)
  t.throws(() => Partition.load(dir, 'kinds', 1, 2, 4, W, 'fingerprint'), { instanceOf: CheckerError })
})
