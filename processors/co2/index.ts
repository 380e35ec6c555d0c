import { parseCo2Slots } from '../../clients/carbon/intensity.ts'
import { beforeCarbonHistory, streamCarbonRanges } from '../../clients/carbon/ranges.ts'
import type { Co2Values } from '../../clients/carbon/types.ts'
import { BOUNDS } from '../../lib/answer.ts'
import { EnergyError } from '../../lib/errors.ts'
import { joinInput } from '../source/columns.ts'
import { checkValue } from '../source/join-input.ts'
import { slotKeyValues } from '../source/keys.ts'
import { CO2_COLUMNS } from '../source/shared-columns.ts'
import type { SourceDeclaration } from '../source/types.ts'

/** Grid carbon intensity, national: forecast, actual (may be null) and index per half-hour. */
export const co2Source: SourceDeclaration<Co2Values> = {
  name: 'co2',
  topic: 'energy.co2',
  // The range endpoint, 14 days a call (`/intensity/date/{date}` would take one call a day).
  whyMissing: day => beforeCarbonHistory('co2', day, 'national') ?? new EnergyError('ENERGY_NO_DATA', `co2 has no data for ${day.date} yet`, { date: day.date }),
  fetchSpan: (span, context) => streamCarbonRanges(span, 'intensity', context, parseCo2Slots),
  sink: {
    name: 'carbon_intensity',
    spec: {
      table: 'energy_usage.carbon_intensity',
      columns: ['slot_start', 'slot_end', 'local_date', 'forecast', 'actual', 'intensity_index', 'batch_id'],
      types: ['timestamptz', 'timestamptz', 'date', 'int4', 'int4', 'text', 'text'],
      rowKey: ['slot_start']
    },
    toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.forecast, r.actual, r.index, r.batch_id]],
    keyValues: slotKeyValues
  },
  join: joinInput({
    columns: CO2_COLUMNS,
    check (r) {
      checkValue(r, 'forecast', r.forecast, BOUNDS.intensity)
      checkValue(r, 'actual', r.actual, BOUNDS.intensity)
    },
    write (r, batch, slot) {
      CO2_COLUMNS.intensity.set(batch, slot, r.actual ?? r.forecast)
      CO2_COLUMNS.is_forecast.set(batch, slot, r.actual === null ? 1 : 0)
    }
  })
}
