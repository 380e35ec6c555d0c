import { meterView } from '../../clients/octopus/account-view.ts'
import { fetchReadings } from '../../clients/octopus/readings.ts'
import type { UsageValues } from '../../clients/octopus/types.ts'
import { BOUNDS } from '../../lib/answer.ts'
import { joinInput } from '../source/columns.ts'
import { checkValue } from '../source/join-input.ts'
import { slotKeyValues } from '../source/keys.ts'
import { planOf } from '../source/plan.ts'
import { USAGE_COLUMNS } from '../source/shared-columns.ts'
import type { SourceDeclaration } from '../source/types.ts'

/**
 * Octopus electricity import consumption per half-hour (kWh): with OCTOPUS_ACCOUNT, of the
 * import meter points in force (every meter of an exchange); without, of OCTOPUS_MPAN/SERIAL.
 */
export const usageSource: SourceDeclaration<UsageValues> = {
  name: 'usage',
  topic: 'energy.usage',
  accountView: meterView('import', false),
  async fetchSpan (span, context) {
    return await fetchReadings(span, planOf(span.from, context).importMeters(span), 'electricity-meter-points', 'usage', context)
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
