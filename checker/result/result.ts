/**
 * What a check returns: data first (a discriminated union on `status`), printed elsewhere.
 */

/** The kind of promise that was broken. */
export type ViolationKind = 'invariant' | 'action' | 'deadlock' | 'reachable' | 'temporal'

/** One state of a behaviour, with the action instance that led to it (null for an initial state). */
export interface TraceStep {
  readonly action: { readonly name: string; readonly params: Readonly<Record<string, unknown>>; readonly label: string } | null
  readonly state: unknown
}

export interface Violation {
  readonly property: string
  readonly kind: ViolationKind
  /** Initial state first; for a lasso, the cycle runs from `loopStart` to the end and back. */
  readonly trace: readonly TraceStep[]
  /** For a lasso counterexample: the index the last state loops back to. */
  readonly loopStart?: number
  /** Whether the trace is a shortest one (always with one worker and breadth-first search). */
  readonly shortest: boolean
  readonly message: string
}

export interface ActionStats {
  readonly name: string
  /** How many times an instance of the action was enabled in an explored state. */
  readonly enabled: number
  /** How many distinct new states it produced. */
  readonly distinct: number
}

export interface Stats {
  /** Distinct initial states (TLC's "distinct initial states"), before the state constraint. */
  readonly initial: number
  readonly distinct: number
  readonly generated: number
  /** Length of the longest shortest behaviour explored, counting the initial state (TLC's depth). */
  readonly depth: number
  /** States found but not yet explored when the run ended. */
  readonly left: number
  readonly durationMs: number
  readonly statesPerSecond: number
  readonly actions: readonly ActionStats[]
}

/** How states were merged in a run: symmetry (one state per orbit) and/or the spec's view. */
export interface ReductionInfo {
  /** The symmetric index types reduced by, with their sizes; empty without symmetry. */
  readonly symmetry: readonly { readonly name: string; readonly size: number }[]
  /** How representatives were found (encode/symmetry.ts). */
  readonly strategy?: 'full' | 'sorted'
  /** States that got a sound but not canonical representative (too many ties to try). */
  readonly inexact?: number
  /** Whether the spec's view decided which states are the same. */
  readonly view: boolean
  /** Partial-order reduction (`por`): only some orders of independent steps were explored. */
  readonly partialOrder?: boolean
}

/** `workerLost`: a process of a cluster search stopped answering, and the partitions it owned were lost. */
export type StopReason = 'maxStates' | 'maxDepth' | 'timeout' | 'interrupted' | 'memory' | 'disk' | 'workerLost'

export interface RunInfo {
  readonly model: string
  readonly constants: Readonly<Record<string, unknown>>
  readonly stats: Stats
  readonly store: 'exact' | 'fingerprint'
  /**
   * With fingerprints: TLC's optimistic estimate that two distinct states shared a fingerprint,
   * so that one of them was never explored (n(n-1)/2 pairs at 2^-64 each).
   */
  readonly collisionProbability?: number
  /** How many workers searched (1 unless the run was parallel). */
  readonly workers?: number
  /** Present when states were merged: by symmetry (distinct counts orbits) or by the spec's view. */
  readonly reduction?: ReductionInfo
  /** Properties that were checked, by kind. */
  readonly checked: Readonly<Record<'invariants' | 'actionProperties' | 'reachable' | 'temporal', readonly string[]>>
  /** Temporal properties asked for that were not checked (not in `checked`; the warnings say why). */
  readonly unchecked?: readonly string[]
  readonly warnings: readonly string[]
}

/** Every property holds on the whole (constrained) state space. */
export interface Holds extends RunInfo {
  readonly status: 'ok'
  readonly complete: true
  readonly violations: readonly []
}
/** At least one property is broken; `complete` says whether the search covered everything. */
export interface Violated extends RunInfo {
  readonly status: 'violation'
  readonly complete: boolean
  readonly violations: readonly Violation[]
}
/** Stopped early without finding a violation: nothing is proved. */
export interface Incomplete extends RunInfo {
  readonly status: 'incomplete'
  readonly complete: false
  readonly stopReason: StopReason
  /**
   * 'liveness' when the safety search covered every state and found nothing, and only the
   * temporal properties were left unchecked (`unchecked`).
   */
  readonly stoppedIn?: 'liveness'
  readonly violations: readonly []
}
/** The model could not be evaluated: an action or property threw, or a value left its type. */
export interface Failed extends RunInfo {
  readonly status: 'error'
  readonly complete: false
  readonly error: { readonly code: string; readonly message: string; readonly trace: readonly TraceStep[] }
  readonly violations: readonly Violation[]
}

export type CheckResult = Holds | Violated | Incomplete | Failed
