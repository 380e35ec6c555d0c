import { addDays, localDateOf, londonDay, londonOffsetMs, SLOT_MS } from '../lib/london-day.ts'
import {
  agileOutgoingRate, agileRate, dayRate, fixedRate, gasRate, gasStandingCharge, nightRate, standingCharge, withoutVat, withVat
} from './data.ts'
import { utcTime } from './format.ts'
import { MAX_RATES_PAGE_SIZE, SAMPLE_OUTGOING_FIXED_RATE } from './options.ts'
import { countSlots, pagedReply, parsePage, slotAt, slotRuns, type Page } from './paging.ts'
import { HISTORY_START_MS, parsePeriod, type Period } from './period.ts'
import { isAgileProduct, isExportProduct, isTwoRateTariff, productLaunch } from './products.ts'
import type { Reply, RouteContext, UnitRate } from './types.ts'

// Unit rates and standing charges of /products/{product}/{electricity,gas}-tariffs/{tariff}/.

const HOUR_MS = 60 * 60 * 1000

export type ElectricityList = 'standard-unit-rates' | 'day-unit-rates' | 'night-unit-rates' | 'standing-charges'
export type GasList = 'standard-unit-rates' | 'standing-charges'
type PaymentMethod = 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT'

export const ELECTRICITY_LISTS: readonly ElectricityList[] = ['standard-unit-rates', 'day-unit-rates', 'night-unit-rates', 'standing-charges']
export const GAS_LISTS: readonly GasList[] = ['standard-unit-rates', 'standing-charges']

const NO_PRODUCT: Reply = { status: 404, body: { detail: 'No EnergyProduct matches the given query.' } }
// The real API refuses the wrong kind of unit rate for a tariff; these sentences are ours.
const TWO_RATES: Reply = { status: 400, body: { detail: 'This tariff has day and night unit rates: ask for day-unit-rates and night-unit-rates.' } }
const ONE_RATE: Reply = { status: 400, body: { detail: 'This tariff has a standard unit rate: ask for standard-unit-rates.' } }

/** A list of an electricity tariff. A product is known from its launch (the date its code ends in) on; before it nothing was valid. */
export function electricityRates (ctx: RouteContext, product: string, tariff: string, list: ElectricityList): Reply {
  const launch = productLaunch(product)
  if (launch === undefined) return NO_PRODUCT
  if (list === 'standard-unit-rates' && isTwoRateTariff(tariff)) return TWO_RATES
  if ((list === 'day-unit-rates' || list === 'night-unit-rates') && !isTwoRateTariff(tariff)) return ONE_RATE
  const page = parsePage(ctx.url, MAX_RATES_PAGE_SIZE)
  if ('status' in page) return page
  const { seed } = ctx
  switch (list) {
    case 'standard-unit-rates':
      if (isExportProduct(product)) return isAgileProduct(product) ? agileRates(ctx, page, launch, agileOutgoingRate) : outgoingFixedRate(ctx, page, launch)
      if (isAgileProduct(product)) return agileRates(ctx, page, launch, agileRate)
      return quarterlyList(ctx, page, launch, unitRateByMethod(q => fixedRate(seed, q, product)))
    case 'day-unit-rates':
      return quarterlyList(ctx, page, launch, unitRateByMethod(q => dayRate(seed, q, product)))
    case 'night-unit-rates':
      return quarterlyList(ctx, page, launch, unitRateByMethod(q => nightRate(seed, q, product)))
    case 'standing-charges':
      // Export earns per kWh and has no standing charge: an empty list.
      if (isExportProduct(product)) return pagedReply(ctx.url, page, 0, () => undefined)
      return quarterlyList(ctx, page, launch, (q, method) => standingCharge(seed, q, product, method))
  }
}

