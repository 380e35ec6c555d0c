import { addDays, localDateOf, londonDay, londonOffsetMs, SLOT_MS } from '../lib/london-day.ts'
import { agileRate, consumption, fixedRate, standingCharge, withVat } from './data.ts'
import { londonTime, utcTime } from './format.ts'
import {
  HISTORY_START_DATE, MAX_CONSUMPTION_PAGE_SIZE, MAX_RATES_PAGE_SIZE, SAMPLE_ACCOUNT,
  SAMPLE_EXPORT_MPAN, SAMPLE_EXPORT_SERIAL, SAMPLE_MPAN, SAMPLE_SERIAL
} from './options.ts'
import { countSlots, pagedReply, parsePage, slotAt, slotRuns, type Page } from './paging.ts'
import { isAgileProduct, productLaunch } from './products.ts'
import type { Reply, Route, RouteContext, UnitRate } from './types.ts'

// Octopus Energy REST API (api.octopus.energy/v1), mounted under /octopus/v1.

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS
const HISTORY_START_MS = londonDay(HISTORY_START_DATE).startMs
const NOT_FOUND: Reply = { status: 404, body: { detail: 'Not found.' } }

/** The route for a path below /octopus/v1 (segments without empty ones), if any. */
export function octopusRoute (segments: string[], url: URL): Route | undefined {
  const [a, b, c, d, e] = segments
  const date = periodDate(url)
  if (segments.length === 5 && a === 'products' && c === 'electricity-tariffs' && e === 'standard-unit-rates') {
    return { source: 'pricing', date, respond: ctx => unitRates(ctx, b) }
  }
  if (segments.length === 5 && a === 'products' && c === 'electricity-tariffs' && e === 'standing-charges') {
    return { source: 'pricing', date, respond: ctx => standingCharges(ctx, b) }
  }
  if (segments.length === 5 && a === 'electricity-meter-points' && c === 'meters' && e === 'consumption') {
    return { source: 'usage', date, respond: ctx => authorised(ctx) ?? consumptionReply(ctx, b, d, date) }
  }
  if (segments.length === 2 && a === 'accounts') {
    return { source: 'account', respond: ctx => authorised(ctx) ?? (b === SAMPLE_ACCOUNT ? { status: 200, body: account(ctx) } : NOT_FOUND) }
  }
  return undefined
}

/** The London date a ranged request is about: the day containing period_from. */
function periodDate (url: URL): string | undefined {
  const from = parseInstant(url.searchParams.get('period_from'))
  return from === undefined || Number.isNaN(from) ? undefined : localDateOf(from)
}

/** ms of an ISO 8601 instant; undefined when absent, NaN when invalid. */
function parseInstant (text: string | null): number | undefined {
  if (text === null || text === '') return undefined
  // An unencoded `+01:00` offset arrives as a space.
  const iso = text.replace(' ', '+')
  return /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : NaN
}

interface Period {
  from: number
  to: number
}

function parsePeriod (url: URL, defaultTo: number): Period | Reply {
  const from = parseInstant(url.searchParams.get('period_from')) ?? HISTORY_START_MS
  const to = parseInstant(url.searchParams.get('period_to')) ?? defaultTo
  if (Number.isNaN(from)) return { status: 400, body: { period_from: ['Enter a valid date/time.'] } }
  if (Number.isNaN(to)) return { status: 400, body: { period_to: ['Enter a valid date/time.'] } }
  return { from, to }
}

/** Basic auth with the API key as user name: undefined when accepted, else the 401 reply. */
function authorised ({ authorization, apiKeys }: RouteContext): Reply | undefined {
  const headers = { 'www-authenticate': 'Basic realm="api"' }
  if (authorization === undefined || authorization === '') {
    return { status: 401, headers, body: { detail: 'Authentication credentials were not provided.' } }
  }
  const [scheme, token = ''] = authorization.split(' ')
  const user = Buffer.from(token, 'base64').toString('utf8').split(':')[0]
  if (scheme.toLowerCase() === 'basic' && apiKeys.has(user)) return undefined
  return { status: 401, headers, body: { detail: 'Invalid API key.' } }
}

