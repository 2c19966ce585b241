#!/usr/bin/env node
/** The `mrcheck` executable: the CLI over the built-in models. */
import { readFileSync } from 'node:fs'
import module from 'node:module'
import { startSearchThreadEarly } from '../checker/cli/searchThread.js'

// Node 22.1 and later keep the compiled code of the modules on disk between runs; Node 20 has no such cache.
;(module as { enableCompileCache?: () => unknown }).enableCompileCache?.()
// A check searches in a thread of its own (searchThread.ts); started first, it loads the checker
// while this thread loads the CLI and the model.
if (process.argv[2] === 'check') startSearchThreadEarly()
const { runCli } = await import('../checker/cli/main.js')
const { builtinModels, builtinsModule } = await import('../models/registry.js')

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

process.exitCode = await runCli(process.argv.slice(2), {
  builtins: builtinModels,
  builtinsModule,
  version,
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => process.stderr.write(s),
  interactive: process.stderr.isTTY === true,
})
