import { localDateOf, londonDay } from '../lib/london-day.ts'
import { HISTORY_START_DATE } from './options.ts'
import type { DateRange, Reply } from './types.ts'

// The period_from / period_to query of Octopus list endpoints.

export const HISTORY_START_MS = londonDay(HISTORY_START_DATE).startMs

export interface Period {
  from: number
  to: number
}

/** ms of an ISO 8601 instant; undefined when absent, NaN when invalid. */
function parseInstant (text: string | null): number | undefined {
  if (text === null || text === '') return undefined
  // An unencoded `+01:00` offset arrives as a space.
  const iso = text.replace(' ', '+')
  return /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : NaN
}

/** The request's period: from the history's start (no period_from) to `defaultTo` (no period_to); 400 when invalid. */
export function parsePeriod (url: URL, defaultTo: number): Period | Reply {
  const from = parseInstant(url.searchParams.get('period_from')) ?? HISTORY_START_MS
  const to = parseInstant(url.searchParams.get('period_to')) ?? defaultTo
  if (Number.isNaN(from)) return { status: 400, body: { period_from: ['Enter a valid date/time.'] } }
  if (Number.isNaN(to)) return { status: 400, body: { period_to: ['Enter a valid date/time.'] } }
  return { from, to }
}

/**
 * The London dates a ranged request covers: the day containing period_from to the day
 * containing the last instant before period_to. No period_to (or an invalid one): period_from's
 * day alone, as a client reading one day from its start asks. No period_from: none in particular.
 */
export function periodDates (url: URL): DateRange | undefined {
  const from = parseInstant(url.searchParams.get('period_from'))
  if (from === undefined || Number.isNaN(from)) return undefined
  const first = localDateOf(from)
  const to = parseInstant(url.searchParams.get('period_to'))
  if (to === undefined || Number.isNaN(to)) return { from: first, to: first }
  const last = localDateOf(to - 1)
  // A period_to at or before period_from still covers period_from's day.
  return { from: first, to: last < first ? first : last }
}
