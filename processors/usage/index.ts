import type { SourceDefinition, UsageValues } from '../ingest/types.ts'
import { fetchOctopusPages, octopusTime } from '../ingest/octopus.ts'
import { parseUsageDay } from './normalise.ts'

export { parseUsageDay }

export const usageSource: SourceDefinition<UsageValues> = {
  name: 'usage',
  async fetchDay (day, context) {
    const { config } = context
    // period_to is inclusive on the real API, so the day's end is one slot too many; the
    // normaliser drops it. order_by=period gives oldest first, which pages more naturally.
    const query = new URLSearchParams({ period_from: octopusTime(day.startMs), period_to: octopusTime(day.endMs), page_size: '25000', order_by: 'period' })
    const url = `${config.octopusApiUrl}/electricity-meter-points/${encodeURIComponent(config.octopusMpan)}/meters/` +
      `${encodeURIComponent(config.octopusSerial)}/consumption/?${query}`
    const results = await fetchOctopusPages(url, context, { source: 'usage', auth: true })
    return parseUsageDay(day, results, config.octopusSerial)
  }
}
