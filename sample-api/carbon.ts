import { localDateOf, londonDay, isLocalDate, slotStarts, SLOT_MS } from '../lib/london-day.ts'
import { carbonIntensity, generationMix, intensityIndex } from './data.ts'
import { carbonTime } from './format.ts'
import type { Reply, RequestSource, Route, RouteContext } from './types.ts'

// Carbon Intensity API (api.carbonintensity.org.uk), mounted under /carbon.

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS
// The API publishes a slot's actual intensity a few hours after the slot ends.
const ACTUAL_DELAY_MS = 3 * HOUR_MS
// The range endpoints refuse a range longer than 14 days.
const MAX_RANGE_MS = 14 * DAY_MS
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/

type EntryOf = (ctx: RouteContext, startMs: number) => object

/** The route for a path below /carbon (segments without empty ones), if any. */
export function carbonRoute (segments: string[]): Route | undefined {
  const [first, second, third, ...rest] = segments
  if (rest.length > 0 || second === undefined || third === undefined) return undefined
  if (first === 'intensity' && second === 'date') return intensityDateRoute(third)
  if (first === 'intensity') return rangeRoute('co2', '/carbon/intensity/{from}/{to}', second, third, intensityEntry)
  if (first === 'generation') return rangeRoute('mix', '/carbon/generation/{from}/{to}', second, third, generationEntry)
  return undefined
}

function intensityDateRoute (date: string): Route {
  if (!isLocalDate(date)) {
    return { source: 'co2', respond: () => badRequest('Please enter a valid date in ISO8601 format YYYY-MM-DD') }
  }
  return {
    source: 'co2',
    dates: { from: date, to: date },
    // The date endpoint answers the UK local day: 46, 48 or 50 half-hours.
    respond: ctx => ({ status: 200, body: { data: slotStarts(londonDay(date)).map(start => intensityEntry(ctx, start)) } })
  }
}

function intensityEntry ({ seed, nowMs }: RouteContext, startMs: number): object {
  const { forecast, actual, index } = carbonIntensity(seed, startMs)
  const known = startMs + SLOT_MS <= nowMs - ACTUAL_DELAY_MS
  return {
    from: carbonTime(startMs),
    to: carbonTime(startMs + SLOT_MS),
    intensity: { forecast, actual: known ? actual : null, index: known ? index : intensityIndex(forecast) }
  }
}

function generationEntry ({ seed }: RouteContext, startMs: number): object {
  return { from: carbonTime(startMs), to: carbonTime(startMs + SLOT_MS), generationmix: generationMix(seed, startMs) }
}

/**
 * A range endpoint, /{from}/{to}: one entry per slot rangeStarts gives. It covers the London
 * dates of those slots' starts; its counter key is `path`, not the URL with its instants.
 */
function rangeRoute (source: RequestSource, path: string, fromText: string, toText: string, entryOf: EntryOf): Route {
  const range = parseRange(fromText, toText)
  if ('status' in range) return { source, path, respond: () => range }
  const starts = rangeStarts(range.from, range.to)
  const dates = starts.length === 0 ? undefined : { from: localDateOf(starts[0]), to: localDateOf(starts[starts.length - 1]) }
  return { source, path, dates, respond: ctx => ({ status: 200, body: { data: starts.map(start => entryOf(ctx, start)) } }) }
}

/** The instants of a range path, YYYY-MM-DDThh:mmZ (seconds optional); 400 when invalid, reversed or over 14 days. */
function parseRange (fromText: string, toText: string): { from: number, to: number } | Reply {
  const from = INSTANT_RE.test(fromText) ? Date.parse(fromText) : NaN
  const to = INSTANT_RE.test(toText) ? Date.parse(toText) : NaN
  if (Number.isNaN(from) || Number.isNaN(to) || to < from) {
    return badRequest('Please enter valid ISO8601 datetimes YYYY-MM-DDThh:mmZ with from before to')
  }
  // The sentence is ours; the limit is the API's.
  if (to - from > MAX_RANGE_MS) return badRequest('Please enter a date range of at most 14 days')
  return { from, to }
}

/**
 * Starts of the slots a range answers. The range endpoints return every slot whose END lies in
 * [from, to], so a local-midnight to local-midnight query has one extra slot, starting 30
 * minutes before `from`.
 *
 * New Year loss: a range whose `from` and `to` lie in different UTC years answers only the
 * slots whose end lies in the UTC year of `from`: 2022-12-31T00:30Z/2023-01-01T05:00Z ends
 * with 23:00-23:30 and loses 23:30-00:00 and all of January 1st (carbon-intensity/api-definitions
 * issue #12, jnioche/carbonintensity-api issue #6). A client that never lets one query's slot
 * ends span two years gets every slot.
 */
function rangeStarts (from: number, to: number): number[] {
  const nextYear = Date.UTC(new Date(from).getUTCFullYear() + 1, 0, 1)
  const lastEnd = Math.min(to, nextYear - 1)
  const starts: number[] = []
  for (let end = Math.ceil(from / SLOT_MS) * SLOT_MS; end <= lastEnd; end += SLOT_MS) starts.push(end - SLOT_MS)
  return starts
}

function badRequest (message: string): Reply {
  return { status: 400, body: { error: { code: '400 Bad Request', message } } }
}
