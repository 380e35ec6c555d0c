import type { PricingValues, SourceDeclaration } from '../ingest/types.ts'
import { slotKeyValues } from '../ingest/keys.ts'
import { EnergyError } from '../../lib/errors.ts'
import { BOUNDS, MAX_TEXT, textProblem } from '../ingest/normalise.ts'
import { checkValue } from '../join/state.ts'
import { fetchOctopusPages, octopusTime } from '../ingest/octopus.ts'
import { parseRatesDay, parseStandingCharges, withStandingCharges } from './normalise.ts'

/**
 * Octopus unit rates of the configured tariff, per half-hour (p/kWh), each with the tariff's
 * standing charge in force at the slot (p/day, for OCTOPUS_PAYMENT_METHOD).
 */
export const pricingSource: SourceDeclaration<PricingValues> = {
  name: 'pricing',
  topic: 'energy.pricing',
  // page_size 1500 is the API's maximum for unit rates: a whole Agile day fits in one page.
  // The standing charges are asked for after the rates, and only when the day has rates: a day
  // without (not published yet) costs one request, and a fault on the day's first request
  // is the rates' one.
  async fetchDay (day, context) {
    const { config } = context
    const query = new URLSearchParams({ period_from: octopusTime(day.startMs), period_to: octopusTime(day.endMs), page_size: '1500' })
    const tariffUrl = `${config.octopusApiUrl}/products/${encodeURIComponent(config.octopusProduct)}/electricity-tariffs/` +
      `${encodeURIComponent(config.octopusTariff)}`
    const rates = parseRatesDay(day, await fetchOctopusPages(`${tariffUrl}/standard-unit-rates/?${query}`, context, { source: 'pricing', auth: false }),
      config.octopusTariff, config.octopusPaymentMethod)
    if (rates.length === 0) return []
    const charges = await fetchOctopusPages(`${tariffUrl}/standing-charges/?${query}`, context, { source: 'pricing', auth: false })
    return withStandingCharges(rates, parseStandingCharges(charges, config.octopusPaymentMethod))
  },
  sink: {
    name: 'unit_rates',
    spec: {
      table: 'energy_usage.unit_rates',
      columns: ['slot_start', 'slot_end', 'local_date', 'tariff_code', 'value_exc_vat', 'value_inc_vat', 'batch_id', 'standing_charge_exc_vat', 'standing_charge_inc_vat'],
      types: ['timestamptz', 'timestamptz', 'date', 'text', 'float8', 'float8', 'text', 'float8', 'float8'],
      rowKey: ['slot_start']
    },
    toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.tariff_code, r.value_exc_vat, r.value_inc_vat, r.batch_id, r.standing_charge_exc_vat, r.standing_charge_inc_vat]],
    keyValues: slotKeyValues
  },
  // Columns: [price inc VAT, price exc VAT, standing charge inc VAT, exc VAT (NaN: unknown)].
  // The tariff code is text, so not a column: the batch keeps the code of its earliest slot
  // (batch.label), which is what the day's import_tariff_code reports.
  join: {
    width: 4,
    check (r) {
      checkValue(r, 'value_inc_vat', r.value_inc_vat, BOUNDS.price)
      checkValue(r, 'value_exc_vat', r.value_exc_vat, BOUNDS.price)
      checkValue(r, 'standing_charge_inc_vat', r.standing_charge_inc_vat, BOUNDS.standingCharge)
      checkValue(r, 'standing_charge_exc_vat', r.standing_charge_exc_vat, BOUNDS.standingCharge)
      // The code goes into the day's aggregate as import_tariff_code: the same text bounds as an answer's.
      const problem = textProblem(r.tariff_code, MAX_TEXT.tariffCode)
      if (problem !== undefined) throw new EnergyError('ENERGY_INVALID_RECORD', `tariff_code ${problem}`, { date: r.local_date })
    },
    write (r, batch, base) {
      batch.values[base] = r.value_inc_vat
      batch.values[base + 1] = r.value_exc_vat
      batch.values[base + 2] = r.standing_charge_inc_vat ?? NaN
      batch.values[base + 3] = r.standing_charge_exc_vat ?? NaN
      const slot = base / 4
      if (batch.label === null || slot <= batch.labelSlot) {
        batch.label = r.tariff_code
        batch.labelSlot = slot
      }
    }
  }
}
