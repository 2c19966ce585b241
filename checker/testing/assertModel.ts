/**
 * Model checking inside a test suite: one line checks a model at given parameters and fails the
 * test with the printed counterexample; another expects a known-buggy variant to break a named
 * property. Written against a structural test context, so ava is never imported at run time:
 * ava's `t` fits `TestContext`, and `checks` / `violates` make ava macros as plain objects;
 * `expectModelHolds` / `expectModelViolates` throw instead, for node:test, vitest and the like.
 */
import type { AnyModel, ParamsOf, PropertyNameOf, Spec } from '../model/model.js'
import type { PropertySet } from '../model/properties.js'
import { check, checkModel, type CheckOptions } from '../run/check.js'
import type { CheckResult, Violation } from '../result/result.js'
import { formatResult } from '../report/text.js'
import { AssertionError } from 'node:assert'

/**
 * What the assertions need from a test framework's context. ava's `ExecutionContext` fits as is;
 * elsewhere pass `{ pass() {}, fail(m) { throw new Error(m) } }`.
 */
export interface TestContext {
  /** Counts a passing assertion. */
  readonly pass: (message?: string) => unknown
  /** Fails the test with `message` (ava throws from here, ending the test). */
  readonly fail: (message?: string) => unknown
}

/**
 * A reusable test implementation taking `Args` after the context: the shape of an ava macro
 * (`test('title', macro, ...args)`), built without importing ava.
 */
export interface TestMacro<Args extends unknown[]> {
  readonly exec: (t: TestContext, ...args: Args) => Promise<void>
  readonly title: (providedTitle: string | undefined, ...args: Args) => string
}

type Params = Readonly<Record<string, unknown>>

const describe = (name: string, params: Params) =>
  Object.keys(params).length === 0 ? name : `${name} ${JSON.stringify(params)}`

const rerun = (name: string, params: Params) =>
  `mrcheck check ${name}${Object.entries(params)
    .map(([k, v]) => ` --param ${k}=${String(v)}`)
    .join('')}`

/** The verdict of `assertHolds` as a failure message, or undefined when every property holds. */
function holdsFailure(r: CheckResult, rerunLine?: string): string | undefined {
  if (r.status === 'ok') return undefined
  const what =
    r.status === 'incomplete'
      ? 'the search stopped early, so nothing is proved'
      : r.status === 'error'
        ? 'the model failed while being checked'
        : `${r.violations.map((v) => v.property).join(', ')} ${r.violations.length === 1 ? 'is' : 'are'} violated`
  return `Expected every property of ${describe(r.model, r.constants)} to hold, but ${what}:\n${formatResult(r, rerunLine === undefined ? {} : { rerun: rerunLine })}`
}

/** The violation `property` in `r`, or a failure message saying why it is not there. */
function violatesOutcome(r: CheckResult, property: string, rerunLine?: string): Violation | string {
  const found = r.violations.find((v) => v.property === property)
  if (found !== undefined) return found
  const name = describe(r.model, r.constants)
  const text = formatResult(r, rerunLine === undefined ? {} : { rerun: rerunLine })
  switch (r.status) {
    case 'ok':
      return `Expected ${property} to be violated by ${name}, but it holds on all ${r.stats.distinct.toLocaleString('en-US')} distinct states:\n${text}`
    case 'incomplete':
      return `Expected ${property} to be violated by ${name}, but the search stopped early (${r.stopReason}) without finding a violation:\n${text}`
    case 'error':
      return `Expected ${property} to be violated by ${name}, but the model failed while being checked:\n${text}`
    case 'violation': {
      const first = r.violations[0]!
      const hint =
        first.kind === 'deadlock'
          ? ' If deadlock is expected, set checkDeadlock: false in the spec, or expect "Deadlock".'
          : ''
      return `Expected ${property} to be violated by ${name}, but the search stopped at ${first.property} first.${hint}\n${text}`
    }
  }
}

/** Restricts the check to `property` (and the deadlock check, which always runs). */
const onlyProperty = (property: string, options: CheckOptions): CheckOptions => ({
  ...options,
  only: property === 'Deadlock' ? [] : [property],
})

/**
 * Checks `spec` against `props` exhaustively and fails the test unless every property holds on
 * the whole state space; the failure message is the printed counterexample. Resolves to the
 * result either way.
 */
export async function assertHolds(
  t: TestContext,
  spec: Spec,
  props: PropertySet<any, any> = {},
  options: CheckOptions = {},
): Promise<CheckResult> {
  const r = await check(spec, props, options)
  const failure = holdsFailure(r)
  if (failure === undefined) t.pass(`${describe(r.model, r.constants)} holds on ${r.stats.distinct} distinct states`)
  else t.fail(failure)
  return r
}

