/**
 * Checkpoints of a one-worker search: the loop state between two expansions, written so that a
 * run killed at any moment can go on from the last one and end with the counts and verdict of an
 * uninterrupted run.
 *
 * A checkpoint directory holds two files, each framed the same way: a header line
 * `MRCHECK-CHECKPOINT <format> <kind> <payload bytes> <sha256 of the payload>\n`, then the payload.
 * - `state-<n>.bin`: the visited store. Exact: every state's words in discovery order, then the
 *   parent ids and action instances (the ids double as the queue: the frontier starts at `next`).
 *   Fingerprint: every fingerprint (lo, hi), the parent ids and instances, then the queued states.
 * - `manifest.json`: JSON: format, how to rebuild the spec (model ref, parameters, options), the
 *   spec's shape (state width, instances, actions), the loop counters, the violations found so
 *   far, and the state file's name, size and checksum.
 * Each file is written to a temporary name, fsynced and renamed; the manifest is renamed last, so
 * the manifest always names a complete state file, and the previous state file is deleted only
 * then. The store is written straight from its own arrays, piece by piece, so that a checkpoint
 * needs no second copy of it in memory (the memory budget of the search has no room for one). Loading checks every header, size, checksum and the spec's shape, and refuses anything
 * else with a BAD_INPUT error naming the file.
 */
import { createHash } from 'node:crypto'
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fingerprint } from '../encode/fingerprint.js'
import { CheckerError } from '../result/errors.js'
import type { CompiledSpec } from '../compile/compile.js'
import { MiB } from '../store/memory.js'
import { signatureMismatch, specSignature, type SpecSignature } from '../compile/specSignature.js'
import { ExactStore, FingerprintStore, type VisitedStore } from '../store/VisitedStore.js'
import type { Found } from '../trace/trace.js'

export const CHECKPOINT_FORMAT = 1
const MAGIC = 'MRCHECK-CHECKPOINT'
export const MANIFEST = 'manifest.json'

export interface CheckpointOptions {
  /** The checkpoint directory (created when missing). */
  readonly dir: string
  /** How often to write one (default 60 s). */
  readonly everyMs?: number
  /** Disk budget of the directory in MiB: a checkpoint that would pass it is not written. */
  readonly diskMiB?: number
  /**
   * How to rebuild the spec on resume: a built-in model name or an absolute file path, its
   * parameters, and what identifies its code (ModelCode).
   */
  readonly model?: { readonly ref: string; readonly params: Readonly<Record<string, unknown>>; readonly code?: ModelCode }
  /** The search options to resume with (JSON values only). */
  readonly options?: Readonly<Record<string, unknown>>
}

/**
 * What a checkpoint keeps of the one-worker search's expander (search/expand.ts): its counters and
 * what it found so far.
 */
export interface ExpanderCounts {
  generated: number
  readonly enabled: Float64Array
  readonly produced: Float64Array
  readonly found: Found[]
  readonly broken: Set<string>
  readonly reached: Set<string>
}

/** The loop state of the search between two expansions. */
export interface LoopState {
  readonly next: number
  readonly levelEnd: number
  readonly depth: number
}

/**
 * What identifies a model's code: a SHA-256 over its files and each file's (compile/importModule.ts), or,
 * for a built-in model, the mrcheck release it came with (`hash` "mrcheck@<version>", no files).
 */
export interface ModelCode {
  readonly hash: string
  readonly files: Readonly<Record<string, string>>
}

export interface Manifest {
  readonly format: number
  readonly createdAt: string
  readonly model: { readonly name: string; readonly ref?: string; readonly params: Record<string, unknown>; readonly code?: ModelCode }
  /** The spec the search ran on (compile/specSignature.ts): resuming with another one is refused. */
  readonly signature: SpecSignature
  readonly options: Record<string, unknown>
  readonly everyMs: number
  readonly diskMiB?: number
  readonly spec: { readonly width: number; readonly instances: number; readonly actions: readonly string[] }
  readonly store: 'exact' | 'fingerprint'
  readonly count: number
  readonly loop: LoopState
  readonly generated: number
  readonly enabled: number[]
  readonly produced: number[]
  readonly found: Found[]
  readonly broken: string[]
  readonly reached: string[]
  readonly warnings: string[]
  readonly stateFile: { readonly name: string; readonly bytes: number; readonly sha256: string }
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)

