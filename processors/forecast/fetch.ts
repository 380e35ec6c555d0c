import { EnergyError } from '../../lib/errors.ts'
import { getJson, httpSettings } from '../../lib/http.ts'
import type { SlotRange } from '../../lib/london-day.ts'
import { meterPeriods } from '../account/agreements.ts'
import type { TariffPeriod } from '../account/types.ts'
import { carbonTime } from '../ingest/normalise.ts'
import type { FetchContext } from '../ingest/types.ts'
import { fetchTariffSlots } from '../../clients/octopus/rates.ts'
import { regionFor, regionPath } from '../regional/region.ts'
import { parseNationalForecast, parseRegionalForecast } from './normalise.ts'
import type { FetchedForecast, IntensityForecast, PriceForecast } from './types.ts'

// One refresh's upstream calls: the carbon forecast (one call) and the import unit rates of the
// tariff in force (one call per agreement in force over the 48 hours; two for an E-2R tariff).
// The two parts are read apart: one failing leaves the other's news in.

const MINUTE_MS = 60 * 1000

/** The fw48h URL of `range`: regional when a region is known (regionFor), else national. */
export function forecastUrl (context: Pick<FetchContext, 'config' | 'account'>, range: SlotRange): { url: string, regional: boolean } {
  const { config } = context
  // fw48h answers 96 slots from the one whose end is the first half-hour at or after `from`:
  // asked at a slot's start it begins with the slot before (a real fw24h asked from 21:00Z
  // starts 20:30-21:00). A minute in, it begins with the slot itself.
  const from = carbonTime(range.startMs + MINUTE_MS)
  const region = regionFor(config, context.account, range.startMs)
  if (region === undefined) return { url: `${config.carbonApiUrl}/intensity/${from}/fw48h`, regional: false }
  return { url: `${config.carbonApiUrl}/regional/intensity/${from}/fw48h/${regionPath(region)}`, regional: true }
}

export async function fetchIntensityForecast (range: SlotRange, context: FetchContext, maxEntries: number): Promise<IntensityForecast[]> {
  const { url, regional } = forecastUrl(context, range)
  const body = await getJson(url, { ...httpSettings(context.config), log: context.log, signal: context.signal })
  return regional ? parseRegionalForecast(range, body, maxEntries) : parseNationalForecast(range, body, maxEntries)
}

/**
 * The import tariff periods over `range`: with OCTOPUS_ACCOUNT the account's import agreements
 * in force (none: no prices), without it OCTOPUS_TARIFF throughout.
 */
export function importPeriods (range: SlotRange, context: Pick<FetchContext, 'config' | 'account'>): TariffPeriod[] {
  const { config, account } = context
  if (config.octopusAccount === '') return [{ tariff: config.octopusTariff, from: range.startMs, to: range.endMs }]
  if (account === undefined) {
    throw new EnergyError('ENERGY_NO_DATA', `account ${config.octopusAccount} is not on ${config.topics.account} yet (\`npm run seed\` reads it first): no prices ahead`)
  }
  return meterPeriods(account, 'import', range.startMs, range.endMs).map(({ tariff, from, to }) => ({ tariff, from, to }))
}

/** The unit rates published for `range` (Agile: up to 23:00 tomorrow after 16:00; a fixed rate: every slot). */
export async function fetchPriceForecast (range: SlotRange, context: FetchContext): Promise<PriceForecast[]> {
  const product = context.config.octopusAccount === '' ? context.config.octopusProduct : undefined
  const prices: PriceForecast[] = []
  for (const period of importPeriods(range, context)) {
    const slots = await fetchTariffSlots(range, period, context, { source: 'forecast', product, standingCharges: false })
    prices.push(...slots.map(s => ({ slot_start: s.slot_start, value_inc_vat: s.value_inc_vat, value_exc_vat: s.value_exc_vat, tariff_code: s.tariff_code })))
  }
  return prices.sort((a, b) => a.slot_start - b.slot_start)
}

/** Both parts; a part that fails is its error (a stop is thrown). */
export async function fetchForecast (range: SlotRange, context: FetchContext, maxEntries: number): Promise<FetchedForecast> {
  const asError = (err: unknown): Error => {
    if (context.signal.aborted) throw err
    return err instanceof Error ? err : new Error(String(err))
  }
  const [intensity, prices] = await Promise.all([
    fetchIntensityForecast(range, context, maxEntries).catch(asError),
    fetchPriceForecast(range, context).catch(asError)
  ])
  return { intensity, prices }
}
