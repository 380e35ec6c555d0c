import type { LondonDay } from '../../lib/london-day.ts'
import type { UsageValues } from '../ingest/types.ts'
import { asBounded, asInstant, asObject, asText, BOUNDS, keepDaySlots, MAX_TEXT } from '../ingest/normalise.ts'

/**
 * Octopus consumption results → the day's half-hours. interval_start carries the local offset
 * (+01:00 in summer); Date.parse turns it into the UTC instant that keys the slot.
 */
export function parseUsageDay (day: LondonDay, results: unknown[], meterSerial: string | null = null): UsageValues[] {
  if (meterSerial !== null) asText(meterSerial, 'usage', 'the meter serial', MAX_TEXT.serial)
  const values = results.map((entry, i): UsageValues => {
    const r = asObject(entry, 'usage', `results[${i}]`)
    const consumption = asBounded(r.consumption, 'usage', `results[${i}].consumption`, BOUNDS.consumptionKwh)
    return { slot_start: asInstant(r.interval_start, 'usage', `results[${i}].interval_start`), consumption, meter_serial: meterSerial }
  })
  return keepDaySlots(day, values)
}
