/**
 * One walker's share of a simulation: walks 0, 1, ... of its seed, each drawn from its own
 * generator (seeds.ts), taken a slice of time at a time so that whoever runs them (simulate.ts in
 * this thread, a walker thread in parallel.ts) can look at the clock, a stop signal and its
 * messages in between. A slice may end within a walk (a walk of a million steps takes seconds):
 * the next goes on with it.
 */
import type { CompiledSpec } from '../compile/compile.js'
import { FastWalker } from './fastWalk.js'
import { runSeed } from './seeds.js'
import { StrictWalker } from './strictWalk.js'
import { CONSTRAINED, FOUND, PAUSED, TERMINAL, type Walker } from './walker.js'

export class Walks {
  readonly walker: Walker
  /** Walks finished, including one that found something. */
  done = 0
  terminal = 0
  constrained = 0
  /** The walk that found a violation or an error, once one has. */
  found: { readonly run: number; readonly stepsBefore: number } | undefined
  /** Whether walk `done` is under way (paused at the end of a slice), and the steps taken before it. */
  private walking = false
  private stepsBefore = 0

  constructor(
    c: CompiledSpec,
    readonly seed: number,
    readonly runs: number,
    readonly maxSteps: number,
    strict: boolean,
  ) {
    this.walker = strict ? new StrictWalker(c) : new FastWalker(c)
  }

  /** Whether walks are left to take. */
  get more(): boolean {
    return this.done < this.runs && this.found === undefined
  }

  /** Takes walks until none is left, one finds something, or the clock passes `until` (ms since the epoch), within a walk too. */
  slice(until: number): void {
    const { walker, maxSteps } = this
    while (this.more) {
      if (!this.walking) {
        this.stepsBefore = walker.steps
        walker.begin(runSeed(this.seed, this.done), maxSteps)
        this.walking = true
      }
      const end = walker.go(until)
      if (end === PAUSED) return
      this.walking = false
      if (end === TERMINAL) this.terminal++
      else if (end === CONSTRAINED) this.constrained++
      else if (end === FOUND) this.found = { run: this.done, stepsBefore: this.stepsBefore }
      this.done++
      if (Date.now() >= until) return
    }
  }
}
