import type { SinkTarget } from '../../lib/copy-writer.ts'
import { COMPLETION_TOPIC } from '../../lib/topics.ts'
import type { DailyAggregate } from './types.ts'

/** Where `completion` lands: one daily_summary row per date, keyed by the date. */
export const dailySummaryTarget: SinkTarget<DailyAggregate> = {
  name: 'daily_summary',
  topic: COMPLETION_TOPIC,
  spec: {
    table: 'energy_usage.daily_summary',
    columns: [
      'date', 'kwh', 'cost_inc_vat', 'cost_exc_vat', 'carbon_g', 'avg_intensity', 'mix', 'slots_expected', 'slots_joined', 'complete', 'forecast_slots',
      'import_tariff_code', 'standing_charge_inc_vat', 'standing_charge_exc_vat', 'export_kwh', 'export_value', 'gas_kwh', 'gas_cost_inc_vat',
      'gas_cost_exc_vat', 'gas_standing_charge_inc_vat', 'gas_standing_charge_exc_vat', 'gas_carbon_g', 'bill_inc_vat',
      'carbon_g_regional', 'avg_intensity_regional', 'bill_complete', 'carbon_slots', 'missing_readings'
    ],
    types: [
      'date', 'float8', 'float8', 'float8', 'float8', 'float8', 'jsonb', 'int2', 'int2', 'bool', 'int2',
      'text', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8',
      'float8', 'float8', 'bool', 'int2', 'jsonb'
    ],
    rowKey: ['date']
  },
  toRows: a => [[
    a.date, a.kwh, a.cost_inc_vat, a.cost_exc_vat, a.carbon_g, a.avg_intensity, JSON.stringify(a.mix), a.slots_expected, a.slots_joined, a.complete, a.forecast_slots,
    a.import_tariff_code, a.standing_charge_inc_vat, a.standing_charge_exc_vat, a.export_kwh, a.export_value, a.gas_kwh, a.gas_cost_inc_vat,
    a.gas_cost_exc_vat, a.gas_standing_charge_inc_vat, a.gas_standing_charge_exc_vat, a.gas_carbon_g, a.bill_inc_vat,
    a.carbon_g_regional, a.avg_intensity_regional, a.bill_complete, a.carbon_slots, JSON.stringify(a.missing_readings)
  ]],
  keyValues: key => [key]
}
