// What `npm pack` puts in the tarball: what a consumer needs (the bundled library and executable,
// the types, the built-in models, the LICENSE, the sources its source maps name) and no tests or
// benchmarks.
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
) as { files: { path: string }[] }[]
const files = new Set(packed[0]!.files.map((f) => f.path))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>
  bin: Record<string, string>
  dependencies: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

test('the tarball has the LICENSE, the README and the manifest', (t) => {
  for (const f of ['LICENSE', 'README.md', 'package.json']) t.true(files.has(f), f)
  t.regex(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License/)
})

test('the tarball has no tests and no benchmarks', (t) => {
  t.deepEqual([...files].filter((f) => /^(dist\/)?(test|bench)\//.test(f)), [])
})

test('the JavaScript it ships is the bundle (build/bundle.ts), not the compiled modules one by one', (t) => {
  t.deepEqual([...files].filter((f) => f.endsWith('.js') && !f.startsWith('dist/bundle/')), [])
})

test('every export, types included, and the executable are in the tarball', (t) => {
  const targets = Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))
  t.true(targets.length > 10)
  for (const target of [...targets, ...Object.values(pkg.bin)]) t.true(files.has(normalize(target)), target)
})

test('every source map in the tarball names sources that are in it', (t) => {
  const maps = [...files].filter((f) => f.endsWith('.js.map'))
  t.true(maps.length > 10)
  for (const map of maps) {
    const { sources } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[] }
    for (const source of sources) t.true(files.has(normalize(join(dirname(map), source))), `${map} names ${source}`)
  }
  for (const js of [...files].filter((f) => f.endsWith('.js'))) {
    const comment = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(root, js), 'utf8'))
    if (comment !== null) t.true(files.has(normalize(join(dirname(js), comment[1]!))), `${js} names ${comment[1]}`)
  }
})

test('esbuild (which loads .ts model files) is an optional peer, not a dependency, nor is tsx: the library runs without them', (t) => {
  t.false('tsx' in pkg.dependencies)
  t.false('esbuild' in pkg.dependencies)
  t.truthy(pkg.peerDependencies?.esbuild)
  t.true(pkg.peerDependenciesMeta?.esbuild?.optional)
})
