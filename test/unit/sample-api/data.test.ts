import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, slotStarts } from '../../../lib/london-day.ts'
import { agileRate, carbonIntensity, consumption, FUELS, fixedRate, generationMix, intensityIndex, standingCharge, withVat } from '../../../sample-api/index.ts'

const JUNE_15 = slotStarts(londonDay('2024-06-15'))
const YEAR = Array.from({ length: 366 * 48 }, (_, i) => Date.parse('2024-01-01T00:00:00Z') + i * 30 * 60 * 1000)

test('the same seed and slot give the same values; another seed gives others', () => {
  const slot = JUNE_15[20]
  assert.deepEqual(carbonIntensity(42, slot), carbonIntensity(42, slot))
  assert.deepEqual(generationMix(42, slot), generationMix(42, slot))
  assert.deepEqual(agileRate(42, slot), agileRate(42, slot))
  assert.equal(consumption(42, slot), consumption(42, slot))
  assert.notDeepEqual(JUNE_15.map(s => consumption(42, s)), JUNE_15.map(s => consumption(7, s)))
  assert.notDeepEqual(JUNE_15.map(s => agileRate(42, s)), JUNE_15.map(s => agileRate(7, s)))
  assert.notDeepEqual(JUNE_15.map(s => carbonIntensity(42, s)), JUNE_15.map(s => carbonIntensity(7, s)))
})

test('intensity stays within 20-400 gCO2/kWh and its index follows the bands', () => {
  for (const slot of YEAR) {
    const { forecast, actual, index } = carbonIntensity(42, slot)
    assert.ok(forecast >= 20 && forecast <= 400 && Number.isInteger(forecast), `forecast ${forecast}`)
    assert.ok(actual >= 20 && actual <= 400 && Number.isInteger(actual), `actual ${actual}`)
    assert.equal(index, intensityIndex(actual))
  }
  assert.deepEqual([49, 50, 129, 130, 209, 210, 310, 311].map(intensityIndex),
    ['very low', 'low', 'low', 'moderate', 'moderate', 'high', 'high', 'very high'])
})

test('the mix lists the nine fuels in API order with one-decimal percentages summing to about 100', () => {
  for (const slot of YEAR.filter((_, i) => i % 7 === 0)) {
    const mix = generationMix(42, slot)
    assert.deepEqual(mix.map(f => f.fuel), ['biomass', 'coal', 'imports', 'gas', 'nuclear', 'other', 'hydro', 'solar', 'wind'])
    assert.deepEqual(mix.map(f => f.fuel), FUELS)
    for (const { perc } of mix) assert.equal(perc, Math.round(perc * 10) / 10)
    const sum = mix.reduce((s, f) => s + f.perc, 0)
    assert.ok(Math.abs(sum - 100) <= 0.5, `sum ${sum}`)
  }
})

test('Agile rates: inc VAT is exc × 1.05, evening peak dearer, some night slots negative', () => {
  const rates = YEAR.map(s => agileRate(42, s))
  for (const { value_exc_vat: exc, value_inc_vat: inc } of rates) {
    assert.equal(exc, Math.round(exc * 100) / 100)
    assert.equal(inc, Math.round(exc * 1.05 * 10000) / 10000)
  }
  const excs = rates.map(r => r.value_exc_vat).sort((a, b) => a - b)
  const median = excs[excs.length >> 1]
  assert.ok(median > 5 && median < 35, `median ${median}`)
  assert.ok(excs[0] < 0, 'no negative rate in a year')
  // 16:00-19:00 UK time versus the rest of the day, over June (BST: 15:00-18:00 UTC).
  const june = YEAR.filter(s => new Date(s).getUTCMonth() === 5)
  const mean = (slots: number[]): number => slots.reduce((sum, s) => sum + agileRate(42, s).value_exc_vat, 0) / slots.length
  const peak = june.filter(s => new Date(s).getUTCHours() >= 15 && new Date(s).getUTCHours() < 18)
  assert.ok(mean(peak) > mean(june) + 5, `peak ${mean(peak)} vs ${mean(june)}`)
  assert.deepEqual(withVat(23.4), { value_exc_vat: 23.4, value_inc_vat: 24.57 })
})

const PRODUCTS = ['VAR-16-01-01', 'VAR-22-11-01', 'AGILE-24-10-01', 'AGILE-FLEX-22-11-25', 'OUTGOING-FIX-12M-19-05-13']
// 2016 Q1 to 2025 Q4.
const QUARTERS = Array.from({ length: 40 }, (_, i) => 2016 * 4 + i)

test('fixed rates and standing charges: each product its own, per quarter, within the documented ranges', () => {
  for (const product of PRODUCTS) {
    for (const q of QUARTERS) {
      const rate = fixedRate(42, q, product)
      assert.ok(rate.value_exc_vat >= 18 && rate.value_exc_vat <= 30, `${product} ${q}: ${rate.value_exc_vat}`)
      assert.deepEqual(rate, withVat(rate.value_exc_vat))
      const dd = standingCharge(42, q, product, 'DIRECT_DEBIT')
      assert.ok(dd.value_exc_vat >= 40 && dd.value_exc_vat <= 65, `${product} ${q}: ${dd.value_exc_vat}`)
      // Non-direct-debit is 8% on the unrounded charge, so within a rounding step of dd × 1.08.
      const ndd = standingCharge(42, q, product, 'NON_DIRECT_DEBIT')
      assert.deepEqual(ndd, withVat(ndd.value_exc_vat))
      assert.ok(Math.abs(ndd.value_exc_vat - dd.value_exc_vat * 1.08) <= 0.01, `${product} ${q}: ${ndd.value_exc_vat} vs ${dd.value_exc_vat}`)
    }
  }
  // Two variable products in the same quarter, every quarter: different rates and charges.
  for (const q of QUARTERS) {
    assert.notDeepEqual(fixedRate(42, q, 'VAR-16-01-01'), fixedRate(42, q, 'VAR-22-11-01'), `quarter ${q}`)
    assert.notDeepEqual(standingCharge(42, q, 'VAR-16-01-01', 'DIRECT_DEBIT'), standingCharge(42, q, 'VAR-22-11-01', 'DIRECT_DEBIT'), `quarter ${q}`)
  }
  const rates = (seed: number, product: string): number[] => QUARTERS.map(q => fixedRate(seed, q, product).value_exc_vat)
  assert.deepEqual(rates(42, 'VAR-22-11-01'), rates(42, 'VAR-22-11-01'))
  assert.notDeepEqual(rates(42, 'VAR-22-11-01'), rates(7, 'VAR-22-11-01'))
  assert.equal(new Set(rates(42, 'VAR-22-11-01')).size > 30, true, 'the rate changes from quarter to quarter')
})

test('consumption is 0-3 kWh with 3 decimals, a household day, and changes with the revision', () => {
  for (const slot of YEAR) {
    const kwh = consumption(42, slot)
    assert.ok(kwh >= 0 && kwh <= 3, `kwh ${kwh}`)
    assert.equal(kwh, Math.round(kwh * 1000) / 1000)
  }
  const day = JUNE_15.reduce((sum, s) => sum + consumption(42, s), 0)
  assert.ok(day > 3 && day < 30, `day total ${day}`)
  const revised = JUNE_15.map(s => consumption(42, s, 1))
  assert.notDeepEqual(revised, JUNE_15.map(s => consumption(42, s)))
  assert.deepEqual(revised, JUNE_15.map(s => consumption(42, s, 1)))
})