const headerText = (kind: string, bytes: number, sha: string) => `${MAGIC} ${CHECKPOINT_FORMAT} ${kind} ${bytes} ${sha}\n`
/** The size of a framed file with `bytes` of payload (a SHA-256 is 64 hex digits). */
const framedBytes = (kind: string, bytes: number) => Buffer.byteLength(headerText(kind, bytes, '0'.repeat(64)), 'latin1') + bytes
/** Bytes handed to one write call at most. */
const WRITE_AT_MOST = 1 << 26

/** A checkpoint file that could not be written (disk full, quota, I/O error): the run stops incomplete. */
export class CheckpointWriteError extends Error {}

/**
 * Writes `bytes` of payload, given as pieces produced on demand, framed as `kind` to `dir/name`
 * atomically (temp file, fsync, rename), in one pass: the payload goes after room for the header
 * and is hashed on the way, then the header is written in front. Nothing is copied, so writing a
 * store takes no memory beside it. Returns the payload's SHA-256. The temp file is created
 * exclusively (a link planted at its name is removed, never followed), and removed again when the
 * write fails, which throws a CheckpointWriteError.
 */
export function writeFramed(dir: string, name: string, kind: string, bytes: number, pieces: Iterable<ArrayBufferView>): string {
  const tmp = join(dir, `.${name}.tmp`)
  let fd: number | undefined
  let sha: string
  try {
    rmSync(tmp, { force: true })
    fd = openSync(tmp, 'wx')
    const hash = createHash('sha256')
    const start = framedBytes(kind, bytes) - bytes
    let at = start
    for (const piece of pieces) {
      const p = bytesOf(piece)
      hash.update(p)
      for (let off = 0; off < p.byteLength; ) {
        const n = writeSync(fd, p, off, Math.min(WRITE_AT_MOST, p.byteLength - off), at)
        off += n
        at += n
      }
    }
    if (at - start !== bytes) throw new Error(`${at - start} bytes of data written, ${bytes} expected`)
    sha = hash.digest('hex')
    const head = Buffer.from(headerText(kind, bytes, sha), 'latin1')
    writeSync(fd, head, 0, head.byteLength, 0)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(tmp, join(dir, name))
  } catch (e) {
    if (fd !== undefined) closeSync(fd)
    rmSync(tmp, { force: true })
    throw new CheckpointWriteError(`writing ${join(dir, name)} failed: ${(e as Error).message}`)
  }
  try {
    const d = openSync(dir, 'r')
    fsyncSync(d)
    closeSync(d)
  } catch {
    // Directories cannot be fsynced on every platform.
  }
  return sha
}

/**
 * A store's payload: its size, and its pieces in file order, produced on demand (views of the
 * store, or small reused buffers), so that a checkpoint does not need a second copy of the store.
 */
function storePayload(store: VisitedStore, W: number): { bytes: number; pieces: () => Iterable<ArrayBufferView> } {
  const n = store.count
  if (store instanceof ExactStore) {
    const { table } = store
    // States are kept in id order: the first n * W words are the states, as the file holds them.
    return {
      bytes: n * (W + 2) * 4,
      pieces: function* () {
        yield* table.states(n)
        yield table.parent.subarray(0, n)
        yield table.via.subarray(0, n)
      },
    }
  }
  const fp = store as FingerprintStore
  return {
    bytes: (n * 4 + fp.frontier.length * W) * 4,
    pieces: function* () {
      yield* fp.set.pairs()
      yield* fp.records.column('parent')
      yield* fp.records.column('instance')
      yield* fp.frontier.queued()
    },
  }
}

const bad = (file: string, what: string): never => {
  throw new CheckerError('BAD_INPUT', `Checkpoint file ${file} ${what}; it was not used.`)
}

/** An open framed file whose header, size and checksum were checked; its payload starts at `start`. */
export interface Framed {
  readonly file: string
  readonly fd: number
  readonly start: number
  readonly bytes: number
  readonly sha: string
}

/**
 * Opens a framed file and checks its header, size and checksum (reading the payload once, in
 * pieces). The caller reads the payload with `readAt` and closes `fd`.
 */
