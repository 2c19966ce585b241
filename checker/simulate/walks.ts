/**
 * One walker's share of a simulation: walks 0, 1, ... of its seed, each drawn from its own
 * generator (seeds.ts), taken a slice of time at a time so that whoever runs them (simulate.ts in
 * this thread, a walker thread in parallel.ts) can look at the clock, a stop signal and its
 * messages in between.
 */
import type { CompiledSpec } from '../compile/compile.js'
import { FastWalker } from './fastWalk.js'
import { runSeed } from './seeds.js'
import { StrictWalker } from './strictWalk.js'
import { CONSTRAINED, FOUND, TERMINAL, type Walker } from './walker.js'

export class Walks {
  readonly walker: Walker
  /** Walks finished, including one that found something. */
  done = 0
  terminal = 0
  constrained = 0
  /** The walk that found a violation or an error, once one has. */
  found: { readonly run: number; readonly stepsBefore: number } | undefined

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

  /** Takes walks until none is left, one finds something, or the clock passes `until` (ms since the epoch). */
  slice(until: number): void {
    const { walker, maxSteps } = this
    while (this.more) {
      const run = this.done
      const stepsBefore = walker.steps
      const end = walker.walk(runSeed(this.seed, run), maxSteps)
      this.done++
      if (end === TERMINAL) this.terminal++
      else if (end === CONSTRAINED) this.constrained++
      else if (end === FOUND) this.found = { run, stepsBefore }
      if (Date.now() >= until) return
    }
  }
}
