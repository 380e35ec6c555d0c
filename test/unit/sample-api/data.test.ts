import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, slotStarts } from '../../../lib/london-day.ts'
import {
  agileOutgoingRate, agileRate, carbonIntensity, consumption, dayRate, exportConsumption, forecastAt, FUELS, fixedRate, gasConsumption,
  gasRate, gasStandingCharge, generationMix, intensityIndex, nightRate, oldMeterConsumption, regionalGenerationMix, regionalIntensity,
  standingCharge, withoutVat, withVat
} from '../../../sample-api/index.ts'

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

test('the old meter reads the same household on its own streams: other values, same range', () => {
  const old = JUNE_15.map(s => oldMeterConsumption(42, s))
  assert.notDeepEqual(old, JUNE_15.map(s => consumption(42, s)))
  assert.notDeepEqual(JUNE_15.map(s => oldMeterConsumption(42, s, 1)), old)
  for (const slot of YEAR) {
    const kwh = oldMeterConsumption(42, slot)
    assert.ok(kwh >= 0 && kwh <= 3 && kwh === Math.round(kwh * 1000) / 1000, `kwh ${kwh}`)
  }
})

test('solar export: 0 at night, a midday bell up to about 1.8 kWh in June, less in December', () => {
  const hourUtc = (s: number): number => new Date(s).getUTCHours()
  let max = 0
  for (const slot of YEAR) {
    const kwh = exportConsumption(42, slot)
    assert.ok(kwh >= 0 && kwh <= 1.8 && kwh === Math.round(kwh * 1000) / 1000, `kwh ${kwh}`)
    // Even in June the sun is down from 21:00 to 03:00 UTC.
    if (hourUtc(slot) >= 21 || hourUtc(slot) < 3) assert.equal(kwh, 0, new Date(slot).toISOString())
    max = Math.max(max, kwh)
  }
  assert.ok(max > 1.5, `max ${max}`)
  const dayTotal = (date: string): number => slotStarts(londonDay(date)).reduce((sum, s) => sum + exportConsumption(42, s), 0)
  assert.ok(dayTotal('2024-06-15') > 4 * dayTotal('2024-12-15'), `June ${dayTotal('2024-06-15')} vs December ${dayTotal('2024-12-15')}`)
  // December days are short: dark at 08:00 and 16:00 UTC.
  for (const time of ['2024-12-15T07:30:00Z', '2024-12-15T16:00:00Z']) assert.equal(exportConsumption(42, Date.parse(time)), 0, time)
  assert.ok(exportConsumption(42, Date.parse('2024-06-15T11:30:00Z')) > 0)
})

test('gas: 0-0.8 m³ with 3 decimals, heating on winter mornings and evenings, summer only hot water, nothing at night', () => {
  for (const slot of YEAR) {
    const m3 = gasConsumption(42, slot)
    assert.ok(m3 >= 0 && m3 <= 0.8 && m3 === Math.round(m3 * 1000) / 1000, `m3 ${m3}`)
  }
  const january = slotStarts(londonDay('2024-01-15')).map(s => gasConsumption(42, s))
  const june = slotStarts(londonDay('2024-06-15')).map(s => gasConsumption(42, s))
  const sum = (list: number[]): number => list.reduce((a, b) => a + b, 0)
  // 00:00-05:00 local: nothing, summer or winter.
  assert.deepEqual([...january.slice(0, 10), ...june.slice(0, 10)], Array(20).fill(0))
  // 06:00-09:00 and 17:00-22:00 (local) carry the winter day.
  assert.ok(sum(january.slice(12, 18)) + sum(january.slice(34, 44)) > 0.8 * sum(january), `${sum(january)}`)
  assert.ok(sum(january) > 3 && sum(june) < 1 && sum(june) > 0, `January ${sum(january)}, June ${sum(june)}`)
  assert.notDeepEqual(slotStarts(londonDay('2024-01-15')).map(s => gasConsumption(42, s, 1)), january)
})

