import { londonOffsetMs, type SlotRange } from '../../lib/london-day.ts'
import { productOf } from '../../processors/account/agreements.ts'
import type { TariffPeriod } from '../../processors/account/types.ts'
import { fetchOctopusPages, octopusTime } from './pages.ts'
import type { FetchContext, PricingValues, RateValues } from '../../processors/ingest/types.ts'
import { parseRates, parseStandingCharges, withStandingCharges } from './rate-periods.ts'

// The unit rates and standing charges of one tariff over part of a day or span, for every source that
// prices slots: import electricity (pricing), export, gas. Two-register tariffs (E-2R-…,
// Economy 7) have day-unit-rates and night-unit-rates instead of standard-unit-rates (the API
// answers 400 for those on them): each slot takes the register of its London clock time.

export interface TariffSlots {
  fuel: 'electricity' | 'gas'
  /** The source asking, for errors. */
  source: string
  /** The product when it is configured rather than derived from the tariff code. */
  product?: string
  /** false for export, which has none (the slots' standing charges are then null). */
  standingCharges?: boolean
}

const DAY_MS = 24 * 60 * 60 * 1000

/** Whether a slot starts in the night window (London clock minutes [from, to), wrapping midnight). */
export function isNightSlot (slotStartMs: number, night: { from: number, to: number }): boolean {
  const minute = Math.floor((((slotStartMs + londonOffsetMs(slotStartMs)) % DAY_MS) + DAY_MS) % DAY_MS / 60000)
  return night.from < night.to ? minute >= night.from && minute < night.to : minute >= night.from || minute < night.to
}

// page_size 1500 is the API's maximum for unit rates: 31 days of Agile a page. The
// standing charges are asked for after the rates, and only when the period has rates: a period
// without (not published yet) costs one request, and a fault on its first request is the rates'.
export async function fetchTariffSlots (range: SlotRange, period: TariffPeriod, context: FetchContext, { fuel, source, product, standingCharges = true }: TariffSlots): Promise<PricingValues[]> {
  const { config } = context
  const query = new URLSearchParams({ period_from: octopusTime(period.from), period_to: octopusTime(period.to), page_size: '1500' })
  const tariffUrl = `${config.octopusApiUrl}/products/${encodeURIComponent(product ?? productOf(period.tariff))}/${fuel}-tariffs/${encodeURIComponent(period.tariff)}`
  const list = async (name: string): Promise<RateValues[]> =>
    parseRates(range, await fetchOctopusPages(`${tariffUrl}/${name}/?${query}`, context, { source, auth: false }), period.tariff, config.octopusPaymentMethod)
  let rates: RateValues[]
  if (period.tariff.startsWith('E-2R-')) {
    // Both registers price every slot of their periods; each slot keeps the one of its clock time.
    const days = await list('day-unit-rates')
    const nights = new Map((await list('night-unit-rates')).map(r => [r.slot_start, r]))
    rates = days.flatMap(r => isNightSlot(r.slot_start, config.twoRateNight) ? nights.get(r.slot_start) ?? [] : [r])
  } else {
    rates = await list('standard-unit-rates')
  }
  rates = rates.filter(r => period.from <= r.slot_start && r.slot_start < period.to)
  if (rates.length === 0 || !standingCharges) return withStandingCharges(rates, [])
  return withStandingCharges(rates, parseStandingCharges(await fetchOctopusPages(`${tariffUrl}/standing-charges/?${query}`, context, { source, auth: false }), config.octopusPaymentMethod))
}
