import { localDateOf, londonDay } from '../lib/london-day.ts'
import { HISTORY_START_DATE } from './options.ts'
import type { Reply } from './types.ts'

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

/** The London date a ranged request is about: the day containing period_from. */
export function periodDate (url: URL): string | undefined {
  const from = parseInstant(url.searchParams.get('period_from'))
  return from === undefined || Number.isNaN(from) ? undefined : localDateOf(from)
}
