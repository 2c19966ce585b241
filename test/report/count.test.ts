import test from 'ava'
import { testProp, fc } from '@fast-check/ava'
import { formatCount } from '../../checker/report/count.js'

test('formatCount writes what toLocaleString("en-US") writes, fractions and non-numbers included', (t) => {
  for (const n of [0, 7, 999, 1000, 12345, 1234567, -1234, Number.MAX_SAFE_INTEGER, 0.5, 1234.5678, NaN, Infinity]) {
    t.is(formatCount(n), n.toLocaleString('en-US'), String(n))
  }
})

testProp('formatCount of any safe integer is its toLocaleString("en-US")', [fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER })], (t, n) => {
  t.is(formatCount(n), n.toLocaleString('en-US'))
})
