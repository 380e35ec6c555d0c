import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, SLOT_MS } from '../../../../lib/london-day.ts'
import { parseCo2Slots } from '../../../../clients/carbon/intensity.ts'
import { BOUNDS, MAX_TEXT } from '../../../../lib/answer.ts'
import { isFuelName, parseMixSlots } from '../../../../clients/carbon/generation.ts'
import { parseRates, parseStandingCharges } from '../../../../clients/octopus/rate-periods.ts'
import { parseReadings } from '../../../../clients/octopus/readings.ts'

// Hostile answers: every number finite and inside its physical bounds, every string short and
// without control characters, fuel names of the documented form. Each case is refused with
// ENERGY_MALFORMED naming the source, the field and what was wrong; its neighbours in range pass.

const JUNE = londonDay('2024-06-15')
const FROM = '2024-06-14T23:00Z'
const START = Date.parse(FROM)
const co2 = (forecast: unknown, actual: unknown, index: unknown = 'low'): unknown =>
  ({ data: [{ from: FROM, to: new Date(START + SLOT_MS).toISOString(), intensity: { forecast, actual, index } }] })
const mix = (fuel: unknown, perc: unknown): unknown => ({ data: [{ from: FROM, to: new Date(START + SLOT_MS).toISOString(), generationmix: [{ fuel, perc }] }] })
const rate = (inc: unknown, exc: unknown = 10, paymentMethod: unknown = null): unknown[] =>
  [{ valid_from: '2024-06-14T23:00:00Z', valid_to: '2024-06-14T23:30:00Z', value_inc_vat: inc, value_exc_vat: exc, payment_method: paymentMethod }]
const usage = (consumption: unknown): unknown[] => [{ consumption, interval_start: '2024-06-15T00:00:00+01:00', interval_end: '2024-06-15T00:30:00+01:00' }]

const refused = (fn: () => unknown, source: string, message: string): void => {
  assert.throws(fn, { name: 'EnergyError', code: 'ENERGY_MALFORMED', source, message: `${source} answer is malformed: ${message}` })
}

test('numbers: out of bounds (1e308 included) or not finite are refused, the bounds themselves accepted', () => {
  refused(() => parseReadings(JUNE, usage(1e308)), 'usage', 'results[0].consumption is 1e+308, outside 0..100')
  refused(() => parseReadings(JUNE, usage(-0.001)), 'usage', 'results[0].consumption is -0.001, outside 0..100')
  refused(() => parseReadings(JUNE, usage('Infinity')), 'usage', 'results[0].consumption is not a number ("Infinity")')
  assert.equal(parseReadings(JUNE, usage(BOUNDS.consumptionKwh.max))[0].consumption, 100)
  refused(() => parseCo2Slots(JUNE, co2(1e308, null)), 'co2', 'data[0].intensity.forecast is 1e+308, outside 0..2000')
  refused(() => parseCo2Slots(JUNE, co2(100, -5)), 'co2', 'data[0].intensity.actual is -5, outside 0..2000')
  assert.equal(parseCo2Slots(JUNE, co2(2000, 0))[0].forecast, 2000)
  refused(() => parseMixSlots(JUNE, mix('wind', 100.5)), 'mix', 'data[0].generationmix[0].perc is 100.5, outside 0..100')
  refused(() => parseMixSlots(JUNE, mix('wind', null)), 'mix', 'data[0].generationmix[0].perc is not a number (null)')
  refused(() => parseRates(JUNE, rate(1e308), 'E-1R-AGILE-24-10-01-C', 'DIRECT_DEBIT'), 'pricing', 'results[0].value_inc_vat is 1e+308, outside -1000..1000')
  // Standing charges, p/day: 0..1000, never negative.
  refused(() => parseStandingCharges(rate(1e308), 'DIRECT_DEBIT'), 'pricing', 'results[0].value_inc_vat is 1e+308, outside 0..1000')
  refused(() => parseStandingCharges(rate(50, -1), 'DIRECT_DEBIT'), 'pricing', 'results[0].value_exc_vat is -1, outside 0..1000')
  refused(() => parseStandingCharges(rate(50, '40'), 'DIRECT_DEBIT'), 'pricing', 'results[0].value_exc_vat is not a number ("40")')
  refused(() => parseStandingCharges(rate(50, 40, 'D\u0000'), 'DIRECT_DEBIT'), 'pricing', 'results[0].payment_method holds the control character U+0000')
  assert.deepStrictEqual(parseStandingCharges(rate(BOUNDS.standingCharge.max, 0), 'DIRECT_DEBIT').map(c => [c.inc, c.exc]), [[1000, 0]])
  // Agile prices go negative: accepted.
  assert.equal(parseRates(JUNE, rate(-25.2, -24), 'E-1R-AGILE-24-10-01-C', 'DIRECT_DEBIT')[0].value_inc_vat, -25.2)
})

