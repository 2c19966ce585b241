/**
 * The spec of translationTable (models/examples/translationTable.ts): its state, actions, parameters and the
 * helpers its properties share, kept apart so that the properties import them without a circle.
 */
import { t, vars } from '../../../checker/index.js'

export const build = ({ pages, keys, checkSequence }: { pages: number; keys: number; checkSequence: boolean }) => {
  const frames = pages + 1
  const Page = t.index(pages, { name: 'Page' })
  const Frame = t.index(frames, { name: 'Frame' })
  const Key = t.index(keys, { name: 'Key' })
  const { spec, action } = vars({
    keys: t.array(Key, t.enum('free', 'valid')),
    /** The CPU page table: page -> frame, null when not present. */
    cpu: t.array(Page, t.option(Frame)),
    /** The device page table. */
    dev: t.array(Page, t.option(Frame)),
    /** The device page fault in flight per page, if any, and how far it got. */
    fault: t.array(Page, t.enum('idle', 'begun', 'walked')),
    /** The frame the fault's walk found. */
    walked: t.array(Page, t.option(Frame)),
    /** An invalidation ran since the fault took its sequence snapshot. */
    stale: t.array(Page, t.bool()),
  })
  type S = {
    keys: ('free' | 'valid')[]
    cpu: (number | null)[]
    dev: (number | null)[]
    fault: ('idle' | 'begun' | 'walked')[]
    walked: (number | null)[]
    stale: boolean[]
  }
  const isFree = (s: Readonly<S>, f: number) => !s.cpu.includes(f)
  // The notifier's invalidate callback, run before the kernel changes page p's mapping.
  const invalidate = (d: S, p: number) => {
    d.dev[p] = null
    d.fault.forEach((phase, q) => {
      if (phase !== 'idle') d.stale[q] = true
    })
  }
  return spec({
    name: 'translation-table',
    constants: { pages, keys, checkSequence },
    init: {
      keys: Array<'free'>(keys).fill('free'),
      cpu: Array.from({ length: pages }, (_, p) => p),
      dev: Array<null>(pages).fill(null),
      fault: Array<'idle'>(pages).fill('idle'),
      walked: Array<null>(pages).fill(null),
      stale: Array<boolean>(pages).fill(false),
    },
    actions: {
      Register: action(
        { key: Key },
        { guard: (s, { key }) => s.keys[key] === 'free', effect: (d, { key }) => void (d.keys[key] = 'valid'), actor: 'application' },
      ),
      Deregister: action(
        { key: Key },
        { guard: (s, { key }) => s.keys[key] === 'valid', effect: (d, { key }) => void (d.keys[key] = 'free'), actor: 'application' },
      ),
      /** A remote access that misses in the device page table raises a device page fault. */
      Access: action(
        { key: Key, page: Page },
        {
          guard: (s, { key, page }) => s.keys[key] === 'valid' && s.dev[page] === null && s.fault[page] === 'idle',
          effect: (d, { page }) => {
            d.fault[page] = 'begun'
            d.stale[page] = false
          },
          actor: 'peer',
        },
      ),
      /** hmm_range_fault: read the CPU page table, faulting the page in if it is not present. */
      Walk: action(
        { page: Page },
        {
          guard: (s, { page }) => s.fault[page] === 'begun',
          effect: (d, { page }) => {
            if (d.cpu[page] === null) d.cpu[page] = Array.from({ length: frames }, (_, f) => f).find((f) => isFree(d, f))!
            d.walked[page] = d.cpu[page]!
            d.fault[page] = 'walked'
          },
          actor: 'device',
        },
      ),
      /** Under the lock: retry if an invalidation ran since the snapshot, else program the device PTE. */
      Commit: action(
        { page: Page },
        {
          guard: (s, { page }) => s.fault[page] === 'walked',
          effect: (d, { page }) => {
            if (checkSequence && d.stale[page]) {
              d.fault[page] = 'begun'
            } else {
              d.dev[page] = d.walked[page]!
              d.fault[page] = 'idle'
            }
            d.walked[page] = null
            d.stale[page] = false
          },
          actor: 'device',
        },
      ),
      Migrate: action(
        { page: Page, to: Frame },
        {
          guard: (s, { page, to }) => s.cpu[page] !== null && isFree(s, to),
          effect: (d, { page, to }) => {
            invalidate(d, page)
            d.cpu[page] = to
          },
          actor: 'kernel',
        },
      ),
      Evict: action(
        { page: Page },
        {
          guard: (s, { page }) => s.cpu[page] !== null,
          effect: (d, { page }) => {
            invalidate(d, page)
            d.cpu[page] = null
          },
          actor: 'kernel',
        },
      ),
    },
  })
}

export type TranslationTableSpec = ReturnType<typeof build>
