/**
 * Bad input, one row each: what the user gives (a command line, and the files it names), the exit
 * code from the README's table, and the words the error must hold. Every row also must end within
 * a minute, print no stack trace, and print no raw control character. The next bad input is one
 * more row.
 */
import test, { type ExecutionContext } from 'ava'
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const checkerIndex = JSON.stringify(new URL('../../checker/index.js', import.meta.url).href)
const tmp = mkdtempSync(join(tmpdir(), 'mrcheck-bad-input-'))
const isRoot = process.getuid?.() === 0
// Rows run as another user (as root) must reach their directories.
if (isRoot) chmodSync(tmp, 0o711)
test.after.always(() => rmSync(tmp, { recursive: true, force: true }))

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

interface Row {
  readonly title: string
  /** The command line after `mrcheck`, given the row's own fresh directory (made by `setup`). */
  readonly args: (dir: string) => string[]
  /** Makes the files the row needs in its directory. */
  readonly setup?: (dir: string) => void
  /** What stdin gives. */
  readonly stdin?: string | Buffer
  /** A limit on the size of every file the run writes, in KiB (`ulimit -f`). */
  readonly fileSizeKiB?: number
  /**
   * Send SIGINT (Ctrl-C) at these times, in ms after the model's guard is stuck in its endless
   * loop (loopingModel: it then writes `stuck` in the row's folder), however long the start took.
   */
  readonly interrupts?: readonly number[]
  /** Run as this user (root only; a row that needs it is skipped otherwise). */
  readonly uid?: number
  readonly exit: number
  /** Words the output (stderr and stdout) must hold. */
  readonly says: readonly (string | RegExp)[]
  /** Further checks on what the run printed or left behind. */
  readonly after?: (t: ExecutionContext, dir: string, r: Run) => void
}

/** A checkpoint of a run stopped by its time limit, written once, copied into the rows that need one. */
const baseCheckpoint = join(tmp, 'base-checkpoint')
const pageMigration = ['page-migration', '-p', 'pages=3', '-p', 'frames=5', '-p', 'moves=2', '-p', 'writes=2']
test.before(() => {
  const r = mrcheck(['check', ...pageMigration, '--max-seconds', '0.3', '--checkpoint', baseCheckpoint])
  if (r.code !== 3 || !existsSync(join(baseCheckpoint, 'manifest.json'))) throw new Error(`no checkpoint to start from: ${r.stderr}`)
})

/** A copy of the base checkpoint at `dir/ck` whose manifest is `edit`ed and framed again with a right checksum. */
const editedCheckpoint = (dir: string, edit: (manifest: Record<string, unknown>) => void): void => {
  const ck = join(dir, 'ck')
  cpSync(baseCheckpoint, ck, { recursive: true })
  const file = join(ck, 'manifest.json')
  const text = readFileSync(file, 'utf8')
  const manifest = JSON.parse(text.slice(text.indexOf('\n') + 1)) as Record<string, unknown>
  edit(manifest)
  const payload = Buffer.from(JSON.stringify(manifest), 'utf8')
  const sha = createHash('sha256').update(payload).digest('hex')
  writeFileSync(file, Buffer.concat([Buffer.from(`MRCHECK-CHECKPOINT 1 manifest ${payload.byteLength} ${sha}\n`), payload]))
}

/** A model file `dir/<name>.mjs` whose spec is `build`'s body (with `t`, `vars` in scope). */
const modelFile = (dir: string, name: string, build: string): string => {
  const file = join(dir, `${name}.mjs`)
  writeFileSync(
    file,
    `import { defineModel, t, vars } from ${checkerIndex}
export default defineModel({ name: '${name}', summary: 'a bad input', params: {}, build: () => { ${build} }, properties: () => ({}) })
`,
  )
  return file
}

/** A trace of diehard with state 2's `small` replaced by `value`. */
const diehardTraceWith = (dir: string, value: unknown): void => {
  const r = mrcheck(['check', 'diehard', '--trace-out', join(dir, 'good.itf.json')])
  if (r.code !== 12) throw new Error(r.stderr)
  const trace = JSON.parse(readFileSync(join(dir, 'good.itf.json'), 'utf8'))
  trace.states[2].small = value
  writeFileSync(join(dir, 'bad.itf.json'), JSON.stringify(trace))
}

