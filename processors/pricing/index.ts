import type { PricingValues, SourceDefinition } from '../ingest/types.ts'
import { fetchOctopusPages, octopusTime } from '../ingest/octopus.ts'
import { parseRatesDay } from './normalise.ts'

export { parseRatesDay }

// page_size 1500 is the API's maximum for unit rates: a whole Agile day fits in one page.
export const pricingSource: SourceDefinition<PricingValues> = {
  name: 'pricing',
  async fetchDay (day, context) {
    const { config } = context
    const query = new URLSearchParams({ period_from: octopusTime(day.startMs), period_to: octopusTime(day.endMs), page_size: '1500' })
    const url = `${config.octopusApiUrl}/products/${encodeURIComponent(config.octopusProduct)}/electricity-tariffs/` +
      `${encodeURIComponent(config.octopusTariff)}/standard-unit-rates/?${query}`
    const results = await fetchOctopusPages(url, context, { source: 'pricing', auth: false })
    return parseRatesDay(day, results, config.octopusTariff, config.octopusPaymentMethod)
  }
}