export function openFramed(file: string, kind: string): Framed {
  let fd: number
  try {
    // Non-blocking, so that a FIFO planted at the name is refused below instead of waiting for a writer.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? bad(file, 'is missing') : bad(file, `cannot be read (${(e as Error).message})`)
  }
  try {
    if (!fstatSync(fd).isFile()) bad(file, 'is not a regular file')
    const head = Buffer.alloc(256)
    const got = readSync(fd, head, 0, head.byteLength, 0)
    const nl = head.subarray(0, got).indexOf(10)
    if (nl < 0 || nl > 200) bad(file, 'has no checkpoint header (not a checkpoint, or truncated)')
    const parts = head.subarray(0, nl).toString('latin1').split(' ')
    if (parts.length !== 5 || parts[0] !== MAGIC) bad(file, 'has no checkpoint header (not a checkpoint, or truncated)')
    const [, format, k, size, sha] = parts as [string, string, string, string, string]
    if (Number(format) !== CHECKPOINT_FORMAT) bad(file, `has format version ${format}, but this mrcheck reads version ${CHECKPOINT_FORMAT}`)
    if (k !== kind) bad(file, `holds a ${k}, not a ${kind}`)
    const start = nl + 1
    const bytes = fstatSync(fd).size - start
    if (bytes !== Number(size)) bad(file, `is truncated or padded: its header promises ${size} bytes of data, the file holds ${bytes}`)
    const hash = createHash('sha256')
    const buf = Buffer.alloc(Math.min(1 << 20, Math.max(1, bytes)))
    for (let at = 0; at < bytes; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.byteLength, bytes - at), start + at)
      if (n === 0) bad(file, 'is truncated')
      hash.update(buf.subarray(0, n))
      at += n
    }
    const actual = hash.digest('hex')
    if (actual !== sha) bad(file, `is corrupted: the SHA-256 checksum of its data is ${actual}, its header says ${sha}`)
    return { file, fd, start, bytes, sha }
  } catch (e) {
    closeSync(fd)
    throw e instanceof CheckerError ? e : bad(file, `cannot be read (${(e as Error).message})`)
  }
}

/** Reads `bytes` of a framed file's payload from `offset` into the start of `into`. */
export function readAt(f: Framed, into: ArrayBufferView, bytes: number, offset: number): void {
  const out = new Uint8Array(into.buffer, into.byteOffset, bytes)
  for (let at = 0; at < bytes; ) {
    let n: number
    try {
      n = readSync(f.fd, out, at, bytes - at, f.start + offset + at)
    } catch (e) {
      return bad(f.file, `cannot be read (${(e as Error).message})`)
    }
    if (n === 0) bad(f.file, 'is truncated')
    at += n
  }
}

/** Reads a framed file and checks its header, size and checksum; returns the payload. */
function readFramed(file: string, kind: string): Buffer {
  const f = openFramed(file, kind)
  try {
    const payload = Buffer.alloc(f.bytes)
    readAt(f, payload, f.bytes, 0)
    return payload
  } finally {
    closeSync(f.fd)
  }
}

/**
 * Makes the checkpoint directory `dir` (and the missing directories above it) unless it exists,
 * and lists it. Anything that is not a directory we can list and write is refused naming it.
 * (Not `mkdirSync(dir, { recursive: true })`, which never returns for some paths under /proc.)
 */
export function checkpointDir(dir: string): string[] {
  const refuse = (what: string): never => {
    throw new CheckerError('BAD_INPUT', `Checkpoint directory ${dir} ${what}.`)
  }
  const missing: string[] = []
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d)
  try {
    for (const d of missing) mkdirSync(d)
  } catch (e) {
    refuse(`cannot be made: ${(e as Error).message}`)
  }
  let stats
  try {
    stats = statSync(dir)
  } catch (e) {
    return refuse(`cannot be used: ${(e as Error).message}`)
  }
  if (!stats.isDirectory()) refuse('is not a directory (give a directory to write checkpoints in)')
  try {
    accessSync(dir, constants.W_OK | constants.X_OK)
    return readdirSync(dir)
  } catch (e) {
    return refuse(`cannot be used: ${(e as Error).message}`)
  }
}

/** Writes checkpoints of one search every `everyMs`. */
export class Checkpointer {
  readonly everyMs: number
  private last = Date.now()
  private seq = 0
  /** Set when a checkpoint was refused for the disk budget. */
  refused: string | undefined
  written = 0

