/**
 * Doubling an open-addressing table where it is. The exact store's slots (StateTable.ts) are a
 * linear-probing table of a power-of-two size whose array reserves room to double (so do the
 * partitions of the set parallel workers share, SharedStateSet.ts, though they grow otherwise):
 * only the new half is then written for the first time, where a new table would write twice the
 * final table's pages (about 3 ms a MiB on the machine of bench/README.md), and the old and the
 * new table never take memory side by side.
 *
 * With one more bit of mask, an entry's first slot either stays or moves up by S, the old slot
 * count. The entries are taken out and put back in the order of their slots, starting after an
 * empty slot, so that each run of full slots is taken from its start. Then each probe passes only
 * slots already put back, or slots of the new half, which nothing empties, so every entry stays
 * reachable from its first slot: an entry of a run that does not wrap around the end of the old
 * slots lands at or before the slot it left or, if it moves, in the new half at most S above it
 * (the entries of its run that moved before it took at most the slots between); the run that
 * wraps around the end is taken last, and lands on slots already put back or in the new half.
 * Each entry lands within its run's slots or their copy S above, so runs taken by different
 * threads never write the same slot.
 */

/**
 * The most address space one table's buffer may reserve: a bigger reservation could pass what the
 * system lets a process map (a 32 GiB buffer failed on the machine of bench/README.md), and a
 * typed array's length. Tables this big reserve less, down to no room at all (they then move to a
 * new buffer at every doubling, as they would without a reservation).
 */
const MOST_RESERVED_BYTES = 2 ** 30

/** How many times its size in use a table of `bytes` reserves: 16, fewer for big tables, at least 1. */
export function reserveFor(bytes: number): number {
  return Math.max(1, Math.min(16, Math.floor(MOST_RESERVED_BYTES / bytes)))
}

/**
 * Takes out and puts back, for twice the `slots` (S), the entries at positions `from` + 1 to `to`
 * (slot = position modulo S; `from` an empty slot, `to` an empty slot or `from` + S). A slot is
 * `stride` words; a slot is empty when its first word is 0, and its hash is its word `hashAt`.
 * The array must hold 2S slots, the last S of them zero when the first doubling slice starts.
 */
export function putBackDoubled(t: Int32Array, stride: number, hashAt: number, slots: number, from: number, to: number): void {
  const oldMask = slots - 1
  const mask = 2 * slots - 1
  const entry = new Int32Array(stride)
  for (let p = from + 1; p <= to; p++) {
    const base = (p & oldMask) * stride
    if (t[base] === 0) continue
    for (let i = 0; i < stride; i++) entry[i] = t[base + i]!
    t[base] = 0
    let slot = entry[hashAt]! & mask
    while (t[slot * stride] !== 0) slot = (slot + 1) & mask
    for (let i = 0; i < stride; i++) t[slot * stride + i] = entry[i]!
  }
}

/** The first empty slot at or after position `p` (a position: counting past the last slot on from the first). */
export function emptyFrom(t: Int32Array, stride: number, slots: number, p: number): number {
  while (t[(p & (slots - 1)) * stride] !== 0) p++
  return p
}
