/**
 * The fast walker (walker.ts): walks on packed states, as the search expands them
 * (search/expand.ts). The current state is packed in `words` and decoded into a reused scratch
 * object (encode/scratchState.ts) for the guards, the constraint and the invariants; the chosen
 * effect runs on a reused successor object begun from those words (encode/successor.ts), which is
 * packed (and so type-checked) into the other half of a pair of buffers that then trade places.
 * Nothing is allocated per step but what the model's own code allocates. A state or step met before
 * costs a lookup instead (walkCache.ts): its enabled instances, or its successor, as remembered,
 * with nothing run and nothing decoded.
 *
 * It only tells that a walk found something (FOUND): the strict walker walks that walk again to
 * say what, with the states of the trace (simulate.ts). Its choices are the strict walker's (the
 * same generator, drawn in the same order), which test/simulate/sameWalk.test.ts checks on every
 * built-in model and on random specs.
 */
import type { CompiledSpec } from '../compile/compile.js'
import { fingerprint } from '../encode/fingerprint.js'
import type { ScratchState } from '../encode/scratchState.js'
import { compileDispatch, type Dispatch } from '../search/dispatch.js'
import { FingerprintSet } from '../store/FingerprintSet.js'
import { WalkCache } from './walkCache.js'
import { CLOCK_STEPS, CONSTRAINED, FOUND, PAUSED, TERMINAL, WALKED, Fresh, pathFor, type Walker } from './walker.js'

/** Writes the ids of the instances enabled in state `s` to `out`, in instance order; returns how many. */
type Enabled = (s: unknown, out: Int32Array) => number
/** Runs the effect of instance `inst` on successor `next`; returns what the effect returned. */
type Effect = (inst: number, next: unknown) => unknown

export class FastWalker implements Walker {
  steps = 0
  readonly met = new FingerprintSet()
  readonly fresh = new Fresh()
  readonly reached = new Set<string>()
  path = new Int32Array(1)
  pathLength = 0

  private readonly W: number
  private words: Uint32Array
  private nextWords: Uint32Array
  private readonly fp = new Uint32Array(2)
  private readonly current: ScratchState
  private readonly next: unknown
  private readonly enabledBuf: Int32Array
  private readonly enabled: Enabled
  private readonly effect: Effect
  private readonly invariant: Dispatch
  private readonly actionProperty: Dispatch
  private readonly goal: Dispatch
  private readonly goalReached: Uint8Array
  private readonly cache: WalkCache
  /** The walk begun: its generator's state, its steps taken (-1: not even its initial state), its most steps. */
  private rng = 0
  private k = -1
  private maxSteps = 0

  constructor(private readonly c: CompiledSpec) {
    const { codec, instances } = c
    this.W = codec.words
    this.words = new Uint32Array(this.W)
    this.nextWords = new Uint32Array(this.W)
    this.current = codec.scratch()
    this.next = codec.successor()
    this.enabledBuf = new Int32Array(Math.max(1, instances.length))
    this.enabled = compileEnabled(c)
    this.effect = compileEffect(c)
    this.invariant = compileDispatch(c.invariants.map((e) => e[1]))
    this.actionProperty = compileDispatch(c.actionProperties.map((e) => e[1]))
    this.goal = compileDispatch(c.reachable.map((e) => e[1]))
    this.goalReached = new Uint8Array(c.reachable.length)
    this.cache = new WalkCache(this.W, Math.ceil(instances.length / 32))
  }

  walk(seed: number, maxSteps: number): number {
    this.begin(seed, maxSteps)
    return this.go(Infinity)
  }

  begin(seed: number, maxSteps: number): void {
    this.path = pathFor(this.path, maxSteps)
    this.rng = seed >>> 0
    this.maxSteps = maxSteps
    this.k = -1
  }

  go(until: number): number {
    try {
      return this.steps_(until)
    } catch {
      // Model code threw or left its type: the strict walker says where and why.
      return FOUND
    }
  }