const NO_PRODUCT: Reply = { status: 404, body: { detail: 'No EnergyProduct matches the given query.' } }

// A product is known from its launch (the date its code ends in) on; before it nothing was valid.
function unitRates (ctx: RouteContext, product: string): Reply {
  const launch = productLaunch(product)
  if (launch === undefined) return NO_PRODUCT
  const page = parsePage(ctx.url, MAX_RATES_PAGE_SIZE)
  if ('status' in page) return page
  return isAgileProduct(product) ? agileRates(ctx, page, launch) : fixedRates(ctx, page, product, launch)
}

/** End (exclusive) of the published Agile rates: tomorrow's appear around 16:00 UK time. */
function agilePublishedUntil (nowMs: number): number {
  const today = localDateOf(nowMs)
  const localHour = (nowMs + londonOffsetMs(nowMs) - Date.parse(`${today}T00:00:00Z`)) / HOUR_MS
  return londonDay(addDays(today, localHour >= 16 ? 1 : 0)).endMs
}

function agileRates (ctx: RouteContext, page: Page, launch: number): Reply {
  const publishedUntil = agilePublishedUntil(ctx.nowMs)
  const period = parsePeriod(ctx.url, publishedUntil)
  if ('status' in period) return period
  // Every rate whose validity overlaps [period_from, period_to], touching edges included:
  // the API returns a little more than asked.
  const first = Math.max(HISTORY_START_MS, launch, Math.ceil((period.from - SLOT_MS) / SLOT_MS) * SLOT_MS)
  const last = Math.min(publishedUntil - SLOT_MS, Math.floor(period.to / SLOT_MS) * SLOT_MS)
  const runs = slotRuns(first, last)
  const count = countSlots(runs)
  // Newest first.
  return pagedReply(ctx.url, page, count, i => {
    const start = slotAt(runs, count - 1 - i)
    return rateEntry(agileRate(ctx.seed, start), start, start + SLOT_MS, null)
  })
}

function rateEntry (rate: UnitRate, from: number, to: number | null, paymentMethod: string | null): object {
  return { ...rate, valid_from: utcTime(from), valid_to: to === null ? null : utcTime(to), payment_method: paymentMethod }
}

/** Quarter number (year × 4 + quarter of year) of a London date. */
function quarterOf (date: string): number {
  return Number(date.slice(0, 4)) * 4 + Math.floor((Number(date.slice(5, 7)) - 1) / 3)
}

/** London local midnight starting a quarter. */
function quarterStart (quarter: number): number {
  const month = String((quarter % 4) * 3 + 1).padStart(2, '0')
  return londonDay(`${Math.floor(quarter / 4)}-${month}-01`).startMs
}

/**
 * The quarters from the history's start or the product's launch (whichever is later) to now
 * that overlap [period.from, period.to] (touching edges included), newest first; the first one
 * starts at that start, the current one has no end yet (valid_to null).
 */
function quarterlyPeriods (nowMs: number, period: Period, launch: number): Array<{ q: number, from: number, to: number | null }> {
  const start = Math.max(HISTORY_START_MS, launch)
  const current = quarterOf(localDateOf(nowMs))
  const periods: Array<{ q: number, from: number, to: number | null }> = []
  for (let q = current; q >= quarterOf(localDateOf(start)); q--) {
    const from = Math.max(start, quarterStart(q))
    const to = q === current ? null : quarterStart(q + 1)
    if (from > period.to || (to !== null && to < period.from)) continue
    periods.push({ q, from, to })
  }
  return periods
}

function fixedRates (ctx: RouteContext, page: Page, product: string, launch: number): Reply {
  const period = parsePeriod(ctx.url, Infinity)
  if ('status' in period) return period
  const entries: object[] = []
  // Each period is listed once per payment method, non-direct-debit about 5% dearer.
  for (const { q, from, to } of quarterlyPeriods(ctx.nowMs, period, launch)) {
    const rate = fixedRate(ctx.seed, q, product)
    entries.push(rateEntry(rate, from, to, 'DIRECT_DEBIT'))
    entries.push(rateEntry(withVat(rate.value_exc_vat * 1.05), from, to, 'NON_DIRECT_DEBIT'))
  }
  return pagedReply(ctx.url, page, entries.length, i => entries[i])
}