  private readonly searchOptions: Record<string, unknown>

  constructor(
    private readonly c: CompiledSpec,
    private readonly options: CheckpointOptions,
    search: Readonly<Record<string, unknown>> = {},
  ) {
    this.searchOptions = options.options ?? jsonOptions(search)
    this.everyMs = options.everyMs ?? 60_000
    for (const f of checkpointDir(options.dir)) {
      const m = /^state-(\d+)\.bin$/.exec(f)
      if (m !== null) this.seq = Math.max(this.seq, Number(m[1]))
    }
  }

  due(now: number): boolean {
    return now - this.last >= this.everyMs
  }

  /** Writes a checkpoint; false (and nothing written) when it would pass the disk budget. */
  save(loop: LoopState, expander: ExpanderCounts, store: VisitedStore, warnings: readonly string[]): boolean {
    const { c, options } = this
    const W = c.codec.words
    const n = store.count
    const payload = storePayload(store, W)
    const stateBytes = framedBytes('state', payload.bytes)
    const name = `state-${this.seq + 1}.bin`
    const manifest: Omit<Manifest, 'stateFile'> = {
      format: CHECKPOINT_FORMAT,
      createdAt: new Date().toISOString(),
      model: {
        name: c.spec.name,
        ...(options.model !== undefined ? { ref: options.model.ref } : {}),
        params: { ...(options.model?.params ?? c.spec.constants) },
        ...(options.model?.code !== undefined ? { code: options.model.code } : {}),
      },
      signature: specSignature(c),
      options: { ...this.searchOptions },
      everyMs: this.everyMs,
      ...(options.diskMiB !== undefined ? { diskMiB: options.diskMiB } : {}),
      spec: { width: W, instances: c.instances.length, actions: [...c.actionNames] },
      store: store.kind,
      count: n,
      loop: { next: loop.next, levelEnd: loop.levelEnd, depth: loop.depth },
      generated: expander.generated,
      enabled: [...expander.enabled],
      produced: [...expander.produced],
      found: expander.found.map((f) => ({ ...f })),
      broken: [...expander.broken],
      reached: [...expander.reached],
      warnings: [...warnings],
    }
    // The state file's checksum is known once it is written; a placeholder of its length sizes the manifest.
    const manifestText = (sha256: string) =>
      Buffer.from(JSON.stringify({ ...manifest, stateFile: { name, bytes: stateBytes, sha256 } } satisfies Manifest, null, 1), 'utf8')
    const total = stateBytes + framedBytes('manifest', manifestText('0'.repeat(64)).byteLength)
    if (options.diskMiB !== undefined && total > options.diskMiB * MiB) {
      this.refused =
        `Stopped: the next checkpoint (${(total / MiB).toFixed(1)} MiB) would pass the disk budget ` +
        `of ${options.diskMiB} MiB; the last good checkpoint in ${options.dir} is kept.`
      return false
    }
    try {
      const sha = writeFramed(options.dir, name, 'state', payload.bytes, payload.pieces())
      const m = manifestText(sha)
      try {
        writeFramed(options.dir, MANIFEST, 'manifest', m.byteLength, [m])
      } catch (e) {
        // The manifest still names the last good state file: the new one is of no use.
        rmSync(join(options.dir, name), { force: true })
        throw e
      }
    } catch (e) {
      if (!(e instanceof CheckpointWriteError)) throw e
      this.refused =
        `Stopped: ${e.message}; ` +
        (this.seq > 0 ? `the last good checkpoint in ${options.dir} is kept.` : 'no checkpoint was written.')
      return false
    }
    for (const f of readdirSync(options.dir)) {
      if (/^state-\d+\.bin$/.test(f) && f !== name) rmSync(join(options.dir, f), { force: true })
    }
    this.seq++
    this.written++
    this.last = Date.now()
    return true
  }
}

/** The options a resumed search needs again: those that are plain data and change what is explored. */
const RESUMED = ['only', 'maxStates', 'maxDepth', 'continue', 'store', 'memoryMiB', 'symmetry', 'view', 'fairness', 'strict'] as const

function jsonOptions(search: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of RESUMED) if (search[k] !== undefined) out[k] = search[k]
  return out
}


