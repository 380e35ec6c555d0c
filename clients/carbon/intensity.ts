import { asArray, asBounded, asInstant, asObject, asText, BOUNDS, keepRangeSlots, MAX_TEXT } from '../../lib/answer.ts'
import type { SlotRange } from '../../lib/london-day.ts'
import type { Co2Values } from './types.ts'

/**
 * Carbon Intensity `GET /intensity/{from}/{to}` (or `/intensity/date/{date}`) answer → the
 * half-hours of `range`: a range answer starts with the slot ending at `from`, which is dropped.
 */
export function parseCo2Slots (range: SlotRange, body: unknown): Co2Values[] {
  const data = asArray(asObject(body, 'co2', 'answer').data, 'co2', 'data')
  const values = data.map((entry, i): Co2Values => {
    const slot = asObject(entry, 'co2', `data[${i}]`)
    const intensity = asObject(slot.intensity, 'co2', `data[${i}].intensity`)
    const actual = intensity.actual === null || intensity.actual === undefined ? null : asBounded(intensity.actual, 'co2', `data[${i}].intensity.actual`, BOUNDS.intensity)
    return {
      slot_start: asInstant(slot.from, 'co2', `data[${i}].from`),
      forecast: Math.round(asBounded(intensity.forecast, 'co2', `data[${i}].intensity.forecast`, BOUNDS.intensity)),
      actual: actual === null ? null : Math.round(actual),
      index: asText(intensity.index, 'co2', `data[${i}].intensity.index`, MAX_TEXT.index)
    }
  })
  return keepRangeSlots(range, values)
}
