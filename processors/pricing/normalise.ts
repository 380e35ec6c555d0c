import { slotStarts, type LondonDay } from '../../lib/london-day.ts'
import type { PricingValues } from '../ingest/types.ts'
import { asBounded, asInstant, asObject, asText, BOUNDS, MAX_TEXT } from '../ingest/normalise.ts'

interface Rate { from: number, to: number, exc: number, inc: number, paymentMethod: string | null }

/**
 * Octopus standard-unit-rates results → the rate in force for each slot of the day. An Agile
 * tariff has one rate per half-hour; a fixed tariff has long periods (`valid_to: null` for the
 * current one) that are expanded to every slot. Where the API lists both payment methods,
 * only `paymentMethod` is kept. Where periods overlap, the one that started last wins.
 */
export function parseRatesDay (day: LondonDay, results: unknown[], tariffCode: string, paymentMethod: string): PricingValues[] {
  asText(tariffCode, 'pricing', 'the tariff code', MAX_TEXT.tariffCode)
  const rates = results.map((entry, i): Rate => {
    const r = asObject(entry, 'pricing', `results[${i}]`)
    return {
      from: asInstant(r.valid_from, 'pricing', `results[${i}].valid_from`),
      to: r.valid_to === null || r.valid_to === undefined ? Infinity : asInstant(r.valid_to, 'pricing', `results[${i}].valid_to`),
      exc: asBounded(r.value_exc_vat, 'pricing', `results[${i}].value_exc_vat`, BOUNDS.price),
      inc: asBounded(r.value_inc_vat, 'pricing', `results[${i}].value_inc_vat`, BOUNDS.price),
      paymentMethod: r.payment_method === null || r.payment_method === undefined ? null : asText(r.payment_method, 'pricing', `results[${i}].payment_method`, 32)
    }
  }).filter(r => r.paymentMethod === null || r.paymentMethod === paymentMethod)
    .sort((a, b) => b.from - a.from)

  const values: PricingValues[] = []
  for (const start of slotStarts(day)) {
    const rate = rates.find(r => r.from <= start && start < r.to)
    if (rate !== undefined) values.push({ slot_start: start, tariff_code: tariffCode, value_exc_vat: rate.exc, value_inc_vat: rate.inc })
  }
  return values
}
