/**
 * The memory budget of a search: how many bytes its visited set, queue and trace records may
 * hold. When the next growth would pass it, an exact search either switches to fingerprints
 * (`store: 'auto'`) or stops with an incomplete result (stopReason 'memory'): never a crash, and
 * never the operating system's out-of-memory killer.
 */
import { totalmem } from 'node:os'

export const MiB = 1024 * 1024

/** The budget in bytes for `memoryMiB` (SearchOptions.memoryMiB); without one, half of the machine's physical memory. */
export const memoryBudget = (memoryMiB: number | undefined): number =>
  memoryMiB !== undefined ? memoryMiB * MiB : Math.floor(totalmem() / 2)

/** A budget past the machine's memory protects nothing: the system may kill the run before it is reached. */
export const budgetPastMemory = (memoryMiB: number | undefined): string | undefined =>
  memoryMiB === undefined || memoryMiB * MiB <= totalmem()
    ? undefined
    : `The memory budget (${memoryMiB.toLocaleString('en-US')} MiB) is more than this machine's memory ` +
      `(${Math.floor(totalmem() / MiB).toLocaleString('en-US')} MiB): the system may stop the search before the budget does.`

/** What a search stopped for lack of memory says: how far it got, and what held the memory. */
export const memoryStopWarning = (distinct: number, heldBytes: number, budget: number, exactOnly: boolean): string =>
  `The search ran out of memory at ${distinct.toLocaleString('en-US')} distinct states: its visited set, queue and ` +
  `trace records hold ${(heldBytes / MiB).toFixed(1)} MiB and could not grow within the budget of ` +
  `${(budget / MiB).toFixed(1)} MiB. Give it more (--memory, memoryMiB)` +
  `${exactOnly ? ', or let it turn to fingerprints (--store auto)' : ''}.`

/** Thrown by a store that cannot take one more state within the budget. */
export class MemoryExhausted extends Error {
  constructor(what: string) {
    super(`${what} is full: the memory budget does not allow it to grow`)
  }
}

/** Whether an allocation error means "out of memory" (as opposed to a bug). */
export const isOutOfMemory = (e: unknown): boolean =>
  e instanceof MemoryExhausted ||
  (e instanceof RangeError && /allocation failed|Invalid typed array length|Array buffer allocation/i.test(e.message))
