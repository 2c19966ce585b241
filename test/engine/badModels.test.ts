/**
 * Models that break the rules, and the exact message each gets: an action that throws, a value
 * outside the state type (out of range, NaN, undefined, a function, a cycle), a property that
 * throws, a nondeterministic effect, a guard or effect that mutates the state it is given (strict
 * mode), a model file that exports no model, unknown parameters on the command line.
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { check, simulate, t as ty, vars, type CheckResult } from '../../checker/index.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const mrcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/bin/mrcheck.js', ...args], { cwd: root, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const model = (actions: (action: any) => Record<string, unknown>) => {
  const { spec, action } = vars({ x: ty.int(0, 3), ys: ty.array(2, ty.bool()) })
  return spec({ name: 'bad', init: { x: 0, ys: [false, false] }, actions: actions(action) as never })
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
  ['NaN', (d) => void (d.x = NaN), 'x = NaN, outside its type (expected an integer in 0..3), in the state reached after 1 states'],
  ['undefined', (d) => void (d.x = undefined), 'x = undefined (missing), outside its type (expected an integer in 0..3), in the state reached after 1 states'],
  ['a function', (d) => void (d.ys = () => 1), 'ys = a function, outside its type (expected an array of length 2), in the state reached after 1 states'],
  [
    'an object with a cycle',
    (d) => {
      const o: unknown[] = [false]
      o.push(o)
      d.ys = o
    },
    'ys[1] = an object with a cycle, outside its type (expected a boolean), in the state reached after 1 states',
  ],
]
for (const [what, effect, message] of outside) {
  test(`a value outside the state type (${what}) is refused by the codec`, async (t) => {
    const r = await check(model((action) => ({ Step: action({ effect }) })))
    const n = Number(/after (\d+) states/.exec(message)![1])
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
  const r = await simulate(s, {}, { runs: 1, steps: 3, seed: 1 })
  t.is(r.status, 'error')
  if (r.status === 'error') {
    t.is(
      r.error.message,
      `Model "bad": action Set threw TypeError: Cannot assign to read only property 'x' of object '#<Object>', in the state reached after 1 states (simulation run 0 of seed 1).`,
    )
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