/**
 * Standing charges (p/day) like the real list: one period per quarter (changed on the
 * price-cap dates, London midnight), each listed for DIRECT_DEBIT and, dearer,
 * NON_DIRECT_DEBIT, newest first, the first from the product's launch, the current one with
 * valid_to null; every period overlapping [period_from, period_to], touching edges included.
 */
function standingCharges (ctx: RouteContext, product: string): Reply {
  const launch = productLaunch(product)
  if (launch === undefined) return NO_PRODUCT
  const page = parsePage(ctx.url, MAX_RATES_PAGE_SIZE)
  if ('status' in page) return page
  const period = parsePeriod(ctx.url, Infinity)
  if ('status' in period) return period
  const entries: object[] = []
  for (const { q, from, to } of quarterlyPeriods(ctx.nowMs, period, launch)) {
    for (const method of ['DIRECT_DEBIT', 'NON_DIRECT_DEBIT'] as const) entries.push(rateEntry(standingCharge(ctx.seed, q, product, method), from, to, method))
  }
  return pagedReply(ctx.url, page, entries.length, i => entries[i])
}

function consumptionReply (ctx: RouteContext, mpan: string, serial: string, date: string | undefined): Reply {
  if (mpan !== SAMPLE_MPAN || serial !== SAMPLE_SERIAL) return NOT_FOUND
  const page = parsePage(ctx.url, MAX_CONSUMPTION_PAGE_SIZE)
  if ('status' in page) return page
  const period = parsePeriod(ctx.url, Infinity)
  if ('status' in period) return period
  // Intervals whose start lies in [period_from, period_to]. Readings arrive late: a slot
  // shows up only once it ended at least 24 hours ago.
  const first = Math.max(HISTORY_START_MS, Math.ceil(period.from / SLOT_MS) * SLOT_MS)
  const last = Math.min(Math.floor((ctx.nowMs - DAY_MS) / SLOT_MS) * SLOT_MS - SLOT_MS, Math.floor(period.to / SLOT_MS) * SLOT_MS)
  const dayEnd = date === undefined ? 0 : londonDay(date).endMs
  const runs = slotRuns(first, last, dayEnd - ctx.missingSlots * SLOT_MS, dayEnd)
  const count = countSlots(runs)
  const oldestFirst = ctx.url.searchParams.get('order_by') === 'period'
  return pagedReply(ctx.url, page, count, i => {
    const start = slotAt(runs, oldestFirst ? i : count - 1 - i)
    return {
      consumption: consumption(ctx.seed, start, ctx.revisionOf(localDateOf(start))),
      interval_start: londonTime(start),
      interval_end: londonTime(start + SLOT_MS)
    }
  })
}

function account ({ agreementsOf }: RouteContext): object {
  const registers = [{ identifier: '1', rate: 'STANDARD', is_settlement_register: true }]
  return {
    number: SAMPLE_ACCOUNT,
    properties: [{
      id: 1,
      moved_in_at: '2016-01-01T00:00:00Z',
      moved_out_at: null,
      address_line_1: '1 Sample Street',
      town: 'London',
      postcode: 'SW1A 1AA',
      electricity_meter_points: [
        {
          mpan: SAMPLE_EXPORT_MPAN,
          profile_class: 8,
          consumption_standard: 0,
          meters: [{ serial_number: SAMPLE_EXPORT_SERIAL, registers }],
          agreements: agreementsOf(SAMPLE_EXPORT_MPAN),
          is_export: true
        },
        {
          mpan: SAMPLE_MPAN,
          profile_class: 1,
          consumption_standard: 2900,
          meters: [{ serial_number: SAMPLE_SERIAL, registers }],
          agreements: agreementsOf(SAMPLE_MPAN),
          is_export: false
        }
      ],
      gas_meter_points: []
    }]
  }
}
