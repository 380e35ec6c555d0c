import { localDateOf, londonDay, SLOT_MS } from '../lib/london-day.ts'
import { londonTime } from './format.ts'
import { MAX_CONSUMPTION_PAGE_SIZE } from './options.ts'
import { countSlots, pagedReply, parsePage, slotAt, slotRunsWithout } from './paging.ts'
import { parsePeriod } from './period.ts'
import type { Reply, RouteContext, SampleMeter } from './types.ts'

// Half-hourly readings of …/{electricity,gas}-meter-points/{point}/meters/{serial}/consumption/.

const DAY_MS = 24 * 60 * 60 * 1000
const NOT_FOUND: Reply = { status: 404, body: { detail: 'Not found.' } }

/** The meter's readings in the request's period; 404 for a meter the account has not (undefined). */
export function consumptionReply (ctx: RouteContext, meter: SampleMeter | undefined): Reply {
  if (meter === undefined) return NOT_FOUND
  const page = parsePage(ctx.url, MAX_CONSUMPTION_PAGE_SIZE)
  if ('status' in page) return page
  const period = parsePeriod(ctx.url, Infinity)
  if ('status' in period) return period
  // Intervals whose start lies in [period_from, period_to] and in the meter's life. Readings
  // arrive late: a slot shows up only once it ended at least 24 hours ago.
  const first = Math.max(meter.fromMs, Math.ceil(period.from / SLOT_MS) * SLOT_MS)
  const last = Math.min(
    meter.toMs - SLOT_MS,
    Math.floor((ctx.nowMs - DAY_MS) / SLOT_MS) * SLOT_MS - SLOT_MS,
    Math.floor(period.to / SLOT_MS) * SLOT_MS
  )
  // A missing fault leaves a hole at the end of its date, wherever that lies in the period.
  const dayEnd = ctx.missing === undefined ? 0 : londonDay(ctx.missing.date).endMs
  const holes = [...(meter.gaps ?? []), { fromMs: dayEnd - (ctx.missing?.slots ?? 0) * SLOT_MS, toMs: dayEnd }]
  const runs = slotRunsWithout(first, last, holes)
  const count = countSlots(runs)
  const oldestFirst = ctx.url.searchParams.get('order_by') === 'period'
  return pagedReply(ctx.url, page, count, i => {
    const start = slotAt(runs, oldestFirst ? i : count - 1 - i)
    return {
      consumption: meter.reading(ctx.seed, start, ctx.revisionOf(localDateOf(start))),
      interval_start: londonTime(start),
      interval_end: londonTime(start + SLOT_MS)
    }
  })
}
