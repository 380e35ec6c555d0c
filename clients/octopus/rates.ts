import type { ClockWindow, Config } from '../../lib/config.ts'
import { EnergyError, isEnergyError } from '../../lib/errors.ts'
import { londonOffsetMs, type SlotRange } from '../../lib/london-day.ts'
import type { ClientContext } from '../types.ts'
import { createTariffCatalogue, isUnpriced, type TariffCatalogue, type TariffRates } from './catalogue.ts'
import { fetchOctopusPages, octopusTime } from './pages.ts'
import { parseRates, parseStandingCharges, withStandingCharges } from './rate-periods.ts'
import { paymentMethodOf } from './account-view.ts'
import type { Account, PricingValues, RateValues, TariffPeriod } from './types.ts'

// The unit rates and standing charges of one tariff over part of a day or span, for every source
// that prices slots: import electricity (pricing), export, gas. Where they are comes from the
// catalogue (catalogue.ts): one standard list (single rate, time-of-use with several rows a day,
// a tracker's one row a day, Agile's 48), or day and night registers, each slot taking the
// register of its night window (night-window below).

/** A client call that prices: with the processor's tariff catalogue (none: a fresh one per call). */
export interface RatesContext extends ClientContext {
  tariffs?: TariffCatalogue
  /** The account of record, when pricing by one: its payment method chooses the rates (paymentMethodOf). */
  account?: Account
}

export interface TariffSlots {
  /** The source asking, for errors. */
  source: string
  /** The product when it is configured (OCTOPUS_PRODUCT) rather than found from the tariff code. */
  product?: string
  /** false for export, which has none (the slots' standing charges are then null). */
  standingCharges?: boolean
}

const DAY_MS = 24 * 60 * 60 * 1000
/** Intelligent Octopus Go's off-peak, 23:30-05:30 UK clock (the tariff's terms; HomeAssistant-OctopusEnergy `__is_night_rate`). */
const INTELLIGENT_GO_NIGHT: ClockWindow = { from: 23 * 60 + 30, to: 5 * 60 + 30, zone: 'London' }

/**
 * The night window of a day-night tariff: OCTOPUS_NIGHT_WINDOWS by tariff, then by product;
 * Intelligent Octopus Go products (IOG-…, INTELLI-…) 23:30-05:30 London; every other
 * TWO_RATE_NIGHT, smart-meter Economy 7 by default: 00:30-07:30 UTC, so 01:30-08:30 in BST
 * (Octopus, "What happens to my Economy 7 tariff when I have a smart meter installed").
 */
export function nightWindow (rates: Pick<TariffRates, 'tariff' | 'product'>, config: Pick<Config, 'nightWindows' | 'twoRateNight'>): ClockWindow {
  return config.nightWindows[rates.tariff] ?? config.nightWindows[rates.product] ??
    (/^(IOG|INTELLI)-/.test(rates.product) ? INTELLIGENT_GO_NIGHT : config.twoRateNight)
}

/** Whether a slot starts in the window (minutes [from, to) of its zone's clock, wrapping midnight). */
export function isNightSlot (slotStartMs: number, night: ClockWindow): boolean {
  const local = slotStartMs + (night.zone === 'London' ? londonOffsetMs(slotStartMs) : 0)
  const minute = Math.floor(((local % DAY_MS) + DAY_MS) % DAY_MS / 60000)
  return night.from < night.to ? minute >= night.from && minute < night.to : minute >= night.from || minute < night.to
}

/** A 4xx other than 401/403/429 from a rates link: a fact about the tariff, not an outage. */
function isRefusal (err: unknown): err is EnergyError {
  return isEnergyError(err, 'ENERGY_FETCH') && typeof err.status === 'number' && err.status >= 400 && err.status < 500 && err.status !== 429
}