/** Reads and checks a checkpoint's manifest (format, checksum). */
export function readManifest(dir: string): Manifest {
  let isDirectory: boolean
  try {
    isDirectory = statSync(dir).isDirectory()
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(e as Error).message})`
    throw new CheckerError('BAD_INPUT', `Checkpoint directory ${dir} ${why}.`)
  }
  if (!isDirectory) throw new CheckerError('BAD_INPUT', `Checkpoint directory ${dir} is not a directory: give the directory \`check --checkpoint\` wrote.`)
  const file = join(dir, MANIFEST)
  const payload = readFramed(file, 'manifest')
  let m: unknown
  try {
    m = JSON.parse(payload.toString('utf8'))
  } catch (e) {
    return bad(file, `is not valid JSON (${(e as Error).message})`)
  }
  for (const [path, kind] of Object.entries(MANIFEST_FIELDS)) {
    const value = path.split('.').reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined), m)
    const is = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value
    if (is !== kind) bad(file, value === undefined ? `lacks the field ${path}` : `has ${path} of type ${is}, not ${kind}`)
  }
  const manifest = m as Manifest
  if (!/^state-\d+\.bin$/.test(manifest.stateFile.name)) bad(file, `names the state file ${JSON.stringify(manifest.stateFile.name)}, not state-<n>.bin`)
  return manifest
}

/** The fields every manifest has, and their JSON types, checked before any of them is used. */
const MANIFEST_FIELDS: Readonly<Record<string, 'number' | 'string' | 'object' | 'array'>> = {
  format: 'number',
  model: 'object',
  'model.name': 'string',
  'model.params': 'object',
  options: 'object',
  everyMs: 'number',
  signature: 'object',
  spec: 'object',
  'spec.width': 'number',
  'spec.instances': 'number',
  'spec.actions': 'array',
  store: 'string',
  count: 'number',
  loop: 'object',
  'loop.next': 'number',
  'loop.levelEnd': 'number',
  'loop.depth': 'number',
  generated: 'number',
  enabled: 'array',
  produced: 'array',
  found: 'array',
  broken: 'array',
  reached: 'array',
  warnings: 'array',
  stateFile: 'object',
  'stateFile.name': 'string',
  'stateFile.bytes': 'number',
  'stateFile.sha256': 'string',
}

/** A search restored from a checkpoint: its store and loop state, and what it had found. */
export interface Restored {
  readonly manifest: Manifest
  readonly store: VisitedStore
  readonly loop: LoopState
  /** Puts the counters and findings back into a fresh expander. */
  restore(expander: ExpanderCounts): void
}

/** Loads checkpoint `dir` for the compiled spec `c`, checking that it fits. */
export function loadCheckpoint(c: CompiledSpec, dir: string, maySpend?: (extra: number) => boolean): Restored {
  const m = readManifest(dir)
  const mfile = join(dir, MANIFEST)
  const W = c.codec.words
  if (m.model.name !== c.spec.name) bad(mfile, `is for model "${m.model.name}", not "${c.spec.name}"`)
  if (m.spec.width !== W) bad(mfile, `was written for states of ${m.spec.width} words; this spec's states have ${W}`)
  if (m.spec.instances !== c.instances.length) {
    bad(mfile, `was written for ${m.spec.instances} action instances; this spec has ${c.instances.length}`)
  }
  if (m.spec.actions.join(',') !== c.actionNames.join(',')) bad(mfile, `names actions ${m.spec.actions.join(', ')}; this spec's are ${c.actionNames.join(', ')}`)
  if (m.enabled.length !== c.actionNames.length || m.produced.length !== c.actionNames.length) {
    bad(mfile, `counts ${m.enabled.length} and ${m.produced.length} actions; this spec has ${c.actionNames.length}`)
  }
  const differs = signatureMismatch(m.signature, specSignature(c))
  if (differs !== undefined) {
    bad(mfile, `was written for another spec: ${differs} differ (the parameters, the selected properties or the model changed). Start the check again`)
  }
  if (m.store !== 'exact' && m.store !== 'fingerprint') bad(mfile, `holds a ${String(m.store)} store, which this mrcheck cannot resume`)
  const n = m.count
  const { next, levelEnd } = m.loop
  if (!(Number.isInteger(n) && n >= 0 && next >= 0 && next <= levelEnd && levelEnd <= n)) bad(mfile, 'has inconsistent counters')
  const sfile = join(dir, m.stateFile.name)
  // Read in blocks straight into the store: loading needs no copy of the file in memory.
  const f = openFramed(sfile, 'state')
  try {
    if (framedBytes('state', f.bytes) !== m.stateFile.bytes) {
      bad(sfile, `has ${f.bytes} bytes of data, which does not match the size recorded in ${mfile}`)
    }
    if (f.sha !== m.stateFile.sha256) bad(sfile, `does not match the checksum recorded in ${mfile}`)
    return restored(m, m.store === 'fingerprint' ? loadFingerprints(c, m, f, maySpend) : loadExact(m, f, W, maySpend))
  } finally {
    closeSync(f.fd)
  }
}

