import { EnergyError } from '../../lib/errors.ts'
import { localDateOf, londonDay, SLOT_MS, type LondonDay } from '../../lib/london-day.ts'
import type { SlotEnvelope } from './types.ts'

// What a source's join input (JoinInput, types.ts) checks a record with, and the join too: the
// slot/date contract of every record, and the bounds of the values the join sums.

/** Fuel columns of the join's mix block: the API has 9 fuels, room to spare for new ones. */
export const MAX_FUELS = 16

/** Checks that a record's slot lies in its local date and returns the slot's index. */
export function slotIndex (record: SlotEnvelope): number {
  const slot = record.slot_start
  if (!Number.isInteger(slot) || slot % SLOT_MS !== 0) {
    throw new EnergyError('ENERGY_INVALID_RECORD', `slot_start ${slot} is not on a half-hour`, { date: record.local_date })
  }
  let day: Readonly<LondonDay>
  try {
    day = londonDay(record.local_date)
  } catch {
    throw new EnergyError('ENERGY_INVALID_RECORD', `local_date "${record.local_date}" is not a date`, { date: record.local_date })
  }
  if (slot < day.startMs || slot >= day.endMs) {
    throw new EnergyError('ENERGY_INVALID_RECORD', `slot ${new Date(slot).toISOString()} belongs to ${localDateOf(slot)}, not to local_date ${record.local_date}`, { date: record.local_date })
  }
  return (slot - day.startMs) / SLOT_MS
}

/**
 * Refuses a value a join input reads that is not finite or outside its bounds: the topics are
 * a trust boundary too (any producer can write them), and one such value would make the day's
 * sums Infinity or NaN.
 */
export function checkValue (record: SlotEnvelope, field: string, value: number | null, bounds: { min: number, max: number }): void {
  if (value === null) return
  if (!Number.isFinite(value) || value < bounds.min || value > bounds.max) {
    throw new EnergyError('ENERGY_INVALID_RECORD', `${field} ${value} is outside ${bounds.min}..${bounds.max}`, { date: record.local_date })
  }
}
