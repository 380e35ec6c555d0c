import { EnergyError } from '../../lib/errors.ts'
import { SLOT_MS, type LondonDay } from '../../lib/london-day.ts'

// Shared checks for source answers: the real APIs return extra or overlapping slots, so every
// normaliser keeps only slots starting inside the day, on a half-hour, once each.

export function malformed (source: string, what: string): EnergyError {
  return new EnergyError('ENERGY_MALFORMED', `${source} answer is malformed: ${what}`, { source })
}

export function asObject (value: unknown, source: string, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed(source, `${where} is not an object`)
  return value as Record<string, unknown>
}

export function asArray (value: unknown, source: string, where: string): unknown[] {
  if (!Array.isArray(value)) throw malformed(source, `${where} is not a list`)
  return value
}

export function asNumber (value: unknown, source: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw malformed(source, `${where} is not a number (${JSON.stringify(value)})`)
  return value
}

export function asInstant (value: unknown, source: string, where: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN
  if (Number.isNaN(ms)) throw malformed(source, `${where} is not a timestamp (${JSON.stringify(value)})`)
  return ms
}

/** Keeps values whose slot starts inside the day on a half-hour, first one per start, sorted. */
export function keepDaySlots<V extends { slot_start: number }> (day: LondonDay, values: V[]): V[] {
  const seen = new Set<number>()
  const kept: V[] = []
  for (const v of values) {
    if (v.slot_start < day.startMs || v.slot_start >= day.endMs || (v.slot_start - day.startMs) % SLOT_MS !== 0) continue
    if (seen.has(v.slot_start)) continue
    seen.add(v.slot_start)
    kept.push(v)
  }
  return kept.sort((a, b) => a.slot_start - b.slot_start)
}

/** Minute-precision UTC ISO time, the Carbon Intensity API's format. */
export function carbonTime (ms: number): string {
  return new Date(ms).toISOString().slice(0, 16) + 'Z'
}