  private steps_(until: number): number {
    const { c, current, next, enabledBuf, effect, actionProperty, cache, path, maxSteps } = this
    const { codec, steps: stepObjects } = c
    const constraint = c.spec.constraint
    const checkSteps = c.actionProperties.length > 0
    // mulberry32, as seeds.ts's randomSource, inline.
    let a = this.rng
    const random = () => {
      a = (a + 0x6d2b79f5) >>> 0
      let x = a
      x = Math.imul(x ^ (x >>> 15), x | 1)
      x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296
    }
    // Whether `current` holds the state at `words`: decoded only for a state or step not remembered.
    let decoded = false
    if (this.k < 0) {
      const start = Math.floor(random() * c.init.length)
      path[0] = start
      this.pathLength = 1
      this.k = 0
      codec.encode(c.init[start], this.words, 0)
      codec.decodeInto(current, this.words, 0)
      decoded = true
      if (this.visit(current.state, this.words)) return FOUND
    }
    for (let k = this.k; k < maxSteps; k++) {
      const words = this.words
      const h = this.fp[1]!
      let n = cache.enabledAt(words, h)
      const known = n >= 0
      if (!known) {
        if (!decoded) codec.decodeInto(current, words, 0)
        decoded = true
        if (constraint !== undefined && !constraint(current.state)) return CONSTRAINED
        n = this.enabled(current.state, enabledBuf)
        cache.keepEnabled(words, h, enabledBuf, n)
      }
      if (n === 0) return c.spec.checkDeadlock ? FOUND : TERMINAL
      const r = Math.floor(random() * n)
      const inst = known ? cache.pick(r) : enabledBuf[r]!
      path[this.pathLength++] = inst
      const out = this.nextWords
      if (cache.successor(words, h, inst, out)) {
        this.steps++
        this.count(out)
      } else {
        if (!decoded) codec.decodeInto(current, words, 0)
        const s = current.state
        codec.begin(next, words, 0)
        if (effect(inst, next) !== undefined) return FOUND
        this.steps++
        codec.pack(next, out, 0)
        if (this.visit(next, out)) return FOUND
        if (checkSteps) {
          for (let i = 0; i < c.actionProperties.length; i++) if (!actionProperty(i, s, next, stepObjects[inst])) return FOUND
        }
        cache.keepSuccessor(words, h, inst, out)
      }
      decoded = false
      this.nextWords = words
      this.words = out
      if (k % CLOCK_STEPS === CLOCK_STEPS - 1 && k + 1 < maxSteps && Date.now() >= until) {
        this.rng = a
        this.k = k + 1
        return PAUSED
      }
    }
    // A write outside an array stays on the reused successor: the strict walk of this walk says where.
    return codec.strayWrite(next) === undefined ? WALKED : FOUND
  }

  /** Counts the state packed at `words` among those met. */
  private count(words: Uint32Array): void {
    const { fp } = this
    fingerprint(words, 0, this.W, fp)
    if (this.met.add(fp[0]!, fp[1]!) && this.fresh.keep) this.fresh.push(fp[0]!, fp[1]!)
  }

  /** Counts state `s`, packed at `words`, then checks the invariants and the goals; returns whether an invariant broke. */
  private visit(s: unknown, words: Uint32Array): boolean {
    const { c, invariant, goal, goalReached } = this
    this.count(words)
    for (let i = 0; i < c.invariants.length; i++) if (!invariant(i, s)) return true
    for (let g = 0; g < goalReached.length; g++) {
      if (goalReached[g] === 0 && goal(g, s)) {
        goalReached[g] = 1
        this.reached.add(c.reachable[g]![0])
      }
    }
    return false
  }
}

/**
 * The enabled instances, compiled per spec with one loop per action, so that each guard has a
 * call site of its own (see search/firstPass.ts for why).
 */
function compileEnabled(c: CompiledSpec): Enabled {
  const { instances } = c
  const loops: string[] = []
  const guards: unknown[] = []
  for (let lo = 0; lo < instances.length; ) {
    let hi = lo
    while (hi < instances.length && instances[hi]!.action === instances[lo]!.action) hi++
    const guard = instances[lo]!.def.guard
    if (guard === undefined) loops.push(`  for (let i = ${lo}; i < ${hi}; i++) out[n++] = i;`)
    else {
      loops.push(`  for (let i = ${lo}; i < ${hi}; i++) if (g${guards.length}(s, P[i])) out[n++] = i;`)
      guards.push(guard)
    }
    lo = hi
  }
  const names = guards.map((_, i) => `g${i}`)
  const source = `return function enabled(s, out) {\n  let n = 0;\n${loops.join('\n')}\n  return n;\n}`
  return new Function(...names, 'P', source)(...guards, instances.map((i) => i.params))
}

/** The effect of an instance, through a `switch` on its action, so that each effect has a call site of its own. */
function compileEffect(c: CompiledSpec): Effect {
  const { instances } = c
  const effects: unknown[] = c.actionNames.map(() => undefined)
  const cases: string[] = []
  for (const inst of instances) {
    if (effects[inst.action] === undefined) {
      effects[inst.action] = inst.def.effect
      cases.push(`    case ${inst.action}: return e${inst.action}(next, P[inst]);`)
    }
  }
  const names = effects.map((_, i) => `e${i}`)
  const source = `return function effect(inst, next) {\n  switch (A[inst]) {\n${cases.join('\n')}\n  }\n}`
  return new Function(...names, 'P', 'A', source)(...effects, instances.map((i) => i.params), Int32Array.from(instances, (i) => i.action))
}
