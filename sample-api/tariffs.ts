import { addDays, localDateOf, londonDay, londonOffsetMs, SLOT_MS } from '../lib/london-day.ts'
import { findProduct, findTariff, type CatalogueProduct, type CatalogueTariff, type Pricing, type TariffList } from './catalogue.ts'
import {
  agileOutgoingRate, agileRate, dayRate, fixedRate, gasRate, gasStandingCharge, nightRate, standingCharge, timeOfUseRate, trackerGasRate,
  trackerRate, withoutVat, withVat, type TimeOfUseBand
} from './data.ts'
import { utcTime } from './format.ts'
import { MAX_RATES_PAGE_SIZE, REAL_V2G_EXPORT_RATE, SAMPLE_OUTGOING_FIXED_RATE } from './options.ts'
import { countSlots, pagedReply, parsePage, slotAt, slotRuns, type Page } from './paging.ts'
import { HISTORY_START_MS, parsePeriod, type Period } from './period.ts'
import type { Reply, RouteContext, UnitRate } from './types.ts'

// Unit rates and standing charges of /products/{product}/{electricity,gas}-tariffs/{tariff}/.

const HOUR_MS = 60 * 60 * 1000

export type ElectricityList = TariffList
export type GasList = 'standard-unit-rates' | 'standing-charges'
type PaymentMethod = 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT'

export const ELECTRICITY_LISTS: readonly ElectricityList[] = ['standard-unit-rates', 'day-unit-rates', 'night-unit-rates', 'standing-charges']
export const GAS_LISTS: readonly GasList[] = ['standard-unit-rates', 'standing-charges']

const NO_PRODUCT: Reply = { status: 404, body: { detail: 'No EnergyProduct matches the given query.' } }
// A tariff code the product does not list; DRF's get_object_or_404 sentence for the tariff model
// (the model name is our guess).
const NO_TARIFF: Reply = { status: 404, body: { detail: 'No ElectricityTariff matches the given query.' } }
const NO_GAS_TARIFF: Reply = { status: 404, body: { detail: 'No GasTariff matches the given query.' } }
// standard-unit-rates of a day/night tariff: the real body, HomeAssistant-OctopusEnergy issue #11.
const TWO_RATES: Reply = { status: 400, body: { detail: 'This tariff has day and night rates, not standard.' } }
// day- or night-unit-rates of a single-rate tariff: the real API refuses it too; this sentence is ours.
const ONE_RATE: Reply = { status: 400, body: { detail: 'This tariff has a standard unit rate: ask for standard-unit-rates.' } }

// Cosy's windows, London local hours: cheap 04:00-07:00, 13:00-16:00 and 22:00-24:00, peak
// 16:00-19:00, standard otherwise; one row per window, none across midnight (a recorded
// COSY-22-12-08 answer of 2025-03-03: viralganatra/octopus-tariff-switcher src/mocks/fixtures.ts).
const COSY_WINDOWS: readonly Window[] = [[0, 4, 'standard'], [4, 7, 'cheap'], [7, 13, 'standard'], [13, 16, 'cheap'], [16, 19, 'peak'], [19, 22, 'standard'], [22, 24, 'cheap']]
// Flux's windows, London local hours: cheap 02:00-05:00, peak 16:00-19:00 (third-party pages,
// docs/sample-api.md); Intelligent Flux export pays its import rates (batpred PR #4046).
const FLUX_WINDOWS: readonly Window[] = [[0, 2, 'standard'], [2, 5, 'cheap'], [5, 16, 'standard'], [16, 19, 'peak'], [19, 24, 'standard']]

/** A time-of-use window: from and to local hour, and its band. */
type Window = readonly [number, number, TimeOfUseBand]

/** A change of rate: from this London wall-clock minute of the day on, the band applies until the next change. */
type Change = readonly [minute: number, band: TimeOfUseBand]

