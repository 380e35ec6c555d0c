import { EnergyError } from '../../lib/errors.ts'
import { getJson, httpSettings } from '../../lib/http.ts'
import { londonDay, SLOT_MS, type LondonDay, type SlotRange } from '../../lib/london-day.ts'
import type { ClientContext } from '../types.ts'

// The Carbon Intensity range endpoints (`/intensity/{from}/{to}`, `/generation/{from}/{to}`,
// `/regional/intensity/{from}/{to}/postcode/{outcode}` and `…/regionid/{id}`) answer every slot
// whose END lies in [from, to], for a range of at most 14 days. A range whose
// slot ends fall in two UTC years answers only the first year's (carbon-intensity/api-definitions
// #12: "no generation data after the new year"; the slot ending at midnight is lost too,
// jnioche/carbonintensity-api#6). So a span is asked for in ranges from its first slot's end to
// its last's, at most 14 days each and never two years of slot ends: a London year costs 28
// calls where day by day it cost 365.

/**
 * Where the Carbon Intensity history starts: national data from 2017-09-26, regional from
 * 2018-05-10 (the API's documentation; before them the range endpoints answer {"data": []}). A
 * span is asked for from there on only, and a day before has no carbon: its bill lands without.
 */
export const CARBON_HISTORY = { national: '2017-09-26', regional: '2018-05-10' } as const
const HISTORY_START_MS = { national: londonDay(CARBON_HISTORY.national).startMs, regional: londonDay(CARBON_HISTORY.regional).startMs }

/** Why a day before the history has no carbon (ENERGY_NO_DATA), or undefined. */
export function beforeCarbonHistory (source: string, day: LondonDay, history: keyof typeof CARBON_HISTORY): EnergyError | undefined {
  if (day.endMs > HISTORY_START_MS[history]) return undefined
  return new EnergyError('ENERGY_NO_DATA', `${source} has no data for ${day.date}: the Carbon Intensity ${history} history starts ${CARBON_HISTORY[history]} (the day's bill lands without carbon)`, { date: day.date })
}

/** Minute-precision UTC ISO time, the Carbon Intensity API's format. */
export function carbonTime (ms: number): string {
  return new Date(ms).toISOString().slice(0, 16) + 'Z'
}

/** Longest range the API answers. */
export const MAX_RANGE_MS = 14 * 24 * 60 * 60 * 1000

/** The slots of `range` in the API's ranges, each as the slots it answers ([startMs, endMs)). */
export function carbonRanges (range: SlotRange): SlotRange[] {
  const ranges: SlotRange[] = []
  for (let firstEnd = range.startMs + SLOT_MS; firstEnd <= range.endMs;) {
    const year = new Date(firstEnd).getUTCFullYear()
    const lastOfYear = Date.UTC(year + 1, 0, 1) - SLOT_MS
    const lastEnd = Math.min(firstEnd + MAX_RANGE_MS, lastOfYear, range.endMs)
    ranges.push({ startMs: firstEnd - SLOT_MS, endMs: lastEnd })
    firstEnd = lastEnd + SLOT_MS
  }
  return ranges
}

/** A Carbon Intensity range endpoint: the path before `/{from}/{to}`. */
export type CarbonRangePath = 'intensity' | 'generation' | 'regional/intensity'

/**
 * Fetches `path` over every range of `span` at once (lib/http limits how many reach a host
 * together) and parses each answer for the slots it covers. `suffix` follows `/{from}/{to}`:
 * the regional endpoints' `postcode/{outcode}` or `regionid/{id}`.
 */
export async function fetchCarbonRanges<V> (span: SlotRange, path: CarbonRangePath, { config, log, signal }: ClientContext,
  parse: (range: SlotRange, body: unknown) => V[], suffix?: string): Promise<V[]> {
  const tail = suffix === undefined ? '' : `/${suffix}`
  const start = Math.max(span.startMs, HISTORY_START_MS[path === 'regional/intensity' ? 'regional' : 'national'])
  if (start >= span.endMs) return []
  const answers = await Promise.all(carbonRanges({ startMs: start, endMs: span.endMs }).map(async range => {
    const body = await getJson(`${config.carbonApiUrl}/${path}/${carbonTime(range.startMs + SLOT_MS)}/${carbonTime(range.endMs)}${tail}`, { ...httpSettings(config), log, signal })
    return parse(range, body)
  }))
  return answers.flat()
}
