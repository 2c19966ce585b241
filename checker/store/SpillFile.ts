/**
 * A temporary file that parts of a search wait in instead of memory (trace records, queue
 * chunks): created in a directory of its own on the first write, read and written at byte
 * offsets, deleted with its directory by `close`.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export class SpillFile {
  private file: { readonly dir: string; readonly fd: number } | undefined

  /** @param prefix names the temporary directory, e.g. `mrcheck-trace-`. */
  constructor(private readonly prefix: string) {}

  /** Writes the bytes of `data` at byte `offset`. */
  write(data: ArrayBufferView, offset: number): void {
    if (this.file === undefined) {
      const dir = mkdtempSync(join(tmpdir(), this.prefix))
      this.file = { dir, fd: openSync(join(dir, 'data'), 'w+') }
    }
    writeSync(this.file.fd, bytesOf(data), 0, data.byteLength, offset)
  }

  /** Fills the first `length` bytes of `into` (all of it by default) from byte `offset`. */
  read(into: ArrayBufferView, offset: number, length = into.byteLength): void {
    if (this.file === undefined) throw new RangeError('nothing was written to this spill file')
    readSync(this.file.fd, bytesOf(into), 0, length, offset)
  }

  /** Deletes the file, if any. */
  close(): void {
    if (this.file === undefined) return
    closeSync(this.file.fd)
    rmSync(this.file.dir, { recursive: true, force: true })
    this.file = undefined
  }
}

const bytesOf = (v: ArrayBufferView) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
