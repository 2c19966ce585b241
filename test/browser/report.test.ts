/**
 * The HTML reports in a real browser: Debian's Chromium, headless, driven by playwright-core
 * (never a downloaded browser). Screenshots go to test-output/ (gitignored).
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { actorsOf, checkModel, instantiate, matrixDocument, matrixReportModels, renderCheckReport, renderMatrixReport } from '../../checker/index.js'
import { policyMatrix } from '../../checker/run/matrix.js'
import toy from '../report/fixtures/migrationToy.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const out = join(root, 'test-output')
const CHROMIUM = '/usr/bin/chromium'

let browser: Browser | undefined

test.before(async () => {
  if (!existsSync(CHROMIUM)) return
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] })
})
test.after.always(async () => {
  await browser?.close()
})

/** The browser, or a failure that says how to install it (this test is never skipped). */
function need(t: { fail: (m: string) => void }): Browser | undefined {
  if (browser === undefined) {
    t.fail(`${CHROMIUM} is missing. Install it with: apt-get update && apt-get install -y chromium (.ci/run does this).`)
  }
  return browser
}

function writePage(name: string, html: string): string {
  mkdirSync(out, { recursive: true })
  const file = join(out, name)
  writeFileSync(file, html)
  return pathToFileURL(file).href
}

test('matrix page: clicking a failing cell shows its trace with the sequence lanes', async (t) => {
  const b = need(t)
  if (b === undefined) return
  const doc = matrixDocument([await policyMatrix(toy)], { name: 'mrcheck', version: '0' })
  const html = renderMatrixReport(matrixReportModels(doc.models, [toy]), { title: 'Toy matrix' })
  const page = await b.newPage({ viewport: { width: 1280, height: 900 } })
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) errors.push(`network request: ${r.url()}`)
  })
  await page.goto(writePage('matrix.html', html))
  t.is(await page.locator('table.matrix tr').count(), 3)
  // Nothing is shown until a cell is chosen.
  t.is(await page.locator('section.trace:visible').count(), 0)

  const cell = page.locator('a.cell-link[data-policy="naive"][data-property="NoDmaDuringMigration"]')
  t.is(await cell.textContent(), '✗4!')
  const id = (await cell.getAttribute('href'))!.slice(1)
  await cell.click()
  const section = page.locator(`section#${id}`)
  t.true(await section.isVisible())
  t.is(await page.locator('section.trace:visible').count(), 1)
  t.true(await page.locator('td.selected').filter({ has: cell }).isVisible())
  t.is(await section.locator('h3').textContent(), 'migration-toy · policy = naive · NoDmaDuringMigration')
  t.deepEqual(await section.locator('.seq .lanehead[data-lane]').allTextContents(), ['application', 'kernel', 'device', 'peer', 'system'])
  const events = section.locator('.seq .evt')
  t.deepEqual(await events.allTextContents(), ['Register', 'Migrate', 'DmaWrite'])
  t.deepEqual(
    await section.locator('.seq .lane:has(.evt)').evaluateAll((els) => els.map((e) => e.getAttribute('data-lane'))),
    ['application', 'kernel', 'device'],
  )
  // Lanes are side by side: each event sits further right than the one before.
  const xs = await Promise.all([0, 1, 2].map(async (i) => (await events.nth(i).boundingBox())!.x))
  t.true(xs[0]! < xs[1]! && xs[1]! < xs[2]!, `lane x positions ${xs.join(', ')}`)
  t.deepEqual(await section.locator('ol.steps .label').allTextContents(), ['<Initial predicate>', '<Register>', '<Migrate>', '<DmaWrite>'])
  t.true(await section.locator('ol.steps mark').first().isVisible())
  await page.screenshot({ path: join(out, 'matrix-naive-NoDmaDuringMigration.png'), fullPage: true })

  // A model value holding markup is shown as text and never runs.
  const note = page.locator('a.cell-link[data-policy="pin"][data-property="NoteHarmless"]')
  await note.click()
  const noteSection = page.locator(`section#${(await note.getAttribute('href'))!.slice(1)}`)
  t.true(await noteSection.isVisible())
  t.regex((await noteSection.locator('.seq').textContent()) ?? '', /<script>window\.__pwned = 1<\/script>/)
  t.is(await page.evaluate('typeof window.__pwned'), 'undefined')
  t.deepEqual(errors, [])
  await page.close()
})

