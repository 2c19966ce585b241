// The README's examples of models in a test suite, as they are printed there.
import test from 'ava'
import { testProp } from '@fast-check/ava'
import fc from 'fast-check'
import { behaviours, checks, modelCommands, violates } from '../checker/index.js'
import pageMigration from '../models/page-migration.js'
import dieHard from '../models/examples/diehard.js'
import translationTable from '../models/examples/translationTable.js'
import { Kernel, TranslationTable } from '../implementations/translationTable.js'

// 1. Exhaustive checks as tests: one line each.
test('odp keeps every promise', checks(pageMigration, { policy: 'odp' }))
test('without the retry check the device translates through a stale frame', violates(pageMigration, { policy: 'odp-no-retry-check' }, 'NoStaleTranslation'))

// 2. Random behaviours as a fast-check arbitrary.
testProp('the big jug never overflows', [behaviours(dieHard, { maxSteps: 20 })], (t, b) => {
  t.true(b.states.every((s) => s.big <= 5))
})

// 3. A real implementation tested against its model.
test('the translation table conforms to its model', (t) => {
  const mbt = modelCommands(translationTable, { pages: 2, keys: 1 }, {
    create: () => new TranslationTable(new Kernel(2, 3), { pages: 2, keys: 1 }),
    apply: (real, { action, params: p }: { action: string; params: any }) =>
      ({ Register: () => real.register(p.key), Deregister: () => real.deregister(p.key),
         Access: () => void real.access(p.key, p.page), Walk: () => real.walkFault(p.page),
         Commit: () => void real.commitFault(p.page), Migrate: () => real.kernel.migrate(p.page, p.to),
         Evict: () => real.kernel.evict(p.page) })[action]!(),
    observe: (real) => ({ cpu: real.kernel.mapping(), ...real.snapshot() }),
    project: (s) => ({ cpu: s.cpu, keys: s.keys, dev: s.dev, fault: s.fault }),
  })
  fc.assert(mbt.property({ maxCommands: 40 }), { numRuns: 1000 })
  t.pass()
})