const rows: Row[] = [
  // Checkpoint directories and files.
  {
    title: 'resume of a directory that does not exist',
    args: (d) => ['resume', join(d, 'none')],
    exit: 152,
    says: ['Checkpoint directory', 'does not exist'],
  },
  {
    title: 'resume of a file, not a directory',
    setup: (d) => writeFileSync(join(d, 'file'), 'x'),
    args: (d) => ['resume', join(d, 'file')],
    exit: 152,
    says: ['is not a directory'],
  },
  {
    title: 'resume of a checkpoint directory that cannot be read',
    uid: 65534,
    setup: (d) => {
      mkdirSync(join(d, 'ck'))
      chmodSync(join(d, 'ck'), 0)
    },
    args: (d) => ['resume', join(d, 'ck')],
    exit: 152,
    says: ['manifest.json cannot be read', 'EACCES'],
  },
  {
    title: 'check --checkpoint into a directory that cannot be written',
    uid: 65534,
    setup: (d) => {
      mkdirSync(join(d, 'ck'))
      chmodSync(join(d, 'ck'), 0o555)
    },
    args: (d) => ['check', 'diehard', '--checkpoint', join(d, 'ck')],
    exit: 152,
    says: ['Checkpoint directory', 'cannot be used', 'EACCES'],
  },
  {
    title: 'manifest.json that is a directory',
    setup: (d) => mkdirSync(join(d, 'ck', 'manifest.json'), { recursive: true }),
    args: (d) => ['resume', join(d, 'ck')],
    exit: 152,
    says: ['manifest.json is not a regular file'],
  },
  {
    title: 'manifest.json that is a FIFO (nothing waits for a writer)',
    setup: (d) => {
      mkdirSync(join(d, 'ck'))
      mkfifo(join(d, 'ck', 'manifest.json'))
    },
    args: (d) => ['resume', join(d, 'ck')],
    exit: 152,
    says: ['manifest.json is not a regular file'],
  },
  {
    title: 'a manifest without its loop counters',
    setup: (d) => editedCheckpoint(d, (m) => delete m.loop),
    args: (d) => ['resume', join(d, 'ck')],
    exit: 152,
    says: ['manifest.json lacks the field loop', 'it was not used'],
  },
  {
    title: 'a manifest whose state file name leaves the directory',
    setup: (d) => editedCheckpoint(d, (m) => ((m.stateFile as Record<string, unknown>).name = '../../etc/passwd')),
    args: (d) => ['resume', join(d, 'ck')],
    exit: 152,
    says: ['names the state file "../../etc/passwd", not state-<n>.bin'],
  },
  {
    title: 'a manifest counting another number of actions',
    setup: (d) => editedCheckpoint(d, (m) => (m.enabled as number[]).push(0)),
    args: (d) => ['resume', join(d, 'ck')],
    exit: 152,
    says: ['actions; this spec has'],
  },
  {
    title: 'check --checkpoint naming a file',
    setup: (d) => writeFileSync(join(d, 'file'), 'x'),
    args: (d) => ['check', 'diehard', '--checkpoint', join(d, 'file')],
    exit: 152,
    says: ['Checkpoint directory', 'is not a directory'],
  },
  {
    title: 'check --checkpoint under /proc (which mkdir -p never leaves)',
    args: () => ['check', ...pageMigration, '--checkpoint', '/proc/self/mrcheck-ck', '--every', '0.1'],
    exit: 152,
    says: ['Checkpoint directory /proc/self/mrcheck-ck cannot be made'],
  },
  {
    title: 'a checkpoint that does not fit on its disk stops the run incomplete and keeps the last good one',
    fileSizeKiB: 256,
    args: (d) => ['check', ...pageMigration, '--checkpoint', join(d, 'ck'), '--every', '0.05', '--json'],
    exit: 3,
    says: [/Stopped: writing \S+state-\d+\.bin failed: (EFBIG|ENOSPC)/, 'the last good checkpoint', 'Search stopped early (disk)'],
    after: (t, d, r) => {
      t.is(JSON.parse(r.stdout).stopReason, 'disk')
      t.deepEqual(
        readdirSync(join(d, 'ck')).filter((f) => f.endsWith('.tmp')),
        [],
        'the temporary file is removed',
      )
      const resumed = mrcheck(['resume', join(d, 'ck'), '--json'])
      t.is(resumed.code, 0, resumed.stderr)
      t.is(JSON.parse(resumed.stdout).stats.distinct, 126_858, 'the last good checkpoint resumes to the whole run')
    },
  },

  {
    title: 'links planted at the checkpoint temporary names are not followed',
    setup: (d) => {
      mkdirSync(join(d, 'ck'))
      writeFileSync(join(d, 'precious'), 'keep me')
      for (const n of [...Array.from({ length: 20 }, (_, i) => `state-${i + 1}.bin`), 'manifest.json']) {
        symlinkSync(join(d, 'precious'), join(d, 'ck', `.${n}.tmp`))
      }
    },
    args: (d) => ['check', ...pageMigration, '--max-seconds', '0.3', '--checkpoint', join(d, 'ck')],
    exit: 3,
    says: ['Search stopped early (timeout)'],
    after: (t, d) => {
      t.is(readFileSync(join(d, 'precious'), 'utf8'), 'keep me')
      t.true(existsSync(join(d, 'ck', 'manifest.json')))
    },
  },

  // Report files: the verdict's exit code stays.
  {
    title: '--trace-out and --html into a missing directory: the violation still exits 12',
    args: (d) => ['check', 'diehard', '--trace-out', join(d, 'no', 'cex.itf.json'), '--html', join(d, 'no', 'report.html')],
    exit: 12,
    says: ['Invariant NotSolved is violated', 'cannot write a counterexample to', 'cannot write the HTML report to', 'ENOENT'],
  },

  // Trace files.
  {
    title: 'replay of a FIFO (nothing waits for a writer)',
    setup: (d) => mkfifo(join(d, 'trace')),
    args: (d) => ['replay', join(d, 'trace')],
    exit: 152,
    says: ['is a FIFO, not a file'],
  },
  {
    title: 'replay /dev/urandom: the size limit holds for a stream',
    args: () => ['replay', '/dev/urandom'],
    exit: 152,
    says: ['/dev/urandom: more than the 67108864 bytes accepted'],
  },
  {
    title: 'replay - with more than the size limit on stdin',
    stdin: Buffer.alloc(65 * 1024 * 1024, 0x20),
    args: () => ['replay', '-'],
    exit: 152,
    says: ['Trace file -: more than the 67108864 bytes accepted'],
  },
  {
    title: 'control characters in a value from a trace file are printed escaped',
    setup: (d) => diehardTraceWith(d, '\u001b[2J\u009b31m\u202e'),
    args: (d) => ['replay', join(d, 'bad.itf.json')],
    exit: 152,
    says: ['"\\u001b[2J\\u009b31m\\u202e" is not an integer'],
  },
  {
    title: 'control characters in a parameter from the command line are printed escaped',
    args: () => ['check', 'diehard', '--param', 'sm\u009ball=3'],
    exit: 151,
    says: ['has no parameter "sm\\u009ball"'],
  },
  {
    title: 'control characters in an action name of a model are printed escaped',
    setup: (d) =>
      modelFile(
        d,
        'ctl',
        `const { spec, action } = vars({ x: t.int(0, 1) })
        return spec({ name: 'ctl', init: { x: 0 }, actions: { ['Go\\u009b2J\\u202e']: action({ guard: (s) => s.x === 0, effect: (d) => void (d.x = 1) }) } })`,
      ),
    args: (d) => ['check', join(d, 'ctl.mjs')],
    exit: 11,
    says: ['<Go\\u009b2J\\u202e>'],
  },

  // Model code that never returns: the time limit and a second Ctrl-C still end the run.
  {
    title: 'a guard in an endless loop, under --max-seconds',
    setup: (d) => loopingModel(d),
    args: (d) => ['check', join(d, 'loop.mjs'), '--max-seconds', '3', '--json'],
    exit: 3,
    says: ['did not stop within 5 s of its time limit', 'endless loop', '"stopReason": "timeout"'],
    after: (t, _d, r) => t.true(JSON.parse(r.stdout).stats.distinct > 0, 'the counts of its last progress report'),
  },
  {
    title: 'a guard in an endless loop while partial-order reduction takes its sample, under --max-seconds',
    setup: (d) =>
      modelFile(
        d,
        'loopsAt3',
        `const { spec, action } = vars({ x: t.int(0, 100) })
        return spec({ name: 'loopsAt3', init: { x: 0 }, checkDeadlock: false, actions: { Inc: action({ guard: (s) => { while (s.x === 3); return s.x < 100 }, effect: (d) => void d.x++ }) } })`,
      ),
    args: (d) => ['check', join(d, 'loopsAt3.mjs'), '--por', 'on', '--max-seconds', '1', '--json'],
    exit: 3,
    says: ['did not stop within 5 s of its time limit', '"stopReason": "timeout"'],
  },
  {
    title: 'matrix: a row whose guard is in an endless loop, under --max-seconds',
    setup: (d) => loopingModel(d),
    args: (d) => ['matrix', join(d, 'loop.mjs'), '--max-seconds', '2', '--json'],
    exit: 3,
    says: ['Checked 1 of 1 rows', 'loop default: The search was ended from outside', '"status": "incomplete"'],
    after: (t, _d, r) => {
      const row = JSON.parse(r.stdout).models[0].rows[0]
      t.is(row.stopReason, 'timeout')
      t.regex(row.warnings.join('\n'), /did not stop within 5 s of its time limit/)
      t.true(row.distinct > 0, 'the counts of its last progress report')
    },
  },
  {
    title: 'a guard in an endless loop, and Ctrl-C twice',
    setup: (d) => loopingModel(d),
    interrupts: [500, 1500],
    args: (d) => ['check', join(d, 'loop.mjs')],
    exit: 3,
    says: ['Interrupted again: ending the run at once', 'Search stopped early (interrupted)'],
    after: (t, _d, r) => t.regex(r.stdout + r.stderr, /[\d,]+ distinct states found/),
  },
  {
    // One walk of new states only: the walker's memory of states met never spares the guard.
    title: 'simulate: a guard in an endless loop, under --max-seconds',
    setup: (d) => loopingModel(d),
    args: (d) => ['simulate', join(d, 'loop.mjs'), '--runs', '1', '--steps', '10000000', '--max-seconds', '3', '--json'],
    exit: 0,
    says: ['did not stop within 5 s of its time limit', 'endless loop', '"stopped": "timeout"'],
    after: (t, _d, r) => t.true(JSON.parse(r.stdout).stats.steps > 0, 'the counts of its last report'),
  },
  {
    title: 'simulate: a guard in an endless loop, and Ctrl-C twice',
    setup: (d) => loopingModel(d),
    interrupts: [500, 1500],
    args: (d) => ['simulate', join(d, 'loop.mjs'), '--runs', '1', '--steps', '10000000'],
    exit: 0,
    says: ['Interrupted again: ending the run at once', 'ended by a second Ctrl-C', 'stopped early: interrupted'],
  },
  {
    // Stuck at its first step: the counts reported are the checkpoint's, not nothing.
    title: 'resume into a guard in an endless loop, and Ctrl-C twice',
    setup: (d) => {
      loopingModel(d)
      const r = mrcheck(['check', join(d, 'loop.mjs'), '--max-seconds', '0.5', '--checkpoint', join(d, 'ck'), '--json'])
      if (r.code !== 3) throw new Error(r.stderr)
      writeFileSync(join(d, 'checked.json'), r.stdout)
      writeFileSync(join(d, 'hang'), '')
    },
    interrupts: [500, 1500],
    args: (d) => ['resume', join(d, 'ck'), '--model', join(d, 'loop.mjs'), '--json'],
    exit: 3,
    says: ['Interrupted again: ending the run at once', 'that is of the checkpoint it went on from', '"stopReason": "interrupted"'],
    after: (t, d, r) => {
      const before = JSON.parse(readFileSync(join(d, 'checked.json'), 'utf8')).stats
      const after = JSON.parse(r.stdout).stats
      t.true(before.distinct > 0)
      t.is(after.distinct, before.distinct)
      t.is(after.generated, before.generated)
    },
  },

  // Models too large to search.
  {
    title: 'an index type of a million members',
    setup: (d) =>
      modelFile(
        d,
        'huge',
        `const P = t.index(1_000_000, { name: 'P' })
        const { spec, action } = vars({ x: t.option(P) })
        return spec({ name: 'huge', init: { x: null }, actions: { Set: action({ p: P }, { guard: (s) => s.x === null, effect: (d, { p }) => void (d.x = p) }) } })`,
      ),
    args: (d) => ['check', join(d, 'huge.mjs')],
    exit: 150,
    says: ['t.index(1000000): 1,000,000 members is more than the 65,536 a domain may have'],
  },
  {
    title: 'an action with a billion instances',
    setup: (d) =>
      modelFile(
        d,
        'wide',
        `const P = t.index(1000, { name: 'P' })
        const { spec, action } = vars({ x: t.option(P) })
        return spec({ name: 'wide', init: { x: null }, actions: { Set: action({ p: P, q: P, r: P }, { guard: (s) => s.x === null, effect: (d, { p }) => void (d.x = p) }) } })`,
      ),
    args: (d) => ['check', join(d, 'wide.mjs')],
    exit: 150,
    says: ['action Set has 1,000,000,000 instances', 'more than the 1,048,576 a spec may have'],
  },
  {
    title: 'a model with an empty list of initial states',
    setup: (d) =>
      modelFile(d, 'none', `const { spec, action } = vars({ x: t.int(0, 1) })
        return spec({ name: 'none', init: [], actions: { Set: action({ effect: (d) => void (d.x = 1) }) } })`),
    args: (d) => ['check', join(d, 'none.mjs')],
    exit: 150,
    says: ['Model "none" has no initial state: its init list is empty.'],
  },
  {
    title: 'a model whose initial states are all outside its constraint',
    setup: (d) =>
      modelFile(d, 'outside', `const { spec, action } = vars({ x: t.int(0, 1) })
        return spec({ name: 'outside', init: { x: 1 }, constraint: (s) => s.x === 0, actions: { Set: action({ effect: (d) => void (d.x = 0) }) } })`),
    args: (d) => ['check', join(d, 'outside.mjs')],
    exit: 150,
    says: ['Model "outside" has no initial state inside its state constraint (its one initial state is outside it)'],
  },
  {
    title: 'resume of a model file checkpoint without --model',
    setup: (d) => {
      const model = modelFile(d, 'count', `const { spec, action } = vars({ x: t.int(0, 60000), y: t.int(0, 60000) })
        return spec({ name: 'count', init: { x: 0, y: 0 }, checkDeadlock: false, actions: {
          X: action({ guard: (s) => s.x < 60000, effect: (d) => void d.x++ }), Y: action({ guard: (s) => s.y < 60000, effect: (d) => void d.y++ }) } })`)
      const r = mrcheck(['check', model, '--max-seconds', '0.5', '--checkpoint', join(d, 'ck')])
      if (r.code !== 3) throw new Error(r.stderr)
    },
    args: (d) => ['resume', join(d, 'ck')],
    exit: 2,
    says: ['was written for the model file', 'count.mjs: give it again', '--model', 'A checkpoint never makes mrcheck load code by itself.'],
  },
]

