/**
 * The first pass of an expansion (engine/expand.ts): every enabled instance's successor, restored
 * from the parent, changed by its effect, packed and fingerprinted, in instance order.
 *
 * It is compiled per spec into one small function per action, called in action order. In one
 * loop over all instances, the call of the guard and the call of the effect would each see every
 * action's function, and the engine would neither inline them nor keep one expectation of what
 * they do; here each call site sees one action only, so its guard and effect can be inlined and
 * their reads of the state specialized.
 */
import type { ScratchState } from '../encode/codec.js'
import { fingerprint } from '../encode/fingerprint.js'
import type { CompiledSpec } from './compile.js'

/** Where the first pass puts the successors of a few states, one row each. */
export class Batch {
  /** Successors so far. */
  count = 0
  /** Per successor: the object it was built in. */
  readonly states: ScratchState[] = []
  /** Per successor: its packed words (rows of the codec's `words`), fingerprint lanes (lo, hi) and instance. */
  readonly words: Uint32Array
  readonly fps: Uint32Array
  readonly instances: Int32Array
  /** Where the last exception came from: the instance being run, and whether its guard held. */
  current = -1
  guardHeld = false

  /** Room for the successors of `parents` states. */
  constructor(
    private readonly c: CompiledSpec,
    parents: number,
  ) {
    const most = parents * Math.max(1, c.instances.length)
    this.words = new Uint32Array(most * c.codec.words)
    this.fps = new Uint32Array(2 * most)
    this.instances = new Int32Array(most)
  }

  /** One more successor object (the first expansions find out how many are needed). */
  moreStates(): ScratchState {
    const next = this.c.codec.scratch()
    this.states.push(next)
    return next
  }
}

/** Adds to `b` (from row `b.count` on) the successors of parent `s`, whose words are `words[at..]`. */
export type FirstPass = (b: Batch, s: unknown, words: Uint32Array, at: number) => void

export function compileFirstPass(c: CompiledSpec): FirstPass {
  const { codec, instances } = c
  const params = instances.map((i) => i.params)
  const canonicalize = c.reduction?.canonicalize
  const fp = new Uint32Array(2)
  const passes: ((b: Batch, s: unknown, words: Uint32Array, at: number) => void)[] = []
  for (let lo = 0; lo < instances.length; ) {
    let hi = lo
    while (hi < instances.length && instances[hi]!.action === instances[lo]!.action) hi++
    const { guard, effect } = instances[lo]!.def
    const source = `return function ${JSON.stringify(instances[lo]!.name).slice(1, -1).replace(/\W/g, '_')}Pass(b, s, words, at) {
  const S = b.states, B = b.words, FPS = b.fps, BI = b.instances;
  let count = b.count;
  for (let inst = ${lo}; inst < ${hi}; inst++) {
    let held = false;
    try {
      ${guard === undefined ? '' : 'if (!guard(s, P[inst])) continue;'}
      held = true;
      const next = S[count] ?? b.moreStates();
      restore(next, s);
      effect(next.state, P[inst]);
      const o = count * ${codec.words};
      encodeFrom(next.state, s, words, at, B, o, next);
      ${canonicalize === undefined ? '' : 'canonicalize(B, o);'}
      fingerprint(B, o, ${codec.words}, fp);
      FPS[2 * count] = fp[0];
      FPS[2 * count + 1] = fp[1];
      BI[count] = inst;
      b.count = ++count;
    } catch (e) {
      b.current = inst;
      b.guardHeld = held;
      throw e;
    }
  }
}`
    passes.push(
      new Function('guard', 'effect', 'P', 'restore', 'encodeFrom', 'canonicalize', 'fingerprint', 'fp', source)(
        guard,
        effect,
        params,
        codec.restore,
        codec.encodeFrom,
        canonicalize,
        fingerprint,
        fp,
      ),
    )
    lo = hi
  }
  const names = passes.map((_, i) => `a${i}`)
  return new Function(
    ...names,
    `return function firstPass(b, s, words, at) {\n${names.map((a) => `  ${a}(b, s, words, at);`).join('\n')}\n}`,
  )(...passes)
}
