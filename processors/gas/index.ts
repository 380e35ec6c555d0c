import type { Config, GasUnit } from '../../lib/config.ts'
import { meterView } from '../../clients/octopus/account-view.ts'
import { BOUNDS } from '../../lib/answer.ts'
import { columnLayout, joinInput } from '../source/columns.ts'
import type { FieldsBy } from '../source/fields.ts'
import { checkValue } from '../source/join-input.ts'
import { slotKeyValues } from '../source/keys.ts'
import { fetchMeteredSpan, meteredDayMissing } from '../source/metered.ts'
import type { GasValues, SourceDeclaration } from '../source/types.ts'
import type { MeterUnit } from '../../clients/octopus/types.ts'

/**
 * The join's gas columns: kWh (NaN: in force, not read), p/kWh inc and exc VAT, standing charge
 * inc and exc VAT (p/day; NaN: unknown), gCO2e.
 */
export const GAS_COLUMNS = columnLayout(['kwh', 'inc', 'exc', 'standing_inc', 'standing_exc', 'carbon_g'])

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
 * What a meter reads: GAS_METER_UNITS naming it, else what Octopus's GraphQL said (its
 * consumptionUnits, kept on the account of record with origin graphql: `units`), else GAS_UNIT.
 * The REST API does not say: Octopus documents m³ for SMETS2 and kWh for SMETS1 gas meters
 * (developer docs, consumption endpoint), and a SMETS1 → SMETS2 exchange leaves one meter
 * point with one meter of each. Units the record holds from the configuration are not read
 * back: today's configuration decides them, exactly as before GraphQL was asked (precedence:
 * processors/account/facts.ts).
 */
export function gasUnitOf (serial: string | null, config: Pick<Config, 'gasUnit' | 'gasMeterUnits'>, units: readonly MeterUnit[] = []): GasUnit {
  if (serial === null) return config.gasUnit
  const told = units.find(u => u.serial === serial && u.origin === 'graphql')?.unit
  return config.gasMeterUnits[serial] ?? (told === 'm3' || told === 'kWh' ? told : undefined) ?? config.gasUnit
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
        const unit = r === undefined ? null : gasUnitOf(r.meter_serial, config, period.units)
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
  // Optional like export: a day without its gas still computes, incomplete.
  join: joinInput({
    columns: GAS_COLUMNS,
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
    write (r, batch, slot) {
      // A slot in force without a reading (read false) is NaN: owed its standing charge, not read.
      GAS_COLUMNS.kwh.set(batch, slot, r.read === false ? NaN : r.kwh)
      GAS_COLUMNS.inc.set(batch, slot, r.value_inc_vat)
      GAS_COLUMNS.exc.set(batch, slot, r.value_exc_vat)
      GAS_COLUMNS.standing_inc.set(batch, slot, r.standing_charge_inc_vat ?? NaN)
      GAS_COLUMNS.standing_exc.set(batch, slot, r.standing_charge_exc_vat ?? NaN)
      GAS_COLUMNS.carbon_g.set(batch, slot, r.carbon_g)
    },
    read: (batch, slot) => batch.present[slot] === 1 && !Number.isNaN(GAS_COLUMNS.kwh.get(batch, slot)),
    // Over the read slots: kWh, cost = Σ kWh × rate, gCO2e. The standing charge is the one in
    // force at the first slot with a gas agreement, read or not (a slot without one has none,
    // NaN); 0 when no slot of the day has one.
    fold (day, batch): FieldsBy<'gas'> {
      let kwh = 0
      let costInc = 0
      let costExc = 0
      let carbon = 0
      let standingInc = 0
      let standingExc = 0
      let standingFound = false
      for (let i = 0; i < day.slots; i++) {
        if (batch.present[i] === 0) continue
        if (!standingFound && !Number.isNaN(GAS_COLUMNS.standing_inc.get(batch, i))) {
          standingFound = true
          standingInc = GAS_COLUMNS.standing_inc.get(batch, i)
          standingExc = GAS_COLUMNS.standing_exc.get(batch, i)
        }
        const k = GAS_COLUMNS.kwh.get(batch, i)
        if (Number.isNaN(k)) continue
        kwh += k
        costInc += k * GAS_COLUMNS.inc.get(batch, i)
        costExc += k * GAS_COLUMNS.exc.get(batch, i)
        carbon += GAS_COLUMNS.carbon_g.get(batch, i)
      }
      return {
        gas_kwh: kwh,
        gas_cost_inc_vat: costInc,
        gas_cost_exc_vat: costExc,
        gas_standing_charge_inc_vat: standingInc,
        gas_standing_charge_exc_vat: standingExc,
        gas_carbon_g: carbon
      }
    }
  })
}
