import { localDateOf, SLOT_MS, type SlotRange } from '../../lib/london-day.ts'
import { asArray, asBounded, asInstant, asObject, asText, BOUNDS, keepRangeSlots, malformed, MAX_TEXT } from '../ingest/normalise.ts'
import { regionAnswer } from '../regional/normalise.ts'
import type { ForecastRecord, FetchedForecast, IntensityForecast } from './types.ts'

// The forecast answers are untrusted input like every answer (processors/ingest/normalise.ts):
// numbers finite and inside BOUNDS, text short and free of control characters, and the lists
// bounded, so a hostile answer costs a warning, not memory. Only the intensity is read: the
// regional answer's generation mix is not part of the forecast.

const SOURCE = 'forecast'

function entries (value: unknown, where: string, maxEntries: number): unknown[] {
  const list = asArray(value, SOURCE, where)
  if (list.length > maxEntries) throw malformed(SOURCE, `${where} lists ${list.length} slots, more than ${maxEntries}`)
  return list
}

function intensityOf (entry: unknown, at: string, region: { region_id: number | null, region: string | null }): IntensityForecast {
  const slot = asObject(entry, SOURCE, at)
  const intensity = asObject(slot.intensity, SOURCE, `${at}.intensity`)
  return {
    slot_start: asInstant(slot.from, SOURCE, `${at}.from`),
    forecast: Math.round(asBounded(intensity.forecast, SOURCE, `${at}.intensity.forecast`, BOUNDS.intensity)),
    index: asText(intensity.index, SOURCE, `${at}.intensity.index`, MAX_TEXT.index),
    ...region
  }
}

/**
 * Carbon Intensity `GET /intensity/{from}/fw48h` → the forecast of the slots of `range`:
 * `{"data": [{from, to, intensity: {forecast, actual, index}}]}`. An empty list is an empty
 * answer (the API gives one now and then): no values, and the caller keeps the previous ones.
 */
export function parseNationalForecast (range: SlotRange, body: unknown, maxEntries: number): IntensityForecast[] {
  const data = entries(asObject(body, SOURCE, 'answer').data, 'data', maxEntries)
  return keepRangeSlots(range, data.map((entry, i) => intensityOf(entry, `data[${i}]`, { region_id: null, region: null })))
}

/**
 * Carbon Intensity `GET /regional/intensity/{from}/fw48h/postcode/{outcode}` (or
 * `…/regionid/{id}`) → the region's forecast of the slots of `range`, nested in the region
 * (regionAnswer); an empty list (or a region without slots) is an empty answer.
 */
export function parseRegionalForecast (range: SlotRange, body: unknown, maxEntries: number): IntensityForecast[] {
  const answer = regionAnswer(body, SOURCE, { allowEmpty: true })
  if (answer === undefined) return []
  const { where } = answer
  const region = { region_id: answer.id, region: answer.name }
  const data = entries(answer.slots, `${where}.data`, maxEntries)
  return keepRangeSlots(range, data.map((entry, i) => intensityOf(entry, `${where}.data[${i}]`, region)))
}

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
