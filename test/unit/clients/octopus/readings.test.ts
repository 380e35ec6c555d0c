import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, SLOT_MS, slotStarts, type LondonDay } from '../../../../lib/london-day.ts'
import { parseReadings } from '../../../../clients/octopus/readings.ts'

// Octopus consumption: interval_start/interval_end in UK local time with the offset (+01:00 in
// BST, Z in GMT); period_to is inclusive, so a day query also returns the next day's first
// interval; pages are newest first unless order_by=period.

const SERIAL = '21L0000001'
const at = (iso: string): number => Date.parse(iso)
const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset'
})
/** The Octopus spelling of an instant, from Intl (independent of lib/london-day.ts). */
function octopusLocal (ms: number): string {
  const p = Object.fromEntries(londonParts.formatToParts(ms).map(x => [x.type, x.value]))
  const offset = p.timeZoneName === 'GMT+1' ? '+01:00' : 'Z'
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`
}
const kwhOf = (startMs: number): number => ((startMs / SLOT_MS) % 29) / 10
const interval = (startMs: number, consumption = kwhOf(startMs)): object =>
  ({ consumption, interval_start: octopusLocal(startMs), interval_end: octopusLocal(startMs + SLOT_MS) })

/** A day's answer as the API gives it: every interval starting in [start, end], newest first. */
function dayAnswer (day: LondonDay): object[] {
  const results = []
  for (let start = day.startMs; start <= day.endMs; start += SLOT_MS) results.push(interval(start))
  return results.reverse()
}

test('a small summer answer: +01:00 local times key UTC slots; the inclusive period_to interval is dropped', () => {
  const day = londonDay('2024-06-15')
  const results = [
    { consumption: 0.2, interval_start: '2024-06-16T00:00:00+01:00', interval_end: '2024-06-16T00:30:00+01:00' },
    { consumption: 0.063, interval_start: '2024-06-15T23:30:00+01:00', interval_end: '2024-06-16T00:00:00+01:00' },
    { consumption: 0.07, interval_start: '2024-06-15T00:00:00+01:00', interval_end: '2024-06-15T00:30:00+01:00' },
    { consumption: 0, interval_start: '2024-06-15T00:30:00+01:00', interval_end: '2024-06-15T01:00:00+01:00' },
    { consumption: 9, interval_start: '2024-06-15T00:00:00+01:00', interval_end: '2024-06-15T00:30:00+01:00' }
  ]
  assert.deepStrictEqual(parseReadings(day, results, SERIAL), [
    { slot_start: at('2024-06-14T23:00:00Z'), consumption: 0.07, meter_serial: SERIAL },
    { slot_start: at('2024-06-14T23:30:00Z'), consumption: 0, meter_serial: SERIAL },
    { slot_start: at('2024-06-15T22:30:00Z'), consumption: 0.063, meter_serial: SERIAL }
  ])
})

test('without a meter serial the records carry null', () => {
  const day = londonDay('2024-01-15')
  const results = [{ consumption: 0.5, interval_start: '2024-01-15T00:00:00Z', interval_end: '2024-01-15T00:30:00Z' }]
  assert.deepStrictEqual(parseReadings(day, results), [{ slot_start: at('2024-01-15T00:00:00Z'), consumption: 0.5, meter_serial: null }])
})

for (const [date, slots] of [['2024-06-15', 48], ['2024-03-31', 46], ['2024-10-27', 50]] as const) {
  test(`${date}: ${slots + 1} intervals answered give the day's ${slots} records`, () => {
    const day = londonDay(date)
    const results = dayAnswer(day)
    assert.equal(results.length, slots + 1)
    assert.deepStrictEqual(parseReadings(day, results, SERIAL),
      slotStarts(day).map(start => ({ slot_start: start, consumption: kwhOf(start), meter_serial: SERIAL })))
  })
}

test('2024-10-27: 01:00+01:00 and 01:00Z are two slots an hour apart', () => {
  const day = londonDay('2024-10-27')
  const results = [
    { consumption: 0.4, interval_start: '2024-10-27T01:00:00Z', interval_end: '2024-10-27T01:30:00Z' },
    { consumption: 0.3, interval_start: '2024-10-27T01:30:00+01:00', interval_end: '2024-10-27T01:00:00Z' },
    { consumption: 0.2, interval_start: '2024-10-27T01:00:00+01:00', interval_end: '2024-10-27T01:30:00+01:00' }
  ]
  assert.deepStrictEqual(parseReadings(day, results, SERIAL), [
    { slot_start: at('2024-10-27T00:00:00Z'), consumption: 0.2, meter_serial: SERIAL },
    { slot_start: at('2024-10-27T00:30:00Z'), consumption: 0.3, meter_serial: SERIAL },
    { slot_start: at('2024-10-27T01:00:00Z'), consumption: 0.4, meter_serial: SERIAL }
  ])
})

test('late consumption: the slots the API has so far, no more', () => {
  const day = londonDay('2024-06-15')
  const results = dayAnswer(day).slice(10) // the newest 10 are missing
  const values = parseReadings(day, results, SERIAL)
  assert.equal(values.length, 39)
  assert.deepStrictEqual(values, slotStarts(day).slice(0, 39).map(start => ({ slot_start: start, consumption: kwhOf(start), meter_serial: SERIAL })))
})

const JUNE = londonDay('2024-06-15')
const MALFORMED: Array<[string, unknown[], string]> = [
  ['a result is null', [null], 'usage answer is malformed: results[0] is not an object'],
  ['consumption is a string', [{ consumption: '0.1', interval_start: '2024-06-15T00:00:00+01:00' }], 'usage answer is malformed: results[0].consumption is not a number ("0.1")'],
  ['consumption is negative', [interval(JUNE.startMs), { consumption: -0.1, interval_start: '2024-06-15T00:30:00+01:00' }],
    'usage answer is malformed: results[1].consumption is -0.1, outside 0..100'],
  ['interval_start is missing', [{ consumption: 0.1 }], 'usage answer is malformed: results[0].interval_start is not a timestamp (undefined)'],
  ['interval_start is not a time', [{ consumption: 0.1, interval_start: 'yesterday' }], 'usage answer is malformed: results[0].interval_start is not a timestamp ("yesterday")']
]

for (const [what, results, message] of MALFORMED) {
  test(`malformed: ${what} → ENERGY_MALFORMED`, () => {
    assert.throws(() => parseReadings(JUNE, results, SERIAL), { name: 'EnergyError', code: 'ENERGY_MALFORMED', source: 'usage', message })
  })
}
