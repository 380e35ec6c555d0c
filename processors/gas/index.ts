import type { Config } from '../../lib/config.ts'
import { slotStarts } from '../../lib/london-day.ts'
import { meterPeriods, meterView, periodAt } from '../account/agreements.ts'
import { accountOf } from '../account/table.ts'
import { slotKeyValues } from '../ingest/keys.ts'
import { BOUNDS } from '../ingest/normalise.ts'
import { fetchReadings } from '../ingest/readings.ts'
import type { GasValues, SourceDeclaration } from '../ingest/types.ts'
import { checkValue } from '../join/state.ts'
import { fetchTariffSlots } from '../pricing/rates.ts'

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
  standing_charge_inc_vat: 0,
  standing_charge_exc_vat: 0,
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
  async fetchDay (day, context) {
    const { config } = context
    if (config.octopusAccount === '') return slotStarts(day).map(noGas)
    const periods = meterPeriods(accountOf(day.date, context), 'gas', day.startMs, day.endMs)
    const values = new Map<number, GasValues>()
    for (const start of slotStarts(day)) if (periodAt(periods, start) === undefined) values.set(start, noGas(start))
    for (const period of periods) {
      const readings = await fetchReadings(day, [period], 'gas-meter-points', 'gas', context)
      if (readings.length === 0) continue
      const rates = new Map((await fetchTariffSlots(day, period, context, { fuel: 'gas', source: 'gas' })).map(r => [r.slot_start, r]))
      // A reading without a rate is left out: the day shows incomplete rather than unpriced.
      for (const r of readings) {
        const rate = rates.get(r.slot_start)
        if (rate === undefined) continue
        const kwh = gasKwh(r.consumption, config)
        values.set(r.slot_start, {
          slot_start: r.slot_start,
          consumption: r.consumption,
          unit: config.gasUnit,
          kwh,
          meter_serial: r.meter_serial,
          tariff_code: period.tariff,
          value_inc_vat: rate.value_inc_vat,
          value_exc_vat: rate.value_exc_vat,
          standing_charge_inc_vat: rate.standing_charge_inc_vat,
          standing_charge_exc_vat: rate.standing_charge_exc_vat,
          carbon_g: kwh * config.gasCarbonGPerKwh
        })
      }
    }
    return [...values.values()].sort((a, b) => a.slot_start - b.slot_start)
  },
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
      // 100 m³ in half an hour is far beyond a home; 10 × the electricity bound in kWh.
      checkValue(r, 'kwh', r.kwh, { min: 0, max: 1000 })
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
