import { asArray, asBounded, asInstant, asObject, asText, BOUNDS, keepRangeSlots, malformed, MAX_TEXT } from '../../lib/answer.ts'
import type { SlotRange } from '../../lib/london-day.ts'
import type { FuelShare, MixValues } from './types.ts'

/** What a fuel name may be: the API's are biomass, coal, imports, gas, nuclear, other, hydro, solar, wind. */
export const FUEL_NAME_RULE = 'lower-case letters, digits, space, _ and -, starting with a letter, up to 32 characters'
const FUEL_NAME = /^[a-z][a-z0-9 _-]{0,31}$/

export function isFuelName (name: string): boolean {
  return FUEL_NAME.test(name)
}

/**
 * Carbon Intensity `GET /generation/{from}/{to}` answer → the half-hours of `range`. The range
 * endpoint returns every slot whose end lies in [from, to], so a query from the range's start
 * also returns the slot ending there; keepRangeSlots drops it.
 */
export function parseMixSlots (range: SlotRange, body: unknown): MixValues[] {
  const data = asArray(asObject(body, 'mix', 'answer').data, 'mix', 'data')
  const values = data.map((entry, i): MixValues => {
    const slot = asObject(entry, 'mix', `data[${i}]`)
    const generationmix = asArray(slot.generationmix, 'mix', `data[${i}].generationmix`).map((share, j): FuelShare => {
      const s = asObject(share, 'mix', `data[${i}].generationmix[${j}]`)
      const fuel = asText(s.fuel, 'mix', `data[${i}].generationmix[${j}].fuel`, MAX_TEXT.fuel)
      if (!isFuelName(fuel)) throw malformed('mix', `data[${i}].generationmix[${j}].fuel ${JSON.stringify(fuel)} is not a fuel name (${FUEL_NAME_RULE})`)
      return { fuel, perc: asBounded(s.perc, 'mix', `data[${i}].generationmix[${j}].perc`, BOUNDS.perc) }
    })
    return { slot_start: asInstant(slot.from, 'mix', `data[${i}].from`), generationmix }
  })
  return keepRangeSlots(range, values)
}
