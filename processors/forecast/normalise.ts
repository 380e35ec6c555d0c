import { localDateOf, SLOT_MS, type SlotRange } from '../../lib/london-day.ts'
import type { IntensityForecast } from '../../clients/carbon/types.ts'
import type { ForecastRecord, FetchedForecast } from './types.ts'

/**
 * The records of one refresh: every slot of `range` with the values just fetched, merged with
 * the previous forecast (`previous`, by slot start). Per part:
 * - intensity: a slot the answer has takes its forecast; a slot it lacks, or every slot when
 *   the fetch failed or came back empty, keeps the previous forecast (fw48h always lists 96
 *   slots: a gap is a fault, not news);
 * - price: when the rates were read, they are the truth, a slot without a rate is not published
 *   yet (null); when they could not be read, every slot keeps the previous price.
 * A slot with neither an intensity nor a price is left out. Pure.
 */
export function mergeForecast (range: SlotRange, previous: ReadonlyMap<number, ForecastRecord>, fetched: FetchedForecast, fetchedAt: number): ForecastRecord[] {
  const intensities = Array.isArray(fetched.intensity) ? new Map(fetched.intensity.map(v => [v.slot_start, v])) : new Map<number, IntensityForecast>()
  const prices = Array.isArray(fetched.prices) ? new Map(fetched.prices.map(v => [v.slot_start, v])) : undefined
  const records: ForecastRecord[] = []
  for (let start = range.startMs; start < range.endMs; start += SLOT_MS) {
    const before = previous.get(start)
    const fresh = intensities.get(start)
    const intensity = fresh === undefined
      ? { intensity_forecast: before?.intensity_forecast ?? null, intensity_index: before?.intensity_index ?? null, region_id: before?.region_id ?? null, region: before?.region ?? null }
      : { intensity_forecast: fresh.forecast, intensity_index: fresh.index, region_id: fresh.region_id, region: fresh.region }
    const rate = prices === undefined ? undefined : prices.get(start)
    const price = prices === undefined
      ? { price_inc_vat: before?.price_inc_vat ?? null, price_exc_vat: before?.price_exc_vat ?? null, tariff_code: before?.tariff_code ?? null }
      : { price_inc_vat: rate?.value_inc_vat ?? null, price_exc_vat: rate?.value_exc_vat ?? null, tariff_code: rate?.tariff_code ?? null }
    if (intensity.intensity_forecast === null && price.price_inc_vat === null) continue
    records.push({ slot_start: start, slot_end: start + SLOT_MS, local_date: localDateOf(start), fetched_at: fetchedAt, ...intensity, ...price })
  }
  return records
}
