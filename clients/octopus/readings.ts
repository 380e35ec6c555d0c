import { asBounded, asInstant, asObject, asText, BOUNDS, keepRangeSlots, MAX_TEXT } from '../../lib/answer.ts'
import { isEnergyError } from '../../lib/errors.ts'
import type { SlotRange } from '../../lib/london-day.ts'
import type { ClientContext } from '../types.ts'
import { fetchOctopusPages, octopusTime } from './pages.ts'
import type { MeterPeriod, UsageValues } from './types.ts'

// Meter readings of a day or span from Octopus consumption endpoints, for every meter of the meter
// points in force. A meter point listing several meters had a meter exchanged: each slot's
// reading comes from the first meter, in the account's order, that has one, so a slot read by
// the old and the new meter around the exchange counts once.

/** The consumption endpoint of a fuel: electricity (import and export) or gas. */
export type ReadingPath = 'electricity-meter-points' | 'gas-meter-points'

/** A meter point's meters over part of a span: the account's periods, or the one configured meter. */
export type MeterSpan = Pick<MeterPeriod, 'meterPoint' | 'meters' | 'from' | 'to'>

/**
 * The periods as the readings need them: consecutive periods of the same meter point and meters
 * (the account cuts them at every tariff change) joined, so a meter is asked once per span.
 */
export function readingSpans (periods: readonly MeterSpan[]): MeterSpan[] {
  const joined: MeterSpan[] = []
  for (const p of periods) {
    const last = joined.at(-1)
    if (last !== undefined && last.to === p.from && last.meterPoint === p.meterPoint && last.meters.join() === p.meters.join()) joined[joined.length - 1] = { ...last, to: p.to }
    else joined.push({ meterPoint: p.meterPoint, meters: p.meters, from: p.from, to: p.to })
  }
  return joined
}

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

export async function fetchReadings (range: SlotRange, spans: readonly MeterSpan[], path: ReadingPath, source: string, context: ClientContext): Promise<UsageValues[]> {
  const bySlot = new Map<number, UsageValues>()
  for (const span of spans) {
    for (const serial of span.meters) {
      // period_to is inclusive on the real API, so the span's end is one slot too many: the
      // slots are kept to the span. order_by=period gives oldest first, which pages naturally;
      // 25,000 (the API's largest page) is over 500 days of half-hours.
      const query = new URLSearchParams({ period_from: octopusTime(span.from), period_to: octopusTime(span.to), page_size: '25000', order_by: 'period' })
      const url = `${context.config.octopusApiUrl}/${path}/${encodeURIComponent(span.meterPoint)}/meters/${encodeURIComponent(serial)}/consumption/?${query}`
      let results: unknown[]
      try {
        results = await fetchOctopusPages(url, context, { source, auth: true })
      } catch (err) {
        // A meter the API does not know (a legacy meter still listed after an exchange answers
        // 404 {"detail": "Not found."}) has no readings: the other meters of the point serve.
        if (!isEnergyError(err, 'ENERGY_FETCH') || err.status !== 404) throw err
        context.log.warn({ meterPoint: span.meterPoint, meter: serial, source }, 'meter answers 404: counted as a meter without readings')
        continue
      }
      for (const reading of parseReadings(range, results, serial, source)) {
        if (reading.slot_start >= span.from && reading.slot_start < span.to && !bySlot.has(reading.slot_start)) bySlot.set(reading.slot_start, reading)
      }
    }
  }
  return [...bySlot.values()].sort((a, b) => a.slot_start - b.slot_start)
}
