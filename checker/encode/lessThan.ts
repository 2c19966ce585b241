/**
 * The order of packed encodings that both strategies take the least of: word by word, as unsigned
 * numbers.
 */

/** Whether the W words at `a[aAt..]` come before those at `b[bAt..]`. */
export const lessThanFor =
  (W: number) =>
  (a: Uint32Array, aAt: number, b: Uint32Array, bAt: number): boolean => {
    for (let w = 0; w < W; w++) {
      const x = a[aAt + w]!
      const y = b[bAt + w]!
      if (x !== y) return x < y
    }
    return false
  }
