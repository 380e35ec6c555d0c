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
 * Fetches `path` over the ranges of `span` in order and yields each answer's slots as it is
 * parsed, at most `httpMaxInFlight` ranges ahead (lib/http limits a host to as many requests in
 * flight anyway): a long span is never held whole. `suffix` follows `/{from}/{to}`: the
 * regional endpoints' `postcode/{outcode}` or `regionid/{id}`. Ranges read ahead are abandoned
 * (their requests aborted) when the caller stops early or a range fails.
 */
export async function * streamCarbonRanges<V> (span: SlotRange, path: CarbonRangePath, { config, log, signal }: ClientContext,
  parse: (range: SlotRange, body: unknown) => V[], suffix?: string): AsyncGenerator<V[]> {
  const tail = suffix === undefined ? '' : `/${suffix}`
  const start = Math.max(span.startMs, HISTORY_START_MS[path === 'regional/intensity' ? 'regional' : 'national'])
  if (start >= span.endMs) return
  const ranges = carbonRanges({ startMs: start, endMs: span.endMs })
  const abandon = new AbortController()
  const settings = { ...httpSettings(config), log, signal: AbortSignal.any([signal, abandon.signal]) }
  const ahead: Array<Promise<V[]>> = []
  let next = 0
  const request = (): void => {
    const range = ranges[next++]
    const answer = getJson(`${config.carbonApiUrl}/${path}/${carbonTime(range.startMs + SLOT_MS)}/${carbonTime(range.endMs)}${tail}`, settings).then(body => parse(range, body))
    answer.catch(() => {})
    ahead.push(answer)
  }
  try {
    while (ahead.length > 0 || next < ranges.length) {
      while (next < ranges.length && ahead.length < config.httpMaxInFlight) request()
      yield await (ahead.shift() as Promise<V[]>)
    }
  } finally {
    abandon.abort()
  }
}
