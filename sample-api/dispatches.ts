import { fnv1a } from '../lib/hash.ts'
import { addDays, localDateOf, londonOffsetMs, SLOT_MS } from '../lib/london-day.ts'
import { REAL_ACCOUNT } from './options.ts'

// The second account's EV on Intelligent Octopus Go (from the agreement of 2025-12-12):
// deterministic smart-charge dispatches per London date, what the GraphQL endpoint answers as
// planned (not yet ended) and completed (ended within the last 12 hours: Octopus's
// completedDispatches are "12 hours behind" and then gone), and the relabelling that HA issues
// report (#1612, #1637: a completed dispatch's source or location changes later).

/** The EV's Kraken device id. */
export const REAL_DEVICE_ID = '00000000-0002-4000-8000-000000000001'
/** First London date with dispatches: the Intelligent Octopus Go agreement's start. */
export const DISPATCH_FROM_DATE = '2025-12-12'
/** kWh a 7 kW charger adds in half an hour (the sample EV charges at 7 kW). */
export const DISPATCH_KWH_PER_SLOT = 3.5
/** How long Octopus lists a completed dispatch. */
export const COMPLETED_FOR_MS = 12 * 3600 * 1000
/** After this long past its end, a completed dispatch is relabelled. */
export const RELABEL_AFTER_MS = 6 * 3600 * 1000
/** Planned dispatches are answered up to this far ahead. */
const PLANNED_AHEAD_MS = 24 * 3600 * 1000

export interface SampleDispatch {
  /** UTC ms. */
  start: number
  end: number
  /** kWh into the EV (Kraken's delta is its negative). */
  kwh: number
  source: 'smart-charge' | 'bump-charge'
  location: 'AT_HOME' | null
}

/** A London wall-clock time of `date` as UTC ms (hh:mm; 24:00 and more run into the next days). */
function localTime (date: string, minutes: number): number {
  const day = addDays(date, Math.floor(minutes / 1440))
  const m = minutes % 1440
  const naive = Date.parse(`${day}T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00Z`)
  return naive - londonOffsetMs(naive - 3600 * 1000)
}

const at = (iso: string): number => Date.parse(iso)

/**
 * The clock-change days, by hand (instants with their London offsets): on 2026-10-25 (50
 * half-hours, 01:00-02:00 twice) a night smart charge from 00:30 BST across both 01:00s to 06:15
 * GMT, past the off-peak end (the 05:30 and 06:00 half-hours re-priced, the second touched for 15
 * minutes only), a daytime smart charge starting mid-half-hour (13:10-14:00: the 13:00 half-hour
 * whole) and a bump charge; on 2026-03-29 (46 half-hours, 01:00-02:00 skipped) a smart charge
 * ending and another starting at the skipped hour's boundary (01:00 GMT = 02:00 BST), the second
 * running to 05:45 BST (the 05:30 half-hour re-priced), and a daytime one 12:45-14:20 BST (four
 * half-hours). Both days lie in the Intelligent Octopus Go agreement (from 2025-12-12, open).
 */
const CLOCK_CHANGE_DISPATCHES: Readonly<Record<string, readonly SampleDispatch[]>> = {
  '2026-10-25': [
    { start: at('2026-10-25T00:30:00+01:00'), end: at('2026-10-25T06:15:00+00:00'), kwh: 47.25, source: 'smart-charge', location: 'AT_HOME' },
    { start: at('2026-10-25T13:10:00+00:00'), end: at('2026-10-25T14:00:00+00:00'), kwh: 5.83, source: 'smart-charge', location: 'AT_HOME' },
    { start: at('2026-10-25T18:00:00+00:00'), end: at('2026-10-25T18:30:00+00:00'), kwh: DISPATCH_KWH_PER_SLOT, source: 'bump-charge', location: 'AT_HOME' }
  ],
  '2026-03-29': [
    { start: at('2026-03-29T00:30:00+00:00'), end: at('2026-03-29T02:00:00+01:00'), kwh: DISPATCH_KWH_PER_SLOT, source: 'smart-charge', location: 'AT_HOME' },
    { start: at('2026-03-29T02:00:00+01:00'), end: at('2026-03-29T05:45:00+01:00'), kwh: 26.25, source: 'smart-charge', location: 'AT_HOME' },
    { start: at('2026-03-29T12:45:00+01:00'), end: at('2026-03-29T14:20:00+01:00'), kwh: 11.08, source: 'smart-charge', location: 'AT_HOME' }
  ]
}

