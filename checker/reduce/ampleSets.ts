/**
 * Partial-order reduction for safety properties: at each state, a subset of the enabled action
 * instances (an ample set) whose successors alone are explored, from a stubborn-set closure over
 * the relations of reduce/independence.ts. From one enabled, invisible instance that is not a
 * stutter, the set takes in every instance dependent on an enabled member and every instance that
 * may enable a disabled member; it is kept when it holds no visible enabled instance and fewer enabled instances than
 * the state has. Of the candidates from each enabled instance, the one with fewest enabled
 * instances wins. The cycle proviso is the search's (search/expand.ts): when no successor in the
 * ample set is new, the state is expanded in full, which is sound under breadth-first search.
 *
 * The closure runs in the search's inner loop: typed arrays and stamps, nothing allocated. Where
 * it finds nothing to cut (fewer than one state in a hundred of the first TRIAL with a choice),
 * it stops trying and every later state is expanded in full, which is always sound: on models
 * whose steps all touch shared or observed cells the closures would only cost time.
 */
/** What the closure follows, from the sample of reduce/independence.ts. */
export interface Relations {
  /** Per instance t, `dep[depStart[t]..depStart[t + 1]]`: the instances dependent on t. */
  readonly depStart: Int32Array
  readonly dep: Int32Array
  /** Per instance t, `en[enStart[t]..enStart[t + 1]]`: the instances that may enable t. */
  readonly enStart: Int32Array
  readonly en: Int32Array
  /** 1 for an instance visible to the checked properties. */
  readonly visible: Uint8Array
  /** 1 for an instance that never changed the state in the sample (reduce/independence.ts). */
  readonly stutter: Uint8Array
}

/** States with a choice tried before giving up on a model where ample sets cut nothing. */
const TRIAL = 20_000

export class AmpleSets {
  /** Per instance: `stamp` when it is enabled in the state at hand. */
  private readonly enabledAt: Int32Array
  /** Per instance: `setStamp` when it is in the closure at hand. */
  private readonly inSet: Int32Array
  private readonly stack: Int32Array
  private stamp = 0
  private setStamp = 0
  /** The closure `has` answers for: set by `choose`. */
  private chosen = 0
  /** States with a choice so far, and those given an ample set; whether it gave up. */
  private tried = 0
  private found = 0
  private givenUp = false

  constructor(private readonly rel: Relations) {
    const n = rel.visible.length
    this.enabledAt = new Int32Array(n)
    this.inSet = new Int32Array(n)
    this.stack = new Int32Array(n)
  }

  /**
   * Chooses an ample set among the enabled instances `instances[first..end)`; returns whether one
   * smaller than all of them was found (`has` then tells its members).
   */
  choose(instances: Int32Array, first: number, end: number): boolean {
    const enabled = end - first
    if (enabled < 2 || this.givenUp) return false
    if (++this.tried === TRIAL && this.found * 100 < TRIAL) this.givenUp = true
    if (this.setStamp > 0x3fff0000 || this.stamp > 0x3fff0000) this.restamp()
    const stamp = ++this.stamp
    for (let k = first; k < end; k++) this.enabledAt[instances[k]!] = stamp
    const { visible, stutter } = this.rel
    let best = enabled
    let bestSeed = -1
    for (let k = first; k < end && best > 1; k++) {
      const t = instances[k]!
      // A stutter alone would lead only back to this state, and the proviso would expand it in full.
      if (visible[t] === 1 || stutter[t] === 1) continue
      const size = this.closure(t, best)
      if (size < best) {
        best = size
        bestSeed = t
      }
    }
    if (bestSeed < 0) return false
    this.found++
    this.closure(bestSeed, enabled + 1)
    this.chosen = this.setStamp
    return true
  }

  /** Whether instance `t` is in the ample set `choose` found. */
  has(t: number): boolean {
    return this.inSet[t] === this.chosen
  }

  /**
   * The closure from instance `seed`: the number of enabled instances in it, or `limit` as soon
   * as it reaches that many or takes in a visible enabled instance.
   */
  private closure(seed: number, limit: number): number {
    const { enabledAt, inSet, stack, stamp } = this
    const { depStart, dep, enStart, en, visible } = this.rel
    const set = ++this.setStamp
    let sp = 0
    stack[sp++] = seed
    inSet[seed] = set
    let count = 0
    while (sp > 0) {
      const t = stack[--sp]!
      let list: Int32Array
      let from: number
      let to: number
      if (enabledAt[t] === stamp) {
        if (visible[t] === 1 || ++count >= limit) return limit
        list = dep
        from = depStart[t]!
        to = depStart[t + 1]!
      } else {
        list = en
        from = enStart[t]!
        to = enStart[t + 1]!
      }
      for (let j = from; j < to; j++) {
        const u = list[j]!
        if (inSet[u] !== set) {
          inSet[u] = set
          stack[sp++] = u
        }
      }
    }
    return count
  }

  /** Starts the stamps again before they overflow. */
  private restamp(): void {
    this.enabledAt.fill(0)
    this.inSet.fill(0)
    this.stamp = 0
    this.setStamp = 0
    this.chosen = 0
  }
}
