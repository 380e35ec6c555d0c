import { localDateOf, londonDay, isLocalDate, slotStarts, SLOT_MS } from '../lib/london-day.ts'
import { carbonIntensity, forecastAt, generationMix, intensityIndex, regionalGenerationMix, regionalIntensity } from './data.ts'
import { carbonTime } from './format.ts'
import { regionOfId, regionOfOutcode, type Region } from './regions.ts'
import type { CarbonStarts, Reply, RequestSource, Route, RouteContext } from './types.ts'

// Carbon Intensity API (api.carbonintensity.org.uk), mounted under /carbon.

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS
// The API publishes a slot's actual intensity a few hours after the slot ends.
const ACTUAL_DELAY_MS = 3 * HOUR_MS
// The range endpoints refuse a range longer than 14 days.
const MAX_RANGE_MS = 14 * DAY_MS
// fw48h: 48 hours of half-hours.
const FORECAST_SLOTS = 96
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/

type RegionKind = 'postcode' | 'regionid'
type BodyOf = (ctx: RouteContext, starts: number[]) => object

/**
 * The route for a path below /carbon (segments without empty ones), if any. The data sets begin
 * at `starts`: earlier slots are not answered (none at all: `{"data": []}`).
 */
export function carbonRoute (segments: string[], starts: CarbonStarts): Route | undefined {
  const [first, second, third, fourth, fifth, sixth, ...rest] = segments
  if (rest.length > 0) return undefined
  if (first === 'regional' && second === 'intensity' && (fifth === 'postcode' || fifth === 'regionid') && sixth !== undefined) {
    return regionalRoute(third, fourth, fifth, sixth, starts.regionalMs)
  }
  if (fourth !== undefined || second === undefined || third === undefined) return undefined
  const national = (list: number[] | Reply): number[] | Reply => since(list, starts.nationalMs)
  if (first === 'intensity' && second === 'date') return intensityDateRoute(third, starts.nationalMs)
  if (first === 'intensity' && third === 'fw48h') return slotsRoute('forecast', '/carbon/intensity/{from}/fw48h', national(forecastStarts(second)), listOf(intensityEntry))
  if (first === 'intensity') return slotsRoute('co2', '/carbon/intensity/{from}/{to}', national(parseRange(second, third)), listOf(intensityEntry))
  if (first === 'generation') return slotsRoute('mix', '/carbon/generation/{from}/{to}', national(parseRange(second, third)), listOf(generationEntry))
  return undefined
}

/** The slot starts at or after `fromMs` (a 400 as it is). */
function since (starts: number[] | Reply, fromMs: number): number[] | Reply {
  return 'status' in starts ? starts : starts.filter(s => s >= fromMs)
}

function intensityDateRoute (date: string, fromMs: number): Route {
  if (!isLocalDate(date)) {
    return { source: 'co2', respond: () => badRequest('Please enter a valid date in ISO8601 format YYYY-MM-DD') }
  }
  return {
    source: 'co2',
    dates: { from: date, to: date },
    // The date endpoint answers the UK local day: 46, 48 or 50 half-hours.
    respond: ctx => ({ status: 200, body: { data: slotStarts(londonDay(date)).filter(s => s >= fromMs).map(start => intensityEntry(ctx, start)) } })
  }
}

/**
 * /regional/intensity/{from}/{to}/{postcode|regionid}/{…} (source regional) and
 * /regional/intensity/{from}/fw48h/… (source forecast): one region's slots. For one region the
 * API nests an object, not the list its docs show: {"data": {regionid, dnoregion, shortname,
 * postcode (postcode form only), "data": [slots]}}.
 */
function regionalRoute (fromText: string, toText: string, kind: RegionKind, value: string, fromMs: number): Route {
  const forecast = toText === 'fw48h'
  const source = forecast ? 'forecast' : 'regional'
  const path = `/carbon/regional/intensity/{from}/${forecast ? 'fw48h' : '{to}'}/${kind}/{${kind}}`
  const starts = since(forecast ? forecastStarts(fromText) : parseRange(fromText, toText), fromMs)
  if ('status' in starts) return slotsRoute(source, path, starts, () => ({}))
  const region = kind === 'postcode' ? regionOfOutcode(value) : regionOfId(value)
  if (region === undefined) {
    // The sentences are ours.
    const message = kind === 'postcode' ? 'Please enter a valid outward postcode in Great Britain e.g. RG41, SW1 or TF8' : 'Please enter a valid region id 1-17'
    return slotsRoute(source, path, badRequest(message), () => ({}))
  }
  const postcode = kind === 'postcode' ? { postcode: value.toUpperCase() } : {}
  return slotsRoute(source, path, starts, (ctx, list) => ({ data: { ...regionMeta(region), ...postcode, data: list.map(start => regionalEntry(ctx, region, start)) } }))
}

