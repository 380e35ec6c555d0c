import type { LondonDay } from '../../lib/london-day.ts'
import type { FuelShare, MixValues } from '../ingest/types.ts'
import { asArray, asInstant, asNumber, asObject, keepDaySlots, malformed } from '../ingest/normalise.ts'

/**
 * Carbon Intensity `GET /generation/{from}/{to}` answer → the day's half-hours. The range
 * endpoint returns every slot whose end lies in [from, to], so a day query also returns the
 * slot ending at local midnight; keepDaySlots drops it.
 */
export function parseMixDay (day: LondonDay, body: unknown): MixValues[] {
  const data = asArray(asObject(body, 'mix', 'answer').data, 'mix', 'data')
  const values = data.map((entry, i): MixValues => {
    const slot = asObject(entry, 'mix', `data[${i}]`)
    const generationmix = asArray(slot.generationmix, 'mix', `data[${i}].generationmix`).map((share, j): FuelShare => {
      const s = asObject(share, 'mix', `data[${i}].generationmix[${j}]`)
      if (typeof s.fuel !== 'string') throw malformed('mix', `data[${i}].generationmix[${j}].fuel is not a string`)
      return { fuel: s.fuel, perc: asNumber(s.perc, 'mix', `data[${i}].generationmix[${j}].perc`) }
    })
    return { slot_start: asInstant(slot.from, 'mix', `data[${i}].from`), generationmix }
  })
  return keepDaySlots(day, values)
}
