import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SLOT_MS } from '../../../../lib/london-day.ts'
import { mergeForecast } from '../../../../processors/forecast/normalise.ts'
import { parseNationalForecast, parseRegionalForecast } from '../../../../clients/carbon/forecast.ts'
import { horizonOf } from '../../../../processors/forecast/refresh.ts'
import type { ForecastRecord } from '../../../../processors/forecast/types.ts'

// The forecast's answers are normalised like every answer (bounded, untrusted) and merged with
// the previous forecast: the latest values per slot win, a part that failed keeps the old ones.

const at = (iso: string): number => Date.parse(iso)
const carbonTime = (ms: number): string => new Date(ms).toISOString().slice(0, 16) + 'Z'
const entry = (from: string, forecast: unknown, index: unknown = 'low'): object =>
  ({ from, to: carbonTime(Date.parse(from) + SLOT_MS), intensity: { forecast, actual: null, index } })

// Three slots from 12:00Z: the range the tests ask for.
const RANGE = { startMs: at('2024-12-01T12:00Z'), endMs: at('2024-12-01T13:30Z') }

test('horizon: the next 96 half-hours from the one holding now, as UTC instants', () => {
  assert.deepStrictEqual(horizonOf(at('2024-10-26T23:47:13Z'), 96), { startMs: at('2024-10-26T23:30Z'), endMs: at('2024-10-28T23:30Z') })
  assert.deepStrictEqual(horizonOf(at('2024-12-01T12:00Z'), 2), { startMs: at('2024-12-01T12:00Z'), endMs: at('2024-12-01T13:00Z') })
})

test('national fw48h: the range\'s slots, rounded, once each; an empty list is no slots', () => {
  const body = { data: [entry('2024-12-01T11:30Z', 99), entry('2024-12-01T12:00Z', 150.4, 'moderate'), entry('2024-12-01T12:00Z', 1), entry('2024-12-01T13:00Z', 80), entry('2024-12-01T13:30Z', 70)] }
  assert.deepStrictEqual(parseNationalForecast(RANGE, body, 384), [
    { slot_start: at('2024-12-01T12:00Z'), forecast: 150, index: 'moderate', region_id: null, region: null },
    { slot_start: at('2024-12-01T13:00Z'), forecast: 80, index: 'low', region_id: null, region: null }
  ])
  assert.deepStrictEqual(parseNationalForecast(RANGE, { data: [] }, 384), [])
})

test('regional fw48h: the region nested as an object or a list of one; an empty list or region is no slots', () => {
  const region = { regionid: 12, dnoregion: 'SSE South', shortname: 'South England', postcode: 'RG41', data: [entry('2024-12-01T12:30Z', 201, 'high')] }
  const expected = [{ slot_start: at('2024-12-01T12:30Z'), forecast: 201, index: 'high', region_id: 12, region: 'South England' }]
  assert.deepStrictEqual(parseRegionalForecast(RANGE, { data: region }, 384), expected)
  assert.deepStrictEqual(parseRegionalForecast(RANGE, { data: [region] }, 384), expected)
  assert.deepStrictEqual(parseRegionalForecast(RANGE, { data: [] }, 384), [])
  assert.deepStrictEqual(parseRegionalForecast(RANGE, { data: { ...region, data: [] } }, 384), [])
})

test('hostile answers are refused with the field that is wrong', () => {
  const region = { regionid: 12, shortname: 'South England', data: [entry('2024-12-01T12:30Z', 201)] }
  const refused: Array<[() => unknown, string]> = [
    [() => parseNationalForecast(RANGE, { data: [entry('2024-12-01T12:00Z', 1e308)] }, 384), 'data[0].intensity.forecast is 1e+308, outside 0..2000'],
    [() => parseNationalForecast(RANGE, { data: [entry('2024-12-01T12:00Z', 'high')] }, 384), 'data[0].intensity.forecast is not a number ("high")'],
    [() => parseNationalForecast(RANGE, { data: [entry('2024-12-01T12:00Z', 100, 'x'.repeat(17))] }, 384), 'data[0].intensity.index is 17 characters long, more than 16'],
    [() => parseNationalForecast(RANGE, { data: [entry('2024-12-01T12:00Z', 100, 'lo\u0000w')] }, 384), 'data[0].intensity.index holds the control character U+0000'],
    [() => parseNationalForecast(RANGE, { data: Array(385).fill(entry('2024-12-01T12:00Z', 100)) }, 384), 'data lists 385 slots, more than 384'],
    [() => parseNationalForecast(RANGE, { data: {} }, 384), 'data is not a list'],
    [() => parseNationalForecast(RANGE, '<html>', 384), 'answer is not an object'],
    [() => parseRegionalForecast(RANGE, { data: [region, region] }, 384), 'data is a list of 2 regions, not one'],
    [() => parseRegionalForecast(RANGE, { data: { ...region, regionid: 99 } }, 384), 'data.regionid is 99, outside 1..17'],
    [() => parseRegionalForecast(RANGE, { data: { ...region, shortname: 'S'.repeat(65) } }, 384), 'data.shortname is 65 characters long, more than 64']
  ]
  for (const [parse, what] of refused) assert.throws(parse, { code: 'ENERGY_MALFORMED', message: `forecast answer is malformed: ${what}` })
})