function regionMeta ({ regionid, dnoregion, shortname }: Readonly<Region>): object {
  return { regionid, dnoregion, shortname }
}

function listOf (entryOf: (ctx: RouteContext, startMs: number) => object): BodyOf {
  return (ctx, starts) => ({ data: starts.map(start => entryOf(ctx, start)) })
}

/** A national slot: the forecast as issued now (revised until the slot starts), actual once published. */
function intensityEntry ({ seed, nowMs }: RouteContext, startMs: number): object {
  const { actual, index } = carbonIntensity(seed, startMs)
  const forecast = forecastAt(seed, startMs, nowMs)
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

/** A regional slot: a forecast and its index, never an actual, and the region's generation mix. */
function regionalEntry ({ seed, nowMs }: RouteContext, region: Readonly<Region>, startMs: number): object {
  return {
    from: carbonTime(startMs),
    to: carbonTime(startMs + SLOT_MS),
    intensity: regionalIntensity(seed, region.regionid, startMs, nowMs),
    generationmix: regionalGenerationMix(seed, region.regionid, startMs)
  }
}

/**
 * A route answering the slots `starts` (or a 400). It covers the London dates of those slots'
 * starts; its counter key is `path`, a template, not the URL with its instants.
 */
function slotsRoute (source: RequestSource, path: string, starts: number[] | Reply, bodyOf: BodyOf): Route {
  if ('status' in starts) return { source, path, respond: () => starts }
  const dates = starts.length === 0 ? undefined : { from: localDateOf(starts[0]), to: localDateOf(starts[starts.length - 1]) }
  return { source, path, dates, respond: ctx => ({ status: 200, body: bodyOf(ctx, starts) }) }
}

function parseInstant (text: string): number {
  return INSTANT_RE.test(text) ? Date.parse(text) : NaN
}

/** The slot starts of a range path, YYYY-MM-DDThh:mmZ (seconds optional); 400 when invalid, reversed or over 14 days. */
function parseRange (fromText: string, toText: string): number[] | Reply {
  const from = parseInstant(fromText)
  const to = parseInstant(toText)
  if (Number.isNaN(from) || Number.isNaN(to) || to < from) {
    return badRequest('Please enter valid ISO8601 datetimes YYYY-MM-DDThh:mmZ with from before to')
  }
  // The sentence is ours; the limit is the API's.
  if (to - from > MAX_RANGE_MS) return badRequest('Please enter a date range of at most 14 days')
  return rangeStarts(from, to)
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
  for (let end = firstEnd(from); end <= lastEnd; end += SLOT_MS) starts.push(end - SLOT_MS)
  return starts
}

/** The first half-hour boundary at or after `from`: the end of the first slot a range or forecast answers. */
function firstEnd (from: number): number {
  return Math.ceil(from / SLOT_MS) * SLOT_MS
}

/**
 * Starts of the 96 slots of /{from}/fw48h. Like the ranges, the first is the slot whose end is
 * the first half-hour at or after `from`: the slot containing `from`, or, for a `from` on a
 * half-hour, the slot ending at it (a real fw24h asked from 21:00Z starts 20:30-21:00 and ends
 * 20:00-20:30 the next day). No New Year loss: that is a range bug.
 */
function forecastStarts (fromText: string): number[] | Reply {
  const from = parseInstant(fromText)
  if (Number.isNaN(from)) return badRequest('Please enter a valid datetime in ISO8601 format YYYY-MM-DDThh:mmZ e.g. 2017-08-25T12:35Z')
  const first = firstEnd(from) - SLOT_MS
  return Array.from({ length: FORECAST_SLOTS }, (_, i) => first + i * SLOT_MS)
}

function badRequest (message: string): Reply {
  return { status: 400, body: { error: { code: '400 Bad Request', message } } }
}
