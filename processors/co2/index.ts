import type { Co2Values, SourceDeclaration } from '../ingest/types.ts'
import { slotKeyValues } from '../ingest/keys.ts'
import { BOUNDS } from '../ingest/normalise.ts'
import { checkValue } from '../join/state.ts'
import { columnLayout, joinInput } from '../join/columns.ts'
import { parseCo2Slots } from './normalise.ts'
import { beforeCarbonHistory, fetchCarbonRanges } from '../ingest/carbon.ts'
import { EnergyError } from '../../lib/errors.ts'

/** The join's co2 columns: the intensity used (actual, else forecast), 1 when that was the forecast. */
export const CO2_COLUMNS = columnLayout(['intensity', 'is_forecast'])

/** Grid carbon intensity, national: forecast, actual (may be null) and index per half-hour. */
export const co2Source: SourceDeclaration<Co2Values> = {
  name: 'co2',
  topic: 'energy.co2',
  // The range endpoint, 14 days a call (`/intensity/date/{date}` would take one call a day).
  whyMissing: day => beforeCarbonHistory('co2', day, 'national') ?? new EnergyError('ENERGY_NO_DATA', `co2 has no data for ${day.date} yet`, { date: day.date }),
  fetchSpan: async (span, context) => await fetchCarbonRanges(span, 'intensity', context, parseCo2Slots),
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
