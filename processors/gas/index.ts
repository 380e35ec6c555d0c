import type { Config } from '../../lib/config.ts'
import { meterView } from '../account/agreements.ts'
import { slotKeyValues } from '../ingest/keys.ts'
import { BOUNDS } from '../ingest/normalise.ts'
import { fetchMeteredSpan } from '../ingest/metered.ts'
import type { GasValues, SourceDeclaration } from '../ingest/types.ts'
import { checkValue } from '../join/state.ts'

/** A slot without a gas meter in force: nothing used, nothing charged. */
const noGas = (slotStart: number): GasValues => ({
  slot_start: slotStart,
  consumption: 0,
  unit: null,
  kwh: 0,
  meter_serial: null,
  tariff_code: null,
  value_inc_vat: 0,
  value_exc_vat: 0,
  // Unknown, not 0: the day's gas standing charge is that of its first slot with a meter.
  standing_charge_inc_vat: null,
  standing_charge_exc_vat: null,
  carbon_g: 0
})

/**
 * kWh of a reading: SMETS2 meters read m³, turned into kWh as the bill does (× 1.02264 volume
 * correction × calorific value MJ/m³ ÷ 3.6 MJ/kWh); SMETS1 meters read kWh.
 */
export function gasKwh (consumption: number, config: Pick<Config, 'gasUnit' | 'gasCalorificValue'>): number {
  return config.gasUnit === 'm3' ? consumption * 1.02264 * config.gasCalorificValue / 3.6 : consumption
}

/**
 * Gas per half-hour of the account's gas meter points (MPRN), in kWh, priced by the gas
 * agreement in force (unit rate and standing charge), with its carbon (GAS_CARBON_G_PER_KWH).
 * Slots without a gas agreement in force, and every slot without OCTOPUS_ACCOUNT, are 0.
 */
export const gasSource: SourceDeclaration<GasValues> = {
  name: 'gas',
  topic: 'energy.gas',
  accountView: meterView('gas', true),
  fetchSpan: async (span, context) => await fetchMeteredSpan(span, context, {
    kind: 'gas',
    path: 'gas-meter-points',
    tariffs: { source: 'gas' },
    none: noGas,
    value (r, rate, period) {
      const kwh = gasKwh(r.consumption, context.config)
      return {
        slot_start: r.slot_start,
        consumption: r.consumption,
        unit: context.config.gasUnit,
        kwh,
        meter_serial: r.meter_serial,
        tariff_code: period.tariff,
        value_inc_vat: rate.value_inc_vat,
        value_exc_vat: rate.value_exc_vat,
        standing_charge_inc_vat: rate.standing_charge_inc_vat,
        standing_charge_exc_vat: rate.standing_charge_exc_vat,
        carbon_g: kwh * context.config.gasCarbonGPerKwh
      }
    }
  }),
  sink: {
    name: 'gas_readings',
    spec: {
      table: 'energy_usage.gas_readings',
      columns: ['slot_start', 'slot_end', 'local_date', 'consumption', 'unit', 'kwh', 'meter_serial', 'tariff_code', 'value_inc_vat', 'value_exc_vat',
        'standing_charge_inc_vat', 'standing_charge_exc_vat', 'carbon_g', 'batch_id'],
      types: ['timestamptz', 'timestamptz', 'date', 'float8', 'text', 'float8', 'text', 'text', 'float8', 'float8', 'float8', 'float8', 'float8', 'text'],
      rowKey: ['slot_start']
    },
    toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.consumption, r.unit, r.kwh, r.meter_serial, r.tariff_code, r.value_inc_vat, r.value_exc_vat,
      r.standing_charge_inc_vat, r.standing_charge_exc_vat, r.carbon_g, r.batch_id]],
    keyValues: slotKeyValues
  },
  // Columns: [kWh, p/kWh inc VAT, exc VAT, standing charge inc VAT, exc VAT (NaN: unknown), gCO2e].
  // Optional like export: a day without its gas still computes, incomplete.
  join: {
    width: 6,
    optional: true,
    check (r) {
      // The answer's bound (100, m³ or kWh) turned into kWh: 100 m³ is about 1,120 kWh.
      checkValue(r, 'kwh', r.kwh, { min: 0, max: 2000 })
      checkValue(r, 'value_inc_vat', r.value_inc_vat, BOUNDS.price)
      checkValue(r, 'value_exc_vat', r.value_exc_vat, BOUNDS.price)
      checkValue(r, 'standing_charge_inc_vat', r.standing_charge_inc_vat, BOUNDS.standingCharge)
      checkValue(r, 'standing_charge_exc_vat', r.standing_charge_exc_vat, BOUNDS.standingCharge)
      checkValue(r, 'carbon_g', r.carbon_g, { min: 0, max: 1e6 })
    },
    write (r, batch, base) {
      batch.values[base] = r.kwh
      batch.values[base + 1] = r.value_inc_vat
      batch.values[base + 2] = r.value_exc_vat
      batch.values[base + 3] = r.standing_charge_inc_vat ?? NaN
      batch.values[base + 4] = r.standing_charge_exc_vat ?? NaN
      batch.values[base + 5] = r.carbon_g
    }
  }
}
