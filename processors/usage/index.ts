import type { SourceDeclaration, UsageValues } from '../ingest/types.ts'
import { slotKeyValues } from '../ingest/keys.ts'
import { BOUNDS } from '../ingest/normalise.ts'
import { checkValue } from '../join/state.ts'
import { columnLayout, joinInput } from '../join/columns.ts'
import { meterPeriods, meterView } from '../account/agreements.ts'
import { accountOf } from '../account/table.ts'
import { fetchReadings, readingSpans } from '../../clients/octopus/readings.ts'

/** The join's usage column: kWh imported. */
export const USAGE_COLUMNS = columnLayout(['kwh'])

/**
 * Octopus electricity import consumption per half-hour (kWh): with OCTOPUS_ACCOUNT, of the
 * import meter points in force (every meter of an exchange); without, of OCTOPUS_MPAN/SERIAL.
 */
export const usageSource: SourceDeclaration<UsageValues> = {
  name: 'usage',
  topic: 'energy.usage',
  accountView: meterView('import', false),
  async fetchSpan (span, context) {
    const { config } = context
    const periods = config.octopusAccount === ''
      ? [{ meterPoint: config.octopusMpan, meters: [config.octopusSerial], from: span.startMs, to: span.endMs }]
      : readingSpans(meterPeriods(accountOf(span.from, context), 'import', span.startMs, span.endMs))
    return await fetchReadings(span, periods, 'electricity-meter-points', 'usage', context)
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
  join: joinInput({
    columns: USAGE_COLUMNS,
    check (r) {
      checkValue(r, 'consumption', r.consumption, BOUNDS.consumptionKwh)
    },
    write (r, batch, slot) {
      USAGE_COLUMNS.kwh.set(batch, slot, r.consumption)
    }
  })
}
