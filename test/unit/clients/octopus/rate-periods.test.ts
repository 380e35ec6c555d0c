import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, SLOT_MS, slotStarts, type LondonDay } from '../../../../lib/london-day.ts'
import { parseRates, parseStandingCharges, withStandingCharges } from '../../../../clients/octopus/rate-periods.ts'

// Octopus standard-unit-rates: newest first, every rate overlapping [period_from, period_to]
// including the touching edges (period_to is inclusive), so a day query returns one rate
// before and one after the day. A fixed tariff has long periods, the current one with
// valid_to null, listed once per payment method.

const AGILE = 'E-1R-AGILE-24-10-01-C'
const FIXED = 'E-1R-VAR-22-11-01-C'
const JUNE = londonDay('2024-06-15')
const utc = (ms: number): string => new Date(ms).toISOString().slice(0, 19) + 'Z'
const at = (iso: string): number => Date.parse(iso)

/** A distinct Agile price per slot (p/kWh exc VAT), negative now and then as Agile can be. */
const priceOf = (startMs: number): number => Math.round(((startMs / SLOT_MS) % 37) * 100 - 500) / 100
const agileRate = (startMs: number): object => ({
  value_exc_vat: priceOf(startMs),
  value_inc_vat: Math.round(priceOf(startMs) * 1.05 * 10000) / 10000,
  valid_from: utc(startMs),
  valid_to: utc(startMs + SLOT_MS),
  payment_method: null
})

/** What the API answers for a day: the day's rates plus both touching edges, newest first. */
function agileAnswer (day: LondonDay): object[] {
  const rates = []
  for (let start = day.startMs - SLOT_MS; start <= day.endMs; start += SLOT_MS) rates.push(agileRate(start))
  return rates.reverse()
}

const agileExpected = (day: LondonDay): object[] => slotStarts(day).map(start => ({
  slot_start: start,
  tariff_code: AGILE,
  value_exc_vat: priceOf(start),
  value_inc_vat: Math.round(priceOf(start) * 1.05 * 10000) / 10000
}))

test('a small Agile answer: each slot gets its own rate; the edges period_to adds are dropped', () => {
  const results = [
    { value_exc_vat: 30, value_inc_vat: 31.5, valid_from: '2024-06-15T23:00:00Z', valid_to: '2024-06-15T23:30:00Z', payment_method: null },
    { value_exc_vat: -1.5, value_inc_vat: -1.575, valid_from: '2024-06-14T23:30:00Z', valid_to: '2024-06-15T00:00:00Z', payment_method: null },
    { value_exc_vat: 12.1, value_inc_vat: 12.705, valid_from: '2024-06-14T23:00:00Z', valid_to: '2024-06-14T23:30:00Z', payment_method: null },
    { value_exc_vat: 20, value_inc_vat: 21, valid_from: '2024-06-14T22:30:00Z', valid_to: '2024-06-14T23:00:00Z', payment_method: null }
  ]
  assert.deepStrictEqual(parseRates(JUNE, results, AGILE, 'DIRECT_DEBIT'), [
    { slot_start: at('2024-06-14T23:00:00Z'), tariff_code: AGILE, value_exc_vat: 12.1, value_inc_vat: 12.705 },
    { slot_start: at('2024-06-14T23:30:00Z'), tariff_code: AGILE, value_exc_vat: -1.5, value_inc_vat: -1.575 }
  ])
})

for (const [date, slots] of [['2024-06-15', 48], ['2024-03-31', 46], ['2024-10-27', 50]] as const) {
  test(`Agile ${date}: ${slots + 2} rates answered (edges included) give the day's ${slots}`, () => {
    const day = londonDay(date)
    const results = agileAnswer(day)
    assert.equal(results.length, slots + 2)
    const values = parseRates(day, results, AGILE, 'DIRECT_DEBIT')
    assert.equal(values.length, slots)
    assert.deepStrictEqual(values, agileExpected(day))
  })
}

test('Agile over two pages: the concatenated pages lose and duplicate nothing, even with a repeated rate at the boundary', () => {
  const all = agileAnswer(JUNE)
  // Page 1 newest first, page 2 the rest; the API re-listing the boundary rate on page 2 must not double it.
  const page1 = all.slice(0, 25)
  const page2 = all.slice(24)
  const values = parseRates(JUNE, [...page1, ...page2], AGILE, 'DIRECT_DEBIT')
  assert.deepStrictEqual(values, agileExpected(JUNE))
})

