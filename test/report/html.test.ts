import test from 'ava'
import {
  actorsOf,
  checkModel,
  instantiate,
  lanesFor,
  matrixDocument,
  matrixReportModels,
  renderCheckReport,
  renderMatrixReport,
  renderTrace,
  type Violation,
} from '../../checker/index.js'
import { policyMatrix } from '../../checker/run/matrix.js'
import toy, { SCRIPT } from './fixtures/migrationToy.js'
import peterson from '../../models/examples/peterson.js'

const naive = async () => {
  const r = await checkModel(toy, { policy: 'naive' }, { continue: true })
  if (r.status !== 'violation') throw new Error(`expected violations, got ${r.status}`)
  const { spec } = instantiate(toy, { policy: 'naive' })
  return { r, spec }
}

test('check report: verdict, statistics, coverage with actors, one section per counterexample', async (t) => {
  const { r, spec } = await naive()
  const html = renderCheckReport({ result: r, actors: actorsOf(spec), source: 'test/fixtures/migrationToy.ts', rerun: 'mrcheck check x' })
  t.true(html.startsWith('<!DOCTYPE html>'))
  t.regex(html, /<span class="verdict violation">property violated<\/span>/)
  t.regex(html, /<tr><th>distinct states<\/th><td class="num">24<\/td><\/tr>/)
  t.regex(html, /<td class="label">Migrate<\/td><td>kernel<\/td>/)
  t.regex(html, /<td class="label">Reset<\/td><td>system<\/td>/)
  t.is(html.match(/<section class="trace"/g)?.length, 2)
  t.regex(html, /id="trace-1"[\s\S]*NoDmaDuringMigration \(invariant\)/)
  // Given the properties' meanings, each counterexample states its property's.
  const withDocs = renderCheckReport({ result: r, actors: actorsOf(spec), docs: toy.properties({ policy: 'naive' }).docs! })
  t.regex(withDocs, /<p class="meaning">The device never writes to a page that is being moved or has moved\.<\/p>/)
  // Self-contained: no external resources.
  t.notRegex(html, /<(script|link|img)[^>]+(src|href)=/i)
  t.notRegex(html, /https?:\/\/(?!www\.w3\.org)/)
})

test('check report: temporal properties left unchecked are listed apart from the ones checked', async (t) => {
  const { r } = await naive()
  const html = renderCheckReport({ result: { ...r, unchecked: ['Ends'] } })
  t.regex(html, /<li>invariants: <code>NoDmaDuringMigration<\/code>, <code>NoteHarmless<\/code><\/li>/)
  t.regex(html, /<li>not checked \(temporal\): <code>Ends<\/code><\/li>/)
})

test('every model value is escaped: a state holding <script> renders as text', async (t) => {
  const { r, spec } = await naive()
  const html = renderCheckReport({ result: r, actors: actorsOf(spec) })
  t.false(html.includes(SCRIPT))
  t.true(html.includes('&lt;script&gt;window.__pwned = 1&lt;/script&gt;'))
  // The only script element is the page's own.
  t.is(html.match(/<script>/g)?.length, 1)
})

test('sequence view: an actor named from the step parameters gives one lane per process; long change lists open in full', (t) => {
  const step = (p: number, n: number) => ({ action: { name: 'Step', params: { p }, label: `Step(p=${p})` }, state: { n, fields: Array.from({ length: 6 }, () => n) } })
  const v: Violation = {
    property: 'P',
    kind: 'invariant',
    shortest: true,
    message: 'P is violated',
    trace: [{ action: null, state: { n: 0, fields: [0, 0, 0, 0, 0, 0] } }, step(2, 1), step(0, 2), step(1, 3)],
  }
  const actors = { Step: ({ p }: { p: number }) => `proc ${p}` }
  t.deepEqual(lanesFor(v.trace, actors), ['proc 2', 'proc 0', 'proc 1'])
  const html = renderTrace(v, { id: 't', heading: 'P', actors })
  t.regex(html, /<div class="lane" data-lane="proc 0"><span class="evt" data-step="3">Step\(p=0\)<\/span><\/div>/)
  t.regex(html, /<li data-step="4"><span class="idx">State 4:<\/span> <span class="label">&lt;Step\(p=1\)&gt;<\/span><span class="actor">proc 1<\/span>/)
  // Seven fields change on each step: four in the line, the other three when it is opened.
  t.regex(html, /<details class="more"><summary>n = 1, fields\[0\] = 1, fields\[1\] = 1, fields\[2\] = 1, … \(3 more\)<\/summary>fields\[3\] = 1, fields\[4\] = 1, fields\[5\] = 1<\/details>/)
})