const previous = (start: string, values: Partial<ForecastRecord>): [number, ForecastRecord] => [at(start), {
  slot_start: at(start),
  slot_end: at(start) + SLOT_MS,
  local_date: '2024-12-01',
  fetched_at: at('2024-12-01T11:00Z'),
  intensity_forecast: null,
  intensity_index: null,
  region_id: null,
  region: null,
  price_inc_vat: null,
  price_exc_vat: null,
  tariff_code: null,
  ...values
}]

const NOW = at('2024-12-01T12:05Z')
const record = (start: string, values: Partial<ForecastRecord>): ForecastRecord => ({ ...previous(start, values)[1], fetched_at: NOW })

test('merge: new values win; a slot the carbon answer lacks keeps its forecast; unpublished prices are null', () => {
  const before = new Map([
    previous('2024-12-01T12:00Z', { intensity_forecast: 100, intensity_index: 'low', price_inc_vat: 20, price_exc_vat: 19, tariff_code: 'E-1R-AGILE-FLEX-22-11-25-C' }),
    previous('2024-12-01T13:00Z', { intensity_forecast: 90, intensity_index: 'low', price_inc_vat: 30, price_exc_vat: 28.5, tariff_code: 'E-1R-AGILE-FLEX-22-11-25-C' })
  ])
  const merged = mergeForecast(RANGE, before, {
    intensity: [
      { slot_start: at('2024-12-01T12:00Z'), forecast: 120, index: 'moderate', region_id: 12, region: 'South England' },
      { slot_start: at('2024-12-01T12:30Z'), forecast: 110, index: 'low', region_id: 12, region: 'South England' }
    ],
    prices: [{ slot_start: at('2024-12-01T12:00Z'), value_inc_vat: 21, value_exc_vat: 20, tariff_code: 'E-1R-AGILE-FLEX-22-11-25-C' }]
  }, NOW)
  assert.deepStrictEqual(merged, [
    record('2024-12-01T12:00Z', { intensity_forecast: 120, intensity_index: 'moderate', region_id: 12, region: 'South England', price_inc_vat: 21, price_exc_vat: 20, tariff_code: 'E-1R-AGILE-FLEX-22-11-25-C' }),
    record('2024-12-01T12:30Z', { intensity_forecast: 110, intensity_index: 'low', region_id: 12, region: 'South England' }),
    // Not in the carbon answer: the previous forecast stays; its rate is no longer listed: null.
    record('2024-12-01T13:00Z', { intensity_forecast: 90, intensity_index: 'low' })
  ])
})

test('merge: a part that failed keeps every previous value of that part; nothing known is no record', () => {
  const before = new Map([previous('2024-12-01T12:00Z', { intensity_forecast: 100, intensity_index: 'low', price_inc_vat: 20, price_exc_vat: 19, tariff_code: 'E-1R-VAR-22-11-01-C' })])
  const failed = new Error('HTTP 500')
  assert.deepStrictEqual(mergeForecast(RANGE, before, {
    intensity: failed,
    prices: [{ slot_start: at('2024-12-01T12:30Z'), value_inc_vat: 24.5, value_exc_vat: 23.33, tariff_code: 'E-1R-VAR-22-11-01-C' }]
  }, NOW), [
    record('2024-12-01T12:00Z', { intensity_forecast: 100, intensity_index: 'low' }),
    record('2024-12-01T12:30Z', { price_inc_vat: 24.5, price_exc_vat: 23.33, tariff_code: 'E-1R-VAR-22-11-01-C' })
  ])
  // Rates failed, carbon empty: the previous forecast, whole.
  assert.deepStrictEqual(mergeForecast(RANGE, before, { intensity: [], prices: failed }, NOW),
    [record('2024-12-01T12:00Z', { intensity_forecast: 100, intensity_index: 'low', price_inc_vat: 20, price_exc_vat: 19, tariff_code: 'E-1R-VAR-22-11-01-C' })])
  assert.deepStrictEqual(mergeForecast(RANGE, new Map(), { intensity: [], prices: [] }, NOW), [])
})
