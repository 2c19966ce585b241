/**
 * The shape of checker/: one folder per idea, each importing only the folders before it in
 * checker/README.md's order, and no import circle between files, nor between a model and its
 * properties. Read from the sources, so a circle through types alone counts too: it is as hard to
 * read as any other.
 */
import test from 'ava'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** checker/'s folders, lowest first; a folder may import the folders of earlier ranks only. */
const ORDER: readonly (readonly string[])[] = [
  ['result'],
  ['model'],
  ['encode'],
  ['compile'],
  ['store'],
  ['trace'],
  ['reduce'],
  ['longrun'],
  ['search'],
  ['liveness', 'simulate'],
  ['run'],
  ['report'],
  ['cli', 'testing'],
]
const rank = new Map(ORDER.flatMap((folders, r) => folders.map((f) => [f, r] as const)))
/** The order as checker/README.md writes it. */
const orderLine = ORDER.map((folders) => folders.join(', ')).join(' -> ')

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = posix.join(dir, name)
    if (statSync(join(root, path)).isDirectory()) return sourcesUnder(path)
    return name.endsWith('.ts') ? [path] : []
  })
}

const IMPORT = [
  /^\s*(?:import|export)\s+(?:type\s+)?[\w$*{},\s]*?\bfrom\s*['"]([^'"]+)['"]/gm,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bnew URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g,
]

/** The files that `file`, with source `source`, imports (statically, dynamically, or as a worker's entry point). */
function importsIn(file: string, source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  const found = new Set<string>()
  for (const re of IMPORT) {
    for (const m of text.matchAll(re)) {
      const spec = m[1]!
      if (!spec.startsWith('.')) continue
      const target = posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts')
      // A module naming its own URL (the entry of the thread it starts) imports nothing.
      if (target !== file) found.add(target)
    }
  }
  return [...found]
}

const files = sourcesUnder('checker')
const graph = new Map(files.map((f) => [f, importsIn(f, readFileSync(join(root, f), 'utf8'))]))
/** The folder right under checker/ that holds `file`; '' for checker/index.ts. */
const folderOf = (file: string): string => {
  const parts = file.split('/')
  return parts.length > 2 ? parts[1]! : ''
}

test('every import in checker/ names a file that exists', (t) => {
  const missing = [...graph].flatMap(([file, targets]) => targets.filter((x) => !graph.has(x)).map((x) => `${file} imports ${x}`))
  t.deepEqual(missing, [])
})

test("every folder of checker/ has a place in the order and a README saying what it owns", (t) => {
  const folders = readdirSync(join(root, 'checker')).filter((name) => {
    const path = join(root, 'checker', name)
    return statSync(path).isDirectory() && readdirSync(path).length > 0
  })
  for (const folder of folders) {
    t.true(rank.has(folder), `checker/${folder}/ has no place in the order (test/layout.test.ts, checker/README.md)`)
    t.true(existsSync(join(root, 'checker', folder, 'README.md')), `checker/${folder}/ has no README.md`)
  }
  for (const folder of rank.keys()) t.true(folders.includes(folder), `the order names checker/${folder}/, which does not exist`)
  t.true(readFileSync(join(root, 'checker', 'README.md'), 'utf8').includes(orderLine), `checker/README.md does not give the order ${orderLine}`)
})

test('no folder of checker/ imports a folder after it in the order, nor one beside it', (t) => {
  const wrong: string[] = []
  for (const [file, targets] of graph) {
    const from = folderOf(file)
    for (const target of targets) {
      const to = folderOf(target)
      if (from === to || from === '') continue
      if (to === '') wrong.push(`${file} imports ${target}: only checker/index.ts may sit at the top`)
      else if (!(rank.get(to)! < rank.get(from)!)) wrong.push(`${file} imports ${target}: ${from}/ comes before ${to}/ (${orderLine})`)
    }
  }
  t.deepEqual(wrong, [])
})

/** The circles of `graph`: one path per strongly connected component of more than one file (Tarjan). */
function circles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    index.set(v, index.size)
    low.set(v, index.get(v)!)
    stack.push(v)
    onStack.add(v)
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || (g.get(v) ?? []).includes(v)) found.push(component.sort())
  }
  for (const v of g.keys()) if (!index.has(v)) visit(v)
  return found
}

test('no import circle between the files of checker/', (t) => {
  t.deepEqual(circles(graph), [])
})

test('no import circle between the models and their properties', (t) => {
  const files = [...sourcesUnder('models'), ...sourcesUnder('properties')]
  t.deepEqual(circles(new Map(files.map((f) => [f, importsIn(f, readFileSync(join(root, f), 'utf8'))]))), [])
})

test('the import reader sees type imports, re-exports, dynamic imports and worker entry points, not comments', (t) => {
  const source = [
    '/** import { no } from "./comment.js" */',
    "import type { A } from './a.js'",
    'import {',
    '  b,',
    '  type B,',
    "} from '../up/b.js'",
    "export * from './c.js'",
    "// import './line.js'",
    "const d = await import('./d.js')",
    "new Worker(new URL('./w.js', import.meta.url))",
    "import { readFileSync } from 'node:fs'",
  ].join('\n')
  t.deepEqual(importsIn('checker/x/f.ts', source), ['checker/x/a.ts', 'checker/up/b.ts', 'checker/x/c.ts', 'checker/x/d.ts', 'checker/x/w.ts'])
})

test('the circle finder finds every circle, and only those', (t) => {
  const g = new Map([
    ['a', ['b']],
    ['b', ['c', 'e']],
    ['c', ['a']],
    ['d', ['d']],
    ['e', []],
  ])
  t.deepEqual(circles(g), [['a', 'b', 'c'], ['d']])
})
