import { localDateOf, londonDay, londonOffsetMs, SLOT_MS } from '../lib/london-day.ts'
import { findProduct, findTariff, productOfTariff } from './catalogue.ts'
import { dispatchedSlot } from './dispatches.ts'
import { REAL_GAS_SMETS1_SERIAL, REAL_TARIFF_PRODUCTS } from './options.ts'
import { tariffPrices } from './tariffs.ts'
import type { Agreement, SampleMeter } from './types.ts'

// GraphQL `measurements`: the REST readings of a meter point with Octopus's cost statistics per
// half-hour, CONSUMPTION_COST (reading × the unit rate in force, pence inc VAT, 2 decimals)
// and STANDING_CHARGE_COST (the day's standing charge ÷ the day's half-hours). Octopus bills a
// half-hour touched by a completed smart charge at home at the off-peak rate: on the second
// account's Intelligent Octopus Go tariff those half-hours cost the night rate.

/** The IOG tariff's off-peak window, London minutes of the day: 23:30-05:30. */
const IOG_NIGHT = { from: 23 * 60 + 30, to: 5 * 60 + 30 }
// Tariffs whose rate per slot the catalogue view alone tells (banded ones show one band only).
const PRICED = new Set<string>(['quarterly', 'agile', 'fixed', 'tracker', 'gas', 'gas-fixed', 'gas-tracker'])

export interface SampleMeasurement {
  start: number
  end: number
  value: number
  unit: 'kwh' | 'm3'
  statistics: Array<{ label: string | null, type: string, value: string, costInclTax: { estimatedAmount: string, costCurrency: 'GBP' } }>
}

export interface MeasurementPoint {
  fuel: 'electricity' | 'gas'
  point: string
  meters: readonly SampleMeter[]
  agreements: readonly Agreement[]
}

/** The half-hours of `point` starting in [fromMs, toMs) that a meter reads, with statistics. */
export function measurementsOf (seed: number, point: MeasurementPoint, fromMs: number, toMs: number, revisionOf: (date: string) => number): SampleMeasurement[] {
  const out: SampleMeasurement[] = []
  const first = Math.ceil(fromMs / SLOT_MS) * SLOT_MS
  for (let slot = first; slot < toMs; slot += SLOT_MS) {
    // The newest meter reading the slot (an exchange day has two).
    const meter = [...point.meters].reverse().find(m => slot >= m.fromMs && slot < m.toMs && !(m.gaps ?? []).some(g => slot >= g.fromMs && slot < g.toMs))
    if (meter === undefined) continue
    const value = meter.reading(seed, slot, revisionOf(localDateOf(slot)))
    const unit = point.fuel === 'gas' && meter.serial === REAL_GAS_SMETS1_SERIAL ? 'kwh' : point.fuel === 'gas' ? 'm3' : 'kwh'
    out.push({ start: slot, end: slot + SLOT_MS, value, unit, statistics: statisticsOf(seed, point, slot, value, unit) })
  }
  return out
}

function statisticsOf (seed: number, point: MeasurementPoint, slot: number, value: number, unit: 'kwh' | 'm3'): SampleMeasurement['statistics'] {
  const agreement = point.agreements.find(a => Date.parse(a.valid_from) <= slot && (a.valid_to === null || slot < Date.parse(a.valid_to)))
  if (agreement === undefined || unit === 'm3') return []
  const product = findProduct(REAL_TARIFF_PRODUCTS[agreement.tariff_code] ?? productOfTariff(agreement.tariff_code))
  const tariff = product === undefined ? undefined : findTariff(product, agreement.tariff_code, point.fuel)
  if (product === undefined || tariff === undefined) return []
  const prices = tariffPrices(seed, product, tariff, slot)
  const day = londonDay(localDateOf(slot))
  const standing = prices.standing.value_inc_vat / ((day.endMs - day.startMs) / SLOT_MS)
  let rate: number | undefined
  if (prices.day !== undefined && prices.night !== undefined && agreement.tariff_code.includes('IOG')) {
    const minute = ((slot + londonOffsetMs(slot)) % 86400000) / 60000
    const night = minute >= IOG_NIGHT.from || minute < IOG_NIGHT.to || dispatchedSlot(seed, slot)
    rate = (night ? prices.night : prices.day).value_inc_vat
  } else if (prices.standard !== undefined && PRICED.has(tariff.pricing)) {
    rate = prices.standard.value_inc_vat
  }
  const stats: SampleMeasurement['statistics'] = []
  if (rate !== undefined) stats.push({ label: null, type: 'CONSUMPTION_COST', value: value.toFixed(3), costInclTax: { estimatedAmount: (value * rate).toFixed(2), costCurrency: 'GBP' } })
  stats.push({ label: null, type: 'STANDING_CHARGE_COST', value: '0', costInclTax: { estimatedAmount: standing.toFixed(4), costCurrency: 'GBP' } })
  return stats
}