// Octopus Go: cheap from 00:30, day rate from 04:30 (the recorded GO-VAR-22-10-14 rates of
// November 2023, HA tests/unit/utils/test_get_off_peak_times.py: rows 00:30Z-04:30Z and
// 04:30Z-00:30Z the next day), and 05:30 since the cheap window grew to five hours ("now 00:30
// to 05:30", emoncms/app PR #197 of 2024-10-04; the recorded product description, 2025). The
// date of that change, GO_FIVE_HOURS_FROM, is ours.
export const GO_FIVE_HOURS_FROM = '2024-10-01'
const GO_FOUR_HOURS: readonly Change[] = [[30, 'cheap'], [270, 'standard']]
const GO_FIVE_HOURS: readonly Change[] = [[30, 'cheap'], [330, 'standard']]
// Intelligent Octopus Go: the whole home cheap from 23:30 to 05:30 (HA issues #1356, #1770).
const INTELLIGENT_GO: readonly Change[] = [[330, 'standard'], [1410, 'cheap']]
// Flux import and export: cheap 02:00-05:00, peak 16:00-19:00, day otherwise, one row per band
// across midnight (the recorded FLUX-IMPORT-23-02-14-E rates of 2023-03-27, HA
// tests/integration/api_client/test_get_electricity_rates.py: 01:00Z-04:00Z, 04:00Z-15:00Z,
// 15:00Z-18:00Z, 18:00Z-01:00Z in BST).
const FLUX: readonly Change[] = [[120, 'cheap'], [300, 'standard'], [960, 'peak'], [1140, 'standard']]

/** The changes of rate of a banded tariff on a London date. */
function changesOf (pricing: Pricing, date: string): readonly Change[] {
  if (pricing === 'go') return date < GO_FIVE_HOURS_FROM ? GO_FOUR_HOURS : GO_FIVE_HOURS
  if (pricing === 'intelligent-go') return INTELLIGENT_GO
  return FLUX
}

/** A list of an electricity tariff, as the product's catalogue entry links it (404 for an unknown product or tariff). */
export function electricityRates (ctx: RouteContext, productCode: string, tariffCode: string, list: ElectricityList): Reply {
  const product = findProduct(productCode)
  if (product === undefined) return NO_PRODUCT
  const tariff = findTariff(product, tariffCode, 'electricity')
  if (tariff === undefined) return NO_TARIFF
  const page = parsePage(ctx.url, MAX_RATES_PAGE_SIZE)
  if (!tariff.lists.includes(list)) {
    if (list !== 'standard-unit-rates') return ONE_RATE
    if (product.standardOfTwoRate === 'refuse') return TWO_RATES
    return 'status' in page ? page : pagedReply(ctx.url, page, 0, () => undefined)
  }
  if ('status' in page) return page
  const { seed } = ctx
  const { code } = product
  const launch = product.launchMs
  if (list === 'standing-charges') {
    // Export earns per kWh and has no standing charge: an empty list.
    if (product.direction === 'EXPORT') return pagedReply(ctx.url, page, 0, () => undefined)
    if (tariff.pricing === 'fixed') return lifeList(ctx, page, launch, method => standingCharge(seed, quarterOf(localDateOf(launch)), code, method))
    return quarterlyList(ctx, page, launch, (q, method) => standingCharge(seed, q, code, method))
  }
  if (list === 'day-unit-rates' || list === 'night-unit-rates') {
    const rateOf = tariff.pricing === 'flat-two-rate' ? fixedRate : list === 'day-unit-rates' ? dayRate : nightRate
    return quarterlyList(ctx, page, launch, unitRateByMethod(q => rateOf(seed, q, code)))
  }
  switch (tariff.pricing) {
    case 'agile': return agileRates(ctx, page, launch, agileRate)
    case 'agile-outgoing': return agileRates(ctx, page, launch, agileOutgoingRate)
    case 'outgoing-fixed': return flatRate(ctx, page, launch, withoutVat(SAMPLE_OUTGOING_FIXED_RATE))
    case 'export-fixed': return flatRate(ctx, page, launch, withoutVat(REAL_V2G_EXPORT_RATE))
    case 'cosy': return timeOfUseRates(ctx, page, launch, COSY_WINDOWS, (q, band) => timeOfUseRate(seed, q, code, band))
    case 'flux-export': return timeOfUseRates(ctx, page, launch, FLUX_WINDOWS, (q, band) => withoutVat(timeOfUseRate(seed, q, code, band).value_exc_vat))
    case 'go':
    case 'intelligent-go':
    case 'flux': return bandRates(ctx, page, launch, tariff.pricing, (q, band) => timeOfUseRate(seed, q, code, band))
    case 'flux-outgoing': return bandRates(ctx, page, launch, tariff.pricing, (q, band) => withoutVat(timeOfUseRate(seed, q, code, band).value_exc_vat))
    case 'fixed': return lifeList(ctx, page, launch, method => unitRateByMethod(q => fixedRate(seed, q, code))(quarterOf(localDateOf(launch)), method))
    case 'tracker': return trackerRates(ctx, page, launch, (from, to) => trackerRate(seed, code, from, to))
    default: return quarterlyList(ctx, page, launch, unitRateByMethod(q => fixedRate(seed, q, code)))
  }
}