test('the built-in models\' HTML matrix at 1280 px: no horizontal scrolling, sticky header and policy column, failing cells link to their traces', async (t) => {
  const b = need(t)
  if (b === undefined) return
  mkdirSync(out, { recursive: true })
  const file = join(out, 'builtin-matrix.html')
  const r = spawnSync(process.execPath, ['dist/bundle/mrcheck.js', 'matrix', '--quick', '--symmetry', 'off', '--html', file], { cwd: root, encoding: 'utf8' })
  t.true(r.status === 0 || r.status === 1, r.stderr)
  const page = await b.newPage({ viewport: { width: 1280, height: 900 } })
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('request', (q) => {
    if (!q.url().startsWith('file:')) errors.push(`network request: ${q.url()}`)
  })
  await page.goto(pathToFileURL(file).href)
  t.deepEqual(await page.locator('table.matrix').evaluateAll((ts) => ts.map((x) => x.getAttribute('data-model'))), ['mr-lifecycle', 'page-migration', 'device-removal', 'pinned-memory', 'implicit-odp', 'peterson'])
  const widths = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })')) as {
    scroll: number
    client: number
  }
  t.true(widths.scroll <= widths.client, `page ${widths.scroll} px wide in a ${widths.client} px window`)
  await page.screenshot({ path: join(out, 'builtin-matrix.png'), fullPage: false })

  // Scrolled down into the page-migration table, its header row and policy column stay on screen.
  const table = page.locator('table.matrix[data-model="page-migration"]')
  await table.locator('tbody tr').last().scrollIntoViewIfNeeded()
  await page.mouse.wheel(0, 200)
  const head = (await table.locator('thead th').first().boundingBox())!
  const lastRow = (await table.locator('tbody tr').last().boundingBox())!
  t.true(head.y >= -1 && head.y < lastRow.y, `header at ${head.y}, last row at ${lastRow.y}`)
  // Codes carry the property and its meaning on hover.
  t.regex((await table.locator('thead th.prop').first().getAttribute('title')) ?? '', /^\w+: .+/)

  // The iWARP row of suspend-resume breaks RKeyHonoured: its cell links to the trace on this page.
  const cell = table.locator('a.cell-link[data-policy="suspend-resume"][data-property="RKeyHonoured"]')
  t.is(await cell.count(), 1)
  const id = (await cell.getAttribute('href'))!.slice(1)
  await cell.click()
  const section = page.locator(`section#${id}`)
  t.true(await section.isVisible())
  t.regex((await section.locator('h3').textContent()) ?? '', /^page-migration · policy = suspend-resume · transport = iwarp · RKeyHonoured$/)
  t.true(await section.locator('p.meaning').isVisible())
  t.true((await section.locator('.seq .evt').count()) > 0)
  await page.screenshot({ path: join(out, 'builtin-matrix-trace.png'), fullPage: false })
  t.deepEqual(errors, [])
  await page.close()
})

test('check report page renders its statistics, coverage and counterexamples', async (t) => {
  const b = need(t)
  if (b === undefined) return
  const r = await checkModel(toy, { policy: 'naive' }, { continue: true })
  const { spec } = instantiate(toy, { policy: 'naive' })
  const page = await b.newPage({ viewport: { width: 1280, height: 900 } })
  await page.goto(writePage('check-report.html', renderCheckReport({ result: r, actors: actorsOf(spec) })))
  t.is(await page.locator('.verdict').textContent(), 'property violated')
  t.is(await page.locator('section.trace:visible').count(), 2)
  t.is(await page.locator('table.coverage tr').count(), 7)
  await page.screenshot({ path: join(out, 'check-report.png'), fullPage: true })
  await page.close()
})
