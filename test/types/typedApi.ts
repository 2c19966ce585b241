// Compile-time tests of the typed API edges: each @ts-expect-error line must be an error, or the
// build (and so `npm test`) fails. Nothing here runs.
import test from 'ava'
import {
  assertModelHolds,
  assertModelViolates,
  checkModel,
  checks,
  expectModelHolds,
  expectModelViolates,
  violates,
  type AnyModel,
  type PropertyNameOf,
} from '../../checker/index.js'
import pageMigration from '../../models/page-migration.js'
import dieHard from '../../models/examples/diehard.js'

export async function typedEdges(t: Parameters<typeof assertModelHolds>[0]): Promise<void> {
  await checkModel(dieHard, { small: 3, big: 5 })
  // @ts-expect-error a misspelt parameter
  await checkModel(dieHard, { smal: 3 })
  // @ts-expect-error a parameter of the wrong type
  await checkModel(dieHard, { small: 'one' })
  // @ts-expect-error a value outside an enum parameter's values
  await checkModel(pageMigration, { policy: 'odpx' })

  await assertModelHolds(t, pageMigration, { policy: 'odp' })
  // @ts-expect-error a misspelt parameter
  await assertModelHolds(t, pageMigration, { polcy: 'odp' })
  await assertModelViolates(t, dieHard, {}, 'NotSolved')
  // @ts-expect-error a misspelt property
  await assertModelViolates(t, dieHard, {}, 'NotSovled')
  await assertModelViolates(t, dieHard, {}, 'Deadlock')

  await expectModelHolds(pageMigration, { policy: 'odp' })
  // @ts-expect-error a misspelt property
  await expectModelViolates(pageMigration, { policy: 'naive' }, 'NoStaleTranslatoin')

  // A model known only as AnyModel (loaded from a file) is checked at run time instead.
  const loaded: AnyModel = dieHard
  await checkModel(loaded, { anything: 1 })
  const name: PropertyNameOf<AnyModel> = 'any string'
  void name
}

test('odp', checks(pageMigration, { policy: 'odp' }))
// @ts-expect-error a misspelt parameter
test('odp', checks(pageMigration, { polcy: 'odp' }))
test('naive', violates(pageMigration, { policy: 'naive' }, 'NoStaleTranslation'))
// @ts-expect-error a misspelt property
test('naive', violates(pageMigration, { policy: 'naive' }, 'NoStaleTranslatoin'))
