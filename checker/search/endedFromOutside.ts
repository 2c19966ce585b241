/**
 * What a run says when a thread running the model's code had to be ended from outside (past its
 * time limit, or on a second Ctrl-C): the search thread of the command line (cli/searchThread.ts)
 * and the walker threads of a simulation (simulate/parallel.ts) say it alike.
 */

/** The warning's first sentence: the `run` ('search' or 'simulation') was ended from outside because `why`. */
export function endedFromOutsideWarning(run: 'search' | 'simulation', why: string): string {
  return `The ${run} was ended from outside because ${why}: the model's code (a guard, an effect or a property) may be in an endless loop.`
}
