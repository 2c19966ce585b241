/**
 * Checkpoints in the library: a search that writes a checkpoint every 1,024 expansions, resumed
 * from its last one, ends with the counts, coverage and verdict of an uninterrupted run, also in
 * continue mode with violations found before the checkpoint, after a stop by the memory budget,
 * and slice after slice after stops by a time limit; a checkpoint is refused for a spec of another
 * shape. A fingerprint store with spilled trace records, written piece by piece, loads back exactly.
 */
import test from 'ava'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkModel, defineModel, resume, t as types, vars, CheckerError, type AnyModel, type CheckResult } from '../../checker/index.js'
import { compileSpec } from '../../checker/compile/compile.js'
import { Checkpointer } from '../../checker/longrun/Checkpointer.js'
import { loadCheckpoint } from '../../checker/longrun/loadCheckpoint.js'
import { readManifest } from '../../checker/longrun/manifest.js'
import { Expander } from '../../checker/search/expand.js'
import { FingerprintStore } from '../../checker/store/VisitedStore.js'
import { fingerprint } from '../../checker/encode/fingerprint.js'
import { builtinModels } from '../../models/registry.js'

const tmp = mkdtempSync(join(tmpdir(), 'mrcheck-checkpoint-test-'))
test.after.always(() => rmSync(tmp, { recursive: true, force: true }))
const model = (name: string): AnyModel => builtinModels.find((m) => m.name === name)!
let n = 0

const summary = (r: CheckResult) => ({
  status: r.status,
  complete: r.complete,
  distinct: r.stats.distinct,
  generated: r.stats.generated,
  depth: r.stats.depth,
  actions: r.stats.actions,
  violations: r.violations.map((v) => ({ property: v.property, kind: v.kind, length: v.trace.length, message: v.message })),
})

const cases: [string, Record<string, unknown>, boolean, 'exact' | 'fingerprint'][] = [
  ['twophase', { rms: 5 }, false, 'exact'],
  ['page-migration', {}, true, 'exact'],
  ['device-removal', {}, true, 'exact'],
  ['mr-lifecycle', {}, true, 'exact'],
  ['twophase', { rms: 5 }, false, 'fingerprint'],
  ['mr-lifecycle', {}, true, 'fingerprint'],
  // A sequence, and initial states from a predicate.
  ['innerFifo', {}, false, 'exact'],
  // A set of records.
  ['twophase-msgs', { rms: 4 }, false, 'fingerprint'],
  ['tokenRing', { nodes: 4, values: 4 }, false, 'fingerprint'],
]

for (const [name, params, keepGoing, store] of cases) {
  test(`${name} ${JSON.stringify(params)}${keepGoing ? ' (continue)' : ''}, ${store}: resumed from its last checkpoint, the run ends as an uninterrupted one`, async (t) => {
    const m = model(name)
    const whole = await checkModel(m, params, { continue: keepGoing, store })
    const dir = join(tmp, `case-${n++}`)
    const written = await checkModel(m, params, { continue: keepGoing, store, checkpoint: { dir, everyMs: 0, model: { ref: name, params } } })
    t.deepEqual(summary(written), summary(whole))
    const resumed = await resume(dir, { builtins: builtinModels })
    t.deepEqual(summary(resumed), summary(whole))
  })
}

for (const [store, memoryMiB] of [
  ['exact', 4],
  ['fingerprint', 2],
] as const) {
  test(`${store}: a run stopped by its memory budget leaves a checkpoint; resumed with a larger budget it ends as an uninterrupted one`, async (t) => {
    const m = model('twophase')
    const params = { rms: 7 }
    const whole = await checkModel(m, params, { store })
    const dir = join(tmp, `memory-${store}`)
    const checkpoint = { dir, everyMs: 1e9, model: { ref: 'twophase', params } }
    const stopped = await checkModel(m, params, { store, memoryMiB, checkpoint })
    t.is(stopped.status, 'incomplete')
    if (stopped.status === 'incomplete') t.is(stopped.stopReason, 'memory')
    t.true(stopped.stats.distinct < whole.stats.distinct)
    const tooSmall = await resume(dir, { builtins: builtinModels })
    t.is(tooSmall.status, 'incomplete', 'the same budget stops it again')
    const resumed = await resume(dir, { builtins: builtinModels, memoryMiB: 512 })
    t.deepEqual(summary(resumed), summary(whole))
  })
}

test('a run stopped by its time limit leaves a checkpoint; resumed in time-limited slices it ends as an uninterrupted one', async (t) => {
  const m = model('twophase')
  const params = { rms: 6 }
  const whole = await checkModel(m, params)
  const dir = join(tmp, 'timeout')
  // No periodic checkpoint is due: each slice goes on from the one written at its time limit.
  const checkpoint = { dir, everyMs: 1e9, model: { ref: 'twophase', params } }
  const timeoutMs = 100
  let r = await checkModel(m, params, { timeoutMs, checkpoint })
  t.is(r.status, 'incomplete')
  if (r.status === 'incomplete') t.is(r.stopReason, 'timeout')
  t.false('timeoutMs' in readManifest(dir).options, 'the time limit is not saved for later resumes')
  let slices = 0
  while (!r.complete && slices < 1000) {
    const before = r.stats.generated
    r = await resume(dir, { builtins: builtinModels, timeoutMs })
    slices++
    // Each slice gets on, however long loading the checkpoint took.
    t.true(r.stats.generated > before, `slice ${slices} went on from ${before} generated states`)
    if (r.status === 'incomplete') t.is(r.stopReason, 'timeout')
  }
  t.true(slices > 1, `resumed ${slices} times`)
  t.deepEqual(summary(r), summary(whole))
})

