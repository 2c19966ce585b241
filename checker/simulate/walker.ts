/**
 * What a walker is: the code that takes one random walk through a compiled spec at a time and
 * counts what it covered. Two walkers walk the same walks: the fast one (fastWalk.ts, on packed
 * states, as the search runs) and the strict one (strictWalk.ts, on immer drafts of frozen states).
 * Both choose with the same generator in the same order (an initial state, then one of the enabled
 * instances, in instance order, at each step), so a seed gives the same walk either way.
 */
import { FingerprintSet } from '../store/FingerprintSet.js'

/** How a walk ended: it took its steps; it met a state without successors; a state outside the constraint; a violation or an error. */
export const WALKED = 0
export const TERMINAL = 1
export const CONSTRAINED = 2
export const FOUND = 3
/** The walk is not over: the clock passed the time `go` was given (see Walker.go). */
export const PAUSED = 4

/** How many steps a walker takes between two looks at the clock. */
export const CLOCK_STEPS = 256

export interface Walker {
  /** Steps taken over all walks. */
  readonly steps: number
  /** Every state met, by fingerprint (encode/fingerprint.ts) of its packed words. */
  readonly met: FingerprintSet
  /** The states met for the first time, when a parallel simulation collects them (parallel.ts). */
  readonly fresh: Fresh
  /** The reachability goals met. */
  readonly reached: ReadonlySet<string>
  /**
   * The last walk: the index of its initial state (in CompiledSpec.init), then the action instance
   * of each step, `pathLength` entries in all.
   */
  readonly path: Int32Array<ArrayBuffer>
  readonly pathLength: number
  /** Takes one walk of at most `maxSteps` steps, its choices drawn from a generator seeded with `seed`; returns how it ended. */
  walk(seed: number, maxSteps: number): number
  /** Begins the walk that `walk(seed, maxSteps)` takes, without taking a step: `go` takes them. */
  begin(seed: number, maxSteps: number): void
  /**
   * Goes on with the walk begun until it ends (returns how) or, looking every CLOCK_STEPS steps,
   * finds the clock past `until` (ms since the epoch): then returns PAUSED, and the next `go`
   * goes on from there. A walk taken in several `go`s is the walk `walk` takes.
   */
  go(until: number): number
}

/** The record of a walk's choices, sized for walks of `maxSteps` steps. */
export const pathFor = (path: Int32Array<ArrayBuffer>, maxSteps: number): Int32Array<ArrayBuffer> => (path.length > maxSteps ? path : new Int32Array(maxSteps + 1))

/**
 * The fingerprints of the states a walker met for the first time since the last `take`, when
 * `keep` is set: what a walker thread sends so that the states met over all walkers are counted
 * once each.
 */
export class Fresh {
  keep = false
  count = 0
  private lanes = new Uint32Array(1 << 12)

  push(lo: number, hi: number): void {
    if (2 * this.count === this.lanes.length) {
      const more = new Uint32Array(2 * this.lanes.length)
      more.set(this.lanes)
      this.lanes = more
    }
    this.lanes[2 * this.count] = lo
    this.lanes[2 * this.count + 1] = hi
    this.count++
  }

  /** The (lo, hi) pairs kept so far, in a buffer of their own; starts again from none. */
  take(): Uint32Array {
    const out = this.lanes.slice(0, 2 * this.count)
    this.count = 0
    return out
  }
}