/** A list of a gas tariff: quarterly like a fixed electricity tariff, with gas's own rates and charges. */
export function gasRates (ctx: RouteContext, productCode: string, tariffCode: string, list: GasList): Reply {
  const product = findProduct(productCode)
  if (product === undefined) return NO_PRODUCT
  const tariff = findTariff(product, tariffCode, 'gas')
  if (tariff === undefined) return NO_GAS_TARIFF
  const page = parsePage(ctx.url, MAX_RATES_PAGE_SIZE)
  if ('status' in page) return page
  const { seed } = ctx
  const launch = product.launchMs
  if (tariff.pricing === 'gas-fixed') {
    const q = quarterOf(localDateOf(launch))
    return list === 'standard-unit-rates'
      ? lifeList(ctx, page, launch, method => unitRateByMethod(quarter => gasRate(seed, quarter, productCode))(q, method))
      : lifeList(ctx, page, launch, method => gasStandingCharge(seed, q, productCode, method))
  }
  if (tariff.pricing === 'gas-tracker' && list === 'standard-unit-rates') return trackerRates(ctx, page, launch, from => trackerGasRate(seed, productCode, from))
  return list === 'standard-unit-rates'
    ? quarterlyList(ctx, page, launch, unitRateByMethod(q => gasRate(seed, q, productCode)))
    : quarterlyList(ctx, page, launch, (q, method) => gasStandingCharge(seed, q, productCode, method))
}

/** A tariff's prices in force at `atMs` (or at the launch, if later), direct debit, as its catalogue entry shows them. */
export interface TariffPrices {
  standing: UnitRate
  standard?: UnitRate
  day?: UnitRate
  night?: UnitRate
}

export function tariffPrices (seed: number, product: CatalogueProduct, tariff: CatalogueTariff, atMs: number): TariffPrices {
  const at = Math.max(atMs, product.launchMs)
  const q = quarterOf(localDateOf(at))
  const { code } = product
  const launchQ = quarterOf(localDateOf(product.launchMs))
  if (tariff.pricing === 'gas-fixed') return { standing: gasStandingCharge(seed, launchQ, code, 'DIRECT_DEBIT'), standard: gasRate(seed, launchQ, code) }
  if (tariff.pricing === 'gas-tracker') return { standing: gasStandingCharge(seed, q, code, 'DIRECT_DEBIT'), standard: trackerGasRate(seed, code, londonDay(localDateOf(at)).startMs) }
  if (tariff.pricing === 'gas') return { standing: gasStandingCharge(seed, q, code, 'DIRECT_DEBIT'), standard: gasRate(seed, q, code) }
  if (tariff.pricing === 'fixed') return { standing: standingCharge(seed, launchQ, code, 'DIRECT_DEBIT'), standard: fixedRate(seed, launchQ, code) }
  const standing = product.direction === 'EXPORT' ? withoutVat(0) : standingCharge(seed, q, code, 'DIRECT_DEBIT')
  if (tariff.group === 'dual_register_electricity_tariffs') {
    if (tariff.pricing === 'flat-two-rate') return { standing, day: fixedRate(seed, q, code), night: fixedRate(seed, q, code) }
    return { standing, day: dayRate(seed, q, code), night: nightRate(seed, q, code) }
  }
  const slot = Math.floor(at / SLOT_MS) * SLOT_MS
  switch (tariff.pricing) {
    case 'agile': return { standing, standard: agileRate(seed, slot) }
    case 'agile-outgoing': return { standing, standard: agileOutgoingRate(seed, slot) }
    case 'outgoing-fixed': return { standing, standard: withoutVat(SAMPLE_OUTGOING_FIXED_RATE) }
    case 'export-fixed': return { standing, standard: withoutVat(REAL_V2G_EXPORT_RATE) }
    // The recorded Cosy entry shows the standard band's rate.
    case 'cosy': return { standing, standard: timeOfUseRate(seed, q, code, 'standard') }
    case 'flux-export':
    case 'flux-outgoing': return { standing, standard: withoutVat(timeOfUseRate(seed, q, code, 'standard').value_exc_vat) }
    // Banded tariffs show their day (standard) rate, as Cosy's entry does.
    case 'go':
    case 'intelligent-go':
    case 'flux': return { standing, standard: timeOfUseRate(seed, q, code, 'standard') }
    case 'tracker': {
      const day = londonDay(localDateOf(at))
      return { standing, standard: trackerRate(seed, code, day.startMs, day.endMs) }
    }
    default: return { standing, standard: fixedRate(seed, q, code) }
  }
}