test('text: too long or holding a control character is refused, naming the character', () => {
  refused(() => parseCo2Slots(JUNE, co2(100, 90, 'x'.repeat(100000))), 'co2', `data[0].intensity.index is 100000 characters long, more than ${MAX_TEXT.index}`)
  refused(() => parseCo2Slots(JUNE, co2(100, 90, 'lo\u0000w')), 'co2', 'data[0].intensity.index holds the control character U+0000')
  refused(() => parseCo2Slots(JUNE, co2(100, 90, 'low\n')), 'co2', 'data[0].intensity.index holds the control character U+000A')
  refused(() => parseCo2Slots(JUNE, co2(100, 90, 'low\u0085')), 'co2', 'data[0].intensity.index holds the control character U+0085')
  refused(() => parseCo2Slots(JUNE, co2(100, 90, 7)), 'co2', 'data[0].intensity.index is not a string')
  refused(() => parseRates(JUNE, rate(20), 'E-1R-AGILE\u0000', 'DIRECT_DEBIT'), 'pricing', 'the tariff code holds the control character U+0000')
  refused(() => parseRates(JUNE, rate(20, 10, 'D'.repeat(33)), 'E-1R-AGILE-24-10-01-C', 'DIRECT_DEBIT'), 'pricing', 'results[0].payment_method is 33 characters long, more than 32')
  refused(() => parseReadings(JUNE, usage(0.2), 'S'.repeat(MAX_TEXT.serial + 1)), 'usage', `the meter serial is ${MAX_TEXT.serial + 1} characters long, more than ${MAX_TEXT.serial}`)
})

test('fuel names: the API\'s and plausible new ones pass; junk, control characters and overlong names are refused', () => {
  for (const fuel of ['biomass', 'coal', 'imports', 'gas', 'nuclear', 'other', 'hydro', 'solar', 'wind', 'pumped storage', 'battery_2']) {
    assert.ok(isFuelName(fuel), fuel)
    assert.equal(parseMixSlots(JUNE, mix(fuel, 10))[0].generationmix[0].fuel, fuel)
  }
  for (const fuel of ['', 'Wind', '9wind', 'wind!', 'w'.repeat(33), '<script>', 'gas\u0000']) assert.equal(isFuelName(fuel), false, JSON.stringify(fuel))
  refused(() => parseMixSlots(JUNE, mix('junk-€', 1)), 'mix', 'data[0].generationmix[0].fuel "junk-€" is not a fuel name (lower-case letters, digits, space, _ and -, starting with a letter, up to 32 characters)')
  refused(() => parseMixSlots(JUNE, mix('gas\u0000', 1)), 'mix', 'data[0].generationmix[0].fuel holds the control character U+0000')
  refused(() => parseMixSlots(JUNE, mix('g'.repeat(40), 1)), 'mix', 'data[0].generationmix[0].fuel is 40 characters long, more than 32')
})

test('an error message never carries the junk itself in full', () => {
  assert.throws(() => parseReadings(JUNE, usage('9'.repeat(50000))), (err: Error) => err.message.length < 200)
})