/**
 * The dispatches starting on London `date`, as first labelled, in time order: the clock-change
 * days' by hand (CLOCK_CHANGE_DISPATCHES); otherwise every night a
 * smart charge from 00:30 of 2 to 8 half-hours (inside the 23:30-05:30 off-peak window); on
 * dates whose hash is 0 mod 3 a daytime smart charge 13:00-14:00 (outside it, billed off-peak
 * anyway); on dates whose hash is 1 mod 7 a bump charge 18:00-18:30.
 */
export function dispatchesOn (seed: number, date: string): SampleDispatch[] {
  const byHand = CLOCK_CHANGE_DISPATCHES[date]
  if (byHand !== undefined) return byHand.map(d => ({ ...d }))
  if (date < DISPATCH_FROM_DATE) return []
  const h = fnv1a(`${seed}:dispatch:${date}`)
  const nightSlots = 2 + (h % 7)
  const list: SampleDispatch[] = []
  const nightStart = localTime(date, 30)
  list.push({ start: nightStart, end: nightStart + nightSlots * SLOT_MS, kwh: nightSlots * DISPATCH_KWH_PER_SLOT, source: 'smart-charge', location: 'AT_HOME' })
  if (h % 3 === 0) list.push({ start: localTime(date, 13 * 60), end: localTime(date, 14 * 60), kwh: 2 * DISPATCH_KWH_PER_SLOT, source: 'smart-charge', location: 'AT_HOME' })
  if (h % 7 === 1) list.push({ start: localTime(date, 18 * 60), end: localTime(date, 18 * 60 + 30), kwh: DISPATCH_KWH_PER_SLOT, source: 'bump-charge', location: 'AT_HOME' })
  return list
}

/** A completed dispatch as answered `ageMs` after its end: relabelled once old enough. */
export function relabelled (d: SampleDispatch, ageMs: number): SampleDispatch {
  if (ageMs < RELABEL_AFTER_MS) return d
  // A daytime smart charge turns into a bump charge, a night one loses its location.
  return d.start === localTime(localDateOf(d.start), 13 * 60) ? { ...d, source: 'bump-charge' } : { ...d, location: null }
}

/** The dispatches of the days around [fromMs, toMs). */
function dispatchesAround (seed: number, fromMs: number, toMs: number): SampleDispatch[] {
  const out: SampleDispatch[] = []
  for (let date = addDays(localDateOf(fromMs), -1); date <= localDateOf(toMs); date = addDays(date, 1)) out.push(...dispatchesOn(seed, date))
  return out.filter(d => d.end > fromMs && d.start < toMs)
}

/** What completedDispatches answers at `nowMs`: ended within the last 12 hours, newest first, relabelled by age. */
export function completedAt (seed: number, account: string, nowMs: number): SampleDispatch[] {
  if (account !== REAL_ACCOUNT) return []
  return dispatchesAround(seed, nowMs - COMPLETED_FOR_MS, nowMs)
    .filter(d => d.end <= nowMs && d.end > nowMs - COMPLETED_FOR_MS)
    .map(d => relabelled(d, nowMs - d.end))
    .sort((a, b) => b.start - a.start)
}

/** What flexPlannedDispatches answers at `nowMs`: not yet ended, starting within 24 hours, in time order. */
export function plannedAt (seed: number, nowMs: number): SampleDispatch[] {
  return dispatchesAround(seed, nowMs, nowMs + PLANNED_AHEAD_MS).filter(d => d.end > nowMs && d.start < nowMs + PLANNED_AHEAD_MS)
}

/** Whether a completed smart charge at home touches the half-hour starting at `slotMs` (Octopus bills it off-peak). */
export function dispatchedSlot (seed: number, slotMs: number): boolean {
  return dispatchesOn(seed, localDateOf(slotMs)).concat(dispatchesOn(seed, addDays(localDateOf(slotMs), -1)))
    .some(d => d.source === 'smart-charge' && d.location === 'AT_HOME' && d.start < slotMs + SLOT_MS && d.end > slotMs)
}
