import { fetchIntensityForecast } from '../../clients/carbon/forecast.ts'
import { regionFor } from '../../clients/carbon/region.ts'
import { tariffPlan, type TariffPlan } from '../../clients/octopus/plan.ts'
import { fetchTariffSlots } from '../../clients/octopus/rates.ts'
import { EnergyError } from '../../lib/errors.ts'
import type { SlotRange } from '../../lib/london-day.ts'
import type { FetchContext } from '../source/types.ts'
import type { FetchedForecast, PriceForecast } from './types.ts'

// One refresh's upstream calls: the carbon forecast (one call) and the import unit rates of the
// tariff in force (one call per agreement in force over the 48 hours; two for an E-2R tariff).
// The two parts are read apart: one failing leaves the other's news in.

/**
 * The import tariff plan (clients/octopus/plan.ts) of the forecast: with OCTOPUS_ACCOUNT and no
 * account published yet there are no prices ahead.
 */
function forecastPlan ({ config, account }: Pick<FetchContext, 'config' | 'account'>): TariffPlan {
  return tariffPlan(config, () => account ?? noAccount(config))
}

function noAccount (config: FetchContext['config']): never {
  throw new EnergyError('ENERGY_NO_DATA', `account ${config.octopusAccount} is not on ${config.topics.account} yet (\`npm run seed\` reads it first): no prices ahead`)
}

/** The unit rates published for `range` (Agile: up to 23:00 tomorrow after 16:00; a fixed rate: every slot). */
export async function fetchPriceForecast (range: SlotRange, context: FetchContext): Promise<PriceForecast[]> {
  const plan = forecastPlan(context)
  const prices: PriceForecast[] = []
  for (const period of plan.importTariffs(range)) {
    const slots = await fetchTariffSlots(range, period, context, { source: 'forecast', product: plan.importProduct, standingCharges: false })
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
    fetchIntensityForecast(range, regionFor(context.config, context.account, range.startMs), context, maxEntries).catch(asError),
    fetchPriceForecast(range, context).catch(asError)
  ])
  return { intensity, prices }
}
