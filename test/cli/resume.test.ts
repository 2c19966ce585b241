/**
 * Checkpoints against real faults: a `mrcheck check` process killed with SIGKILL after it wrote
 * a checkpoint, then `mrcheck resume`, must end with exactly the counts and verdict of an
 * uninterrupted run (TwoPhase with 8 resource managers: 1,745,408 distinct states, 18,507,778
 * generated, depth 26), as must one stopped by Ctrl-C or by `resume --max-seconds`, whose final
 * checkpoint a later resume goes on from; a truncated or corrupted checkpoint is refused (exit 152).
 */
import test from 'ava'
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const mrcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/bundle/mrcheck.js', ...args], { cwd: root, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
const tmp = mkdtempSync(join(tmpdir(), 'mrcheck-resume-test-'))
test.after.always(() => rmSync(tmp, { recursive: true, force: true }))

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const stateFile = (dir: string) => join(dir, readdirSync(dir).find((f) => /^state-\d+\.bin$/.test(f))!)
const killedCopy = join(tmp, 'killed-copy')

/** The last checkpoint in `dir` holds exactly what the run whose `--json` document is `doc` had found. */
function checkpointHolds(t: import('ava').ExecutionContext, dir: string, doc: { stats: { distinct: number; left: number } }): void {
  const text = readFileSync(join(dir, 'manifest.json'), 'utf8')
  const manifest = JSON.parse(text.slice(text.indexOf('\n') + 1))
  t.is(manifest.count, doc.stats.distinct)
  t.is(manifest.loop.next, doc.stats.distinct - doc.stats.left)
}

/** `resume DIR` with no limit runs TwoPhase rms=8 to its end; its `--json` document's stats. */
function resumedToTheEnd(t: import('ava').ExecutionContext, dir: string) {
  const r = mrcheck('resume', dir, '--json', '--every', '600')
  t.is(r.code, 0, r.stderr)
  const whole = JSON.parse(r.stdout)
  t.is(whole.stats.distinct, 1_745_408)
  t.is(whole.stats.generated, 18_507_778)
  return whole.stats
}

test.serial('a run killed with SIGKILL resumes from its last checkpoint to the uninterrupted counts and verdict', async (t) => {
  const dir = join(tmp, 'killed')
  const child = spawn(process.execPath, ['dist/bundle/mrcheck.js', 'check', 'twophase', '--param', 'rms=8', '--checkpoint', dir, '--every', '1'], {
    cwd: root,
    stdio: 'ignore',
  })
  const exited = new Promise<void>((r) => child.on('exit', () => r()))
  for (let i = 0; i < 600 && !existsSync(join(dir, 'manifest.json')); i++) await sleep(50)
  child.kill('SIGKILL')
  await exited
  t.is(child.signalCode, 'SIGKILL', 'the run was killed before it finished')
  const manifest = readFileSync(join(dir, 'manifest.json'), 'latin1')
  const count = Number(/"count": (\d+)/.exec(manifest)![1])
  t.true(count > 0 && count < 1_745_408, `the checkpoint holds part of the search (${count} states)`)
  cpSync(dir, killedCopy, { recursive: true })

  const r = mrcheck('resume', dir, '--json', '--every', '600')
  t.is(r.code, 0, r.stderr)
  const doc = JSON.parse(r.stdout)
  t.is(doc.status, 'ok')
  t.is(doc.stats.distinct, 1_745_408)
  t.is(doc.stats.generated, 18_507_778)
  t.is(doc.stats.depth, 26)
  t.is(doc.stats.left, 0)
  t.regex(r.stderr, /1,745,408 distinct states found/)
})

test.serial('a truncated checkpoint is refused with exit 152, naming the file and the fault', (t) => {
  t.true(existsSync(killedCopy), 'needs the checkpoint of the killed run')
  const dir = join(tmp, 'truncated')
  cpSync(killedCopy, dir, { recursive: true })
  const file = stateFile(dir)
  truncateSync(file, 1000)
  const r = mrcheck('resume', dir)
  t.is(r.code, 152)
  t.regex(r.stderr, /^Error: Checkpoint file .*state-\d+\.bin is truncated or padded: its header promises \d+ bytes of data, the file holds 9\d\d; it was not used\.\n$/)
  t.true(r.stderr.includes(file))
})

