/**
 * Start-up of `mrcheck check`: what a CI job that checks many small models pays per model. Each
 * figure is the fastest wall time of a few runs of the command on a model with few states, so it
 * is almost all start-up: Node, the CLI's modules, the model, and for a `.ts` model its bundling by
 * esbuild, timed both on its first check (the bundle not kept yet) and on the next ones (kept in
 * node_modules/.cache/mrcheck/). The `.ts` model is the README's mutex, importing `mrcheck` as a
 * user's model does (the package's own name resolves to its exports), written under dist/ for the
 * run, in a folder with a node_modules of its own for the kept bundle.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** The fastest of `runs` runs of `mrcheck check <args>`, in seconds; `before` runs before each. */
function fastestCheck(args: readonly string[], runs: number, before = () => {}): number {
  let best = Infinity
  for (let i = 0; i < runs; i++) {
    before()
    const started = performance.now()
    const r = spawnSync(process.execPath, ['dist/bundle/mrcheck.js', 'check', ...args], { cwd: root, encoding: 'utf8' })
    const seconds = (performance.now() - started) / 1000
    if (r.status !== 0) throw new Error(`mrcheck check ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
    best = Math.min(best, seconds)
  }
  return best
}

export function startupTimes(runs: number): { builtin: number; typescriptFirst: number; typescript: number } {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const mutex = /^```ts\n(\/\/ models\/mutex\.ts\n[\s\S]*?)^```$/m.exec(readme)?.[1]
  if (mutex === undefined) throw new Error('README.md has no models/mutex.ts block')
  const dir = join(root, 'dist', 'bench', 'startup')
  const cache = join(dir, 'node_modules', '.cache')
  mkdirSync(cache, { recursive: true })
  const model = join(dir, 'mutex.ts')
  writeFileSync(model, mutex)
  try {
    return {
      builtin: fastestCheck(['diehard', '--param', 'goal=6'], runs),
      typescriptFirst: fastestCheck([model], runs, () => rmSync(cache, { recursive: true, force: true })),
      typescript: fastestCheck([model], runs),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
