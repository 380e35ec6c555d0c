import { asBounded, asInstant, asObject, asText, BOUNDS, MAX_TEXT } from '../../lib/answer.ts'
import { SLOT_MS, type SlotRange } from '../../lib/london-day.ts'
import type { PricingValues, RateValues } from './types.ts'

interface Rate { from: number, to: number, exc: number, inc: number, paymentMethod: string | null }

/** A standing charge period (p/day) for the configured payment method. */
export interface StandingChargePeriod { from: number, to: number, exc: number, inc: number }

/**
 * Octopus results (unit rates or standing charges, the same shape) → periods of the payment
 * method, latest start first. Where the API lists both payment methods, only `paymentMethod`
 * is kept; an entry without one applies to both.
 */
function parsePeriods (results: unknown[], paymentMethod: string, bounds: { min: number, max: number }): Rate[] {
  return results.map((entry, i): Rate => {
    const r = asObject(entry, 'pricing', `results[${i}]`)
    return {
      from: asInstant(r.valid_from, 'pricing', `results[${i}].valid_from`),
      to: r.valid_to === null || r.valid_to === undefined ? Infinity : asInstant(r.valid_to, 'pricing', `results[${i}].valid_to`),
      exc: asBounded(r.value_exc_vat, 'pricing', `results[${i}].value_exc_vat`, bounds),
      inc: asBounded(r.value_inc_vat, 'pricing', `results[${i}].value_inc_vat`, bounds),
      paymentMethod: r.payment_method === null || r.payment_method === undefined ? null : asText(r.payment_method, 'pricing', `results[${i}].payment_method`, 32)
    }
  }).filter(r => r.paymentMethod === null || r.paymentMethod === paymentMethod)
    .sort((a, b) => b.from - a.from)
}

/**
 * Octopus standard-unit-rates results → the rate in force for each slot of `range`. An Agile
 * tariff has one rate per half-hour; a fixed tariff has long periods (`valid_to: null` for the
 * current one) that are expanded to every slot. Where the API lists both payment methods,
 * only `paymentMethod` is kept. Where periods overlap, the one that started last wins.
 */
export function parseRates (range: SlotRange, results: unknown[], tariffCode: string, paymentMethod: string): RateValues[] {
  asText(tariffCode, 'pricing', 'the tariff code', MAX_TEXT.tariffCode)
  // Latest start first, each period takes the slots no later one took: linear in the slots
  // covered, where a search per slot would be slots × periods (a year of Agile is 17,520 each).
  const slots = new Array<Rate | undefined>((range.endMs - range.startMs) / SLOT_MS)
  for (const rate of parsePeriods(results, paymentMethod, BOUNDS.price)) {
    const first = Math.max(0, Math.ceil((rate.from - range.startMs) / SLOT_MS))
    const end = Math.min(slots.length, Math.ceil((rate.to - range.startMs) / SLOT_MS))
    for (let i = first; i < end; i++) slots[i] ??= rate
  }
  const values: RateValues[] = []
  for (let i = 0; i < slots.length; i++) {
    const rate = slots[i]
    if (rate !== undefined) values.push({ slot_start: range.startMs + i * SLOT_MS, tariff_code: tariffCode, value_exc_vat: rate.exc, value_inc_vat: rate.inc })
  }
  return values
}

/**
 * Octopus standing-charges results (p/day; `valid_to: null` for the current one; listed per
 * payment method) → the periods of `paymentMethod`, latest start first. Bounded like the rates:
 * 0..1000 p/day.
 */
export function parseStandingCharges (results: unknown[], paymentMethod: string): StandingChargePeriod[] {
  return parsePeriods(results, paymentMethod, BOUNDS.standingCharge).map(({ from, to, exc, inc }) => ({ from, to, exc, inc }))
}

/**
 * Each slot's rate with the standing charge in force at the slot's start (where periods
 * overlap, the one that started last); null where no period covers the slot: unknown, so the
 * day's bill is unknown too, never silently without a standing charge.
 */
export function withStandingCharges (rates: RateValues[], charges: StandingChargePeriod[]): PricingValues[] {
  return rates.map(rate => {
    const charge = charges.find(c => c.from <= rate.slot_start && rate.slot_start < c.to)
    return { ...rate, standing_charge_exc_vat: charge?.exc ?? null, standing_charge_inc_vat: charge?.inc ?? null }
  })
}
