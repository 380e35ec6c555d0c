import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseFaults, takeFault } from '../../../sample-api/index.ts'
import type { DateRange, Fault } from '../../../sample-api/index.ts'

test('parseFaults reads a JSON fault list', () => {
  const text = '[{"source":"usage","date":"2024-06-15","kind":"500","times":2},{"source":"*","kind":"slow","delayMs":50}]'
  assert.deepEqual(parseFaults(text), [
    { source: 'usage', date: '2024-06-15', kind: '500', times: 2 },
    { source: '*', kind: 'slow', delayMs: 50 }
  ])
  assert.deepEqual(parseFaults('[]'), [])
})

test('bad JSON or a bad fault is an ENERGY_CONFIG error naming SAMPLE_API_FAULTS', () => {
  assert.throws(() => parseFaults('[{'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ENERGY_CONFIG')
    assert.match(err.message, /^SAMPLE_API_FAULTS is not valid JSON: /)
    return true
  })
  assert.throws(() => parseFaults('{"kind":"500"}'), { code: 'ENERGY_CONFIG', message: 'SAMPLE_API_FAULTS must be a JSON list of faults' })
  assert.throws(() => parseFaults('[{"source":"usage","kind":"boom","date":"2024-13-01","time":1,"times":0}]'), {
    code: 'ENERGY_CONFIG',
    message: 'SAMPLE_API_FAULTS is invalid:\n' +
      '  [0] unknown field "time"\n' +
      '  [0] kind must be one of 500, 429, malformed, slow, missing, 401, oversized, control, out-of-range, junk-fuels, empty, got "boom"\n' +
      '  [0] date must be YYYY-MM-DD, got "2024-13-01"\n' +
      '  [0] times must be a whole number >= 1, got 0'
  })
  assert.throws(() => parseFaults('[{"source":"water","kind":"500"}]'), /\[0\] source must be one of co2, mix, regional, forecast, pricing, usage, account, export, gas, catalogue, graphql, \*, got "water"/)
  assert.deepEqual(parseFaults('[{"source":"export","kind":"500"},{"source":"gas","kind":"missing"}]'), [{ source: 'export', kind: '500' }, { source: 'gas', kind: 'missing' }])
  assert.deepEqual(parseFaults('[{"source":"regional","kind":"empty"},{"source":"forecast","kind":"429"}]'), [{ source: 'regional', kind: 'empty' }, { source: 'forecast', kind: '429' }])
})

const day = (date: string): DateRange => ({ from: date, to: date })

test('takeFault matches source and date, counts times down and drops used-up faults', () => {
  const faults: Fault[] = [
    { source: 'usage', date: '2024-06-15', kind: '500', times: 2 },
    { source: '*', kind: 'missing' },
    { source: '*', kind: '429' }
  ]
  assert.equal(takeFault(faults, 'usage', day('2024-06-14'))?.kind, 'missing')
  // missing only concerns consumption, so co2 gets the next match.
  assert.equal(takeFault(faults, 'co2', day('2024-06-15'))?.kind, '429')
  assert.deepEqual(takeFault(faults, 'usage', day('2024-06-15')), { source: 'usage', date: '2024-06-15', kind: '500', times: 2 })
  assert.deepEqual(faults[0], { source: 'usage', date: '2024-06-15', kind: '500', times: 1 })
  assert.equal(takeFault(faults, 'usage', day('2024-06-15'))?.kind, '500')
  assert.equal(faults.length, 2)
  assert.equal(takeFault(faults, 'usage', day('2024-06-15'))?.kind, 'missing')
  assert.equal(takeFault(faults, 'account', undefined)?.kind, '429')
})

test('a dated fault hits a request whose dates contain its date, edges included, and nothing undated', () => {
  const faults: Fault[] = [{ source: 'usage', date: '2024-06-15', kind: '500' }]
  for (const [from, to] of [['2024-06-15', '2024-06-15'], ['2024-01-01', '2024-12-31'], ['2024-06-15', '2024-06-20'], ['2024-06-01', '2024-06-15']]) {
    assert.equal(takeFault(faults, 'usage', { from, to })?.kind, '500', `${from}..${to}`)
  }
  for (const [from, to] of [['2024-06-16', '2024-07-01'], ['2023-01-01', '2024-06-14']]) {
    assert.equal(takeFault(faults, 'usage', { from, to }), undefined, `${from}..${to}`)
  }
  assert.equal(takeFault(faults, 'usage', undefined), undefined)
  // An undated fault hits every request, one without dates too.
  assert.equal(takeFault([{ source: 'usage', kind: '500' }], 'usage', undefined)?.kind, '500')
})

test('missing hits consumption requests only: export and gas readings, not their rates', () => {
  const faults: Fault[] = [{ source: '*', kind: 'missing' }, { source: '*', kind: '500' }]
  assert.equal(takeFault(faults, 'export', day('2024-06-15'), true)?.kind, 'missing')
  assert.equal(takeFault(faults, 'gas', day('2024-06-15'), true)?.kind, 'missing')
  assert.equal(takeFault(faults, 'export', day('2024-06-15'), false)?.kind, '500')
  assert.equal(takeFault(faults, 'gas', day('2024-06-15'))?.kind, '500')
  assert.equal(takeFault(faults, 'pricing', day('2024-06-15'))?.kind, '500')
})

test('empty hits the Carbon Intensity sources only', () => {
  const faults: Fault[] = [{ source: '*', kind: 'empty' }, { source: '*', kind: '500' }]
  for (const source of ['co2', 'mix', 'regional', 'forecast'] as const) assert.equal(takeFault(faults, source, day('2024-06-15'))?.kind, 'empty', source)
  for (const source of ['pricing', 'usage', 'account', 'export', 'gas'] as const) assert.equal(takeFault(faults, source, day('2024-06-15'))?.kind, '500', source)
})