test('peterson: each process has its own lane in the counterexample of the ignore-turn bug', async (t) => {
  const r = await checkModel(peterson, { bug: 'ignore-turn' })
  const { spec } = instantiate(peterson, { bug: 'ignore-turn' })
  const v = r.violations[0]!
  t.deepEqual([...new Set(lanesFor(v.trace, actorsOf(spec)))].sort(), ['proc 0', 'proc 1'])
})

test('sequence view: one lane per actor in the fixed order, system last; changed fields marked', (t) => {
  const v: Violation = {
    property: 'P',
    kind: 'invariant',
    shortest: true,
    message: 'P is violated',
    trace: [
      { action: null, state: { a: 0, r: { x: 1, y: [1, 2] } } },
      { action: { name: 'Dev', params: { i: 1 }, label: 'Dev(i=1)' }, state: { a: 0, r: { x: 1, y: [1, 3] } } },
      { action: { name: 'Tick', params: {}, label: 'Tick' }, state: { a: 1, r: { x: 1, y: [1, 3] } } },
      { action: { name: 'App', params: {}, label: 'App' }, state: { a: 1, r: { x: 1, y: [1, 3] } } },
    ],
  }
  const actors = { Dev: 'device', App: 'application', Tick: 'system', Gossip: 'peer' }
  t.deepEqual(lanesFor(v.trace, actors), ['application', 'device', 'peer', 'system'])
  t.deepEqual(lanesFor(v.trace, { Dev: 'device', Other: 'switch' }), ['device', 'switch', 'system'])
  const html = renderTrace(v, { id: 't', heading: 'P', actors })
  t.regex(html, /grid-template-columns: 3\.2em repeat\(4, minmax\(9em, 1fr\)\)/)
  t.regex(html, /<div class="lane" data-lane="device"><span class="evt" data-step="2">Dev\(i=1\)<\/span><\/div>/)
  t.regex(html, /<div class="lane" data-lane="system"><span class="evt" data-step="3">Tick<\/span><\/div>/)
  // Step 2 changes r.y[1] only: listed, and marked inside the full state.
  t.regex(html, /<li class="val"><span class="k">r\.y\[1\]<\/span>: <span class="was">2<\/span> → <mark>3<\/mark><\/li>/)
  t.regex(html, /y<\/span>: \[1, <mark title="was 2">3<\/mark>\]/)
  t.regex(html, /no change \(a stuttering step\)/)
})

test('a lasso marks its loop: the loop state, the states in the cycle, and the way back', (t) => {
  const step = (label: string, n: number) => ({ action: { name: label, params: {}, label }, state: { n } })
  const v: Violation = {
    property: 'Live',
    kind: 'temporal',
    shortest: false,
    loopStart: 1,
    message: 'Temporal property Live is violated.',
    trace: [{ action: null, state: { n: 0 } }, step('Up', 1), step('Up', 2), step('Down', 1)],
  }
  const html = renderTrace(v, { id: 'lasso', heading: 'Live' })
  t.regex(html, /<div class="idx inloop">2 <span class="loopmark" title="loop starts here">⟲<\/span><\/div>/)
  t.is(html.match(/<li class="inloop"/g)?.length, 3)
  t.regex(html, /<div class="back inloop">back to state 2<\/div>/)
  t.regex(html, /<p class="loopmark">Back to state 2<\/p>/)
  const by = renderTrace({ ...v, loopAction: { name: 'Down', params: {}, label: 'Down' } } as Violation, { id: 'b', heading: 'Live' })
  t.regex(by, /<div class="back inloop">back to state 2 by Down<\/div>/)
  t.regex(by, /<p class="loopmark">Back to state 2: &lt;Down&gt;<\/p>/)
  const stutter = renderTrace({ ...v, loopStart: 3 }, { id: 's', heading: 'Live' })
  t.regex(stutter, /stutters forever/)
  t.regex(stutter, /State 5: Stuttering/)
})

