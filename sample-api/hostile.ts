import { londonDay, type LondonDay } from '../lib/london-day.ts'
import type { FaultKind, RequestSource } from './types.ts'

// Hostile answers, as a broken or malicious upstream might send them: the real shape with
// values no real answer holds. Applied to the entries of the day the fault names, and only
// those: a span of days that is partly bad is bad on that day alone, so a client can tell
// which day to refuse. An undated fault spoils every entry.

export type HostileKind = Extract<FaultKind, 'oversized' | 'control' | 'out-of-range' | 'junk-fuels'>

export const HOSTILE_KINDS: readonly HostileKind[] = ['oversized', 'control', 'out-of-range', 'junk-fuels']

const HUGE_TEXT = 'x'.repeat(100 * 1024)
/** Finite in JSON, absurd in kWh, gCO2/kWh, % or p/kWh: 48 of them sum to Infinity. */
const HUGE_NUMBER = 1e308

type Json = Record<string, unknown>

/**
 * The body with the fault's values in place in the entries of London date `date` (undefined:
 * every entry); a kind that has no field in this source leaves it as is.
 */
export function makeHostile (kind: HostileKind, source: RequestSource, body: unknown, date?: string): unknown {
  const copy = structuredClone(body) as Json
  const list = entriesOf(copy)
  const day = date === undefined ? undefined : londonDay(date)
  for (const entry of list) {
    if (day !== undefined && !onDay(entry, day)) continue
    switch (source) {
      case 'co2':
        hostileIntensity(kind, entry)
        break
      case 'mix':
        hostileMix(kind, entry)
        break
      case 'regional':
      case 'forecast':
        // Intensity slots, regional ones with a generation mix as well.
        hostileIntensity(kind, entry)
        if (kind === 'junk-fuels' && 'generationmix' in entry) hostileMix(kind, entry)
        break
      case 'pricing':
        hostileRate(kind, entry)
        break
      case 'usage':
        hostileReading(kind, entry)
        break
      case 'export':
      case 'gas':
        // These sources have both kinds of list.
        if ('consumption' in entry) hostileReading(kind, entry)
        else hostileRate(kind, entry)
        break
      case 'account':
      case 'catalogue':
        break
    }
  }
  return copy
}

/** The entries of a body: `data` (nested in an object for one region: `data.data`) or `results`. */
function entriesOf (body: Json): Json[] {
  const data = body.data as Json | Json[] | undefined
  if (Array.isArray(data)) return data
  if (typeof data === 'object' && data !== null && Array.isArray(data.data)) return data.data as Json[]
  return Array.isArray(body.results) ? body.results as Json[] : []
}

function hostileIntensity (kind: HostileKind, entry: Json): void {
  const intensity = entry.intensity as Json
  if (kind === 'oversized') intensity.index = HUGE_TEXT
  if (kind === 'control') intensity.index = 'lo\u0000w'
  if (kind === 'out-of-range') intensity.forecast = HUGE_NUMBER
}

function hostileMix (kind: HostileKind, entry: Json): void {
  const mix = entry.generationmix as Json[]
  if (kind === 'oversized') mix[0].fuel = HUGE_TEXT
  if (kind === 'control') mix[0].fuel = 'gas\u0000'
  if (kind === 'out-of-range') mix[0].perc = HUGE_NUMBER
  if (kind === 'junk-fuels') mix.push(...Array.from({ length: 20 }, (_, i) => ({ fuel: `Junk №${i}`, perc: 0 })))
}

/**
 * True when an entry belongs to `day`: a slot (carbon `from`, consumption `interval_start`)
 * starting on it, or a rate whose [valid_from, valid_to) overlaps it (valid_to null = open).
 */
function onDay (entry: Json, day: Readonly<LondonDay>): boolean {
  const at = (field: string): number => Date.parse(String(entry[field]))
  if ('interval_start' in entry || 'from' in entry) {
    const start = at('interval_start' in entry ? 'interval_start' : 'from')
    return start >= day.startMs && start < day.endMs
  }
  if ('valid_from' in entry) return at('valid_from') < day.endMs && (entry.valid_to === null || at('valid_to') > day.startMs)
  return false
}

function hostileRate (kind: HostileKind, entry: Json): void {
  if (kind === 'oversized') entry.payment_method = HUGE_TEXT
  if (kind === 'control') entry.payment_method = 'DIRECT\u0000DEBIT'
  if (kind === 'out-of-range') entry.value_inc_vat = HUGE_NUMBER
}

function hostileReading (kind: HostileKind, entry: Json): void {
  if (kind === 'oversized' || kind === 'control') entry.interval_start = kind === 'control' ? `\u0000${String(entry.interval_start)}` : HUGE_TEXT
  if (kind === 'out-of-range') entry.consumption = HUGE_NUMBER
}
