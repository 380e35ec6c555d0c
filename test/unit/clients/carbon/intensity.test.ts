import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, SLOT_MS, slotStarts } from '../../../../lib/london-day.ts'
import { parseCo2Slots } from '../../../../clients/carbon/intensity.ts'

// Carbon Intensity `GET /intensity/date/{date}` answers the UK local day. The normaliser keeps
// exactly the day's half-hours (starting inside the day, on a half-hour, once each), sorted.

const JUNE = londonDay('2024-06-15')
const at = (iso: string): number => Date.parse(iso)
/** The API's minute-precision UTC spelling: `2024-06-14T23:00Z`. */
const carbonTime = (ms: number): string => new Date(ms).toISOString().slice(0, 16) + 'Z'
const entry = (from: string, forecast: unknown, actual: unknown, index: unknown = 'low'): object =>
  ({ from, to: carbonTime(Date.parse(from) + SLOT_MS), intensity: { forecast, actual, index } })

test('a summer day: slots outside the day, off the half-hour or repeated are dropped, the rest sorted', () => {
  const body = {
    data: [
      entry('2024-06-15T22:30Z', 120, null, 'moderate'), // last slot, listed first: sorted
      entry('2024-06-14T23:00Z', 79, 76), // first slot: local midnight BST
      entry('2024-06-14T22:30Z', 90, 88), // ends at local midnight: the day before
      entry('2024-06-15T23:00Z', 95, 97), // starts at the next local midnight: the day after
      entry('2024-06-15T10:15Z', 60, 61), // not on a half-hour
      entry('2024-06-14T23:00Z', 1, 1, 'very low'), // repeated slot: the first one wins
      entry('2024-06-15T12:00Z', 79.5, 80.4, 'low') // whole gCO2/kWh: rounded
    ]
  }
  assert.deepStrictEqual(parseCo2Slots(JUNE, body), [
    { slot_start: at('2024-06-14T23:00Z'), forecast: 79, actual: 76, index: 'low' },
    { slot_start: at('2024-06-15T12:00Z'), forecast: 80, actual: 80, index: 'low' },
    { slot_start: at('2024-06-15T22:30Z'), forecast: 120, actual: null, index: 'moderate' }
  ])
})

test('a missing actual (not yet measured) is null, like an explicit null', () => {
  const body = { data: [{ from: '2024-06-14T23:00Z', to: '2024-06-14T23:30Z', intensity: { forecast: 79, index: 'low' } }] }
  assert.deepStrictEqual(parseCo2Slots(JUNE, body), [{ slot_start: at('2024-06-14T23:00Z'), forecast: 79, actual: null, index: 'low' }])
})

test('an empty answer is no slots (the day has no data yet), not an error', () => {
  assert.deepStrictEqual(parseCo2Slots(JUNE, { data: [] }), [])
})

for (const [date, slots] of [['2024-03-31', 46], ['2024-10-27', 50]] as const) {
  test(`${date} answers ${slots} half-hours and gives ${slots} records, one per UTC slot start`, () => {
    const day = londonDay(date)
    const starts = slotStarts(day)
    const body = { data: starts.map((start, i) => entry(carbonTime(start), 100 + i, 90 + i)) }
    const expected = starts.map((start, i) => ({ slot_start: start, forecast: 100 + i, actual: 90 + i, index: 'low' }))
    assert.equal(expected.length, slots)
    assert.deepStrictEqual(parseCo2Slots(day, body), expected)
  })
}

test('2024-10-27: the repeated local hour 01:00-02:00 is two distinct UTC hours', () => {
  const day = londonDay('2024-10-27')
  // 01:00 BST = 00:00 UTC, then clocks go back: 01:00 GMT = 01:00 UTC.
  const body = { data: ['2024-10-27T00:00Z', '2024-10-27T00:30Z', '2024-10-27T01:00Z', '2024-10-27T01:30Z'].map(t => entry(t, 100, 100)) }
  assert.deepStrictEqual(parseCo2Slots(day, body).map(v => new Date(v.slot_start).toISOString()),
    ['2024-10-27T00:00:00.000Z', '2024-10-27T00:30:00.000Z', '2024-10-27T01:00:00.000Z', '2024-10-27T01:30:00.000Z'])
})

const MALFORMED: Array<[string, unknown, string]> = [
  ['the answer is not an object', null, 'co2 answer is malformed: answer is not an object'],
  ['the answer is a list', [], 'co2 answer is malformed: answer is not an object'],
  ['data is missing', { error: 'x' }, 'co2 answer is malformed: data is not a list'],
  ['an entry is not an object', { data: [42] }, 'co2 answer is malformed: data[0] is not an object'],
  ['intensity is missing', { data: [{ from: '2024-06-14T23:00Z' }] }, 'co2 answer is malformed: data[0].intensity is not an object'],
  ['forecast is a string', { data: [entry('2024-06-14T23:00Z', '79', 76)] }, 'co2 answer is malformed: data[0].intensity.forecast is not a number ("79")'],
  ['forecast is null', { data: [entry('2024-06-14T23:00Z', null, 76)] }, 'co2 answer is malformed: data[0].intensity.forecast is not a number (null)'],
  ['actual is a string', { data: [entry('2024-06-14T23:00Z', 79, 'n/a')] }, 'co2 answer is malformed: data[0].intensity.actual is not a number ("n/a")'],
  ['index is missing', { data: [entry('2024-06-14T23:00Z', 79, 76, null)] }, 'co2 answer is malformed: data[0].intensity.index is not a string'],
  ['from is not a time', { data: [entry('2024-06-14T23:00Z', 79, 76), { ...entry('2024-06-14T23:30Z', 79, 76), from: 'soon' }] },
    'co2 answer is malformed: data[1].from is not a timestamp ("soon")']
]

for (const [what, body, message] of MALFORMED) {
  test(`malformed: ${what} → ENERGY_MALFORMED`, () => {
    assert.throws(() => parseCo2Slots(JUNE, body), { name: 'EnergyError', code: 'ENERGY_MALFORMED', source: 'co2', retryable: false, message })
  })
}