/** A list of a gas tariff: quarterly like a fixed electricity tariff, with gas's own rates and charges. */
export function gasRates (ctx: RouteContext, product: string, list: GasList): Reply {
  const launch = productLaunch(product)
  if (launch === undefined) return NO_PRODUCT
  const page = parsePage(ctx.url, MAX_RATES_PAGE_SIZE)
  if ('status' in page) return page
  const { seed } = ctx
  return list === 'standard-unit-rates'
    ? quarterlyList(ctx, page, launch, unitRateByMethod(q => gasRate(seed, q, product)))
    : quarterlyList(ctx, page, launch, (q, method) => gasStandingCharge(seed, q, product, method))
}

/** Unit rates by payment method: non-direct-debit about 5% dearer than the direct-debit `rateOf`. */
function unitRateByMethod (rateOf: (quarter: number) => UnitRate): (quarter: number, method: PaymentMethod) => UnitRate {
  return (q, method) => {
    const rate = rateOf(q)
    return method === 'DIRECT_DEBIT' ? rate : withVat(rate.value_exc_vat * 1.05)
  }
}

/** End (exclusive) of the published Agile rates: tomorrow's appear around 16:00 UK time. */
function agilePublishedUntil (nowMs: number): number {
  const today = localDateOf(nowMs)
  const localHour = (nowMs + londonOffsetMs(nowMs) - Date.parse(`${today}T00:00:00Z`)) / HOUR_MS
  return londonDay(addDays(today, localHour >= 16 ? 1 : 0)).endMs
}

/** One rate per half-hour (Agile and Agile Outgoing), newest first. */
function agileRates (ctx: RouteContext, page: Page, launch: number, rateOf: (seed: number, slotStartMs: number) => UnitRate): Reply {
  const publishedUntil = agilePublishedUntil(ctx.nowMs)
  const period = parsePeriod(ctx.url, publishedUntil)
  if ('status' in period) return period
  // Every rate whose validity overlaps [period_from, period_to], touching edges included:
  // the API returns a little more than asked.
  const first = Math.max(HISTORY_START_MS, launch, Math.ceil((period.from - SLOT_MS) / SLOT_MS) * SLOT_MS)
  const last = Math.min(publishedUntil - SLOT_MS, Math.floor(period.to / SLOT_MS) * SLOT_MS)
  const runs = slotRuns(first, last)
  const count = countSlots(runs)
  return pagedReply(ctx.url, page, count, i => {
    const start = slotAt(runs, count - 1 - i)
    return rateEntry(rateOf(ctx.seed, start), start, start + SLOT_MS, null)
  })
}

/** Outgoing Fixed: one flat rate from the launch on, open-ended, for every payment method (null). */
function outgoingFixedRate (ctx: RouteContext, page: Page, launch: number): Reply {
  const period = parsePeriod(ctx.url, Infinity)
  if ('status' in period) return period
  const from = Math.max(HISTORY_START_MS, launch)
  const entries = from <= period.to ? [rateEntry(withoutVat(SAMPLE_OUTGOING_FIXED_RATE), from, null, null)] : []
  return pagedReply(ctx.url, page, entries.length, i => entries[i])
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

/**
 * A quarterly list like the real fixed tariffs' (unit rates in p/kWh, standing charges in
 * p/day): one period per quarter (changed on the price-cap dates, London midnight), each
 * listed for DIRECT_DEBIT and NON_DIRECT_DEBIT, newest first, the first from the product's
 * launch, the current one with valid_to null; every period overlapping [period_from, period_to].
 */
function quarterlyList (ctx: RouteContext, page: Page, launch: number, valueOf: (quarter: number, method: PaymentMethod) => UnitRate): Reply {
  const period = parsePeriod(ctx.url, Infinity)
  if ('status' in period) return period
  const entries: object[] = []
  for (const { q, from, to } of quarterlyPeriods(ctx.nowMs, period, launch)) {
    for (const method of ['DIRECT_DEBIT', 'NON_DIRECT_DEBIT'] as const) entries.push(rateEntry(valueOf(q, method), from, to, method))
  }
  return pagedReply(ctx.url, page, entries.length, i => entries[i])
}
