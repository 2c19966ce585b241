/**
 * What partial-order reduction (reduce/ampleSets.ts) knows about a spec's action instances: which
 * pairs are dependent, which instances can enable a disabled one, and which are visible to the
 * checked properties. All of it comes from the cells of the state (its scalar leaves, such as
 * `frames[2].use`, and its set fields) that guards, effects and properties use, recorded on a
 * sample of reachable states before the search: a breadth-first prefix and seeded random walks.
 * Guards, effects and properties run there on recording proxies of decoded states (never in the
 * search itself); an effect's writes are the cells whose packed bits it changed.
 *
 * - Instances t and u are dependent when one changes a cell the other's guard or effect uses.
 * - The instances that may enable a disabled t are those that change a cell t's guard reads.
 * - A cell is visible when an invariant, a reachability goal, the state constraint or an action
 *   property reads it; an instance is visible when it changes a visible cell, or when an action
 *   property that reads the step looked at the states of one of its steps or failed on one (a
 *   property such as `step.action !== 'X' || ...` leaves the other actions invisible).
 * - An action property is stutter-sensitive when it fails on a step that changes none of the
 *   cells it reads: tried on each sampled state s as P(s, s) with a step it must not read. The
 *   reduction skips such steps (an invisible instance changes no visible cell, and the reduced
 *   graph reaches every visible valuation, but not every step that leaves one unchanged), so a
 *   spec with one is searched in full (`stutterSensitive`), and the search tries P(s, s) on
 *   every state it expands as well (search/expand.ts, StutterStep).
 *
 * The sample stops early where half its states or more have a choice and none of those has an
 * ample set (reduce/ampleSets.ts) under the relations recorded so far, judged after the first
 * FIRST states of the prefix and again after the whole prefix: the run then searches without
 * reduction (`ample` 0; run/check.ts says why), which is always sound, and more states, which
 * would only sharpen the relations a reduction relies on, would be recorded for nothing. Like the
 * search's own giving up (reduce/ampleSets.ts), this is a judgement, not a proof: a model whose
 * first states have no ample set but later ones do is searched in full. Otherwise `ample` counts
 * the sampled states with an ample set under the final relations.
 *
 * An instance never enabled in the sample counts as using and writing what the instances of its
 * action did, at every index of the arrays they used (every cell, if none was enabled). A sample is not a proof:
 * a guard or effect that uses a cell only in states the sample missed makes the reduction unsound
 * for that model; the tests compare verdicts with and without reduction on every built-in model
 * and on random ones.
 */
import type { CompiledSpec } from '../compile/compile.js'
import { member } from '../encode/codegen.js'
import { CheckerError } from '../result/errors.js'
import { AmpleSets, type Relations } from './ampleSets.js'

/** The relations (reduce/ampleSets.ts, Relations), with what the sample saw. */
export interface Independence extends Relations {
  /** How many states the sample had. */
  readonly sampled: number
  /**
   * Of the sampled states with a choice (two enabled instances or more), how many, and how many of
   * those have an ample set under these relations (see the header).
   */
  readonly choices: number
  readonly ample: number
  /** The action properties that failed on a sampled stutter P(s, s) (see the header). */
  readonly stutterSensitive: readonly string[]
}

/** The most instances the reduction takes (its relations are kept per pair). */
export const MAX_POR_INSTANCES = 4096
/** The sample: a breadth-first prefix of this many states, then random walks. */
const PREFIX = 1500
/** The states of the prefix after which the sample may stop (see the header). */
const FIRST = 100
const WALKS = 48
const WALK_STEPS = 80

