/**
 * The random choices of a simulation: one generator per walk, seeded from the simulation's seed
 * and the walk's number alone, so that a walk is the same whichever path (fast or strict), worker
 * or machine runs it; and one seed per walker of a parallel simulation, derived from the given one.
 */

/** mulberry32: a small, fast 32-bit generator; plenty for choosing among enabled actions. */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

/** The seed of walk `run`: a hash of (seed, run), so walks are independent of one another. */
export function runSeed(seed: number, run: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(run + 1, 0xc2b2ae35)
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d)
  h ^= h >>> 15
  return h >>> 0
}

/**
 * The seed of walker `w` of a simulation seeded with `seed`: walker 0 keeps the seed itself, so
 * that one walker walks exactly as a simulation without workers; the others get a hash of (seed,
 * w), a stream of walks of their own that a one-worker simulation with that seed repeats.
 */
export function walkerSeed(seed: number, w: number): number {
  if (w === 0) return seed >>> 0
  let h = Math.imul(seed ^ 0x27d4eb2f, 0x165667b1) ^ Math.imul(w, 0x9e3779b1)
  h ^= h >>> 15
  h = Math.imul(h, 0x2c1b3c6d)
  h ^= h >>> 12
  h = Math.imul(h, 0x297a2d39)
  h ^= h >>> 15
  return h >>> 0
}

/** How many of `runs` walks walker `w` of `walkers` takes: an even share, the first ones one more. */
export const walkerRuns = (runs: number, walkers: number, w: number): number =>
  Math.floor(runs / walkers) + (w < runs % walkers ? 1 : 0)