// page_size 1500 is the API's maximum for unit rates: 31 days of Agile a page. The standing
// charges are asked for after the rates, and only when the period has rates: a period without
// (not published yet) costs one request, and a fault on its first request is the rates'.
export async function fetchTariffSlots (range: SlotRange, period: TariffPeriod, context: RatesContext, { source, product, standingCharges = true }: TariffSlots): Promise<PricingValues[]> {
  const { config } = context
  const catalogue = context.tariffs ?? createTariffCatalogue()
  const resolved = await catalogue.resolve(period.tariff, period.from, context, product)
  if (isUnpriced(resolved)) return []
  const query = new URLSearchParams({ period_from: octopusTime(period.from), period_to: octopusTime(period.to), page_size: '1500' })
  // Quarterly tariffs list each rate for DIRECT_DEBIT and NON_DIRECT_DEBIT (rate-periods.ts).
  const paymentMethod = paymentMethodOf(context.account, config)
  const list = async (url: string): Promise<RateValues[]> =>
    parseRates(range, await fetchOctopusPages(`${url}?${query}`, context, { source, auth: false }), period.tariff, paymentMethod)
  let rates: RateValues[]
  try {
    rates = await unitRates(resolved, list, config).catch(async (err: unknown) => {
      // "This tariff has day and night rates, not standard." (HomeAssistant-OctopusEnergy #11):
      // the answer says where the rates are.
      const standard = resolved.urls.standard
      if (!isRefusal(err) || err.status !== 400 || !/day and night/i.test(err.message) || standard === undefined) throw err
      const registers = { day: standard.replace(/standard-unit-rates\/$/, 'day-unit-rates/'), night: standard.replace(/standard-unit-rates\/$/, 'night-unit-rates/') }
      return await unitRates({ ...resolved, structure: 'day-night', urls: { ...resolved.urls, ...registers } }, list, config)
    })
  } catch (err) {
    if (!isRefusal(err)) throw err
    catalogue.markUnpriced(period.tariff, `its rates (${resolved.how}, product ${resolved.product}) answer: ${err.message}`)
    context.log.warn({ tariff: period.tariff, product: resolved.product, err: err.message }, 'tariff rates refused: its days are unpriced')
    return []
  }
  rates = rates.filter(r => period.from <= r.slot_start && r.slot_start < period.to)
  if (rates.length === 0 || !standingCharges) return withStandingCharges(rates, [])
  return withStandingCharges(rates, parseStandingCharges(await fetchOctopusPages(`${resolved.urls.standingCharges}?${query}`, context, { source, auth: false }), paymentMethod))
}

async function unitRates (resolved: TariffRates, list: (url: string) => Promise<RateValues[]>, config: Readonly<Config>): Promise<RateValues[]> {
  const { standard, day, night } = resolved.urls
  if (resolved.structure === 'standard' && standard !== undefined) return await list(standard)
  if (day === undefined || night === undefined) throw new EnergyError('ENERGY_MALFORMED', `tariff ${resolved.tariff} has neither standard nor day and night rates`)
  // Both registers price every slot of their periods; each slot keeps the one of its window.
  const window = nightWindow(resolved, config)
  const days = await list(day)
  const nights = new Map((await list(night)).map(r => [r.slot_start, r]))
  return days.flatMap(r => isNightSlot(r.slot_start, window) ? nights.get(r.slot_start) ?? [] : [r])
}

/**
 * Why a day priced by `periods` has no rates: each tariff's reason when the catalogue or its
 * rates said (no product found, a 4xx), else that none are published for the day.
 */
export function unpricedDay (date: string, periods: readonly TariffPeriod[], context: Pick<RatesContext, 'tariffs'>): EnergyError {
  const tariffs = [...new Set(periods.map(p => p.tariff))]
  const reasons = tariffs.map(t => {
    const why = context.tariffs?.unpriced(t)
    return why === undefined ? `tariff ${t} has no unit rates for this day (not published yet, or before the product launched)` : `tariff ${t} cannot be priced: ${why}`
  })
  return new EnergyError('ENERGY_UNPRICED', `${date}: ${reasons.join('; ')}`, { date, tariff: tariffs.join(', ') })
}
