import { MAX_FUELS } from '../source/join-input.ts'
import type { DayState, DailyAggregate, JoinState, SourceBatch } from './types.ts'

/** The inputs the daily figures read, by name; createJoinProcessor checks they are all declared. */
export const AGGREGATE_INPUTS = ['co2', 'mix', 'pricing', 'usage'] as const
/** Inputs the figures read when declared and whole (the account's other meters). */
export const OPTIONAL_INPUTS = ['export', 'gas', 'regional'] as const

/** Doubles per slot of the pricing input (processors/pricing/index.ts): inc, exc, standing inc, exc. */
const PRICING_WIDTH = 4
/** Of export (processors/export/index.ts): kWh, rate. */
const EXPORT_WIDTH = 2
/** Of gas (processors/gas/index.ts): kWh, rate inc, exc, standing inc, exc, gCO2e. */
const GAS_WIDTH = 6
/** Of regional (processors/regional/index.ts): the regional forecast. */
const REGIONAL_WIDTH = 1

const orNull = (x: number): number | null => Number.isNaN(x) ? null : x

/**
 * The day's figures (DESIGN.md "The join"). Money never waits for carbon: the electricity
 * figures sum the slots that have a price and usage (kwh = Σu, cost = Σu·p); carbon and mix the
 * ones of those that also have co2 and mix (carbon_g = Σu·i, i = actual, else forecast;
 * avg_intensity = carbon_g / Σu of those slots; mix[fuel] = Σu·perc / Σu of those slots), null and
 * {} when the day has no carbon data at all (before the Carbon Intensity history, 2017-09-26).
 * Export and gas over their own read slots: export_value = Σ kWh·rate, gas cost = Σ kWh·rate,
 * gas_carbon_g = Σ gCO2e. The standing charges are owed for every day an agreement is in force,
 * readings or not: the import one from the first priced slot, gas's from the first slot with a
 * gas agreement (a slot without readings included). bill_inc_vat = cost_inc_vat +
 * standing_charge_inc_vat + gas cost + gas standing charge − export_value.
 * A day is emitted once pricing is whole; every other input may be missing and makes the day
 * incomplete: bill_complete says every money input (usage, pricing, export, gas) has every slot
 * read, carbon_slots how many of the priced slots have carbon, complete that every input has
 * every slot, missing_readings which meters lack readings. Regional carbon over the money slots
 * that regional has: carbon_g_regional = Σu·i_regional, avg_intensity_regional = carbon_g_regional
 * / Σu of those slots; null when regional has none of them. Full precision.
 */