test('Agile with a gap: a slot without a rate is left out, not invented', () => {
  const results = agileAnswer(JUNE).filter(r => (r as { valid_from: string }).valid_from !== '2024-06-15T12:00:00Z')
  const values = parseRates(JUNE, results, AGILE, 'DIRECT_DEBIT')
  assert.equal(values.length, 47)
  assert.deepStrictEqual(values, agileExpected(JUNE).filter(v => (v as { slot_start: number }).slot_start !== at('2024-06-15T12:00:00Z')))
})

// The fixed tariff as the API lists it around 2024-10-27: the current quarter (valid_to null)
// and the one before, each for both payment methods, newest first.
const FIXED_RESULTS = [
  { value_exc_vat: 24.5, value_inc_vat: 25.725, valid_from: '2024-09-30T23:00:00Z', valid_to: null, payment_method: 'DIRECT_DEBIT' },
  { value_exc_vat: 25.73, value_inc_vat: 27.0165, valid_from: '2024-09-30T23:00:00Z', valid_to: null, payment_method: 'NON_DIRECT_DEBIT' },
  { value_exc_vat: 22, value_inc_vat: 23.1, valid_from: '2024-06-30T23:00:00Z', valid_to: '2024-09-30T23:00:00Z', payment_method: 'DIRECT_DEBIT' },
  { value_exc_vat: 23.1, value_inc_vat: 24.255, valid_from: '2024-06-30T23:00:00Z', valid_to: '2024-09-30T23:00:00Z', payment_method: 'NON_DIRECT_DEBIT' }
]

test('a fixed tariff (valid_to null) is expanded to all 50 slots of 2024-10-27 with the DIRECT_DEBIT rate', () => {
  const day = londonDay('2024-10-27')
  const values = parseRates(day, FIXED_RESULTS, FIXED, 'DIRECT_DEBIT')
  assert.deepStrictEqual(values, slotStarts(day).map(start => ({ slot_start: start, tariff_code: FIXED, value_exc_vat: 24.5, value_inc_vat: 25.725 })))
  assert.equal(values.length, 50)
})

test('OCTOPUS_PAYMENT_METHOD=NON_DIRECT_DEBIT picks the other listing', () => {
  const day = londonDay('2024-10-27')
  const values = parseRates(day, FIXED_RESULTS, FIXED, 'NON_DIRECT_DEBIT')
  assert.deepStrictEqual(values, slotStarts(day).map(start => ({ slot_start: start, tariff_code: FIXED, value_exc_vat: 25.73, value_inc_vat: 27.0165 })))
})

test('a fixed rate that changes mid-day: slots before the change keep the old rate, the later period wins after it', () => {
  const day = londonDay('2024-03-31')
  const results = [
    { value_exc_vat: 30, value_inc_vat: 31.5, valid_from: '2024-03-31T12:00:00Z', valid_to: null, payment_method: 'DIRECT_DEBIT' },
    // The older period is open-ended too (overlapping); the one that started last wins.
    { value_exc_vat: 20, value_inc_vat: 21, valid_from: '2024-01-01T00:00:00Z', valid_to: null, payment_method: 'DIRECT_DEBIT' }
  ]
  const values = parseRates(day, results, FIXED, 'DIRECT_DEBIT')
  assert.deepStrictEqual(values, slotStarts(day).map(start => start < at('2024-03-31T12:00:00Z')
    ? { slot_start: start, tariff_code: FIXED, value_exc_vat: 20, value_inc_vat: 21 }
    : { slot_start: start, tariff_code: FIXED, value_exc_vat: 30, value_inc_vat: 31.5 }))
  assert.equal(values.length, 46)
})

test('a tariff listed only for the other payment method gives no slots', () => {
  const results = FIXED_RESULTS.filter(r => r.payment_method === 'NON_DIRECT_DEBIT')
  assert.deepStrictEqual(parseRates(londonDay('2024-10-27'), results, FIXED, 'DIRECT_DEBIT'), [])
})

const MALFORMED: Array<[string, unknown[], string]> = [
  ['a result is a string', ['rate'], 'pricing answer is malformed: results[0] is not an object'],
  ['valid_from is missing', [{ value_exc_vat: 1, value_inc_vat: 1.05, valid_to: null }], 'pricing answer is malformed: results[0].valid_from is not a timestamp (undefined)'],
  ['valid_to is not a time', [{ value_exc_vat: 1, value_inc_vat: 1.05, valid_from: '2024-06-14T23:00:00Z', valid_to: 'never' }],
    'pricing answer is malformed: results[0].valid_to is not a timestamp ("never")'],
  ['value_exc_vat is a string', [agileRate(JUNE.startMs), { ...agileRate(JUNE.startMs + SLOT_MS), value_exc_vat: '12.1' }],
    'pricing answer is malformed: results[1].value_exc_vat is not a number ("12.1")'],
  ['value_inc_vat is null', [{ ...agileRate(JUNE.startMs), value_inc_vat: null }], 'pricing answer is malformed: results[0].value_inc_vat is not a number (null)']
]

