/**
 * The benchmark's model instances, as `(params) => { spec, props }` functions, so that worker
 * threads can build them again (search/parallel.ts). They check the safety properties, unless
 * a run asks for the invariants only or for every property (the liveness phase included).
 */
import { properties, t, vars, type PropertySet, type Spec } from '../checker/index.js'
import pageMigrationModel from '../models/page-migration.js'
import twoPhaseModel from '../models/examples/twophase.js'
import deviceRemovalModel from '../models/device-removal.js'

export interface Built {
  readonly spec: Spec
  readonly props: PropertySet<any, any>
}

/** The properties a run checks: the invariants only, every safety property (the default), or all of them. */
type Checked = 'invariants' | 'safety' | 'all'
const selected = (props: PropertySet<any, any>, check: Checked = 'safety'): PropertySet<any, any> =>
  check === 'invariants' ? { invariants: props.invariants ?? {} } : check === 'safety' ? { ...props, temporal: {} } : props

/**
 * page-migration with policy odp on IB (rnr_retry 7) at any size; with `check: 'invariants'` it
 * checks exactly what bench/spin/page-migration.pml asserts.
 */
export function pageMigration(p: { pages: number; frames: number; moves: number; writes: number; check?: Checked }): Built {
  const params = { policy: 'odp', transport: 'ib', movable: false, rnrRetry: 7, tcpRetries: 1, zapWaitsForDma: true, invalidations: 1, prefetches: 0, unmap: false, ...p } as const
  return {
    spec: pageMigrationModel.build(params),
    props: selected(pageMigrationModel.properties(params as never), p.check),
  }
}

/** device-removal with policy disassociate at its largest instance (its matrix's), safety properties. */
export function deviceRemoval(p: { policy?: string }): Built {
  const params = { policy: 'disassociate', asyncFds: 2, cmdThreads: 2, fork: true, forkOpensFirst: false, coreDump: true, ...p } as const
  return { spec: deviceRemovalModel.build(params as never), props: selected(deviceRemovalModel.properties(params as never)) }
}

/** TwoPhase.tla with `rms` resource managers (the model declares at most 8). */
export function twoPhase(p: { rms: number }): Built {
  return { spec: twoPhaseModel.build(p), props: selected(twoPhaseModel.properties(p)) }
}

/**
 * Peterson's filter lock for n processes (Herlihy and Shavit, "The Art of Multiprocessor
 * Programming", 2.4): process i climbs levels 1..n-1, at each level naming itself the victim and
 * waiting until no other process is at that level or above, or it is no longer the victim.
 */
export function filterLock(p: { n: number }): Built {
  const { n } = p
  const Proc = t.index(n, { name: 'Proc' })
  const { spec, action } = vars({
    level: t.array(Proc, t.int(0, n - 1)),
    victim: t.array(n, t.int(0, n - 1)),
    pc: t.array(Proc, t.enum('idle', 'waiting', 'critical')),
  })
  const built = spec({
    name: 'filter-lock',
    constants: { n },
    init: { level: Array<number>(n).fill(0), victim: Array<number>(n).fill(0), pc: Array<'idle'>(n).fill('idle') },
    actions: {
      Start: action(
        { i: Proc },
        {
          guard: (s, { i }) => s.pc[i] === 'idle',
          effect: (d, { i }) => {
            d.level[i] = 1
            d.victim[1] = i
            d.pc[i] = 'waiting'
          },
        },
      ),
      Climb: action(
        { i: Proc },
        {
          guard: (s, { i }) => {
            if (s.pc[i] !== 'waiting') return false
            const l = s.level[i]!
            if (s.victim[l] !== i) return true
            for (let k = 0; k < n; k++) if (k !== i && s.level[k]! >= l) return false
            return true
          },
          effect: (d, { i }) => {
            const l = d.level[i]!
            if (l === n - 1) d.pc[i] = 'critical'
            else {
              d.level[i] = l + 1
              d.victim[l + 1] = i
            }
          },
        },
      ),
      Exit: action(
        { i: Proc },
        {
          guard: (s, { i }) => s.pc[i] === 'critical',
          effect: (d, { i }) => {
            d.level[i] = 0
            d.pc[i] = 'idle'
          },
        },
      ),
    },
  })
  const props = properties<typeof built>(() => ({
    invariants: { MutualExclusion: (s) => s.pc.filter((x) => x === 'critical').length <= 1 },
  }))(undefined as never)
  return { spec: built, props }
}

export const instances = { pageMigration, deviceRemoval, twoPhase, filterLock }
