/**
 * Models that break the rules, and the exact message each gets: an action that throws, a value
 * outside the state type (out of range, NaN, undefined, a function, a cycle), a property that
 * throws, a nondeterministic effect, a guard or effect that mutates the state it is given (strict
 * mode), a model file that exports no model, unknown parameters on the command line. The search's
 * debug mode (`strict`, `--strict`) catches a nondeterministic guard, effect or property, a guard
 * or property that writes to its state, and an effect that writes outside its draft, and changes
 * nothing on the built-in models.
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { check, instantiate, simulate, t as ty, vars, type CheckResult } from '../../checker/index.js'
import { builtinModels } from '../../models/registry.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const mrcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/bundle/mrcheck.js', ...args], { cwd: root, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const model = (actions: (action: any) => Record<string, unknown>, checkDeadlock = true) => {
  const { spec, action } = vars({ x: ty.int(0, 3), ys: ty.array(2, ty.bool()) })
  return spec({ name: 'bad', init: { x: 0, ys: [false, false] }, actions: actions(action) as never, checkDeadlock })
}

const failed = (t: any, r: CheckResult, message: string, traceLength: number) => {
  t.is(r.status, 'error')
  if (r.status !== 'error') return
  t.is(r.error.message, message)
  t.is(r.error.trace.length, traceLength)
  t.deepEqual(r.error.trace[0]!.state, { x: 0, ys: [false, false] }, 'the trace starts in an initial state')
}

test('an action that throws: named with its arguments, and the state it ran on as a trace', async (t) => {
  const r = await check(
    model((action) => ({
      Add: action(
        { k: ty.int(1, 2) },
        {
          guard: (s: any) => s.x < 3,
          effect: (d: any, { k }: { k: number }) => {
            if (d.x === 2 && k === 1) throw new Error('boom')
            d.x = Math.min(3, d.x + k)
          },
        },
      ),
    })),
  )
  failed(t, r, 'Model "bad": action Add(k=1) threw Error: boom, in the state reached after 2 states (trace below).', 2)
  if (r.status === 'error') t.is((r.error.trace[1]!.state as { x: number }).x, 2)
})

const outside: [string, (d: any) => void, string][] = [
  ['a number out of range', (d) => void (d.x = d.x + 1), 'x = 4, outside its type (expected an integer in 0..3), in the state reached after 4 states'],
  ['NaN', (d) => void (d.x = NaN), 'x = NaN, outside its type (expected an integer in 0..3), in the state reached after 1 state'],
  ['undefined', (d) => void (d.x = undefined), 'x = undefined (missing), outside its type (expected an integer in 0..3), in the state reached after 1 state'],
  ['a function', (d) => void (d.ys = () => 1), 'ys = a function, outside its type (expected an array of length 2), in the state reached after 1 state'],
  [
    'an object with a cycle',
    (d) => {
      const o: unknown[] = [false]
      o.push(o)
      d.ys = o
    },
    'ys[1] = an object with a cycle, outside its type (expected a boolean), in the state reached after 1 state',
  ],
]
for (const [what, effect, message] of outside) {
  test(`a value outside the state type (${what}) is refused by the codec`, async (t) => {
    const r = await check(model((action) => ({ Step: action({ effect }) })))
    const n = Number(/after (\d+) states?/.exec(message)![1])
    failed(t, r, `Model "bad": action Step produced ${message} (trace below).`, n)
  })
}

test('a property that throws: named, with the action that led there', async (t) => {
  const { spec, action } = vars({ x: ty.int(0, 3) })
  const s = spec({ name: 'bad', init: { x: 0 }, actions: { Inc: action({ guard: (s) => s.x < 3, effect: (d) => void d.x++ }) } })
  const r = await check(s, {
    invariants: {
      Small: (s: any) => {
        if (s.x === 2) throw new Error('bad prop')
        return true
      },
    },
  })
  t.is(r.status, 'error')
  if (r.status === 'error') {
    t.is(r.error.message, 'Model "bad": property Small threw Error: bad prop after action Inc, in the state reached after 2 states (trace below).')
  }
})

test('a nondeterministic effect is caught when the counterexample is re-run: status error, not a crash', async (t) => {
  let flip = 0
  const { spec, action } = vars({ x: ty.int(0, 3), ys: ty.array(2, ty.bool()) })
  const s = spec({
    name: 'bad',
    init: { x: 0, ys: [false, false] },
    actions: {
      Inc: action({
        guard: (s) => s.x < 3,
        effect: (d) => {
          d.x++
          if (d.x === 2) d.ys[flip++ % 2] = true
        },
      }),
    },
  })
  const r = await check(s, { invariants: { Below3: (s: any) => s.x < 3 } })
  t.is(r.status, 'error')
  if (r.status === 'error') {
    t.is(r.error.code, 'NONDETERMINISM')
    t.is(
      r.error.message,
      'Model "bad": re-running step 2 of a recorded behaviour failed: Inc now gives a different state. Guards and effects ' +
        'must depend only on the state and the action parameters: look for Math.random, Date, Map or Set iteration order, ' +
        'or state captured outside the model.',
    )
  }
})

const returnsValue =
  'Model "bad": action Inc threw TypeError: an effect must change its draft and return nothing (undefined), but it returned 0, ' +
  'in the state reached after 1 state (trace below).'

test('an effect that returns a value is an error naming the action, in the search and in strict mode alike', async (t) => {
  const s = model((action) => ({ Inc: action({ guard: (s: any) => s.x < 3, effect: (d: any) => d.x++ }) }))
  for (const strict of [false, true]) {
    const r = await check(s, { invariants: { Below2: (s: any) => s.x < 2 } }, { strict })
    failed(t, r, returnsValue, 1)
    if (r.status === 'error') t.is(r.error.code, 'EVALUATION')
  }
})

test('a guard that mutates the state it is given throws in strict mode (simulation)', async (t) => {
  const s = model((action) => ({
    Set: action({
      guard: (s: any) => {
        s.x = 1
        return true
      },
      effect: (d: any) => void (d.x = 2),
    }),
  }))
  const r = await simulate(s, {}, { runs: 1, steps: 3, seed: 1, strict: true })
  t.is(r.status, 'error')
  if (r.status === 'error') {
    t.is(
      r.error.message,
      `Model "bad": action Set threw TypeError: Cannot assign to read only property 'x' of object '#<Object>', in the state reached after 1 state (simulation run 0 of seed 1).`,
    )
  }
})

test('strict: a guard that is not deterministic (it reads a counter outside the state)', async (t) => {
  let calls = 0
  const s = () =>
    model((action) => ({
      Inc: action(
        { k: ty.int(1, 2) },
        {
          guard: (s: any, { k }: { k: number }) => s.x + k <= 3 && (s.x < 2 || calls++ % 2 === 0),
          effect: (d: any, { k }: { k: number }) => void (d.x += k),
        },
      ),
    }), false)
  t.is((await check(s())).status, 'ok', 'the fast search does not notice')
  calls = 0
  failed(
    t,
    await check(s(), {}, { strict: true }),
    'Model "bad": the guard of action Inc(k=1) is not deterministic: evaluated again on the same state it gave true, then false ' +
      '(found by --strict), in the state reached after 2 states (trace below).',
    2,
  )
})

test('strict: an effect that is not deterministic is caught where it runs, without a counterexample to re-run', async (t) => {
  let flip = 0
  const s = model((action) => ({
    Inc: action(
      { k: ty.int(1, 2) },
      {
        guard: (s: any, { k }: { k: number }) => s.x + k <= 3,
        effect: (d: any, { k }: { k: number }) => {
          d.x += k
          if (d.x === 2) d.ys[flip++ % 2] = true
        },
      },
    ),
  }), false)
  t.is((await check(s)).status, 'ok', 'the fast search does not notice')
  failed(
    t,
    await check(s, {}, { strict: true }),
    'Model "bad": action Inc(k=2) is not deterministic: run again on the same state it gave ys[0] = true, then ys[0] = false ' +
      '(found by --strict), in the state reached after 1 state (trace below).',
    1,
  )
})

test('strict: a guard that writes to the state it is given is caught by the search', async (t) => {
  const s = model((action) => ({
    Inc: action({
      guard: (s: any) => {
        if (s.x === 1) s.ys[0] = true
        return s.x < 3
      },
      effect: (d: any) => void d.x++,
    }),
  }))
  failed(
    t,
    await check(s, {}, { strict: true }),
    "Model \"bad\": the guard of action Inc changed the state it was given: TypeError: Cannot assign to read only property '0' of " +
      "object '[object Array]' (found by --strict), in the state reached after 2 states (trace below).",
    2,
  )
})

test('strict: an effect that writes outside its draft (a part of the state kept from an earlier call, or its parameters)', async (t) => {
  let kept: boolean[] | undefined
  const keeps = model((action) => ({
    Inc: action({
      guard: (s: any) => s.x < 3,
      effect: (d: any) => {
        if (kept !== undefined) kept[1] = true
        kept = d.ys
        d.x++
      },
    }),
  }), false)
  const fast = await check(keeps)
  t.is(fast.status, 'ok', 'the fast search does not notice')
  t.is(fast.stats.distinct, 4)
  kept = undefined
  failed(
    t,
    await check(keeps, {}, { strict: true }),
    "Model \"bad\": action Inc wrote outside its draft: TypeError: Cannot perform 'set' on a proxy that has been revoked " +
      '(found by --strict), in the state reached after 1 state (trace below).',
    1,
  )
  const counts = model((action) => ({
    Bump: action(
      { r: [{ n: 0 }] },
      {
        guard: (s: any) => s.x < 3,
        effect: (d: any, { r }: { r: { n: number } }) => void (d.x = Math.min(3, ++r.n)),
      },
    ),
  }))
  failed(
    t,
    await check(counts, {}, { strict: true }),
    'Model "bad": action Bump(r={"n":0}) wrote outside its draft: TypeError: Cannot assign to read only property \'n\' of object ' +
      "'#<Object>' (found by --strict), in the state reached after 1 state (trace below).",
    1,
  )
})

test('strict: a property that writes to its state, or answers differently on the same state, is named', async (t) => {
  const s = model((action) => ({ Inc: action({ guard: (s: any) => s.x < 3, effect: (d: any) => void d.x++ }) }))
  const writes = {
    invariants: {
      Small: (s: any) => {
        if (s.x === 2) s.ys[1] = true
        return true
      },
    },
  }
  failed(
    t,
    await check(s, writes, { strict: true }),
    "Model \"bad\": property Small changed the state it was given: TypeError: Cannot assign to read only property '1' of object " +
      "'[object Array]' after action Inc (found by --strict), in the state reached after 2 states (trace below).",
    2,
  )
  let calls = 0
  failed(
    t,
    await check(s, { actionProperties: { Steady: (_s: any, n: any) => n.x < 3 || calls++ === 0 } }, { strict: true }),
    'Model "bad": property Steady is not deterministic: evaluated again on the same step it gave true, then false after action Inc ' +
      '(found by --strict), in the state reached after 3 states (trace below).',
    3,
  )
})

test('strict: on every built-in model (default parameters, safety) the same counts and verdicts as the fast search', async (t) => {
  for (const m of builtinModels) {
    const { spec, props } = instantiate(m, {})
    const safety = { ...props, temporal: {} }
    const summary = (r: CheckResult) => ({
      status: r.status,
      distinct: r.stats.distinct,
      generated: r.stats.generated,
      depth: r.stats.depth,
      actions: r.stats.actions,
      violations: r.violations.map((v) => ({ property: v.property, length: v.trace.length, message: v.message })),
    })
    const fast = await check(spec, safety, { maxStates: 10_000, continue: true })
    const strict = await check(spec, safety, { maxStates: 10_000, continue: true, strict: true })
    t.deepEqual(summary(strict), summary(fast), m.name)
  }
})

const tmp = mkdtempSync(join(tmpdir(), 'mrcheck-bad-models-'))
test.after.always(() => rmSync(tmp, { recursive: true, force: true }))

test('a model file that exports no model: exit 150 and what to export', (t) => {
  const file = join(tmp, 'nomodel.mjs')
  writeFileSync(file, 'export const answer = 42\n')
  const r = mrcheck('check', file)
  t.is(r.code, 150)
  t.is(
    r.stderr,
    `Error: Model file ${file} exports no model. Export one made with defineModel({ name, params, build, properties }), preferably as the default export.\n`,
  )
})

test('unknown parameter names and values from the command line: exit 151 with the valid ones', (t) => {
  const name = mrcheck('check', 'twophase', '--param', 'rm=3')
  t.is(name.code, 151)
  t.is(name.stderr, 'Error: Model "twophase" has no parameter "rm". Its parameters: "rms".\n')
  const value = mrcheck('check', 'peterson', '--param', 'bug=sometimes')
  t.is(value.code, 151)
  t.regex(value.stderr, /^Error: Model "peterson", parameter "bug": "sometimes" is not one of "none", "ignore-turn"/)
})

test('mrcheck check FILE --strict (one worker or two): a nondeterministic effect is an evaluation error (exit 153) with the message', (t) => {
  const file = join(tmp, 'flip.mjs')
  writeFileSync(
    file,
    `import { defineModel, t, vars } from ${JSON.stringify(new URL('../../checker/index.js', import.meta.url).href)}
let flip = 0
export default defineModel({
  name: 'flip',
  summary: 'an effect that reads a counter outside the state',
  params: {},
  build: () => {
    const { spec, action } = vars({ x: t.int(0, 3), ys: t.array(2, t.bool()) })
    return spec({
      name: 'flip',
      init: { x: 0, ys: [false, false] },
      actions: { Inc: action({ guard: (s) => s.x < 3, effect: (d) => { d.x++; if (d.x === 2) d.ys[flip++ % 2] = true } }) },
      checkDeadlock: false,
    })
  },
  properties: () => ({}),
})
`,
  )
  t.is(mrcheck('check', file).code, 0, 'the fast search does not notice')
  const message =
    'Error: Model "flip": action Inc is not deterministic: run again on the same state it gave ys[0] = true, then ys[0] = false ' +
    '(found by --strict), in the state reached after 2 states (trace below).\nState 1: <Initial predicate>\n'
  for (const workers of [[], ['--workers', '2']]) {
    const r = mrcheck('check', file, '--strict', ...workers)
    t.is(r.code, 153, workers.join(' '))
    t.true(r.stdout.startsWith(message), r.stdout)
  }
})

test('with two workers too, a counterexample that cannot be re-run is a result with status error (exit 153)', (t) => {
  const file = join(tmp, 'rerun.mjs')
  writeFileSync(
    file,
    `import { types } from 'node:util'
import { defineModel, t, vars } from ${JSON.stringify(new URL('../../checker/index.js', import.meta.url).href)}
export default defineModel({
  name: 'bad',
  summary: 'an effect that fails only when it is re-run on a draft',
  params: {},
  build: () => {
    const { spec, action } = vars({ x: t.int(0, 3), ys: t.array(2, t.bool()) })
    const effect = (d) => {
      if (types.isProxy(d)) throw new Error('not on a draft')
      d.x++
    }
    return spec({ name: 'bad', init: { x: 0, ys: [false, false] }, actions: { Inc: action({ guard: (s) => s.x < 3, effect }) } })
  },
  properties: () => ({ invariants: { Below2: (s) => s.x < 2 } }),
})
`,
  )
  const r = mrcheck('check', file, '--workers', '2', '--json')
  t.is(r.code, 153, r.stderr)
  const doc = JSON.parse(r.stdout)
  t.is(doc.status, 'error')
  t.true(
    doc.error.message.startsWith('Model "bad": re-running step 1 of a recorded behaviour failed: Inc threw Error: not on a draft'),
    doc.error.message,
  )
})

test('a write outside an array is a type error naming the action and the position, in the search and in strict mode', async (t) => {
  const past = model((action) => ({ Set: action({ effect: (d: any) => void (d.ys[2] = true) }) }))
  for (const strict of [false, true]) {
    failed(
      t,
      await check(past, {}, { strict }),
      'Model "bad": action Set produced ys = [false,false,true], outside its type (expected an array of length 2), in the state reached after 1 state (trace below).',
      1,
    )
  }
  const before = model((action) => ({ Set: action({ effect: (d: any) => void (d.ys[-1] = true) }) }))
  // The search finds the stray write once the level ends, then searches that far again in strict
  // mode, which names the action and gives the trace.
  for (const strict of [false, true]) {
    failed(
      t,
      await check(before, {}, { strict }),
      'Model "bad": action Set produced ys[-1] = true, outside its type (expected only positions 0..1), in the state reached after 1 state (trace below).',
      1,
    )
  }
  const walk = await simulate(before, {}, { runs: 1, steps: 2, seed: 1 })
  t.is(walk.status, 'error')
  if (walk.status === 'error') t.regex(walk.error.message, /ys\[-1\] = true, outside its type/)
  const replaced = model((action) => ({
    Set: action({
      effect: (d: any) => {
        const ys = [true, true] as any
        ys.extra = 1
        d.ys = ys
      },
    }),
  }))
  failed(
    t,
    await check(replaced, {}),
    'Model "bad": action Set produced ys[extra] = 1, outside its type (expected only positions 0..1), in the state reached after 1 state (trace below).',
    1,
  )
})

test('a model without an initial state, or with none inside its constraint, is a model error (as in TLC), not a run that holds', async (t) => {
  const { spec, action } = vars({ x: ty.int(0, 3) })
  const actions = { Inc: action({ guard: (s) => s.x < 3, effect: (d) => void d.x++ }) }
  const empty = spec({ name: 'empty', init: [], actions })
  const e1 = await t.throwsAsync(check(empty, {}))
  t.is(e1!.message, 'Model "empty" has no initial state: its init list is empty.')
  t.is((e1 as any).code, 'MODEL_DEFINITION')
  const outside = spec({ name: 'outside', init: [{ x: 2 }, { x: 3 }], actions, constraint: (s) => s.x < 2 })
  const e2 = await t.throwsAsync(check(outside, {}))
  t.is(e2!.message, 'Model "outside" has no initial state inside its state constraint (all 2 are outside it), so there is nothing to explore.')
  t.is((e2 as any).code, 'MODEL_DEFINITION')
})

test('with two workers too, a write at -1 of an array ends the search with an error naming the action and the field (exit 153)', (t) => {
  const file = join(tmp, 'stray.mjs')
  writeFileSync(
    file,
    `import { defineModel, t, vars } from ${JSON.stringify(new URL('../../checker/index.js', import.meta.url).href)}
export default defineModel({
  name: 'stray',
  summary: 'an effect that writes at -1',
  params: {},
  build: () => {
    const { spec, action } = vars({ x: t.int(0, 3), ys: t.array(2, t.bool()) })
    return spec({ name: 'stray', init: { x: 0, ys: [false, false] }, checkDeadlock: false, actions: {
      Inc: action({ guard: (s) => s.x < 3, effect: (d) => { d.x++; if (d.x === 2) d.ys[d.x - 3] = true } }),
    } })
  },
  properties: () => ({}),
})
`,
  )
  for (const workers of [[], ['--workers', '2']]) {
    const r = mrcheck('check', file, '--json', ...workers)
    t.is(r.code, 153, r.stderr)
    t.regex(JSON.parse(r.stdout).error.message, /action Inc produced ys\[-1\] = true, outside its type \(expected only positions 0\.\.1\), in the state reached after 2 states/)
  }
})