/** States read from a checkpoint at a time. */
const BLOCK = 65536

function loadExact(m: Manifest, f: Framed, W: number, maySpend?: (extra: number) => boolean): VisitedStore {
  const n = m.count
  if (f.bytes !== n * (W + 2) * 4) bad(f.file, `holds ${f.bytes} bytes, not the ${n * (W + 2) * 4} that ${n} states of ${W} words need`)
  const store = new ExactStore(W, maySpend)
  const words = new Uint32Array(BLOCK * W)
  const parent = new Int32Array(BLOCK)
  const via = new Int32Array(BLOCK)
  const fp = new Uint32Array(2)
  for (let first = 0; first < n; first += BLOCK) {
    const k = Math.min(BLOCK, n - first)
    readAt(f, words, k * W * 4, first * W * 4)
    readAt(f, parent, k * 4, (n * W + first) * 4)
    readAt(f, via, k * 4, (n * (W + 1) + first) * 4)
    for (let i = 0; i < k; i++) {
      fingerprint(words, i * W, W, fp)
      if (store.add(words, i * W, fp[0]!, fp[1]!, parent[i]!, via[i]!) !== first + i) {
        bad(f.file, `holds state ${first + i} twice, or more states than the memory budget allows`)
      }
    }
  }
  return store
}

function loadFingerprints(c: CompiledSpec, m: Manifest, f: Framed, maySpend?: (extra: number) => boolean): VisitedStore {
  const W = c.codec.words
  const n = m.count
  const q = n - m.loop.next
  const need = (n * 4 + q * W) * 4
  if (f.bytes !== need) bad(f.file, `holds ${f.bytes} bytes, not the ${need} that ${n} fingerprints and ${q} queued states of ${W} words need`)
  const store = new FingerprintStore(W, {
    ...(maySpend !== undefined ? { maySpend } : {}),
    wideInstances: c.instances.length > 0xffff,
    initialCapacity: Math.ceil(n / 0.75),
  })
  const fps = new Uint32Array(2 * BLOCK)
  const parent = new Int32Array(BLOCK)
  const instance = new Int32Array(BLOCK)
  for (let first = 0; first < n; first += BLOCK) {
    const k = Math.min(BLOCK, n - first)
    readAt(f, fps, k * 8, first * 8)
    readAt(f, parent, k * 4, (2 * n + first) * 4)
    readAt(f, instance, k * 4, (3 * n + first) * 4)
    for (let i = 0; i < k; i++) {
      if (!store.set.add(fps[2 * i]!, fps[2 * i + 1]!)) bad(f.file, `holds fingerprint ${first + i} twice`)
      store.records.append(parent[i]!, instance[i]!)
    }
  }
  const queue = new Uint32Array(BLOCK * W)
  for (let first = 0; first < q; first += BLOCK) {
    const k = Math.min(BLOCK, q - first)
    readAt(f, queue, k * W * 4, (4 * n + first * W) * 4)
    for (let i = 0; i < k; i++) store.frontier.push(queue, i * W)
  }
  return store
}

function restored(m: Manifest, store: VisitedStore): Restored {
  return {
    manifest: m,
    store,
    loop: { next: m.loop.next, levelEnd: m.loop.levelEnd, depth: m.loop.depth },
    restore(e: ExpanderCounts): void {
      e.generated = m.generated
      e.enabled.set(m.enabled)
      e.produced.set(m.produced)
      e.found.push(...m.found)
      for (const b of m.broken) e.broken.add(b)
      for (const r of m.reached) e.reached.add(r)
    },
  }
}
