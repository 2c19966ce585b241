/**
 * TLC's VIEW: a projection of the state that decides which states count as the same. The search
 * keeps, per distinct view, the packed words of the first state found with it; a later state with
 * the same view is replaced by those words before the visited set is consulted, so it is a
 * duplicate and is not explored. Stored paths therefore stay real behaviours (every stored state
 * was reached from its stored parent), and traces replay as usual.
 *
 * Views are compared by a 64-bit fingerprint of their structure, as TLC does: primitives, arrays
 * and plain objects (keys sorted, so key order does not matter). Anything else (a Map, a class
 * instance, a function) is an error naming the view.
 */
import { CheckerError } from '../result/errors.js'

const C1 = 0xcc9e2d51
const C2 = 0x1b873593
const P1 = 0x9e3779b1
const P2 = 0x85ebca77
const f64 = new Float64Array(1)
const u32 = new Uint32Array(f64.buffer)

/** Mixes structural values into two independent 32-bit lanes. */
class ViewHasher {
  lo = 0
  hi = 0
  reset(): void {
    this.lo = 0x3c6ef372
    this.hi = 0x5be0cd19
  }
  mix(x: number): void {
    let k = Math.imul(x | 0, C1)
    k = (k << 15) | (k >>> 17)
    this.lo ^= Math.imul(k, C2)
    this.lo = (this.lo << 13) | (this.lo >>> 19)
    this.lo = (Math.imul(this.lo, 5) + 0xe6546b64) | 0
    this.hi = (this.hi + Math.imul(x | 0, P2)) | 0
    this.hi = Math.imul((this.hi << 13) | (this.hi >>> 19), P1)
  }
  value(v: unknown, depth: number): void {
    if (depth > 64) throw new TypeError('the view is nested more than 64 levels deep (a cycle?)')
    switch (typeof v) {
      case 'number':
        if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) {
          this.mix(1)
          this.mix(v)
        } else {
          f64[0] = v
          this.mix(2)
          this.mix(u32[0]!)
          this.mix(u32[1]!)
        }
        return
      case 'string':
        this.mix(3)
        this.mix(v.length)
        for (let i = 0; i < v.length; i++) this.mix(v.charCodeAt(i))
        return
      case 'boolean':
        this.mix(v ? 5 : 4)
        return
      case 'undefined':
        this.mix(6)
        return
      case 'object': {
        if (v === null) {
          this.mix(7)
          return
        }
        if (Array.isArray(v)) {
          this.mix(8)
          this.mix(v.length)
          for (const x of v) this.value(x, depth + 1)
          return
        }
        const proto = Object.getPrototypeOf(v)
        if (proto !== Object.prototype && proto !== null) {
          throw new TypeError(`a view may hold only primitives, arrays and plain objects, not ${proto?.constructor?.name ?? 'this object'}`)
        }
        const keys = Object.keys(v).sort()
        this.mix(9)
        this.mix(keys.length)
        for (const k of keys) {
          this.value(k, depth + 1)
          this.value((v as Record<string, unknown>)[k], depth + 1)
        }
        return
      }
      default:
        throw new TypeError(`a view may hold only primitives, arrays and plain objects, not a ${typeof v}`)
    }
  }
}

/** View fingerprint -> packed words of the first state found with that view. */
export class ViewTable {
  count = 0
  private keys: Uint32Array
  private states: Uint32Array
  private slots: Int32Array
  private mask: number
  private readonly hasher = new ViewHasher()

  constructor(
    private readonly width: number,
    private readonly view: (s: any) => unknown,
    private readonly model: string,
  ) {
    this.keys = new Uint32Array(2 * 1024)
    this.states = new Uint32Array(1024 * width)
    this.slots = new Int32Array(2048)
    this.mask = 2047
  }

  /**
   * Replaces the state at `words[at..]` (decoded as `state`) by the first state with the same view,
   * or records it as that first state.
   */
  substitute(state: unknown, words: Uint32Array, at: number): void {
    const h = this.hasher
    h.reset()
    let v: unknown
    try {
      v = this.view(state)
      h.value(v, 0)
    } catch (e) {
      throw new CheckerError('EVALUATION', `Model "${this.model}": the view threw ${e instanceof Error ? e.message : String(e)}.`)
    }
    const lo = h.lo >>> 0
    const hi = h.hi >>> 0
    const W = this.width
    for (let slot = lo & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot]!
      if (entry === 0) {
        const id = this.count++
        if (id * W + W > this.states.length) this.grow()
        this.keys[2 * id] = lo
        this.keys[2 * id + 1] = hi
        for (let i = 0; i < W; i++) this.states[id * W + i] = words[at + i]!
        this.slots[slot] = id + 1
        if (this.count * 2 > this.slots.length) this.rehash()
        return
      }
      const id = entry - 1
      if (this.keys[2 * id] === lo && this.keys[2 * id + 1] === hi) {
        for (let i = 0; i < W; i++) words[at + i] = this.states[id * W + i]!
        return
      }
    }
  }

  private grow(): void {
    const keys = new Uint32Array(this.keys.length * 2)
    keys.set(this.keys)
    this.keys = keys
    const states = new Uint32Array(this.states.length * 2)
    states.set(this.states)
    this.states = states
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2)
    const mask = slots.length - 1
    for (let id = 0; id < this.count; id++) {
      let slot = this.keys[2 * id]! & mask
      while (slots[slot] !== 0) slot = (slot + 1) & mask
      slots[slot] = id + 1
    }
    this.slots = slots
    this.mask = mask
  }
}