/** Records the spec's relations (see the header); throws a CheckerError for a spec too large. */
export function analyseIndependence(c: CompiledSpec): Independence {
  const { codec, instances } = c
  const n = instances.length
  if (n > MAX_POR_INSTANCES) {
    throw new CheckerError(
      'OPTION_CLASH',
      `Model "${c.spec.name}": partial-order reduction takes at most ${MAX_POR_INSTANCES} action instances, and it has ${n}. Check it without --por.`,
    )
  }
  const cells = new Cells(codec)
  const C = cells.count
  const guardReads = new Uint8Array(n * C)
  const usesSeen = new Uint8Array(n * C)
  const writesSeen = new Uint8Array(n * C)
  const visibleCell = new Uint8Array(C)
  const observedSeen = new Uint8Array(n)
  const enabledSeen = new Uint8Array(n)
  const W = codec.words
  /** A property or guard that throws here is left to the search, which reports it. */
  const quietly = <T>(f: () => T, otherwise: T): T => {
    try {
      return f()
    } catch {
      return otherwise
    }
  }
  const stateReaders = [...c.invariants.map((e) => e[1]), ...c.reachable.map((e) => e[1])]
  const constraint = c.spec.constraint
  if (constraint !== undefined) stateReaders.push(constraint as (s: unknown) => boolean)
  let stepRead = false
  const stepProbes = c.steps.map((step) => ({
    get action() {
      stepRead = true
      return step.action
    },
    get params() {
      stepRead = true
      return step.params
    },
  }))
  const stutterProbe = stutterStep(() => (stepRead = true))
  const stutterSensitive = new Set<string>()
  const next = new Uint32Array(W)

  /** The enabled instances of each sampled state: `enabledList[enabledStart[i]..enabledStart[i + 1]]`. */
  const enabledList: number[] = []
  const enabledStart = [0]

  /** Records everything about state `words`; returns its successors' words. */
  const record = (words: Uint32Array): Uint32Array[] => {
    // Properties and guards only read: one decoded state serves them all, as the parent does in the search.
    const state = codec.decode(words, 0)
    cells.keep(state)
    for (const p of stateReaders) quietly(() => p(cells.recording(state, visibleCell, 0)), true)
    for (const [name, p] of c.actionProperties) {
      stepRead = false
      if (!quietly(() => p(state, state, stutterProbe), true) && !stepRead) stutterSensitive.add(name)
    }
    const out: Uint32Array[] = []
    for (let t = 0; t < n; t++) {
      const { def, params } = instances[t]!
      const guard = def.guard
      const held = guard === undefined || quietly(() => guard(cells.recording(state, guardReads, t * C), params), false)
      if (!held) continue
      enabledSeen[t] = 1
      enabledList.push(t)
      const packed = quietly(() => {
        const draft = codec.decode(words, 0)
        def.effect(cells.recording(draft, usesSeen, t * C), params)
        codec.encode(draft, next, 0)
        return true
      }, false)
      if (!packed) continue
      cells.changed(words, next, writesSeen, t * C)
      out.push(next.slice())
      const after = c.actionProperties.length > 0 ? codec.decode(next, 0) : undefined
      for (const [, p] of c.actionProperties) {
        const read = new Uint8Array(C)
        stepRead = false
        const holds = quietly(() => p(cells.recording(state, read, 0), cells.recording(after, read, 0), stepProbes[t]), false)
        let fromStates = false
        for (let k = 0; k < C; k++) if (read[k] === 1) (visibleCell[k] = 1), (fromStates = true)
        if (stepRead && (fromStates || !holds)) observedSeen[t] = 1
      }
    }
    enabledStart.push(enabledList.length)
    return out
  }

  const relations = () =>
    relationsOf({ instances, cells, guardReads, usesSeen, writesSeen, observedSeen, enabledSeen, visibleCell, sampled, stutterSensitive, enabledList, enabledStart })

  // A breadth-first prefix, then random walks (a fixed seed: the same relations every run).
  const seen = new Set<string>()
  const queue: Uint32Array[] = []
  const inits = c.init.map((s) => {
    const w = new Uint32Array(W)
    codec.encode(s, w, 0)
    return w
  })
  for (const w of inits) if (!seen.has(w.join())) seen.add(w.join()), queue.push(w)
  let sampled = 0
  let cut = false
  let head = 0
  /** Records the prefix up to its `size`th state. */
  const prefix = (size: number) => {
    for (; head < queue.length && sampled < size; head++) {
      sampled++
      for (const s of record(queue[head]!)) {
        const key = s.join()
        if (seen.has(key)) continue
        if (seen.size < PREFIX) seen.add(key), queue.push(s)
        else cut = true
      }
    }
  }
  /** Whether the states recorded are every reachable state, which leaves the sample nothing to find. */
  const whole = () => !cut && sampled === queue.length
  // Where half the states or more have a choice and none an ample set, the sample stops (see the header).
  const enough = (r: Independence) => whole() || (r.ample === 0 && 2 * r.choices >= sampled)
  prefix(FIRST)
  const first = relations()
  if (enough(first)) return first
  prefix(PREFIX)
  const fromPrefix = relations()
  if (enough(fromPrefix)) return fromPrefix
  let seed = 0x2545f491
  const random = (below: number) => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) % below
  }
  for (let walk = 0; walk < WALKS; walk++) {
    let at: Uint32Array = inits[walk % inits.length]!
    for (let step = 0; step < WALK_STEPS; step++) {
      const succ = record(at)
      sampled++
      if (succ.length === 0) break
      at = succ[random(succ.length)]!
    }
  }
  return relations()
}

