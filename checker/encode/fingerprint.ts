/**
 * 64-bit fingerprints of packed states, as two 32-bit lanes with fixed seeds, so the search never
 * needs BigInt. The lanes hash the packed words, never the state objects: a fingerprint costs a
 * few multiplications per word.
 *
 * Why two different round functions: the low lane is murmur3, the high lane an xxhash32-style
 * round. Murmur3 has input differences that collide whatever the seed, so two murmur3 lanes with
 * different seeds would collide together on them; with different rounds, a pair of states that
 * collides in one lane is no more likely than any other to collide in the other.
 */
const C1 = 0xcc9e2d51
const C2 = 0x1b873593
const P1 = 0x9e3779b1
const P2 = 0x85ebca77
const SEED_LO = 0x9747b28c
const SEED_HI = 0x2545f491

function laneLo(words: Uint32Array, at: number, n: number): number {
  let h = SEED_LO
  for (let i = 0; i < n; i++) {
    let k = Math.imul(words[at + i]!, C1)
    k = (k << 15) | (k >>> 17)
    h ^= Math.imul(k, C2)
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  return finish(h, n)
}

function laneHi(words: Uint32Array, at: number, n: number): number {
  let h = SEED_HI
  for (let i = 0; i < n; i++) {
    h = (h + Math.imul(words[at + i]!, P2)) | 0
    h = Math.imul((h << 13) | (h >>> 19), P1)
  }
  return finish(h, n)
}

const finish = (h: number, n: number): number => {
  h ^= n
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Low lane of the fingerprint of `words[at..at+n)`. */
export const fingerprintLo = (words: Uint32Array, at: number, n: number): number => laneLo(words, at, n)
/** High lane of the fingerprint of `words[at..at+n)`. */
export const fingerprintHi = (words: Uint32Array, at: number, n: number): number => laneHi(words, at, n)

/**
 * Both lanes in one pass over the words: `out[0]` = fingerprintLo, `out[1]` = fingerprintHi.
 * Writing into a caller's array keeps the search loop free of allocations.
 */
export function fingerprint(words: Uint32Array, at: number, n: number, out: Uint32Array): void {
  let lo = SEED_LO
  let hi = SEED_HI
  for (let i = 0; i < n; i++) {
    const w = words[at + i]!
    let k = Math.imul(w, C1)
    k = (k << 15) | (k >>> 17)
    lo ^= Math.imul(k, C2)
    lo = (lo << 13) | (lo >>> 19)
    lo = (Math.imul(lo, 5) + 0xe6546b64) | 0
    hi = (hi + Math.imul(w, P2)) | 0
    hi = Math.imul((hi << 13) | (hi >>> 19), P1)
  }
  out[0] = finish(lo, n)
  out[1] = finish(hi, n)
}

/**
 * A third 32-bit lane, for the 96-bit fingerprints of a cluster search (many machines hold more
 * states than 64 bits keep apart): a round of its own (xor, rotate by 17, multiply), unlike both
 * other lanes', with its own seed.
 */
export function fingerprintThird(words: Uint32Array, at: number, n: number): number {
  let h = SEED_THIRD
  for (let i = 0; i < n; i++) {
    h ^= Math.imul(words[at + i]!, P3)
    h = Math.imul((h << 17) | (h >>> 15), P4)
  }
  return finish(h, n)
}
const SEED_THIRD = 0x61c88647
const P3 = 0x27d4eb2f
const P4 = 0x165667b1

/**
 * TLC's optimistic estimate of the probability that two of `n` distinct states share a
 * fingerprint of `bits` bits (64 by default), so that one of them was wrongly taken as seen:
 * n(n-1)/2 pairs, 2^-bits each.
 */
export const collisionProbability = (n: number, bits = 64): number => Math.min(1, (n * (n - 1)) / 2 / 2 ** bits)
