import { asArray, asBounded, asInstant, asObject, asText, BOUNDS, keepRangeSlots, malformed, MAX_TEXT } from '../../lib/answer.ts'
import type { Config } from '../../lib/config.ts'
import { getJson, httpSettings } from '../../lib/http.ts'
import type { SlotRange } from '../../lib/london-day.ts'
import type { ClientContext } from '../types.ts'
import { carbonTime } from './ranges.ts'
import { regionAnswer } from './regional.ts'
import { regionPath, type Region } from './region.ts'
import type { IntensityForecast } from './types.ts'

// The forecast answers are untrusted input like every answer (lib/answer.ts):
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

const MINUTE_MS = 60 * 1000

/** The fw48h URL of `range`: regional when a region is known, else national. */
export function forecastUrl (config: Pick<Config, 'carbonApiUrl'>, range: SlotRange, region: Region | undefined): { url: string, regional: boolean } {
  // fw48h answers 96 slots from the one whose end is the first half-hour at or after `from`:
  // asked at a slot's start it begins with the slot before (a real fw24h asked from 21:00Z
  // starts 20:30-21:00). A minute in, it begins with the slot itself.
  const from = carbonTime(range.startMs + MINUTE_MS)
  if (region === undefined) return { url: `${config.carbonApiUrl}/intensity/${from}/fw48h`, regional: false }
  return { url: `${config.carbonApiUrl}/regional/intensity/${from}/fw48h/${regionPath(region)}`, regional: true }
}

/** The intensity forecast of `range`, of the region when one is known, at most `maxEntries` slots. */
export async function fetchIntensityForecast (range: SlotRange, region: Region | undefined, context: ClientContext, maxEntries: number): Promise<IntensityForecast[]> {
  const { url, regional } = forecastUrl(context.config, range, region)
  const body = await getJson(url, { ...httpSettings(context.config), log: context.log, signal: context.signal })
  return regional ? parseRegionalForecast(range, body, maxEntries) : parseNationalForecast(range, body, maxEntries)
}