for (const [what, results, message] of MALFORMED) {
  test(`malformed: ${what} → ENERGY_MALFORMED`, () => {
    assert.throws(() => parseRates(JUNE, results, AGILE, 'DIRECT_DEBIT'), { name: 'EnergyError', code: 'ENERGY_MALFORMED', source: 'pricing', message })
  })
}

// Octopus standing-charges: the same shape (p/day), newest first, listed per payment method, the
// current one with valid_to null; a change takes effect at London midnight of a price-cap date.

const CHARGES = [
  { value_exc_vat: 60, value_inc_vat: 63, valid_from: '2024-06-30T23:00:00Z', valid_to: null, payment_method: 'DIRECT_DEBIT' },
  { value_exc_vat: 64.8, value_inc_vat: 68.04, valid_from: '2024-06-30T23:00:00Z', valid_to: null, payment_method: 'NON_DIRECT_DEBIT' },
  { value_exc_vat: 50, value_inc_vat: 52.5, valid_from: '2024-03-31T23:00:00Z', valid_to: '2024-06-30T23:00:00Z', payment_method: 'DIRECT_DEBIT' },
  { value_exc_vat: 54, value_inc_vat: 56.7, valid_from: '2024-03-31T23:00:00Z', valid_to: '2024-06-30T23:00:00Z', payment_method: 'NON_DIRECT_DEBIT' }
]

test('standing charges: the payment method\'s periods, latest first, valid_to null open-ended', () => {
  assert.deepStrictEqual(parseStandingCharges(CHARGES, 'DIRECT_DEBIT'), [
    { from: at('2024-06-30T23:00:00Z'), to: Infinity, exc: 60, inc: 63 },
    { from: at('2024-03-31T23:00:00Z'), to: at('2024-06-30T23:00:00Z'), exc: 50, inc: 52.5 }
  ])
  assert.deepStrictEqual(parseStandingCharges(CHARGES, 'NON_DIRECT_DEBIT').map(c => c.inc), [68.04, 56.7])
  // An entry without a payment method applies to both.
  assert.deepStrictEqual(parseStandingCharges([{ ...CHARGES[0], payment_method: null }], 'NON_DIRECT_DEBIT').map(c => c.exc), [60])
})

test('each slot gets the standing charge in force at its start: the day of a change has the new one from local midnight', () => {
  const day = londonDay('2024-07-01')
  const rates = parseRates(day, agileAnswer(day), AGILE, 'DIRECT_DEBIT')
  for (const [method, exc, inc] of [['DIRECT_DEBIT', 60, 63], ['NON_DIRECT_DEBIT', 64.8, 68.04]] as const) {
    assert.deepStrictEqual(withStandingCharges(rates, parseStandingCharges(CHARGES, method)),
      agileExpected(day).map(r => ({ ...r, standing_charge_exc_vat: exc, standing_charge_inc_vat: inc })), method)
  }
  // The day before the change: the old period, which ends exactly at the next local midnight.
  const before = londonDay('2024-06-30')
  const values = withStandingCharges(parseRates(before, agileAnswer(before), AGILE, 'DIRECT_DEBIT'), parseStandingCharges(CHARGES, 'DIRECT_DEBIT'))
  assert.deepStrictEqual(new Set(values.map(v => v.standing_charge_inc_vat)), new Set([52.5]))
})

test('a slot no standing charge covers gets null (unknown), not 0', () => {
  const day = londonDay('2024-03-31')
  const values = withStandingCharges(parseRates(day, agileAnswer(day), AGILE, 'DIRECT_DEBIT'), parseStandingCharges(CHARGES, 'DIRECT_DEBIT'))
  assert.equal(values.length, 46)
  assert.deepStrictEqual(new Set(values.map(v => [v.standing_charge_exc_vat, v.standing_charge_inc_vat].join())), new Set([',']))
  assert.deepStrictEqual(withStandingCharges([], parseStandingCharges(CHARGES, 'DIRECT_DEBIT')), [])
})