/** What the sample recorded, per instance and cell (see analyseIndependence). */
interface Recorded {
  readonly instances: CompiledSpec['instances']
  readonly cells: Cells
  readonly guardReads: Uint8Array
  readonly usesSeen: Uint8Array
  readonly writesSeen: Uint8Array
  readonly observedSeen: Uint8Array
  readonly enabledSeen: Uint8Array
  readonly visibleCell: Uint8Array
  readonly sampled: number
  readonly stutterSensitive: ReadonlySet<string>
  /** The enabled instances of each sampled state: `enabledList[enabledStart[i]..enabledStart[i + 1]]`. */
  readonly enabledList: readonly number[]
  readonly enabledStart: readonly number[]
}

/** The relations from what the sample recorded so far (which stays as it is), and the ample sets of its states. */
function relationsOf(r: Recorded): Independence {
  const { instances, cells, guardReads, enabledSeen, visibleCell, sampled, enabledList, enabledStart } = r
  const n = instances.length
  const C = cells.count
  const writes = r.writesSeen.slice()
  const uses = r.usesSeen.slice()
  const observed = r.observedSeen.slice()
  // An instance the sample never saw enabled may use and write what any instance of its action
  // did, at any index; when none did, anything.
  for (let t = 0; t < n; t++) {
    if (enabledSeen[t] === 1) continue
    const siblings = instances.filter((i) => i.action === instances[t]!.action && enabledSeen[i.id] === 1).map((i) => i.id)
    if (siblings.length === 0) {
      writes.fill(1, t * C, (t + 1) * C)
      observed[t] = 1
      continue
    }
    for (const u of siblings) {
      cells.widenInto(writes, u * C, t * C)
      cells.widenInto(uses, u * C, t * C)
      observed[t]! |= observed[u]!
    }
  }
  for (let i = 0; i < n * C; i++) uses[i]! |= guardReads[i]! | writes[i]!

  // An instance whose every sampled step left the state as it was (a stutter, such as an Idle
  // step) leads nowhere new: it takes no part in the relations and is never in an ample set. Not
  // one an action property observes: skipping its steps could skip a step that breaks it.
  const stutter = new Uint8Array(n)
  for (let t = 0; t < n; t++) {
    stutter[t] = enabledSeen[t] === 1 && observed[t] === 0 && writes.subarray(t * C, (t + 1) * C).every((w) => w === 0) ? 1 : 0
  }

  // The relations, through the instances that write and use each cell.
  const byCell = (m: Uint8Array) => {
    const lists: number[][] = Array.from({ length: C }, () => [])
    for (let t = 0; t < n; t++) for (let k = 0; k < C; k++) if (stutter[t] === 0 && m[t * C + k] === 1) lists[k]!.push(t)
    return lists
  }
  const writers = byCell(writes)
  const users = byCell(uses)
  const mark = new Int32Array(n).fill(-1)
  const depLists: number[][] = []
  const enLists: number[][] = []
  for (let t = 0; t < n; t++) {
    const dep: number[] = []
    if (stutter[t] === 1) {
      depLists.push(dep)
      enLists.push([])
      continue
    }
    const en: number[] = []
    const add = (list: number[], from: readonly number[]) => {
      for (const u of from) if (u !== t && mark[u] !== t) (mark[u] = t), list.push(u)
    }
    for (let k = 0; k < C; k++) {
      if (writes[t * C + k] === 1) add(dep, users[k]!)
      if (uses[t * C + k] === 1) add(dep, writers[k]!)
    }
    mark.fill(-1)
    for (let k = 0; k < C; k++) if (guardReads[t * C + k] === 1) add(en, writers[k]!)
    mark.fill(-1)
    depLists.push(dep)
    enLists.push(en)
  }
  const visible = new Uint8Array(n)
  for (let t = 0; t < n; t++) {
    visible[t] = observed[t]!
    for (let k = 0; k < C && visible[t] === 0; k++) if (writes[t * C + k] === 1 && visibleCell[k] === 1) visible[t] = 1
  }
  const csr = (lists: number[][]) => {
    const start = new Int32Array(lists.length + 1)
    for (let t = 0; t < lists.length; t++) start[t + 1] = start[t]! + lists[t]!.length
    return { start, list: Int32Array.from(lists.flat()) }
  }
  const d = csr(depLists)
  const e = csr(enLists)
  const rel = { depStart: d.start, dep: d.list, enStart: e.start, en: e.list, visible, stutter, sampled, stutterSensitive: [...r.stutterSensitive] }
  // The sampled states with a choice, and those with an ample set under these relations.
  const ampleSets = new AmpleSets(rel)
  const enabled = Int32Array.from(enabledList)
  let choices = 0
  let ample = 0
  for (let i = 0; i + 1 < enabledStart.length; i++) {
    if (enabledStart[i + 1]! - enabledStart[i]! < 2) continue
    choices++
    if (ampleSets.choose(enabled, enabledStart[i]!, enabledStart[i + 1]!)) ample++
  }
  return { ...rel, choices, ample }
}