export function aggregateDay (state: JoinState, day: DayState, computedAt: number): DailyAggregate | undefined {
  const whole = (name: string): SourceBatch | undefined => day.whole[state.index.get(name) ?? -1]
  const pricing = whole('pricing')
  if (pricing === undefined) return undefined
  const [co2, mix, usage] = ['co2', 'mix', 'usage'].map(whole)
  const [exported, gas, regional] = OPTIONAL_INPUTS.map(whole)
  const declared = (name: string): boolean => state.index.has(name)
  const fuelSums = new Float64Array(MAX_FUELS)
  let kwh = 0
  let costInc = 0
  let costExc = 0
  let carbonKwh = 0
  let carbon = 0
  let carbonSlots = 0
  let anyCarbon = false
  let joined = 0
  let forecastSlots = 0
  let regionalKwh = 0
  let regionalCarbon = 0
  let regionalSlots = 0
  let usageRead = 0
  const readAt = (b: SourceBatch | undefined, i: number, width: number): boolean => b !== undefined && b.present[i] === 1 && !Number.isNaN(b.values[i * width])
  for (let i = 0; i < day.slots; i++) {
    const hasCarbon = co2 !== undefined && mix !== undefined && co2.present[i] === 1 && mix.present[i] === 1
    if (hasCarbon) anyCarbon = true
    if (pricing.present[i] === 0 || usage === undefined || usage.present[i] === 0) continue
    usageRead++
    const u = usage.values[i]
    // Joined: every declared input has the slot, and the export and gas meters read it.
    if (day.whole.every(b => b !== undefined && b.present[i] === 1) && (exported === undefined || readAt(exported, i, EXPORT_WIDTH)) && (gas === undefined || readAt(gas, i, GAS_WIDTH))) joined++
    kwh += u
    costInc += u * pricing.values[i * PRICING_WIDTH]
    costExc += u * pricing.values[i * PRICING_WIDTH + 1]
    if (regional !== undefined && regional.present[i] === 1) {
      regionalSlots++
      regionalKwh += u
      regionalCarbon += u * regional.values[i * REGIONAL_WIDTH]
    }
    if (!hasCarbon) continue
    carbonSlots++
    carbonKwh += u
    carbon += u * co2.values[i * 2]
    forecastSlots += co2.values[i * 2 + 1]
    for (let f = 0; f < mix.columns.length; f++) fuelSums[f] += u * mix.values[i * MAX_FUELS + f]
  }
  // The day's standing charge is the one in force at its first slot: the first slot the
  // pricing batch has (a whole batch lacking slot 0 is a short day, complete = false).
  const first = pricing.present.indexOf(1)
  const standingInc = first < 0 ? null : orNull(pricing.values[first * PRICING_WIDTH + 2])
  const standingExc = first < 0 ? null : orNull(pricing.values[first * PRICING_WIDTH + 3])
  let exportKwh = 0
  let exportValue = 0
  let exportRead = 0
  for (let i = 0; i < day.slots; i++) {
    if (!readAt(exported, i, EXPORT_WIDTH)) continue
    const values = (exported as SourceBatch).values
    exportRead++
    exportKwh += values[i * EXPORT_WIDTH]
    exportValue += values[i * EXPORT_WIDTH] * values[i * EXPORT_WIDTH + 1]
  }
  let gasKwh = 0
  let gasCostInc = 0
  let gasCostExc = 0
  let gasCarbon = 0
  let gasRead = 0
  // Gas's standing charge is the one in force at its first slot with a gas agreement, read or
  // not (a slot without a gas meter has none, NaN); 0 when no slot of the day has one.
  let gasStandingInc = 0
  let gasStandingExc = 0
  let gasStandingFound = false
  for (let i = 0; i < day.slots; i++) {
    if (gas === undefined || gas.present[i] === 0) continue
    if (!gasStandingFound && !Number.isNaN(gas.values[i * GAS_WIDTH + 3])) {
      gasStandingFound = true
      gasStandingInc = gas.values[i * GAS_WIDTH + 3]
      gasStandingExc = gas.values[i * GAS_WIDTH + 4]
    }
    if (Number.isNaN(gas.values[i * GAS_WIDTH])) continue
    gasRead++
    const k = gas.values[i * GAS_WIDTH]
    gasKwh += k
    gasCostInc += k * gas.values[i * GAS_WIDTH + 1]
    gasCostExc += k * gas.values[i * GAS_WIDTH + 2]
    gasCarbon += gas.values[i * GAS_WIDTH + 5]
  }
  const mixShares: Record<string, number> = {}
  if (carbonKwh > 0 && mix !== undefined) {
    for (let f = 0; f < mix.columns.length; f++) {
      if ((mix.columnMask & (1 << f)) !== 0) mixShares[mix.columns[f]] = fuelSums[f] / carbonKwh
    }
  }
  const pricedSlots = pricing.present.reduce((n: number, p) => n + p, 0)
  // Readings missing: an import slot priced (an agreement in force) without usage, an export or
  // gas slot not read (or the input not in at all).
  const missingReadings = [
    ...(usageRead < pricedSlots ? ['usage'] : []),
    ...(declared('export') && exportRead < day.slots ? ['export'] : []),
    ...(declared('gas') && gasRead < day.slots ? ['gas'] : [])
  ]
  const billComplete = pricedSlots === day.slots && missingReadings.length === 0
  return {
    date: day.date,
    kwh,
    cost_inc_vat: costInc,
    cost_exc_vat: costExc,
    carbon_g: anyCarbon ? carbon : null,
    avg_intensity: carbonKwh > 0 ? carbon / carbonKwh : null,
    mix: mixShares,
    slots_expected: day.slots,
    slots_joined: joined,
    complete: joined === day.slots,
    forecast_slots: forecastSlots,
    batches: Object.fromEntries(state.inputs.flatMap((input, i) => day.whole[i] === undefined ? [] : [[input.name, (day.whole[i] as SourceBatch).id]])),
    computed_at: computedAt,
    import_tariff_code: pricing.label,
    standing_charge_inc_vat: standingInc,
    standing_charge_exc_vat: standingExc,
    export_kwh: exportKwh,
    export_value: exportValue,
    gas_kwh: gasKwh,
    gas_cost_inc_vat: gasCostInc,
    gas_cost_exc_vat: gasCostExc,
    gas_standing_charge_inc_vat: gasStandingInc,
    gas_standing_charge_exc_vat: gasStandingExc,
    gas_carbon_g: gasCarbon,
    // DESIGN.md "The account": unknown while a standing charge is.
    bill_inc_vat: standingInc === null ? null : costInc + standingInc + gasCostInc + gasStandingInc - exportValue,
    carbon_g_regional: regionalSlots === 0 ? null : regionalCarbon,
    avg_intensity_regional: regionalSlots > 0 && regionalKwh > 0 ? regionalCarbon / regionalKwh : null,
    bill_complete: billComplete,
    carbon_slots: carbonSlots,
    missing_readings: missingReadings
  }
}