test('two-rate, gas and export rates stay in their documented ranges', () => {
  for (const q of QUARTERS) {
    const fixed = fixedRate(42, q, 'VAR-13-06-01').value_exc_vat
    assert.ok(Math.abs(dayRate(42, q, 'VAR-13-06-01').value_exc_vat / fixed - 1.15) <= 0.051, `day ${q}`)
    assert.ok(Math.abs(nightRate(42, q, 'VAR-13-06-01').value_exc_vat / fixed - 0.5) <= 0.051, `night ${q}`)
    const gas = gasRate(42, q, 'VAR-16-01-01')
    assert.deepEqual(gas, withVat(gas.value_exc_vat))
    assert.ok(gas.value_exc_vat >= 4 && gas.value_exc_vat * 1.05 <= 8, `gas rate ${q}: ${gas.value_exc_vat}`)
    for (const method of ['DIRECT_DEBIT', 'NON_DIRECT_DEBIT'] as const) {
      const charge = gasStandingCharge(42, q, 'VAR-16-01-01', method).value_exc_vat
      assert.ok(charge >= 25 && charge <= 35, `gas standing charge ${q} ${method}: ${charge}`)
    }
  }
  assert.notDeepEqual(QUARTERS.map(q => gasRate(42, q, 'VAR-16-01-01')), QUARTERS.map(q => gasRate(42, q, 'VAR-22-11-01')))
  const outgoing = YEAR.map(s => agileOutgoingRate(42, s))
  for (const [i, { value_exc_vat: exc, value_inc_vat: inc }] of outgoing.entries()) {
    assert.equal(inc, exc)
    assert.equal(exc, Math.round(exc * 100) / 100)
    assert.ok(Math.abs(exc - agileRate(42, YEAR[i]).value_exc_vat / 2) <= 0.51, `${exc}`)
  }
  assert.ok(outgoing.some(r => r.value_exc_vat < 0), 'no negative Agile Outgoing rate in a year')
  assert.deepEqual(withoutVat(15), { value_exc_vat: 15, value_inc_vat: 15 })
})

test('forecastAt: settled once the slot starts, within ±20% × lead ÷ 48 h before, 20-400', () => {
  const slot = JUNE_15[30]
  const { forecast } = carbonIntensity(42, slot)
  assert.equal(forecastAt(42, slot, slot), forecast)
  assert.equal(forecastAt(42, slot, slot + 86_400_000), forecast)
  const leads = Array.from({ length: 200 }, (_, i) => slot - (i + 1) * 30 * 60 * 1000)
  const values = leads.map(now => forecastAt(42, slot, now))
  for (const [i, v] of values.entries()) {
    const lead = slot - leads[i]
    assert.ok(Math.abs(v - forecast) <= 0.2 * Math.min(1, lead / (48 * 3600 * 1000)) * forecast + 0.5, `lead ${lead}`)
    assert.ok(v >= 20 && v <= 400)
  }
  assert.ok(new Set(values).size > 20)
  assert.equal(forecastAt(42, slot, leads[150]), forecastAt(42, slot, leads[150] + 29 * 60 * 1000), 'one issue per half hour')
})

test('regional values over a year: forecast 0-2000 with its index, mixes of nine fuels summing to about 100', () => {
  for (let i = 0; i < YEAR.length; i += 97) {
    const slot = YEAR[i]
    for (const id of [1, 7, 13, 15, 16, 17]) {
      const { forecast, index } = regionalIntensity(42, id, slot, slot)
      assert.ok(Number.isInteger(forecast) && forecast >= 0 && forecast <= 2000)
      assert.equal(index, intensityIndex(forecast))
      const mix = regionalGenerationMix(42, id, slot)
      assert.deepEqual(mix.map(m => m.fuel), FUELS)
      assert.ok(Math.abs(mix.reduce((sum, m) => sum + m.perc, 0) - 100) <= 0.5)
    }
  }
  assert.throws(() => regionalIntensity(42, 18, YEAR[0], YEAR[0]), { name: 'RangeError', message: 'region id must be 1-17, got 18' })
})
