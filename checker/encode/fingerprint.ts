/**
 * 64-bit fingerprints of packed states, as two independent 32-bit lanes (murmur3-style mixing
 * with fixed seeds), so the search never needs BigInt.
 */
const C1 = 0xcc9e2d51
const C2 = 0x1b873593

function lane(words: Uint32Array, at: number, n: number, seed: number): number {
  let h = seed
  for (let i = 0; i < n; i++) {
    let k = Math.imul(words[at + i]!, C1)
    k = (k << 15) | (k >>> 17)
    h ^= Math.imul(k, C2)
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  h ^= n
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Low lane of the fingerprint of `words[at..at+n)`. */
export const fingerprintLo = (words: Uint32Array, at: number, n: number): number => lane(words, at, n, 0x9747b28c)
/** High lane of the fingerprint of `words[at..at+n)`. */
export const fingerprintHi = (words: Uint32Array, at: number, n: number): number => lane(words, at, n, 0x2545f491)
