/**
 * Arrays that grow in place. A resizable ArrayBuffer reserves address space up front and commits
 * pages only as it grows, so growing it copies nothing and touches only the new pages, and when it
 * is freed its pages go back to the system. A fresh buffer per growth instead touches every page
 * again: the copy is cheap, but the first write to a page is not (about 3 ms a MiB on the virtual
 * machine of bench/README.md, whose host hands over each page on first use), and the C allocator's
 * heap fills with holes it cannot give back.
 */

/** The largest reservation V8 allows one resizable buffer. */
const MOST = 2 ** 32

/** A buffer of `bytes` that can grow in place up to `reserve` times its size (4 GiB at most). */
export function growableBuffer(bytes: number, reserve: number): ArrayBuffer {
  if (bytes > MOST) return new ArrayBuffer(bytes)
  return new ArrayBuffer(bytes, { maxByteLength: Math.min(MOST, reserve * Math.max(bytes, 4096)) })
}

/**
 * `view` lengthened to `length` elements, its contents kept: its buffer grown in place when the
 * reservation allows, else a new growable buffer reserving `reserve` times the size.
 */
export function lengthened<T extends Uint32Array | Int32Array>(view: T, length: number, reserve: number): T {
  const Ctor = view.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => T
  const buffer = view.buffer as ArrayBuffer
  const bytes = length * view.BYTES_PER_ELEMENT
  if (buffer.resizable && view.byteOffset === 0 && bytes <= buffer.maxByteLength) {
    buffer.resize(Math.max(bytes, buffer.byteLength))
    return new Ctor(buffer, 0, length)
  }
  const next = new Ctor(growableBuffer(bytes, reserve), 0, length)
  next.set(view)
  return next
}
