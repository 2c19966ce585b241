/**
 * The symmetry property the random-model tests share: with either strategy the reduced search
 * gives the plain search's verdicts, explores exactly the brute-force orbit count, reduces
 * exactly, and prints traces that replay and are as short as without symmetry.
 */
import type { ExecutionContext } from 'ava'
import { check, compileSpec, type PropertySet, type Spec } from '../../checker/index.js'
import { orbits, reachable, replays, verdict } from './orbits.js'

export async function symmetryMatchesOrbits(tt: ExecutionContext, spec: Spec<any>, props: PropertySet<any, any>): Promise<void> {
  const c = compileSpec(spec, props)
  const plain = await check(spec, props, { continue: true })
  const all = reachable(c)
  const expected = orbits(c, all)
  for (const symmetryStrategy of ['full', 'sorted'] as const) {
    const reduced = await check(spec, props, { continue: true, symmetry: true, symmetryStrategy })
    tt.deepEqual(verdict(reduced), verdict(plain))
    tt.is(reduced.stats.distinct, expected, symmetryStrategy)
    tt.is(reduced.reduction?.inexact, 0)
    for (const v of reduced.violations) {
      tt.is(replays(c, v.trace), null, v.property)
      tt.is(v.trace.length, plain.violations.find((x) => x.property === v.property)!.trace.length, `${v.property} is as short as without symmetry`)
    }
  }
  tt.log(`${all.length} states within the constraint, ${expected} orbits`)
}