/**
 * The step passed to an action property tried on a stutter P(s, s): it names no action, and
 * `read` is called when the property looks at it (its verdict then depends on the step, which the
 * visibility of instances covers).
 */
export function stutterStep(read: () => void): { readonly action: string; readonly params: Readonly<Record<string, unknown>> } {
  return {
    get action() {
      read()
      return ''
    },
    get params() {
      read()
      return {}
    },
  }
}

/**
 * The cells of a state: its scalar leaves and its set and map fields, numbered, with the proxies that
 * record which cells code reads or writes, and the comparison of packed states cell by cell.
 */
class Cells {
  readonly count: number
  private readonly cellOf = new Map<string, number>()
  private readonly paths: string[] = []
  private readonly sets = new Set<string>()
  /** Per cell, its bit fields in the packed words. */
  private readonly bits: { readonly cell: number; readonly word: number; readonly shift: number; readonly width: number }[] = []
  /** Per word, the bits no cell covers (an option of a record's null flag). */
  private readonly uncovered: Uint32Array
  /** The cells under a path that is not a cell (a container), by path. */
  private readonly under = new Map<string, readonly number[]>()
  /** Per cell, the cells whose paths differ from its path in indices only. */
  private readonly samePattern: readonly (readonly number[])[]

  constructor(codec: CompiledSpec['codec']) {
    const cellFor = (path: string) => {
      let k = this.cellOf.get(path)
      if (k === undefined) {
        k = this.paths.length
        this.cellOf.set(path, k)
        this.paths.push(path)
      }
      return k
    }
    const covered = new Uint32Array(codec.words)
    // A map is one cell: its pairs sit at positions that are not its keys' slots.
    const mapOf = (path: string) => codec.mapPaths.find((m) => path.startsWith(`${m}[`)) ?? path
    for (const leaf of [...codec.leaves, ...codec.setLeaves]) {
      const cell = cellFor(mapOf(leaf.path))
      this.bits.push({ cell, word: leaf.word, shift: leaf.shift, width: leaf.width })
      covered[leaf.word]! |= leaf.width === 32 ? 0xffffffff : ((2 ** leaf.width - 1) << leaf.shift) >>> 0
    }
    for (const leaf of codec.setLeaves) this.sets.add(leaf.path)
    for (const path of codec.mapPaths) this.sets.add(path)
    this.uncovered = covered.map((m) => ~m >>> 0)
    this.count = this.paths.length
    const pattern = this.paths.map((p) => p.replace(/\[\d+\]/g, '[*]'))
    this.samePattern = pattern.map((p) => pattern.flatMap((q, j) => (q === p ? [j] : [])))
  }

  /** Marks in `into[at..]` the cells that differ between packed states `a` and `b`. */
  changed(a: Uint32Array, b: Uint32Array, into: Uint8Array, at: number): void {
    for (const { cell, word, shift, width } of this.bits) {
      const mask = width === 32 ? 0xffffffff : 2 ** width - 1
      if (((a[word]! >>> shift) & mask) !== ((b[word]! >>> shift) & mask)) into[at + cell] = 1
    }
    for (let w = 0; w < a.length; w++) if (((a[w]! ^ b[w]!) & this.uncovered[w]!) !== 0) into.fill(1, at, at + this.count)
  }

