/**
 * The consumer test's tools (TypeScript 5.9 and 7, tsx, ava, fast-check, vitest, Node's types)
 * and mrcheck's own dependencies, installed once from the npm registry into a folder under the
 * system's temporary directory that later runs reuse; each run puts the freshly packed tarball in
 * it as node_modules/mrcheck, exactly as packed.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The TypeScript versions a consumer's project is compiled with: the last 5.x and the current major. */
export const TYPESCRIPTS = { '5.9': 'ts59', '7': 'ts7' } as const

const TOOLS = {
  ts59: 'npm:typescript@~5.9.0',
  ts7: 'npm:typescript@^7.0.0',
  tsx: '^4.19.0',
  ava: '^7.0.0',
  '@fast-check/ava': '^3.0.0',
  vitest: '^4.0.0',
  '@types/node': '^20.19.0',
}

/** Installs the tools (once) and the tarball (every time); returns the folder holding node_modules. */
export function consumerTools(root: string, tarball: string): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  const wanted = { ...pkg.dependencies, ...TOOLS }
  const key = createHash('sha256').update(root).update(JSON.stringify(wanted)).digest('hex').slice(0, 12)
  const dir = join(tmpdir(), `mrcheck-consumer-tools-${key}`)
  const done = join(dir, 'installed')
  if (!existsSync(done)) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mrcheck-consumer-tools', private: true, type: 'module' }))
    const specs = Object.entries(wanted).map(([name, range]) => `${name}@${range}`)
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', ...specs], { cwd: dir, stdio: 'pipe' })
    writeFileSync(done, JSON.stringify(wanted))
  }
  const target = join(dir, 'node_modules', 'mrcheck')
  rmSync(target, { recursive: true, force: true })
  mkdirSync(target)
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'])
  return dir
}
