// mrcheck as a new user meets it: `npm pack`, a new project (`npm init -y`, `tsc --init`), the
// README's model and test examples taken from the README itself, compiled with TypeScript 5.9 and
// 7 under tsc --init's settings and run with ava, node:test and vitest; the CLI on the README's
// model, with and without esbuild. The tools come from the npm registry once (consumerTools.ts).
import test from 'ava'
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { consumerTools, TYPESCRIPTS } from './consumerTools.js'
import { readmeFiles, readmePackageKeys } from './readmeBlocks.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const SETUPS = ['ava', 'node-test', 'vitest'] as const
type Setup = (typeof SETUPS)[number]

let work: string
let tools: string

test.before(() => {
  work = mkdtempSync(join(tmpdir(), 'mrcheck-consumer-'))
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  ) as { filename: string }[]
  tools = consumerTools(root, join(work, packed!.filename))
})
test.after.always(() => rmSync(work, { recursive: true, force: true }))

/** Runs `cmd` in `cwd`; the result with stdout and stderr as text. */
const run = (cwd: string, cmd: string, args: readonly string[]) =>
  spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' }, timeout: 240_000 })
const output = (r: ReturnType<typeof run>) => `exit ${r.status}\n${r.stdout}\n${r.stderr}`
const bin = (name: string) => join(tools, 'node_modules', '.bin', name)
const tsc = (version: keyof typeof TYPESCRIPTS) => join(tools, 'node_modules', TYPESCRIPTS[version], 'bin', 'tsc')

/** A new project for `setup`: npm init, type module, tsc --init of `ts`, the README's files and settings. */
function project(setup: Setup | 'none', ts: keyof typeof TYPESCRIPTS, withTsx = true): string {
  const dir = mkdtempSync(join(work, `${setup}-${ts}-`))
  execFileSync('npm', ['init', '-y'], { cwd: dir, stdio: 'ignore' })
  execFileSync('npm', ['pkg', 'set', 'type=module'], { cwd: dir, stdio: 'ignore' })
  const pkgPath = join(dir, 'package.json')
  writeFileSync(pkgPath, JSON.stringify({ ...JSON.parse(readFileSync(pkgPath, 'utf8')), ...readmePackageKeys(readme, setup) }, null, 2))
  execFileSync('node', [tsc(ts), '--init'], { cwd: dir, stdio: 'ignore' })
  if (setup === 'node-test') {
    // The README: `"types": ["node"]` in tsconfig.json for node:test.
    const config = join(dir, 'tsconfig.json')
    writeFileSync(config, readFileSync(config, 'utf8').replace(/"types": \[\]/, '"types": ["node"]'))
  }
  for (const f of readmeFiles(readme).filter((f) => f.setups.length === 0 || f.setups.includes(setup))) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true })
    writeFileSync(join(dir, f.path), f.text)
  }
  if (withTsx) symlinkSync(join(tools, 'node_modules'), join(dir, 'node_modules'), 'dir')
  else {
    // Everything but tsx and esbuild; mrcheck copied, so that it resolves its imports from here
    // and not from beside the tools' esbuild.
    mkdirSync(join(dir, 'node_modules'))
    const skip = new Set(['tsx', 'esbuild', '@esbuild', '.bin', 'mrcheck'])
    for (const name of readdirSync(join(tools, 'node_modules')).filter((n) => !skip.has(n))) {
      symlinkSync(join(tools, 'node_modules', name), join(dir, 'node_modules', name), 'dir')
    }
    cpSync(join(tools, 'node_modules', 'mrcheck'), join(dir, 'node_modules', 'mrcheck'), { recursive: true })
  }
  return dir
}

test.serial('the README gives the model, the library example and tests for every set-up', (t) => {
  const files = readmeFiles(readme)
  t.true(files.some((f) => f.path === 'models/mutex.ts'))
  for (const setup of SETUPS) t.true(files.some((f) => f.setups.includes(setup) && f.path.startsWith('test/')), setup)
  t.deepEqual(Object.keys(readmePackageKeys(readme, 'ava')), ['ava'])
})

for (const ts of Object.keys(TYPESCRIPTS) as (keyof typeof TYPESCRIPTS)[]) {
  test.serial(`the README's examples compile under tsc --init's settings of TypeScript ${ts}`, (t) => {
    for (const setup of SETUPS) {
      const dir = project(setup, ts)
      const r = run(dir, 'node', [tsc(ts), '-p', '.', '--outDir', 'out'])
      t.is(r.status, 0, `${setup}: ${output(r)}`)
    }
  })
}

test.serial('the library example runs', (t) => {
  const r = run(project('none', '7'), 'node', ['--import', 'tsx', 'check-mutex.ts'])
  t.is(r.status, 0, output(r))
  t.regex(r.stdout, /^ok \d+\n$/)
})

test.serial('the ava examples pass under ava', (t) => {
  const r = run(project('ava', '7'), bin('ava'), ['--timeout=2m'])
  t.is(r.status, 0, output(r))
  t.regex(r.stdout + r.stderr, /4 tests passed/)
})

test.serial('the node:test examples pass under node --test', (t) => {
  const dir = project('node-test', '7')
  const r = run(dir, 'node', ['--import', 'tsx', '--test', ...readdirSync(join(dir, 'test')).map((f) => join('test', f))])
  t.is(r.status, 0, output(r))
  t.regex(r.stdout, /# pass 2\n/)
})

test.serial('the vitest examples pass under vitest', (t) => {
  const r = run(project('vitest', '7'), bin('vitest'), ['run'])
  t.is(r.status, 0, output(r))
  t.regex(r.stdout, /Tests +2 passed/)
})

test.serial('the CLI checks the README model from its .ts file, and without esbuild (nor tsx) says what to install', (t) => {
  const withTsx = run(project('none', '7'), 'node', ['node_modules/mrcheck/dist/bundle/mrcheck.js', 'check', 'models/mutex.ts', '--param', 'n=3'])
  t.is(withTsx.status, 0, output(withTsx))
  const dir = project('none', '7', false)
  const missing = run(dir, 'node', ['node_modules/mrcheck/dist/bundle/mrcheck.js', 'check', 'models/mutex.ts'])
  t.is(missing.status, 150, output(missing))
  t.regex(missing.stderr, /models\/mutex\.ts is a TypeScript file, and loading one needs esbuild, which is not installed\. Install it beside mrcheck/)
  // Compiled, the same model needs no loader.
  t.is(run(dir, 'node', [tsc('7'), '-p', '.', '--outDir', 'out']).status, 0)
  const compiled = run(dir, 'node', ['node_modules/mrcheck/dist/bundle/mrcheck.js', 'check', 'out/models/mutex.js', '--param', 'n=3'])
  t.is(compiled.status, 0, output(compiled))
})
