import type { PricingValues, SourceDeclaration } from '../ingest/types.ts'
import { slotKeyValues } from '../ingest/keys.ts'
import { BOUNDS } from '../ingest/normalise.ts'
import { checkValue } from '../join/state.ts'
import { fetchOctopusPages, octopusTime } from '../ingest/octopus.ts'
import { parseRatesDay } from './normalise.ts'

/** Octopus unit rates of the configured tariff, per half-hour (p/kWh). */
export const pricingSource: SourceDeclaration<PricingValues> = {
  name: 'pricing',
  topic: 'energy.pricing',
  // page_size 1500 is the API's maximum for unit rates: a whole Agile day fits in one page.
  async fetchDay (day, context) {
    const { config } = context
    const query = new URLSearchParams({ period_from: octopusTime(day.startMs), period_to: octopusTime(day.endMs), page_size: '1500' })
    const url = `${config.octopusApiUrl}/products/${encodeURIComponent(config.octopusProduct)}/electricity-tariffs/` +
      `${encodeURIComponent(config.octopusTariff)}/standard-unit-rates/?${query}`
    const results = await fetchOctopusPages(url, context, { source: 'pricing', auth: false })
    return parseRatesDay(day, results, config.octopusTariff, config.octopusPaymentMethod)
  },
  sink: {
    name: 'unit_rates',
    spec: {
      table: 'energy_usage.unit_rates',
      columns: ['slot_start', 'slot_end', 'local_date', 'tariff_code', 'value_exc_vat', 'value_inc_vat', 'batch_id'],
      types: ['timestamptz', 'timestamptz', 'date', 'text', 'float8', 'float8', 'text'],
      rowKey: ['slot_start']
    },
    toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.tariff_code, r.value_exc_vat, r.value_inc_vat, r.batch_id]],
    keyValues: slotKeyValues
  },
  // Columns: [price inc VAT, price exc VAT].
  join: {
    width: 2,
    check (r) {
      checkValue(r, 'value_inc_vat', r.value_inc_vat, BOUNDS.price)
      checkValue(r, 'value_exc_vat', r.value_exc_vat, BOUNDS.price)
    },
    write (r, batch, base) {
      batch.values[base] = r.value_inc_vat
      batch.values[base + 1] = r.value_exc_vat
    }
  }
}
