import { EnergyError } from './errors.ts'
import { SLOT_MS, type SlotRange } from './london-day.ts'

// Shared checks for API answers (clients/) and for the records on the topics (the join's
// checks). The real APIs return extra or overlapping slots, so every normaliser keeps only
// slots starting inside the day or span asked for, on a half-hour, once each. An answer is
// untrusted input: every number must be finite and inside physical bounds (a consumption of
// 1e308 would sum to Infinity), every string short and free of control characters (a NUL
// cannot be stored in Postgres text, a 100 KB string makes a record the broker refuses).

/**
 * What a source answer may hold, per half-hour (docs/processors.md "What an answer may hold").
 * Loose on purpose: they catch nonsense, not unusual days.
 */
export const BOUNDS = {
  // A domestic supply is at most ~100 A × 230 V ≈ 23 kW, 11.5 kWh in half an hour; 100 leaves room for large sites.
  consumptionKwh: { min: 0, max: 100 },
  // GB grid intensity has ranged ~20-600 gCO2/kWh; coal alone is ~950.
  intensity: { min: 0, max: 2000 },
  perc: { min: 0, max: 100 },
  // p/kWh: Agile went below −20 and was capped at 100 (35 on older versions); export rates are lower.
  price: { min: -1000, max: 1000 },
  // p/day: GB standing charges are ~20-80p (the 2024 caps ~60p); never negative.
  standingCharge: { min: 0, max: 1000 }
} as const

/** Longest text accepted from an answer, by what it is. */
export const MAX_TEXT = { index: 16, fuel: 32, tariffCode: 64, serial: 32, meterPoint: 32, postcode: 16, region: 64 } as const

// C0 and C1 control characters and DEL: never part of an index, a fuel or a code.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

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
  if (typeof value !== 'number' || !Number.isFinite(value)) throw malformed(source, `${where} is not a number (${shown(value)})`)
  return value
}

/** A finite number in [min, max]. */
export function asBounded (value: unknown, source: string, where: string, bounds: { min: number, max: number }): number {
  const n = asNumber(value, source, where)
  if (n < bounds.min || n > bounds.max) throw malformed(source, `${where} is ${n}, outside ${bounds.min}..${bounds.max}`)
  return n
}

/** A string of at most `maxLength` characters without control characters. */
export function asText (value: unknown, source: string, where: string, maxLength: number): string {
  const problem = textProblem(value, maxLength)
  if (problem !== undefined) throw malformed(source, `${where} ${problem}`)
  return value as string
}

/** What is wrong with `value` as text of at most `maxLength` characters, if anything. */
export function textProblem (value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return 'is not a string'
  if (value.length > maxLength) return `is ${value.length} characters long, more than ${maxLength}`
  const control = CONTROL.exec(value)
  if (control !== null) return `holds the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
  return undefined
}

export function asInstant (value: unknown, source: string, where: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN
  if (Number.isNaN(ms)) throw malformed(source, `${where} is not a timestamp (${shown(value)})`)
  return ms
}

/** A value as JSON, cut: an answer's junk must not make a huge log line or dead-letter header. */
function shown (value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 40 ? `${text.slice(0, 40)}… (${text.length} characters)` : text
}

/** Keeps values whose slot starts inside the range on a half-hour, first one per start, sorted. */
export function keepRangeSlots<V extends { slot_start: number }> (range: SlotRange, values: V[]): V[] {
  const seen = new Set<number>()
  const kept: V[] = []
  for (const v of values) {
    if (v.slot_start < range.startMs || v.slot_start >= range.endMs || (v.slot_start - range.startMs) % SLOT_MS !== 0) continue
    if (seen.has(v.slot_start)) continue
    seen.add(v.slot_start)
    kept.push(v)
  }
  return kept.sort((a, b) => a.slot_start - b.slot_start)
}
