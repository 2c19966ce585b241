/** The translation table's promises: the device never translates to a frame the page has left. */
import { properties } from '../../checker/index.js'
import type { TranslationTableSpec } from '../../models/examples/specs/translationTable.js'

export default properties<TranslationTableSpec, { pages: number; keys: number; checkSequence: boolean }>()(() => ({
  invariants: {
    /** Every device translation is the CPU's current one. */
    Coherent: (s) => s.dev.every((f, p) => f === null || f === s.cpu[p]),
    /** No frame backs two pages. */
    FramesExclusive: (s) => {
      const used = s.cpu.filter((f) => f !== null)
      return new Set(used).size === used.length
    },
  },
  actionProperties: {
    /** A commit installs the frame the page has now, not the one it had when the fault walked. */
    CommitInstallsCurrentFrame: (s, next, step) =>
      step.action !== 'Commit' || next.dev[step.params.page] === null || next.dev[step.params.page] === s.cpu[step.params.page],
  },
  reachable: {
    /** A vacuity guard: the device gets to map a page at all. */
    SomePageMapped: (s) => s.dev.some((f) => f !== null),
  },
  docs: {
    Coherent: 'Every device translation is the CPU page table entry of the same page.',
    FramesExclusive: 'No frame backs two pages.',
    CommitInstallsCurrentFrame: 'A fault commit installs the current frame of the page.',
    SomePageMapped: 'The device maps a page in some reachable state.',
  },
}))
