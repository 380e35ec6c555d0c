import { EnergyError } from '../lib/errors.ts'
import { isoUtc, SLOT_MS } from '../lib/london-day.ts'

// The best start times ahead (GET /api/ahead): pure window arithmetic over the forecast's
// half-hours. Slots are UTC instants 30 minutes apart, so a run of H hours is 2H consecutive
// slots whatever the London clock does (a window across the autumn change starts at 01:00 BST
// and may end at 01:30 GMT); nothing here counts slots per day.

/** A half-hour of the forecast; price p/kWh inc VAT, intensity gCO2/kWh, each null when unknown. */
export interface AheadSlot {
  start: number
  price: number | null
  intensity: number | null
}

/** A run of half-hours: where it starts and ends (ISO-8601 UTC) and its means. */
export interface AheadWindow {
  start: string
  end: string
  avg_price_inc_vat: number
  avg_intensity: number
}

export interface BestWindows {
  cheapest: AheadWindow | null
  greenest: AheadWindow | null
  balanced: AheadWindow | null
  /** Why there is no window (the windows are then all null); null when there are windows. */
  reason: string | null
}

/** How `balanced` weighs price against carbon: said in every answer and in docs/api.md. */
export const WEIGHTING = 'balanced: each half-hour\'s price and carbon intensity are rescaled to 0..1 (min-max over the half-hours of the next 48 hours that have both; a series that does not vary counts 0) and weighted 50/50; the window with the lowest mean of that score wins. cheapest and greenest: the lowest mean price, the lowest mean intensity. A window is a run of consecutive half-hours that all have both a price and an intensity; ties go to the earliest.'

export const MIN_HOURS = 0.5
export const MAX_HOURS = 24
export const DEFAULT_HOURS = 2

/** The 400 for a run length the route cannot take; the value is echoed cut to 60 characters. */
function badHours (value: string): EnergyError {
  const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value
  return new EnergyError('ENERGY_USAGE', `hours "${shown}" is not a run length: give hours from ${MIN_HOURS} to ${MAX_HOURS} in half-hour steps (e.g. 2 or 1.5)`)
}

/** `?hours=` as a number of hours: a plain decimal, a multiple of 0.5, from 0.5 to 24; default 2. */
export function parseHours (value: string | undefined): number {
  if (value === undefined) return DEFAULT_HOURS
  if (!/^\d{1,3}(\.\d{1,3})?$/.test(value)) throw badHours(value)
  const hours = Number(value)
  if (!Number.isInteger(hours * 2) || hours < MIN_HOURS || hours > MAX_HOURS) throw badHours(value)
  return hours
}

interface Candidate { first: number, price: number, intensity: number, balanced: number }

// Means of different windows that are equal in exact arithmetic can differ in the last bits
// (the sums add in different orders): closer than this counts as a tie, and the earlier wins.
const TIE = 1e-9

function lowest (candidates: readonly Candidate[], score: (c: Candidate) => number): Candidate {
  let best = candidates[0]
  for (const c of candidates) {
    if (score(c) < score(best) - TIE * Math.max(1, Math.abs(score(best)))) best = c
  }
  return best
}

/**
 * The cheapest, greenest and balanced runs of `hours` × 2 consecutive half-hours in `slots`
 * (ascending by start), among runs whose every slot has both a price and an intensity; see
 * WEIGHTING. A fixed tariff (one price throughout) makes every window as cheap as the next:
 * cheapest is then the earliest and balanced the greenest.
 */
export function bestWindows (slots: readonly AheadSlot[], hours: number): BestWindows {
  const none = (reason: string): BestWindows => ({ cheapest: null, greenest: null, balanced: null, reason })
  if (slots.length === 0) return none('no forecast from the current half-hour on: energy_usage.forecast is empty (is the forecast component running? npm start runs it)')
  const length = Math.round(hours * 2)
  const known = slots.map(s => s.price !== null && s.intensity !== null)
  const firsts: number[] = []
  // run = how many consecutive known slots end at i.
  let run = 0
  for (let i = 0; i < slots.length; i++) {
    const follows = i > 0 && slots[i].start - slots[i - 1].start === SLOT_MS
    run = known[i] ? (follows ? run + 1 : 1) : 0
    if (run >= length) firsts.push(i - length + 1)
  }
  if (firsts.length === 0) {
    const both = known.filter(Boolean).length
    return none(`no run of ${hours} h (${length} consecutive half-hours) with both a price and a carbon intensity in the forecast: ${both} of its ${slots.length} half-hours have both`)
  }
  // The scales of the balanced score: the known half-hours of the whole forecast.
  const prices = slots.filter((_, i) => known[i]).map(s => s.price as number)
  const intensities = slots.filter((_, i) => known[i]).map(s => s.intensity as number)
  const [pMin, pRange] = [Math.min(...prices), Math.max(...prices) - Math.min(...prices)]
  const [iMin, iRange] = [Math.min(...intensities), Math.max(...intensities) - Math.min(...intensities)]
  const candidates = firsts.map((first): Candidate => {
    // Each window's sums afresh (at most 96 × 48 additions): a sliding sum drifts, and
    // equal windows must compare equal.
    let price = 0
    let intensity = 0
    for (let i = first; i < first + length; i++) {
      price += slots[i].price as number
      intensity += slots[i].intensity as number
    }
    price /= length
    intensity /= length
    const balanced = 0.5 * (pRange === 0 ? 0 : (price - pMin) / pRange) + 0.5 * (iRange === 0 ? 0 : (intensity - iMin) / iRange)
    return { first, price, intensity, balanced }
  })
  const windowOf = (c: Candidate): AheadWindow => ({
    start: isoUtc(slots[c.first].start),
    end: isoUtc(slots[c.first + length - 1].start + SLOT_MS),
    avg_price_inc_vat: c.price,
    avg_intensity: c.intensity
  })
  return {
    cheapest: windowOf(lowest(candidates, c => c.price)),
    greenest: windowOf(lowest(candidates, c => c.intensity)),
    balanced: windowOf(lowest(candidates, c => c.balanced)),
    reason: null
  }
}