/** Two counters and which one moved last, seen through a view of the counters alone: many states share a view. */
const viewed = defineModel({
  name: 'viewed-counters',
  summary: 'two counters under a view that forgets which one moved last',
  params: {},
  build: () => {
    const { spec, action } = vars({ x: types.int(0, 149), y: types.int(0, 149), lastX: types.bool() })
    return spec({
      name: 'viewed-counters',
      init: { x: 0, y: 0, lastX: false },
      checkDeadlock: false,
      view: (s) => [s.x, s.y],
      actions: {
        IncX: action({ guard: (s) => s.x < 149, effect: (d) => { d.x++; d.lastX = true } }),
        IncY: action({ guard: (s) => s.y < 149, effect: (d) => { d.y++; d.lastX = false } }),
      },
    })
  },
  properties: () => ({ invariants: { Bounded: (s) => s.x + s.y <= 298 } }),
})

test('under a view, a run resumed in time-limited slices counts each view once, as an uninterrupted one', async (t) => {
  const whole = await checkModel(viewed, {})
  t.is(whole.stats.distinct, 150 * 150)
  const dir = join(tmp, 'view')
  const timeoutMs = 20
  let r = await checkModel(viewed, {}, { timeoutMs, checkpoint: { dir, everyMs: 1e9 } })
  let slices = 0
  while (!r.complete && slices < 1000) {
    r = await resume(dir, { model: viewed, timeoutMs })
    slices++
  }
  t.true(slices > 0)
  t.deepEqual(summary(r), summary(whole))
  t.deepEqual(r.warnings, whole.warnings, 'the same number of views')
})

test('under a view, a checkpoint of fingerprints is refused on resume, saying why', async (t) => {
  const dir = join(tmp, 'view-fingerprints')
  const stopped = await checkModel(viewed, {}, { store: 'fingerprint', timeoutMs: 1, checkpoint: { dir, everyMs: 1e9 } })
  t.is(stopped.status, 'incomplete')
  const e = await t.throwsAsync(resume(dir, { model: viewed }), { instanceOf: CheckerError })
  t.is(e?.code, 'BAD_INPUT')
  t.regex(e?.message ?? '', /viewed-counters.*holds fingerprints, not states.*--store exact.*--view off/)
})

test('a checkpoint is refused for a spec of another shape', async (t) => {
  const dir = join(tmp, 'shape')
  await checkModel(model('twophase'), { rms: 5 }, { checkpoint: { dir, everyMs: 0 } })
  const e = await t.throwsAsync(checkModel(model('twophase'), { rms: 6 }, { resumeFrom: dir }), { instanceOf: CheckerError })
  t.is(e!.code, 'BAD_INPUT')
  t.is(e!.message, `Checkpoint file ${join(dir, 'manifest.json')} was written for 27 action instances; this spec has 32; it was not used.`)
})

test('checkpoints with several workers are refused', async (t) => {
  const e = await t.throwsAsync(checkModel(model('twophase'), {}, { workers: 2, checkpoint: { dir: join(tmp, 'workers') } }), { instanceOf: CheckerError })
  t.is(e!.code, 'BAD_PARAM')
  t.is(e!.message, 'Checkpoints work with one worker only: drop the `workers` option, or `checkpoint` and `resumeFrom`.')
})

test('a fingerprint store with trace records spilled to disk and a queue of many chunks is written piece by piece and loads back exactly', (t) => {
  const m = model('twophase')
  const c = compileSpec(m.build({ rms: 3 }), {})
  const W = c.codec.words
  const n = 200_000
  const next = 120_000
  const store = new FingerprintStore(W, { wideInstances: false })
  const words = new Uint32Array(n * W)
  const fp = new Uint32Array(2)
  for (let id = 0; id < n; id++) {
    for (let i = 0; i < W; i++) words[id * W + i] = (Math.imul(id + 1, 2654435761) ^ Math.imul(i + 7, 40503)) >>> 0
    fingerprint(words, id * W, W, fp)
    t.is(store.add(words, id * W, fp[0]!, fp[1]!, id - 1, id % 27), id)
  }
  for (let id = 0; id < next; id++) store.take()
  t.true(store.records.spilledBytes > 0, 'some trace records were spilled')
  const dir = join(tmp, 'pieces')
  const saved = new Checkpointer(c, { dir, everyMs: 0 }).save({ next, levelEnd: n, depth: 9 }, new Expander(c, false), store, [])
  t.true(saved)
  const back = loadCheckpoint(c, dir)
  const loaded = back.store
  t.is(loaded.count, n)
  t.deepEqual(back.loop, { next, levelEnd: n, depth: 9 })
  let same = true
  for (let id = 0; id < n && same; id++) {
    fingerprint(words, id * W, W, fp)
    same = loaded.parentOf(id) === id - 1 && loaded.instanceOf(id) === id % 27 && loaded.contains(words, id * W, fp[0]!, fp[1]!)
  }
  t.true(same, 'every fingerprint and trace record')
  for (let id = next; id < n && same; id++) {
    loaded.take(id)
    for (let i = 0; i < W; i++) same &&= loaded.words[loaded.at + i] === words[id * W + i]
  }
  t.true(same, 'the queue, in order')
  store.close()
  loaded.close()
})
