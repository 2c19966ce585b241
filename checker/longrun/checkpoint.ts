/**
 * The checkpoint file format, the checkpoint directory, and what a search is asked to checkpoint
 * (CheckpointOptions, with the model's code: ModelCode). Checkpoints of a one-worker search keep
 * the loop state between two expansions, written so that a run killed at any moment can go on from
 * the last one and end with the counts and verdict of an uninterrupted run (longrun/Checkpointer.ts
 * writes them, longrun/loadCheckpoint.ts reads them back).
 *
 * A checkpoint directory holds two files, each framed the same way: a header line
 * `MRCHECK-CHECKPOINT <format> <kind> <payload bytes> <sha256 of the payload>\n`, then the payload.
 * - `state-<n>.bin`: the visited store. Exact: every state's words in discovery order, then the
 *   parent ids and action instances (the ids double as the queue: the frontier starts at `next`).
 *   Fingerprint: every fingerprint (lo, hi), the parent ids and instances, then the queued states.
 * - `manifest.json`: JSON: format, how to rebuild the spec (model ref, parameters, options), the
 *   spec's shape (state width, instances, actions), the loop counters, the violations found so
 *   far, and the state file's name, size and checksum.
 * Each file is written to a temporary name, fsynced and renamed (writeFramed here; the order of the
 * two files is longrun/Checkpointer.ts's). Reading checks every header, size and checksum (openFramed
 * here, the manifest's fields in longrun/manifest.ts, the spec's shape in longrun/loadCheckpoint.ts),
 * and refuses anything else with a BAD_INPUT error naming the file.
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
import { CheckerError } from '../result/errors.js'

export const CHECKPOINT_FORMAT = 1
const MAGIC = 'MRCHECK-CHECKPOINT'

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
 * What identifies a model's code: a SHA-256 over its files and each file's (compile/importModule.ts), or,
 * for a built-in model, the mrcheck release it came with (`hash` "mrcheck@<version>", no files).
 */
export interface ModelCode {
  readonly hash: string
  readonly files: Readonly<Record<string, string>>
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)

const headerText = (kind: string, bytes: number, sha: string) => `${MAGIC} ${CHECKPOINT_FORMAT} ${kind} ${bytes} ${sha}\n`
/** The size of a framed file with `bytes` of payload (a SHA-256 is 64 hex digits). */
export const framedBytes = (kind: string, bytes: number) => Buffer.byteLength(headerText(kind, bytes, '0'.repeat(64)), 'latin1') + bytes
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

/** Refuses a checkpoint file: a BAD_INPUT error naming it and what is wrong with it. */
export const bad = (file: string, what: string): never => {
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
export function readFramed(file: string, kind: string): Buffer {
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