test.serial('a corrupted checkpoint (one byte changed) is refused by its checksum', (t) => {
  const dir = join(tmp, 'corrupted')
  cpSync(killedCopy, dir, { recursive: true })
  const file = stateFile(dir)
  const data = readFileSync(file)
  data[data.length - 5] = data[data.length - 5]! ^ 0xff
  writeFileSync(file, data)
  const r = mrcheck('resume', dir)
  t.is(r.code, 152)
  t.regex(r.stderr, /Checkpoint file .*state-\d+\.bin is corrupted: the SHA-256 checksum of its data is [0-9a-f]{64}, its header says [0-9a-f]{64}; it was not used\./)
  const manifestOnly = join(tmp, 'no-manifest')
  cpSync(killedCopy, manifestOnly, { recursive: true })
  truncateSync(join(manifestOnly, 'manifest.json'), 30)
  const m = mrcheck('resume', manifestOnly)
  t.is(m.code, 152)
  t.regex(m.stderr, /Checkpoint file .*manifest\.json has no checkpoint header \(not a checkpoint, or truncated\); it was not used\./)
})

test('a checkpoint that would pass --disk stops the run incomplete (stopReason disk) and keeps the last good one', (t) => {
  const dir = join(tmp, 'disk')
  const r = mrcheck('check', 'twophase', '--param', 'rms=7', '--checkpoint', dir, '--every', '0.05', '--disk', '1', '--json')
  t.is(r.code, 3, r.stderr)
  const doc = JSON.parse(r.stdout)
  t.is(doc.status, 'incomplete')
  t.is(doc.stopReason, 'disk')
  t.regex(r.stderr, /the next checkpoint \(\d+\.\d MiB\) would pass the disk budget of 1 MiB; the last good checkpoint in .* is kept\./)
  t.true(existsSync(join(dir, 'manifest.json')))
})

test.serial('Ctrl-C (SIGINT) writes a final checkpoint, from which the run resumes to the same end', async (t) => {
  const dir = join(tmp, 'sigint')
  // TwoPhase with 8 resource managers searches for seconds; Ctrl-C comes as soon as the first
  // periodic checkpoint shows that the search runs, long before its end.
  const child = spawn(process.execPath, ['dist/bundle/mrcheck.js', 'check', 'twophase', '--param', 'rms=8', '--checkpoint', dir, '--every', '0.2', '--json'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  for (let i = 0; i < 3000 && !existsSync(join(dir, 'manifest.json')); i++) await sleep(10)
  child.kill('SIGINT')
  t.is(await exited, 3, 'the run was interrupted before it finished')
  const doc = JSON.parse(out)
  t.is(doc.status, 'incomplete')
  t.is(doc.stopReason, 'interrupted')
  t.true(doc.stats.left > 0 && doc.stats.distinct < 1_745_408, `the run stopped part way (${doc.stats.distinct} states)`)
  // The last checkpoint is the one written on Ctrl-C: it holds exactly what the run had found.
  checkpointHolds(t, dir, doc)
  resumedToTheEnd(t, dir)
})

test('--max-seconds stops a resumed run with a final checkpoint (exit 3, stopReason timeout); a later resume without it completes', (t) => {
  const dir = join(tmp, 'slices')
  // TwoPhase with 8 resource managers searches for seconds: each 0.3 s slice covers part of it.
  const first = mrcheck('check', 'twophase', '--param', 'rms=8', '--checkpoint', dir, '--max-seconds', '0.3', '--json')
  t.is(first.code, 3, first.stderr)
  t.is(JSON.parse(first.stdout).stopReason, 'timeout')
  const slice = mrcheck('resume', dir, '--max-seconds', '0.3', '--json')
  t.is(slice.code, 3, slice.stderr)
  const doc = JSON.parse(slice.stdout)
  t.is(doc.status, 'incomplete')
  t.is(doc.stopReason, 'timeout')
  t.true(doc.stats.distinct < 1_745_408, `the slice stopped part way (${doc.stats.distinct} states)`)
  // The last checkpoint is the one written at the time limit: it holds exactly what the slice had found.
  checkpointHolds(t, dir, doc)
  // The time limit was this resume's own: the next one, given none, runs to the end.
  t.is(resumedToTheEnd(t, dir).depth, 26)
})

test('--checkpoint with several workers is refused', (t) => {
  const r = mrcheck('check', 'twophase', '--checkpoint', join(tmp, 'workers'), '--workers', '2')
  t.is(r.code, 2)
  t.regex(r.stderr, /--checkpoint works with one worker only/)
})