test('matrix page: a table per model, failing cells link to their trace on the same page', async (t) => {
  const doc = matrixDocument([await policyMatrix(toy)], { name: 'mrcheck', version: '0' })
  const models = matrixReportModels(doc.models, [toy])
  t.deepEqual(
    models[0]!.rows.map((r) => [r.policy, r.cells.map((c) => c.status)]),
    [
      ['pin', ['holds', 'fails']],
      ['naive', ['fails', 'fails']],
    ],
  )
  t.is(models[0]!.rows[0]!.actors?.Migrate, 'kernel')
  const html = renderMatrixReport(models, { title: 'Toy <matrix>' })
  t.regex(html, /<title>Toy &lt;matrix&gt;<\/title>/)
  // Columns under short codes, the property and its meaning on hover and in the legend.
  t.regex(html, /<th class="prop" scope="col" title="NoDmaDuringMigration: The device never writes to a page that is being moved or has moved." data-property="NoDmaDuringMigration">P1<\/th>/)
  t.regex(html, /<dd><b>P1<\/b> NoDmaDuringMigration: The device never writes to a page that is being moved or has moved.<\/dd>/)
  t.regex(html, /<td class="holds" title="NoDmaDuringMigration: holds — as expected">ok<\/td>/)
  // The toy declares no breaks: its failing cells are unexpected, marked and outlined.
  const links = [...html.matchAll(/<td class="fails unexpected" title="[^"]*"><a class="cell-link" href="#(trace-\d+)" data-model="migration-toy" data-policy="(\w+)" data-property="(\w+)">✗(\d+)<b class="bang">!<\/b><\/a><\/td>/g)]
  t.deepEqual(
    links.map((l) => [l[2], l[3], l[4]]),
    [
      ['pin', 'NoteHarmless', '5'],
      ['naive', 'NoDmaDuringMigration', '4'],
      ['naive', 'NoteHarmless', '5'],
    ],
  )
  for (const l of links) t.true(html.includes(`<section class="trace" id="${l[1]}">`))
  // Each counterexample gives the broken property's meaning beside its message.
  t.regex(html, /<p class="msg">Invariant NoteHarmless is violated[^<]*<\/p>\n<p class="meaning">A note from the peer never meets two writes\.<\/p>/)
  t.false(html.includes(SCRIPT))
  // The plain input shape works on its own too.
  const plain = renderMatrixReport([{ model: 'm', rows: [{ policy: 'p', cells: [{ property: 'Q', status: 'holds' }] }] }])
  t.regex(plain, /<td class="holds" title="Q: holds">ok<\/td>/)
})

test('matrix page: each policy value shows its source, on its row and under the table', async (t) => {
  const model = (await import('../../models/implicit-odp.js')).default
  const doc = matrixDocument([await policyMatrix(model)], { name: 'mrcheck', version: '0' })
  const html = renderMatrixReport(matrixReportModels(doc.models, [model]))
  const source = 'BB6: CVE-2025-21714, a child destroy work queued twice, fixed by &quot;RDMA/mlx5: Fix implicit ODP use after free&quot;'
  t.true(html.includes(`<th class="label" scope="row" title="${source}">bb6-child-destroy-queued-twice</th>`))
  t.true(html.includes(`<dd><b>bb6-child-destroy-queued-twice</b>: ${source}</dd>`))
  t.is(html.match(/<dd><b>[\w-]+<\/b>: /g)?.length, 3)
  // Without the model (a merged document read alone) there is nothing to show.
  t.false(renderMatrixReport(matrixReportModels(doc.models)).includes('class="legend policies"'))
})
