import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeDeadLetter } from '../../../lib/dlq-tail.ts'
import { deadLetterLine, listDates, parseTimeout, seedSnapshot, waitReport, type WaitResult } from '../../../processors/ingest/seed-wait.ts'
import type { Landed } from '../../../processors/ingest/landed.ts'

const landed = (over: Partial<Landed> = {}): Landed => ({ sources: new Map(), landed: new Set(), complete: new Set(), settled: new Set(), ...over })

test('--timeout: seconds, or with s, m or h', () => {
  assert.deepStrictEqual(['45', '90s', '30m', '1h'].map(parseTimeout), [45000, 90000, 1800000, 3600000])
  for (const bad of ['0', '-1', '1.5m', 'soon']) {
    assert.throws(() => parseTimeout(bad), { code: 'ENERGY_USAGE', message: `--timeout must be a positive number of seconds, or of minutes or hours (90s, 30m, 1h), got "${bad}"` })
  }
})

test('the snapshot counts each source against the days it can have (carbon from its history)', () => {
  const dates = ['2017-09-25', '2017-09-26', '2017-09-27']
  const snap = seedSnapshot('seed', dates, [{ name: 'co2', table: 't' }, { name: 'usage', table: 'u' }], landed({
    sources: new Map([['co2', new Set(['2017-09-26'])], ['usage', new Set(dates)]]),
    landed: new Set(dates),
    complete: new Set(['2017-09-26'])
  }), 4000, 60000)
  assert.deepStrictEqual(snap, {
    title: 'seed',
    elapsedMs: 4000,
    note: 'timeout in 56 s',
    rows: [
      { label: 'co2', done: 1, total: 2, unit: 'days' },
      { label: 'usage', done: 3, total: 3, unit: 'days' },
      { label: 'daily_summary', done: 3, total: 3, unit: 'days', note: '2 incomplete' }
    ]
  })
})

test('the report names what is missing, at most ten dates a list', () => {
  const dates = Array.from({ length: 12 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`)
  const result: WaitResult = {
    outcome: 'timeout',
    dates,
    landed: landed({ landed: new Set(dates.slice(0, 1)) }),
    missingBySource: new Map([['usage', dates.slice(1)]]),
    missing: dates.slice(1),
    incomplete: [],
    deadLetters: 11
  }
  assert.deepStrictEqual(waitReport(result), [
    'timed out waiting',
    '1/12 days landed in daily_summary; 11 dead letters',
    'missing from daily_summary: 2024-01-02, 2024-01-03, 2024-01-04, 2024-01-05, 2024-01-06, 2024-01-07, 2024-01-08, 2024-01-09, 2024-01-10, 2024-01-11 and 1 more',
    'usage has not got: 2024-01-02, 2024-01-03, 2024-01-04, 2024-01-05, 2024-01-06, 2024-01-07, 2024-01-08, 2024-01-09, 2024-01-10, 2024-01-11 and 1 more'
  ])
  assert.equal(listDates(['2024-01-01']), '2024-01-01')
  assert.deepStrictEqual(waitReport({ ...result, outcome: 'interrupted', landed: landed({ landed: new Set(dates) }), missing: [], missingBySource: new Map(), incomplete: ['2024-01-05'], deadLetters: 0 }), [
    'stopped waiting: the requests are published and the pipeline carries on with them',
    '12/12 days landed in daily_summary, 1 of them incomplete (2024-01-05)'
  ])
})

test('a dead letter in one line: who, which day, why', () => {
  const note = describeDeadLetter(new Map([['dlq.processor', 'usage'], ['dlq.date', '2024-03-01'], ['dlq.error.code', 'ENERGY_FETCH'], ['dlq.error', 'HTTP 500']]), '2024-02-28')
  assert.deepStrictEqual(note, { component: 'usage', date: '2024-03-01', code: 'ENERGY_FETCH', error: 'HTTP 500' })
  assert.equal(deadLetterLine(note), 'dead letter: usage 2024-03-01 ENERGY_FETCH: HTTP 500')
  // A sink's: no dlq.date, the key is the date; the join's: an empty dlq.date.
  assert.deepStrictEqual(describeDeadLetter(new Map([['dlq.sink', 'daily_summary'], ['dlq.error.code', 'ENERGY_SINK'], ['dlq.error', 'bad']]), '2024-03-02'),
    { component: 'daily_summary', date: '2024-03-02', code: 'ENERGY_SINK', error: 'bad' })
  assert.deepStrictEqual(describeDeadLetter(new Map([['dlq.processor', 'join'], ['dlq.date', '']]), 'not-a-date'),
    { component: 'join', date: '', code: 'UNKNOWN', error: '' })
})
