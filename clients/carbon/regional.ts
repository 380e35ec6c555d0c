import { asArray, asBounded, asInstant, asObject, asText, BOUNDS, keepRangeSlots, malformed, MAX_TEXT } from '../../lib/answer.ts'
import type { SlotRange } from '../../lib/london-day.ts'
import { FUEL_NAME_RULE, isFuelName } from './generation.ts'
import type { Region } from './region.ts'
import type { FuelShare, RegionalValues } from './types.ts'

/** The Carbon Intensity API's region ids: 14 DNO areas, then England, Scotland, Wales. */
export const REGION_IDS = { min: 1, max: 17 } as const

const SOURCE = 'regional'

/** The one region of a regional answer (range or fw48h) and where it was found, for errors. */
export interface RegionAnswer {
  where: string
  id: number
  name: string
  /** Its `data`, unchecked: the caller reads the slots. */
  slots: unknown
}

/**
 * The region a regional answer nests its slots in: `{"data": {"regionid", "shortname", …,
 * "data": [slots]}}`; the API's own docs show `data` as a list of that one region, so a list of
 * exactly one is taken too. An empty list is undefined when `allowEmpty` (a forecast's empty
 * answer), else refused; with `askedId`, an answer for another region is refused.
 */
export function regionAnswer (body: unknown, source: string, options?: { askedId?: number }): RegionAnswer
export function regionAnswer (body: unknown, source: string, options: { allowEmpty: true }): RegionAnswer | undefined
export function regionAnswer (body: unknown, source: string, { allowEmpty = false, askedId }: { allowEmpty?: boolean, askedId?: number } = {}): RegionAnswer | undefined {
  const outer = asObject(body, source, 'answer').data
  let where = 'data'
  let regionValue = outer
  if (Array.isArray(outer)) {
    if (outer.length === 0 && allowEmpty) return undefined
    if (outer.length !== 1) throw malformed(source, `data is a list of ${outer.length} regions, not one`)
    regionValue = outer[0]
    where = 'data[0]'
  }
  const region = asObject(regionValue, source, where)
  const id = asBounded(region.regionid, source, `${where}.regionid`, REGION_IDS)
  if (!Number.isInteger(id)) throw malformed(source, `${where}.regionid is ${id}, not a region id`)
  if (askedId !== undefined && id !== askedId) throw malformed(source, `${where}.regionid is ${id}, not the region asked for (${askedId})`)
  return { where, id, name: asText(region.shortname, source, `${where}.shortname`, MAX_TEXT.region), slots: region.data }
}

/**
 * Carbon Intensity `GET /regional/intensity/{from}/{to}/postcode/{outcode}` (or `…/regionid/{id}`)
 * answer → the half-hours of `range`; the slots, `{from, to, intensity: {forecast, index},
 * generationmix}`, nest in the region (regionAnswer). Regional data has a forecast and no actual. Like the national ranges it returns
 * every slot whose end lies in [from, to]; keepRangeSlots keeps the range's own. Asked by region
 * id, an answer for another region is refused.
 */
export function parseRegionalSlots (range: SlotRange, body: unknown, asked?: Region): RegionalValues[] {
  const { where, id: regionId, name, slots: data } = regionAnswer(body, SOURCE, { askedId: asked?.kind === 'regionid' ? asked.id : undefined })
  const slots = asArray(data, SOURCE, `${where}.data`)
  const values = slots.map((entry, i): RegionalValues => {
    const at = `${where}.data[${i}]`
    const slot = asObject(entry, SOURCE, at)
    const intensity = asObject(slot.intensity, SOURCE, `${at}.intensity`)
    const seen = new Set<string>()
    const generationmix = asArray(slot.generationmix, SOURCE, `${at}.generationmix`).map((share, j): FuelShare => {
      const s = asObject(share, SOURCE, `${at}.generationmix[${j}]`)
      const fuel = asText(s.fuel, SOURCE, `${at}.generationmix[${j}].fuel`, MAX_TEXT.fuel)
      if (!isFuelName(fuel)) throw malformed(SOURCE, `${at}.generationmix[${j}].fuel ${JSON.stringify(fuel)} is not a fuel name (${FUEL_NAME_RULE})`)
      // The table keeps a slot's mix as {fuel: perc}: a fuel twice would lose one of its shares.
      if (seen.has(fuel)) throw malformed(SOURCE, `${at}.generationmix[${j}].fuel "${fuel}" is listed twice`)
      seen.add(fuel)
      return { fuel, perc: asBounded(s.perc, SOURCE, `${at}.generationmix[${j}].perc`, BOUNDS.perc) }
    })
    return {
      slot_start: asInstant(slot.from, SOURCE, `${at}.from`),
      region_id: regionId,
      region: name,
      forecast: Math.round(asBounded(intensity.forecast, SOURCE, `${at}.intensity.forecast`, BOUNDS.intensity)),
      index: asText(intensity.index, SOURCE, `${at}.intensity.index`, MAX_TEXT.index),
      generationmix
    }
  })
  return keepRangeSlots(range, values)
}