/**
 * `assertHolds` for a model at the given parameters (defaults for the rest):
 * `await assertModelHolds(t, pageMigration, { policy: 'odp' })`.
 */
export async function assertModelHolds<M extends AnyModel>(
  t: TestContext,
  model: M,
  params: ParamsOf<M> = {} as ParamsOf<M>,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const r = await checkModel(model, params, options)
  const failure = holdsFailure(r, rerun(model.name, params))
  if (failure === undefined) t.pass(`${describe(r.model, r.constants)} holds on ${r.stats.distinct} distinct states`)
  else t.fail(failure)
  return r
}

/**
 * Expects `spec` to break `property` (an invariant, action property, reachability goal,
 * temporal property or `"Deadlock"`): fails the test when the property holds, when the search
 * stops early or at another violation first, or when the model fails. Only `property` is checked
 * (plus deadlock). Resolves to the violation (its `trace` is a shortest counterexample), or
 * undefined when the test failed.
 */
export async function assertViolates(
  t: TestContext,
  spec: Spec,
  props: PropertySet<any, any>,
  property: string,
  options: CheckOptions = {},
): Promise<Violation | undefined> {
  const r = await check(spec, props, onlyProperty(property, options))
  const v = violatesOutcome(r, property)
  if (typeof v === 'string') {
    t.fail(v)
    return undefined
  }
  t.pass(`${property} is violated after ${v.trace.length} states`)
  return v
}

/**
 * `assertViolates` for a model at the given parameters:
 * `await assertModelViolates(t, pageMigration, { policy: 'naive' }, 'NoStaleAccess')`.
 */
export async function assertModelViolates<M extends AnyModel>(
  t: TestContext,
  model: M,
  params: ParamsOf<M>,
  property: PropertyNameOf<M>,
  options: CheckOptions = {},
): Promise<Violation | undefined> {
  const r = await checkModel(model, params, onlyProperty(property, options))
  const v = violatesOutcome(r, property, `${rerun(model.name, params)}${property === 'Deadlock' ? '' : ` --property ${property}`}`)
  if (typeof v === 'string') {
    t.fail(v)
    return undefined
  }
  t.pass(`${property} is violated after ${v.trace.length} states`)
  return v
}

/**
 * An ava macro for one check: `test('odp holds', checks(pageMigration, { policy: 'odp' }))` checks
 * the model at those parameters and fails with the counterexample. Without a title
 * (`test(checks(dieHard))`), the test is named after the model and parameters.
 */
export function checks<M extends AnyModel>(
  model: M,
  params: ParamsOf<M> = {} as ParamsOf<M>,
  options: CheckOptions = {},
): TestMacro<[]> {
  return Object.freeze({
    exec: async (t: TestContext) => {
      await assertModelHolds(t, model, params, options)
    },
    title: (provided: string | undefined) => provided ?? `${describe(model.name, params)} holds`,
  })
}

/**
 * An ava macro for a known-buggy variant:
 * `test('naive loses pages', violates(pageMigration, { policy: 'naive' }, 'NoStaleAccess'))`
 * passes only when the model breaks that property.
 */
export function violates<M extends AnyModel>(
  model: M,
  params: ParamsOf<M>,
  property: PropertyNameOf<M>,
  options: CheckOptions = {},
): TestMacro<[]> {
  return Object.freeze({
    exec: async (t: TestContext) => {
      await assertModelViolates(t, model, params, property, options)
    },
    title: (provided: string | undefined) => provided ?? `${describe(model.name, params)} violates ${property}`,
  })
}

/** Fails by throwing, as node:test, vitest and most other frameworks expect. */
const throwing: TestContext = {
  pass: () => undefined,
  fail: (message) => {
    throw new AssertionError({ message: message ?? 'mrcheck: the check failed' })
  },
}

/**
 * `assertModelHolds` for any test framework: resolves to the result when every property holds,
 * rejects with an AssertionError whose message is the printed counterexample otherwise
 * (`test('odp', () => expectModelHolds(pageMigration, { policy: 'odp' }))` in node:test or vitest).
 */
export const expectModelHolds = <M extends AnyModel>(
  model: M,
  params: ParamsOf<M> = {} as ParamsOf<M>,
  options: CheckOptions = {},
): Promise<CheckResult> => assertModelHolds(throwing, model, params, options)

/**
 * `assertModelViolates` for any test framework: resolves to the violation (a shortest
 * counterexample) or rejects with an AssertionError saying why the property was not violated.
 */
export async function expectModelViolates<M extends AnyModel>(
  model: M,
  params: ParamsOf<M>,
  property: PropertyNameOf<M>,
  options: CheckOptions = {},
): Promise<Violation> {
  return (await assertModelViolates(throwing, model, params, property, options))!
}