  /**
   * Marks in `into[to..]` every cell whose path is that of a cell marked in `into[from..]` with
   * any indices (`frames[*].use` for `frames[2].use`).
   */
  widenInto(into: Uint8Array, from: number, to: number): void {
    for (let k = 0; k < this.count; k++) {
      if (into[from + k] === 1) for (const j of this.samePattern[k]!) into[to + j] = 1
    }
  }

  /**
   * `state` behind a proxy that marks in `into[at..]` every cell read or written through it, until
   * the next call. The proxies of the state last given to `keep` are kept and mark where the latest
   * call says, so that the guards of every instance read one decoded state through the same proxies.
   */
  recording<T>(state: T, into: Uint8Array, at: number): T {
    this.into = into
    this.at = at
    this.keeping = state === this.kept
    return this.wrap(state as object, '') as T
  }

  /** Keeps the proxies of `state` (and of the objects in it) from now on, and forgets the last one's. */
  keep(state: unknown): void {
    this.kept = state
    this.proxies.clear()
  }

  private into: Uint8Array = new Uint8Array(0)
  private at = 0
  private kept: unknown
  private keeping = false
  private readonly proxies = new Map<object, { readonly path: string; readonly proxy: object }>()
  /** Per container path, per key: the child's path and the cells reading or writing it marks. */
  private readonly children = new Map<string, Map<string, Child>>()
  private readonly handlers = new Map<string, ProxyHandler<any>>()

  /** The proxy of `target` at `path` (an object an effect moved elsewhere gets one for its new path). */
  private wrap(target: object, path: string): object {
    if (!this.keeping) return new Proxy(target, this.handler(path))
    const kept = this.proxies.get(target)
    if (kept !== undefined && kept.path === path) return kept.proxy
    const proxy = new Proxy(target, this.handler(path))
    this.proxies.set(target, { path, proxy })
    return proxy
  }

  private handler(path: string): ProxyHandler<any> {
    let h = this.handlers.get(path)
    if (h !== undefined) return h
    // A sequence's length is a cell of its own (`q.length`); an array's is fixed.
    const length = this.cellOf.get(`${path}.length`)
    h = {
      get: (o, key, receiver) => {
        const value = Reflect.get(o, key, receiver)
        const array = Array.isArray(o)
        if (array && key === 'length' && length !== undefined) this.into[this.at + length] = 1
        if (typeof key === 'symbol' || (array && key === 'length') || typeof value === 'function') return value
        const child = this.child(path, key, array)
        if (!child.set && value !== null && typeof value === 'object') return this.wrap(value, child.path)
        this.mark(child)
        return value
      },
      set: (o, key, value, receiver) => {
        const array = Array.isArray(o)
        if (array && key === 'length' && length !== undefined) this.into[this.at + length] = 1
        if (typeof key !== 'symbol' && !(array && key === 'length')) this.mark(this.child(path, key, array))
        return Reflect.set(o, key, value, receiver)
      },
    }
    this.handlers.set(path, h)
    return h
  }

  private child(path: string, key: string, array: boolean): Child {
    let byKey = this.children.get(path)
    if (byKey === undefined) this.children.set(path, (byKey = new Map()))
    let child = byKey.get(key)
    if (child === undefined) {
      const at = path === '' ? key : array ? `${path}[${key}]` : `${path}${member(key)}`
      const cell = this.cellOf.get(at)
      child = { path: at, set: this.sets.has(at), cells: cell !== undefined ? [cell] : this.cellsUnder(at) }
      byKey.set(key, child)
    }
    return child
  }

  private mark(child: Child): void {
    const { into, at } = this
    for (const k of child.cells) into[at + k] = 1
  }

  /** The cells under a container's path; every cell for a path that names none. */
  private cellsUnder(path: string): readonly number[] {
    let cells = this.under.get(path)
    if (cells === undefined) {
      cells = this.paths.flatMap((p, k) => (p.startsWith(`${path}.`) || p.startsWith(`${path}[`) ? [k] : []))
      if (cells.length === 0) cells = this.paths.map((_, k) => k)
      this.under.set(path, cells)
    }
    return cells
  }
}

/** A member of a container, as the recording proxies see it. */
interface Child {
  readonly path: string
  /** Whether it is a set field (a cell of its own, never looked into). */
  readonly set: boolean
  readonly cells: readonly number[]
}
