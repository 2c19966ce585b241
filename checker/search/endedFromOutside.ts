/**
 * A thread running the model's code that had to be ended from outside (past its time limit, or on
 * a second Ctrl-C): how long past its time limit it is given first, and what the run says then.
 * The search thread of the command line (cli/searchThread.ts) and the walker threads of a
 * simulation (simulate/parallel.ts) share both.
 */

/** Time given past a time limit for a thread running the model's code to end by itself, before it is ended from outside. */
export const graceMs = (timeoutMs: number): number => Math.max(5000, timeoutMs / 10)

/** The warning's first sentence: the `run` ('search' or 'simulation') was ended from outside because `why`. */
export function endedFromOutsideWarning(run: 'search' | 'simulation', why: string): string {
  return `The ${run} was ended from outside because ${why}: the model's code (a guard, an effect or a property) may be in an endless loop.`
}