/**
 * A model whose guard loops for ever from a second after it was first called (its search, in a
 * thread, sends progress before), or at once where the row's folder holds a file `hang`.
 */
function loopingModel(dir: string): void {
  modelFile(
    dir,
    'loop',
    `let first, said
    const { spec, action } = vars({ x: t.int(0, 10_000_000) })
    const hang = process.getBuiltinModule('node:fs').existsSync(${JSON.stringify(join(dir, 'hang'))})
    const stuck = () => {
      const now = hang || Date.now() - (first ??= Date.now()) > 1000
      if (now && !said) process.getBuiltinModule('node:fs').writeFileSync(${JSON.stringify(join(dir, 'stuck'))}, String(said = true))
      return now
    }
    return spec({ name: 'loop', init: { x: 0 }, actions: { Inc: action({ guard: (s) => { while (stuck()); return true }, effect: (d) => void d.x++ }) } })`,
  )
}

function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path])
  if (r.status !== 0) throw new Error(`mkfifo ${path}: ${r.stderr}`)
}

function mrcheck(args: readonly string[], row: Pick<Row, 'stdin' | 'fileSizeKiB' | 'uid'> = {}): Run {
  const [command, ...argv] = commandLine(args, row)
  const r = spawnSync(command!, argv, {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 1 << 26,
    ...(row.stdin === undefined ? {} : { input: row.stdin }),
    ...(row.uid === undefined ? {} : { uid: row.uid, gid: row.uid }),
  })
  // A run that stops reading stdin early makes writing it fail (EPIPE): only a timeout means no end.
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT'
  return { code: timedOut ? null : r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
}

function commandLine(args: readonly string[], row: Pick<Row, 'fileSizeKiB'>): string[] {
  const node = [process.execPath, 'dist/bundle/mrcheck.js', ...args]
  // `trap "" XFSZ`: past the limit a write fails with EFBIG instead of killing the process.
  return row.fileSizeKiB === undefined ? node : ['sh', '-c', `trap "" XFSZ; ulimit -f ${row.fileSizeKiB * 2}; exec "$@"`, 'sh', ...node]
}

/**
 * Runs mrcheck and sends it SIGINT at the given times after `stuck` appears (a run before may have
 * left one); null code when it has not ended a minute later.
 */
function interrupted(args: readonly string[], at: readonly number[], stuck: string): Promise<Run> {
  rmSync(stuck, { force: true })
  const [command, ...argv] = commandLine(args, {})
  const child = spawn(command!, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  const timers: NodeJS.Timeout[] = []
  const hung = setTimeout(() => child.kill('SIGKILL'), at.at(-1)! + 60_000)
  const watch = setInterval(() => {
    if (!existsSync(stuck)) return
    clearInterval(watch)
    timers.push(...at.map((ms) => setTimeout(() => child.kill('SIGINT'), ms)))
    hung.refresh()
  }, 50)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      for (const timer of [...timers, hung]) clearTimeout(timer)
      clearInterval(watch)
      resolve({ code, stdout, stderr })
    }),
  )
}

