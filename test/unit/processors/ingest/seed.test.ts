import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resolveRange, SETTLE_DAYS } from '../../../../processors/ingest/seed.ts'

// `npm run seed -- FROM [TO]`: dates are checked before anything is produced. TO defaults to
// today (London) minus 2 days; FROM omitted means the day after the newest daily_summary date.

const NOON = Date.parse('2024-06-15T12:00:00Z')

test('FROM and TO given: the inclusive range as given', () => {
  assert.deepStrictEqual(resolveRange('2024-03-01', '2024-03-31', undefined, NOON), { from: '2024-03-01', to: '2024-03-31' })
  assert.deepStrictEqual(resolveRange('2024-02-29', '2024-02-29', '2030-01-01', NOON), { from: '2024-02-29', to: '2024-02-29' })
})

test('TO omitted: today minus 2 days, London time', () => {
  assert.equal(SETTLE_DAYS, 2)
  assert.deepStrictEqual(resolveRange('2024-06-01', undefined, undefined, NOON), { from: '2024-06-01', to: '2024-06-13' })
  // 23:30 UTC on 15 June is already 16 June in London (BST).
  assert.deepStrictEqual(resolveRange('2024-06-01', undefined, undefined, Date.parse('2024-06-15T23:30:00Z')), { from: '2024-06-01', to: '2024-06-14' })
  // In winter London is UTC: 23:30 UTC on 15 January is still 15 January.
  assert.deepStrictEqual(resolveRange('2024-01-01', undefined, undefined, Date.parse('2024-01-15T23:30:00Z')), { from: '2024-01-01', to: '2024-01-13' })
})

test('FROM omitted: the day after the newest date in daily_summary', () => {
  assert.deepStrictEqual(resolveRange(undefined, undefined, '2024-06-10', NOON), { from: '2024-06-11', to: '2024-06-13' })
  assert.deepStrictEqual(resolveRange(undefined, '2024-03-05', '2024-02-28', NOON), { from: '2024-02-29', to: '2024-03-05' })
  // Up to TO exactly: one day left.
  assert.deepStrictEqual(resolveRange(undefined, undefined, '2024-06-12', NOON), { from: '2024-06-13', to: '2024-06-13' })
})

const REFUSED: Array<[string, [string | undefined, string | undefined, string | undefined], string]> = [
  ['FROM 2024-02-30 (no such day)', ['2024-02-30', undefined, undefined], 'FROM "2024-02-30" is not a date: use YYYY-MM-DD, e.g. 2024-06-15'],
  ['FROM 24-1-1 (not YYYY-MM-DD)', ['24-1-1', undefined, undefined], 'FROM "24-1-1" is not a date: use YYYY-MM-DD, e.g. 2024-06-15'],
  ['FROM 2023-02-29 (not a leap year)', ['2023-02-29', '2023-03-01', undefined], 'FROM "2023-02-29" is not a date: use YYYY-MM-DD, e.g. 2024-06-15'],
  ['TO 2024-13-01', ['2024-01-01', '2024-13-01', undefined], 'TO "2024-13-01" is not a date: use YYYY-MM-DD, e.g. 2024-06-15'],
  ['TO 2024/01/31', ['2024-01-01', '2024/01/31', undefined], 'TO "2024/01/31" is not a date: use YYYY-MM-DD, e.g. 2024-06-15'],
  ['FROM after TO', ['2024-03-02', '2024-03-01', undefined], 'FROM 2024-03-02 is after TO 2024-03-01'],
  ['FROM after the default TO', ['2024-06-14', undefined, undefined], 'FROM 2024-06-14 is after TO 2024-06-13'],
  ['FROM omitted and daily_summary empty', [undefined, undefined, undefined],
    'no FROM given and daily_summary is empty: give FROM, e.g. `npm run seed -- 2024-01-01`'],
  ['FROM omitted and daily_summary already at TO', [undefined, undefined, '2024-06-13'],
    'nothing to seed: daily_summary is up to date (newest 2024-06-13, TO 2024-06-13)']
]

for (const [what, [from, to, newest], message] of REFUSED) {
  test(`refused: ${what}`, () => {
    assert.throws(() => resolveRange(from, to, newest, NOON), { name: 'EnergyError', code: 'ENERGY_BAD_DATE', message })
  })
}