/** Unit rates by payment method: non-direct-debit about 5% dearer than the direct-debit `rateOf`. */
function unitRateByMethod (rateOf: (quarter: number) => UnitRate): (quarter: number, method: PaymentMethod) => UnitRate {
  return (q, method) => {
    const rate = rateOf(q)
    return method === 'DIRECT_DEBIT' ? rate : withVat(rate.value_exc_vat * 1.05)
  }
}

/** End (exclusive) of the published rates: tomorrow's appear at `hour` UK time (Agile 16:00). */
function publishedUntil (nowMs: number, hour = 16): number {
  const today = localDateOf(nowMs)
  const localHour = (nowMs + londonOffsetMs(nowMs) - Date.parse(`${today}T00:00:00Z`)) / HOUR_MS
  return londonDay(addDays(today, localHour >= hour ? 1 : 0)).endMs
}

/** One rate per half-hour (Agile and Agile Outgoing), newest first. */
function agileRates (ctx: RouteContext, page: Page, launch: number, rateOf: (seed: number, slotStartMs: number) => UnitRate): Reply {
  const until = publishedUntil(ctx.nowMs)
  const period = parsePeriod(ctx.url, until)
  if ('status' in period) return period
  // Every rate whose validity overlaps [period_from, period_to], touching edges included:
  // the API returns a little more than asked.
  const first = Math.max(HISTORY_START_MS, launch, Math.ceil((period.from - SLOT_MS) / SLOT_MS) * SLOT_MS)
  const last = Math.min(until - SLOT_MS, Math.floor(period.to / SLOT_MS) * SLOT_MS)
  const runs = slotRuns(first, last)
  const count = countSlots(runs)
  return pagedReply(ctx.url, page, count, i => {
    const start = slotAt(runs, count - 1 - i)
    return rateEntry(rateOf(ctx.seed, start), start, start + SLOT_MS, null)
  })
}

/** A flat export rate (Outgoing Fixed, V2G): one rate from the launch on, open-ended, for every payment method (null). */
function flatRate (ctx: RouteContext, page: Page, launch: number, rate: UnitRate): Reply {
  const period = parsePeriod(ctx.url, Infinity)
  if ('status' in period) return period
  const from = Math.max(HISTORY_START_MS, launch)
  const entries = from <= period.to ? [rateEntry(rate, from, null, null)] : []
  return pagedReply(ctx.url, page, entries.length, i => entries[i])
}

/**
 * UTC ms of a London wall-clock hour of `date` (0-24). An hour the spring change skips is the
 * instant of the change; one the autumn change repeats, its first occurrence.
 */
function localHourMs (date: string, hour: number): number {
  if (hour === 24) return londonDay(date).endMs
  const wall = Date.parse(`${date}T${String(hour).padStart(2, '0')}:00:00Z`)
  const summer = wall - HOUR_MS
  return londonOffsetMs(summer) === HOUR_MS ? summer : wall
}

/**
 * Time-of-use rates (Cosy, Flux): one row per window of each London day, valid_from/valid_to its
 * edges, payment_method null, newest first; every row overlapping [period_from, period_to]
 * (touching edges included), from the launch to the end of tomorrow (the windows are known ahead).
 */
function timeOfUseRates (ctx: RouteContext, page: Page, launch: number, windows: readonly Window[], rateOf: (quarter: number, band: TimeOfUseBand) => UnitRate): Reply {
  const until = londonDay(addDays(localDateOf(ctx.nowMs), 1)).endMs
  const period = parsePeriod(ctx.url, until)
  if ('status' in period) return period
  const start = Math.max(HISTORY_START_MS, launch)
  const rows: Array<{ from: number, to: number, band: TimeOfUseBand }> = []
  const last = localDateOf(Math.min(until, period.to + 1) - 1)
  for (let date = localDateOf(Math.max(start, period.from - 1)); date <= last; date = addDays(date, 1)) {
    for (const [fromHour, toHour, band] of windows) {
      const from = localHourMs(date, fromHour)
      const to = localHourMs(date, toHour)
      if (from >= start && to <= until && from <= period.to && to >= period.from) rows.push({ from, to, band })
    }
  }
  return pagedReply(ctx.url, page, rows.length, i => {
    const row = rows[rows.length - 1 - i]
    return rateEntry(rateOf(quarterOf(localDateOf(row.from)), row.band), row.from, row.to, null)
  })
}

