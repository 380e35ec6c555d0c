import { getJson } from '../../lib/http.ts'
import type { Co2Values, SourceDefinition } from '../ingest/types.ts'
import { parseCo2Day } from './normalise.ts'

export { parseCo2Day }

// `/intensity/date/{date}` answers the UK local day, so one call covers one London day.
export const co2Source: SourceDefinition<Co2Values> = {
  name: 'co2',
  async fetchDay (day, { config, log, signal }) {
    const body = await getJson(`${config.carbonApiUrl}/intensity/date/${day.date}`,
      { timeoutMs: config.httpTimeoutMs, retries: config.httpRetries, log, signal })
    return parseCo2Day(day, body)
  }
}
