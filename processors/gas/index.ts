import type { Config, GasUnit } from '../../lib/config.ts'
import { meterView } from '../../clients/octopus/account-view.ts'
import { BOUNDS } from '../../lib/answer.ts'
import { checkValue } from '../source/join-input.ts'
import { slotKeyValues } from '../source/keys.ts'
import { fetchMeteredSpan, meteredDayMissing } from '../source/metered.ts'
import type { GasValues, SourceDeclaration } from '../source/types.ts'

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
  carbon_g: 0,
  read: true
})

/**
 * What a meter reads: GAS_METER_UNITS by serial, else GAS_UNIT. The REST API does not say:
 * Octopus documents m³ for SMETS2 and kWh for SMETS1 gas meters (developer docs, consumption
 * endpoint), and a SMETS1 → SMETS2 exchange leaves one meter point with one meter of each.
 */
export function gasUnitOf (serial: string | null, config: Pick<Config, 'gasUnit' | 'gasMeterUnits'>): GasUnit {
  return (serial === null ? undefined : config.gasMeterUnits[serial]) ?? config.gasUnit
}

/**
 * kWh of a reading in `unit`: m³ turned into kWh as the bill does (× 1.02264 volume correction ×
 * calorific value MJ/m³ ÷ 3.6 MJ/kWh); kWh as read.
 */
export function gasKwh (consumption: number, unit: GasUnit, config: Pick<Config, 'gasCalorificValue'>): number {
  return unit === 'm3' ? consumption * 1.02264 * config.gasCalorificValue / 3.6 : consumption
}

// A home boiler burns at most ~40 kW: 20 kWh (under 2 m³) a half-hour. A meter said to read m³
// that reads more than 5 in a half-hour reads kWh; one said to read kWh whose week of readings
// never passes 0.4 (a boiler firing for minutes burns more) reads m³.
const M3_TOO_HIGH = 5
const KWH_TOO_LOW = 0.4
const WEEK_SLOTS = 7 * 48

export interface UnitDoubt { meter: string, unit: GasUnit, why: string }

/** The meters of a span whose readings look like the other unit, with why: a warning, never a change. */
export function unitDoubts (values: readonly GasValues[]): UnitDoubt[] {
  const byMeter = new Map<string, { unit: GasUnit, max: number, count: number }>()
  for (const v of values) {
    if (!v.read || v.meter_serial === null || v.unit === null) continue
    const m = byMeter.get(v.meter_serial) ?? { unit: v.unit as GasUnit, max: 0, count: 0 }
    m.max = Math.max(m.max, v.consumption)
    m.count++
    byMeter.set(v.meter_serial, m)
  }
  return [...byMeter].flatMap(([meter, m]): UnitDoubt[] => {
    if (m.unit === 'm3' && m.max > M3_TOO_HIGH) return [{ meter, unit: m.unit, why: `a half-hour of ${m.max} m³ is more than a home burns: it looks like kWh (GAS_METER_UNITS=${meter}=kWh)` }]
    if (m.unit === 'kWh' && m.count >= WEEK_SLOTS && m.max > 0 && m.max < KWH_TOO_LOW) return [{ meter, unit: m.unit, why: `${m.count} half-hours never above ${m.max} kWh: it looks like m³ (GAS_METER_UNITS=${meter}=m3)` }]
    return []
  })
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
  whyMissing: meteredDayMissing('gas'),
  async fetchSpan (span, context) {
    const { config } = context
    const values = await fetchMeteredSpan(span, context, {
      kind: 'gas',
      path: 'gas-meter-points',
      tariffs: { source: 'gas' },
      none: noGas,
      value (r, rate, period) {
        const unit = r === undefined ? null : gasUnitOf(r.meter_serial, config)
        const kwh = r === undefined || unit === null ? 0 : gasKwh(r.consumption, unit, config)
        return {
          slot_start: rate.slot_start,
          consumption: r?.consumption ?? 0,
          unit,
          kwh,
          meter_serial: r?.meter_serial ?? null,
          tariff_code: period.tariff,
          value_inc_vat: rate.value_inc_vat,
          value_exc_vat: rate.value_exc_vat,
          standing_charge_inc_vat: rate.standing_charge_inc_vat,
          standing_charge_exc_vat: rate.standing_charge_exc_vat,
          carbon_g: kwh * config.gasCarbonGPerKwh,
          read: r !== undefined
        }
      }
    })
    for (const doubt of unitDoubts(values)) context.log.warn({ ...doubt, from: span.from, to: span.to }, 'gas meter readings look like the other unit')
    return values
  },
  sink: {
    name: 'gas_readings',
    spec: {
      table: 'energy_usage.gas_readings',
      columns: ['slot_start', 'slot_end', 'local_date', 'consumption', 'unit', 'kwh', 'meter_serial', 'tariff_code', 'value_inc_vat', 'value_exc_vat',
        'standing_charge_inc_vat', 'standing_charge_exc_vat', 'carbon_g', 'batch_id', 'read'],
      types: ['timestamptz', 'timestamptz', 'date', 'float8', 'text', 'float8', 'text', 'text', 'float8', 'float8', 'float8', 'float8', 'float8', 'text', 'bool'],
      rowKey: ['slot_start']
    },
    toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.consumption, r.unit, r.kwh, r.meter_serial, r.tariff_code, r.value_inc_vat, r.value_exc_vat,
      r.standing_charge_inc_vat, r.standing_charge_exc_vat, r.carbon_g, r.batch_id, r.read]],
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
      // A slot in force without a reading (read false) is NaN: owed its standing charge, not read.
      batch.values[base] = r.read === false ? NaN : r.kwh
      batch.values[base + 1] = r.value_inc_vat
      batch.values[base + 2] = r.value_exc_vat
      batch.values[base + 3] = r.standing_charge_inc_vat ?? NaN
      batch.values[base + 4] = r.standing_charge_exc_vat ?? NaN
      batch.values[base + 5] = r.carbon_g
    }
  }
}