/**
 * Tracker rates: one per London day, valid_from its local midnight, valid_to the next one (23 or
 * 25 hours on clock-change days), payment_method null, newest first; every day overlapping
 * [period_from, period_to] (touching edges included), from the launch to today, or to tomorrow
 * from 11:00 UK time, when the next day's rate is published (HA issue #310).
 */
function trackerRates (ctx: RouteContext, page: Page, launch: number, rateOf: (dayStartMs: number, dayEndMs: number) => UnitRate): Reply {
  const until = publishedUntil(ctx.nowMs, 11)
  const period = parsePeriod(ctx.url, until)
  if ('status' in period) return period
  const start = Math.max(HISTORY_START_MS, launch)
  const days: Array<{ startMs: number, endMs: number }> = []
  const last = localDateOf(Math.min(until - 1, period.to))
  for (let date = localDateOf(Math.max(start, period.from - 1)); date <= last; date = addDays(date, 1)) {
    const { startMs, endMs } = londonDay(date)
    if (startMs >= start && startMs <= period.to && endMs >= period.from) days.push({ startMs, endMs })
  }
  return pagedReply(ctx.url, page, days.length, i => {
    const { startMs, endMs } = days[days.length - 1 - i]
    return rateEntry(rateOf(startMs, endMs), startMs, endMs, null)
  })
}

/** UTC ms of a London wall-clock minute of `date` (0-1440); see localHourMs for the clock changes. */
function localMinuteMs (date: string, minute: number): number {
  if (minute === 1440) return londonDay(date).endMs
  const hh = String(Math.floor(minute / 60)).padStart(2, '0')
  const mm = String(minute % 60).padStart(2, '0')
  const wall = Date.parse(`${date}T${hh}:${mm}:00Z`)
  const summer = wall - HOUR_MS
  return londonOffsetMs(summer) === HOUR_MS ? summer : wall
}

/**
 * Banded rates (Octopus Go, Intelligent Octopus Go, Flux import and export): one row from each
 * change of rate to the next, across midnight (Go's day rate runs 04:30 to 00:30 the next day),
 * at London wall-clock times, so a clock-change night's row is an hour shorter or longer;
 * payment_method null, newest first; every row overlapping [period_from, period_to] (touching
 * edges included) that starts before the end of tomorrow; the first one cut at the launch.
 */
function bandRates (ctx: RouteContext, page: Page, launch: number, pricing: Pricing, rateOf: (quarter: number, band: TimeOfUseBand) => UnitRate): Reply {
  const until = londonDay(addDays(localDateOf(ctx.nowMs), 1)).endMs
  const period = parsePeriod(ctx.url, until)
  if ('status' in period) return period
  const start = Math.max(HISTORY_START_MS, launch)
  const changes: Array<{ at: number, band: TimeOfUseBand }> = []
  const first = addDays(localDateOf(Math.max(start, period.from)), -1)
  const last = addDays(localDateOf(Math.max(start, Math.min(until - 1, period.to))), 1)
  for (let date = first; date <= last; date = addDays(date, 1)) {
    for (const [minute, band] of changesOf(pricing, date)) changes.push({ at: localMinuteMs(date, minute), band })
  }
  const rows: Array<{ from: number, to: number, band: TimeOfUseBand }> = []
  for (let i = 0; i + 1 < changes.length; i++) {
    const from = Math.max(start, changes[i].at)
    const to = changes[i + 1].at
    if (to > from && from < until && from <= period.to && to >= period.from) rows.push({ from, to, band: changes[i].band })
  }
  return pagedReply(ctx.url, page, rows.length, i => {
    const row = rows[rows.length - 1 - i]
    return rateEntry(rateOf(quarterOf(localDateOf(row.from)), row.band), row.from, row.to, null)
  })
}

/**
 * A price fixed for the product's life (a fixed tariff's unit rate and standing charge): one
 * period from the launch, open-ended (valid_to null), for DIRECT_DEBIT and NON_DIRECT_DEBIT.
 */
function lifeList (ctx: RouteContext, page: Page, launch: number, valueOf: (method: PaymentMethod) => UnitRate): Reply {
  const period = parsePeriod(ctx.url, Infinity)
  if ('status' in period) return period
  const from = Math.max(HISTORY_START_MS, launch)
  const entries = from <= period.to ? (['DIRECT_DEBIT', 'NON_DIRECT_DEBIT'] as const).map(m => rateEntry(valueOf(m), from, null, m)) : []
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
