import type { SlotRange } from '../../lib/london-day.ts'
import type { UsageValues } from '../ingest/types.ts'
import { asBounded, asInstant, asObject, asText, BOUNDS, keepRangeSlots, MAX_TEXT } from '../ingest/normalise.ts'

/**
 * Octopus consumption results (electricity import or export, gas) → the half-hours of `range`.
 * interval_start carries the local offset (+01:00 in summer); Date.parse turns it into the UTC
 * instant that keys the slot. `source` names the answer in errors.
 */
export function parseReadings (range: SlotRange, results: unknown[], meterSerial: string | null = null, source = 'usage'): UsageValues[] {
  if (meterSerial !== null) asText(meterSerial, source, 'the meter serial', MAX_TEXT.serial)
  const values = results.map((entry, i): UsageValues => {
    const r = asObject(entry, source, `results[${i}]`)
    const consumption = asBounded(r.consumption, source, `results[${i}].consumption`, BOUNDS.consumptionKwh)
    return { slot_start: asInstant(r.interval_start, source, `results[${i}].interval_start`), consumption, meter_serial: meterSerial }
  })
  return keepRangeSlots(range, values)
}
