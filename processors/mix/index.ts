import { getJson } from '../../lib/http.ts'
import type { MixValues, SourceDefinition } from '../ingest/types.ts'
import { carbonTime } from '../ingest/normalise.ts'
import { parseMixDay } from './normalise.ts'

export { parseMixDay }

export const mixSource: SourceDefinition<MixValues> = {
  name: 'mix',
  async fetchDay (day, { config, log, signal }) {
    const body = await getJson(`${config.carbonApiUrl}/generation/${carbonTime(day.startMs)}/${carbonTime(day.endMs)}`,
      { timeoutMs: config.httpTimeoutMs, retries: config.httpRetries, log, signal })
    return parseMixDay(day, body)
  }
}
