import { localDateOf, londonDay, isLocalDate, slotStarts, SLOT_MS } from '../lib/london-day.ts'
import { carbonIntensity, generationMix, intensityIndex } from './data.ts'
import { carbonTime } from './format.ts'
import type { Reply, Route, RouteContext } from './types.ts'

// Carbon Intensity API (api.carbonintensity.org.uk), mounted under /carbon.

const HOUR_MS = 60 * 60 * 1000
// The API publishes a slot's actual intensity a few hours after the slot ends.
const ACTUAL_DELAY_MS = 3 * HOUR_MS
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/

/** The route for a path below /carbon (segments without empty ones), if any. */
export function carbonRoute (segments: string[]): Route | undefined {
  const [first, second, third, ...rest] = segments
  if (rest.length > 0) return undefined
  if (first === 'intensity' && second === 'date' && third !== undefined) return intensityRoute(third)
  if (first === 'generation' && second !== undefined && third !== undefined) return generationRoute(second, third)
  return undefined
}

function intensityRoute (date: string): Route {
  if (!isLocalDate(date)) {
    return { source: 'co2', respond: () => badRequest('Please enter a valid date in ISO8601 format YYYY-MM-DD') }
  }
  return {
    source: 'co2',
    date,
    // The date endpoint answers the UK local day: 46, 48 or 50 half-hours.
    respond: ({ seed, nowMs }) => ({
      status: 200,
      body: { data: slotStarts(londonDay(date)).map(start => intensityEntry(seed, start, nowMs)) }
    })
  }
}

function intensityEntry (seed: number, startMs: number, nowMs: number): object {
  const { forecast, actual, index } = carbonIntensity(seed, startMs)
  const known = startMs + SLOT_MS <= nowMs - ACTUAL_DELAY_MS
  return {
    from: carbonTime(startMs),
    to: carbonTime(startMs + SLOT_MS),
    intensity: { forecast, actual: known ? actual : null, index: known ? index : intensityIndex(forecast) }
  }
}

function generationRoute (fromText: string, toText: string): Route {
  const from = INSTANT_RE.test(fromText) ? Date.parse(fromText) : NaN
  const to = INSTANT_RE.test(toText) ? Date.parse(toText) : NaN
  if (Number.isNaN(from) || Number.isNaN(to) || to < from) {
    return { source: 'mix', respond: () => badRequest('Please enter valid ISO8601 datetimes YYYY-MM-DDThh:mmZ with from before to') }
  }
  // A range is about the London date 30 minutes after `from`: a local-midnight `from` gives
  // that day, although the first slot returned (ending at `from`) belongs to the day before.
  return { source: 'mix', date: localDateOf(from + SLOT_MS), respond: ctx => generationReply(ctx, from, to) }
}

function generationReply ({ seed }: RouteContext, from: number, to: number): Reply {
  // The range endpoint returns every slot whose END lies in [from, to], so a local-midnight
  // to local-midnight query has one extra slot, starting 30 minutes before `from`.
  const data = []
  for (let end = Math.ceil(from / SLOT_MS) * SLOT_MS; end <= to; end += SLOT_MS) {
    const start = end - SLOT_MS
    data.push({ from: carbonTime(start), to: carbonTime(end), generationmix: generationMix(seed, start) })
  }
  return { status: 200, body: { data } }
}

function badRequest (message: string): Reply {
  return { status: 400, body: { error: { code: '400 Bad Request', message } } }
}
