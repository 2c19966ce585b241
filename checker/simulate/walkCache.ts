/**
 * What the fast walker (fastWalk.ts) remembers of the states and steps it took, so that taking
 * them again costs a lookup. Random walks from the same initial states go through the same states
 * again and again (on the page-migration bench instance, 19 steps in 20 reach a state met
 * before); a state's guards, and a step's effect and properties, are functions of the state alone
 * (model code must be deterministic for a trace to replay), so their outcome the first time is
 * their outcome every time:
 * - per state: which instances are enabled there (a bit per instance), kept once the state
 *   constraint held and every guard ran without throwing;
 * - per step (state, instance): the successor's words, kept once the effect ran, the successor
 *   packed (its type checked), and the invariants held on it and the action properties on the step.
 *
 * A walker taking a remembered step skips all of that: it walks exactly as the strict walker
 * (test/simulate/sameWalk.test.ts) and only finds what a first visit would have found.
 *
 * Both tables are keyed by the whole packed state (never by fingerprint alone, so a hit is
 * exact) and direct-mapped: a slot per hash, a newer entry replacing an older one, so that their
 * memory is bounded (BYTES each) whatever the walk length.
 */

/** The most bytes of each table. */
const BYTES = 4 << 20
const MAX_SLOTS = 1 << 16
const MIN_SLOTS = 1 << 10

/** Slots of `stride` words in at most BYTES, a power of two. */
function slotsFor(stride: number): number {
  let slots = MAX_SLOTS
  while (slots > MIN_SLOTS && slots * stride * 4 > BYTES) slots >>>= 1
  return slots
}

export class WalkCache {
  /** Per state slot: 1 when used, the state's W words, its M words of enabled bits. */
  private readonly states: Uint32Array
  private readonly stateStride: number
  private readonly stateMask: number
  /** Per step slot: the instance + 1 (0: unused), the state's W words, the successor's W words. */
  private readonly steps: Int32Array
  private readonly stepStride: number
  private readonly stepMask: number
  /** Where the last `enabledAt` hit or `keepEnabled` may write: the slot's first enabled-bit word. */
  private at = 0

  constructor(
    private readonly W: number,
    private readonly M: number,
  ) {
    this.stateStride = 1 + W + M
    const stateSlots = slotsFor(this.stateStride)
    this.stateMask = stateSlots - 1
    this.states = new Uint32Array(stateSlots * this.stateStride)
    this.stepStride = 1 + 2 * W
    const stepSlots = slotsFor(this.stepStride)
    this.stepMask = stepSlots - 1
    this.steps = new Int32Array(stepSlots * this.stepStride)
  }

  /**
   * How many instances are enabled in the state packed at `words` (hash `h`), or -1 when it is
   * not remembered; on a hit, `pick` then finds them.
   */
  enabledAt(words: Uint32Array, h: number): number {
    const { states, W, M } = this
    const base = (h & this.stateMask) * this.stateStride
    if (states[base] === 0) return -1
    for (let i = 0; i < W; i++) if (states[base + 1 + i] !== words[i]) return -1
    const at = (this.at = base + 1 + W)
    let n = 0
    for (let j = 0; j < M; j++) n += bitCount(states[at + j]!)
    return n
  }

  /** The `r`-th (from 0) instance enabled in the state of the last `enabledAt` hit, in instance order. */
  pick(r: number): number {
    const { states, at } = this
    for (let j = 0; ; j++) {
      let m = states[at + j]!
      const c = bitCount(m)
      if (r < c) {
        for (; r > 0; r--) m &= m - 1
        return 32 * j + 31 - Math.clz32(m & -m)
      }
      r -= c
    }
  }

  /** Remembers that the `n` instances `enabled[0..n)` are those enabled in the state packed at `words` (hash `h`). */
  keepEnabled(words: Uint32Array, h: number, enabled: Int32Array, n: number): void {
    const { states, W, M } = this
    const base = (h & this.stateMask) * this.stateStride
    states[base] = 1
    for (let i = 0; i < W; i++) states[base + 1 + i] = words[i]!
    const at = base + 1 + W
    for (let j = 0; j < M; j++) states[at + j] = 0
    for (let k = 0; k < n; k++) states[at + (enabled[k]! >>> 5)]! |= 1 << (enabled[k]! & 31)
  }

  /** Writes to `out` the successor of the state packed at `words` (hash `h`) by instance `inst`; returns false when not remembered. */
  successor(words: Uint32Array, h: number, inst: number, out: Uint32Array): boolean {
    const { steps, W } = this
    const base = (stepHash(h, inst) & this.stepMask) * this.stepStride
    if (steps[base] !== inst + 1) return false
    for (let i = 0; i < W; i++) if (steps[base + 1 + i] !== (words[i]! | 0)) return false
    for (let i = 0; i < W; i++) out[i] = steps[base + 1 + W + i]!
    return true
  }

  /** Remembers that instance `inst` takes the state packed at `words` (hash `h`) to the one packed at `next`. */
  keepSuccessor(words: Uint32Array, h: number, inst: number, next: Uint32Array): void {
    const { steps, W } = this
    const base = (stepHash(h, inst) & this.stepMask) * this.stepStride
    steps[base] = inst + 1
    for (let i = 0; i < W; i++) {
      steps[base + 1 + i] = words[i]!
      steps[base + 1 + W + i] = next[i]!
    }
  }
}

const stepHash = (h: number, inst: number): number => {
  const x = Math.imul(h ^ Math.imul(inst + 1, 0x9e3779b1), 0x85ebca6b)
  return x ^ (x >>> 15)
}

function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24)
}