for (const row of rows) {
  // As root, a directory without permissions is readable: such rows run as another user.
  const declare = row.uid !== undefined && !isRoot ? test.serial.skip : test.serial
  declare(`${row.title}: exit ${row.exit}`, async (t) => {
    const dir = join(tmp, row.title.replace(/\W+/g, '-'))
    mkdirSync(dir)
    if (row.uid !== undefined) chownSync(dir, row.uid, row.uid)
    row.setup?.(dir)
    const r = row.interrupts === undefined ? mrcheck(row.args(dir), row) : await interrupted(row.args(dir), row.interrupts, join(dir, 'stuck'))
    if (row.uid !== undefined) chmodSync(dir, 0o700)
    for (const f of existsSync(dir) ? readdirSync(dir) : []) chmodSync(join(dir, f), 0o700)
    t.not(r.code, null, `it ended within a minute (stderr: ${r.stderr.slice(-500)})`)
    t.is(r.code, row.exit, r.stderr)
    const output = r.stderr + r.stdout
    for (const words of row.says) {
      if (typeof words === 'string') t.true(output.includes(words), `says "${words}":\n${output}`)
      else t.regex(output, words)
    }
    t.notRegex(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace')
    t.notRegex(r.stderr + r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/, 'no raw control character')
    row.after?.(t, dir, r)
  })
}

