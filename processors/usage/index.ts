import type { SourceDeclaration, UsageValues } from '../ingest/types.ts'
import { slotKeyValues } from '../ingest/keys.ts'
import { BOUNDS } from '../ingest/normalise.ts'
import { checkValue } from '../join/state.ts'
import { fetchOctopusPages, octopusTime } from '../ingest/octopus.ts'
import { parseUsageDay } from './normalise.ts'

/** Octopus electricity consumption of the configured meter, per half-hour (kWh). */
export const usageSource: SourceDeclaration<UsageValues> = {
  name: 'usage',
  topic: 'energy.usage',
  async fetchDay (day, context) {
    const { config } = context
    // period_to is inclusive on the real API, so the day's end is one slot too many; the
    // normaliser drops it. order_by=period gives oldest first, which pages more naturally.
    const query = new URLSearchParams({ period_from: octopusTime(day.startMs), period_to: octopusTime(day.endMs), page_size: '25000', order_by: 'period' })
    const url = `${config.octopusApiUrl}/electricity-meter-points/${encodeURIComponent(config.octopusMpan)}/meters/` +
      `${encodeURIComponent(config.octopusSerial)}/consumption/?${query}`
    const results = await fetchOctopusPages(url, context, { source: 'usage', auth: true })
    return parseUsageDay(day, results, config.octopusSerial)
  },
  sink: {
    name: 'consumption',
    spec: {
      table: 'energy_usage.consumption',
      columns: ['slot_start', 'slot_end', 'local_date', 'kwh', 'batch_id', 'meter_serial'],
      types: ['timestamptz', 'timestamptz', 'date', 'float8', 'text', 'text'],
      rowKey: ['slot_start']
    },
    toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.consumption, r.batch_id, r.meter_serial]],
    keyValues: slotKeyValues
  },
  // Columns: [kWh].
  join: {
    width: 1,
    check (r) {
      checkValue(r, 'consumption', r.consumption, BOUNDS.consumptionKwh)
    },
    write (r, batch, base) {
      batch.values[base] = r.consumption
    }
  }
}
