import type { FaultKind, RequestSource } from './types.ts'

// Hostile answers, as a broken or malicious upstream might send them: the real shape with
// values no real answer holds. Applied to every slot of the day the fault names.

export type HostileKind = Extract<FaultKind, 'oversized' | 'control' | 'out-of-range' | 'junk-fuels'>

export const HOSTILE_KINDS: readonly HostileKind[] = ['oversized', 'control', 'out-of-range', 'junk-fuels']

const HUGE_TEXT = 'x'.repeat(100 * 1024)
/** Finite in JSON, absurd in kWh, gCO2/kWh, % or p/kWh: 48 of them sum to Infinity. */
const HUGE_NUMBER = 1e308

type Json = Record<string, unknown>

/** The body with the fault's values in place; a kind that has no field in this source leaves it as is. */
export function makeHostile (kind: HostileKind, source: RequestSource, body: unknown): unknown {
  const copy = structuredClone(body) as Json
  const list = (Array.isArray(copy.data) ? copy.data : Array.isArray(copy.results) ? copy.results : []) as Json[]
  for (const entry of list) {
    switch (source) {
      case 'co2': {
        const intensity = entry.intensity as Json
        if (kind === 'oversized') intensity.index = HUGE_TEXT
        if (kind === 'control') intensity.index = 'lo\u0000w'
        if (kind === 'out-of-range') intensity.forecast = HUGE_NUMBER
        break
      }
      case 'mix': {
        const mix = entry.generationmix as Json[]
        if (kind === 'oversized') mix[0].fuel = HUGE_TEXT
        if (kind === 'control') mix[0].fuel = 'gas\u0000'
        if (kind === 'out-of-range') mix[0].perc = HUGE_NUMBER
        if (kind === 'junk-fuels') mix.push(...Array.from({ length: 20 }, (_, i) => ({ fuel: `Junk №${i}`, perc: 0 })))
        break
      }
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
        break
    }
  }
  return copy
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
