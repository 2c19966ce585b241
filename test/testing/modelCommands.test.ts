import test from 'ava'
import fc from 'fast-check'
import { ConformanceError, modelCommands, type SystemAdapter } from '../../checker/index.js'
import translationTable, { type TranslationTableSpec } from '../../models/examples/translationTable.js'
import { Kernel, TranslationTable } from '../../implementations/translationTable.js'
import type { SpecState, SpecStep } from '../../checker/index.js'

type S = SpecState<TranslationTableSpec>
type Step = SpecStep<TranslationTableSpec>

const PAGES = 2
const KEYS = 1

/** Drives the implementation with the model's steps; both are read as keys, page tables and fault phases. */
const adapter = (checkSequence: boolean): SystemAdapter<S, Step, TranslationTable> => ({
  create: (init) => new TranslationTable(new Kernel(init.cpu.length, init.cpu.length + 1), { pages: init.cpu.length, keys: init.keys.length, checkSequence }),
  apply: (real, step) => {
    switch (step.action) {
      case 'Register':
        return real.register(step.params.key)
      case 'Deregister':
        return real.deregister(step.params.key)
      case 'Access':
        return void real.access(step.params.key, step.params.page)
      case 'Walk':
        return real.walkFault(step.params.page)
      case 'Commit':
        return void real.commitFault(step.params.page)
      case 'Migrate':
        return real.kernel.migrate(step.params.page, step.params.to)
      case 'Evict':
        return real.kernel.evict(step.params.page)
    }
  },
  observe: (real) => ({ cpu: real.kernel.mapping(), ...real.snapshot() }),
  project: (s) => ({ cpu: s.cpu, keys: s.keys, dev: s.dev, fault: s.fault }),
})

const params = { pages: PAGES, keys: KEYS }

test('the translation table conforms to its model over 1,000 random command sequences (seed 42)', (t) => {
  const mbt = modelCommands(translationTable, params, adapter(true))
  const out = fc.check(mbt.property({ maxCommands: 40 }), { numRuns: 1000, seed: 42 })
  t.false(out.failed, out.failed ? fc.defaultReportMessage(out) : '')
  t.is(out.numRuns, 1000)
})

test('the planted race (checkSequence: false) is found and shrunk to at most 8 steps (seeds 1, 2, 3)', (t) => {
  const mbt = modelCommands(translationTable, params, adapter(false))
  const seeds = [1, 2, 3]
  for (const seed of seeds) {
    const out = fc.check(mbt.property({ maxCommands: 40 }), { numRuns: 1000, seed })
    if (!out.failed) return t.fail(`seed ${seed}: the race was not found in 1,000 runs`)
    const error = out.errorInstance
    if (!(error instanceof ConformanceError)) return t.fail(`seed ${seed}: unexpected failure ${String(error)}`)
    t.log(`seed ${seed}: shrunk to ${error.steps.length} steps: ${error.steps.join(', ')}`)
    t.true(error.steps.length <= 8, `seed ${seed}: ${error.message}`)
    // The shrunk run ends in a commit that installed a frame the page has left.
    t.regex(error.steps.at(-1)!, /^Commit\(page=\d\)$/)
    t.true(error.steps.some((s) => /^(Migrate|Evict)\(/.test(s)))
    t.true(error.changes.some((c) => c.path.startsWith('dev[') || c.path.startsWith('fault[')))
  }
})

test('a mismatch names the step and every differing path', (t) => {
  const mbt = modelCommands(translationTable, params, adapter(false))
  const command = (label: string) => mbt.commands.find((c) => c.toString() === label)!
  const [register, access, walk, migrate, commit] = [
    'Register(key=0)',
    'Access(key=0, page=0)',
    'Walk(page=0)',
    'Migrate(page=0, to=2)',
    'Commit(page=0)',
  ].map(command)
  t.deepEqual(
    mbt.commands.slice(0, 4).map(String),
    ['Register(key=0)', 'Deregister(key=0)', 'Access(key=0, page=0)', 'Access(key=0, page=1)'],
    'one command per action instance, in instance order',
  )
  const error = t.throws(() => mbt.run([register!, access!, walk!, migrate!, commit!]), { instanceOf: ConformanceError })
  t.deepEqual(error?.steps, ['Register(key=0)', 'Access(key=0, page=0)', 'Walk(page=0)', 'Migrate(page=0, to=2)', 'Commit(page=0)'])
  t.is(
    error?.message,
    'The system under test diverged from model "translation-table" after step 5 (Commit(page=0)):\n' +
      '  dev[0]: model null, system 0\n' +
      '  fault[0]: model "begun", system "idle"\n' +
      'Steps: Register(key=0), Access(key=0, page=0), Walk(page=0), Migrate(page=0, to=2), Commit(page=0)',
  )
})

test('a system that throws on a step the model allows is reported with the steps so far', (t) => {
  const broken: SystemAdapter<S, Step, TranslationTable> = {
    ...adapter(true),
    apply: (real, step) => {
      if (step.action === 'Deregister') throw new Error('not implemented')
      adapter(true).apply(real, step)
    },
  }
  const mbt = modelCommands(translationTable, params, broken)
  const out = fc.check(mbt.property({ maxCommands: 20 }), { numRuns: 200, seed: 7 })
  t.true(out.failed)
  const error = out.errorInstance as ConformanceError
  t.deepEqual(error.steps, ['Register(key=0)', 'Deregister(key=0)'])
  t.regex(error.message, /threw at step 2 \(Deregister\(key=0\)\).*Error: not implemented/)
})

test('a system that starts in another state fails before any step', (t) => {
  const wrongStart: SystemAdapter<S, Step, TranslationTable> = {
    ...adapter(true),
    create: (init) => {
      const real = adapter(true).create(init)
      real.register(0)
      return real
    },
  }
  const mbt = modelCommands(translationTable, params, wrongStart)
  const error = t.throws(() => mbt.run([]), { instanceOf: ConformanceError })
  t.deepEqual(error?.steps, [])
  t.regex(error?.message ?? '', /in the initial state:\n {2}keys\[0\]: model "free", system "valid"/)
})
