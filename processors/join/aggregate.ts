import { MAX_FUELS } from '../mix/index.ts'
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
 * The day's figures (DESIGN.md "The join"). Electricity over the slots where all four of its
 * sources have a value: kwh = Σu, cost = Σu·p, carbon_g = Σu·i (i = actual, else forecast),
 * avg_intensity = carbon_g / kwh, mix[fuel] = Σu·perc / kwh; summing only those slots keeps the
 * figures consistent with each other. Export and gas over their own slots: export_value =
 * Σ kWh·rate, gas cost = Σ kWh·rate, gas_carbon_g = Σ gCO2e. slots_joined counts the slots
 * every declared input has, so `complete` says whether the whole day of every meter is in.
 * The bill (DESIGN.md "The account"): the tariffs and standing charges of the day's first slot,
 * bill_inc_vat = cost_inc_vat + standing_charge_inc_vat + gas cost + gas standing charge −
 * export_value. Regional carbon over the slots of the electricity figures that regional has:
 * carbon_g_regional = Σu·i_regional, avg_intensity_regional = carbon_g_regional / Σu of those
 * slots; null when regional has none of them (a partial regional day gives the figures of the
 * slots it has, and keeps the others from slots_joined). Full precision.
 */
export function aggregateDay (state: JoinState, day: DayState, computedAt: number): DailyAggregate | undefined {
  // A day is emitted once every input that is not optional is whole; a missing optional input
  // (a meter's API failing) counts 0 and leaves the day incomplete.
  if (state.inputs.some((input, i) => input.join.optional !== true && day.whole[i] === undefined)) return undefined
  const [co2, mix, pricing, usage] = AGGREGATE_INPUTS.map(name => day.whole[state.index.get(name) ?? -1] as SourceBatch)
  const [exported, gas, regional] = OPTIONAL_INPUTS.map(name => day.whole[state.index.get(name) ?? -1])
  // Every input the day lacks, optional or not, keeps its slots from being joined.
  const others = day.whole.filter(b => b !== co2 && b !== mix && b !== pricing && b !== usage)
  const allWhole = others.every(b => b !== undefined)
  const fuelSums = new Float64Array(MAX_FUELS)
  let kwh = 0
  let costInc = 0
  let costExc = 0
  let carbon = 0
  let joined = 0
  let forecastSlots = 0
  let regionalKwh = 0
  let regionalCarbon = 0
  let regionalSlots = 0
  for (let i = 0; i < day.slots; i++) {
    if (co2.present[i] === 0 || mix.present[i] === 0 || pricing.present[i] === 0 || usage.present[i] === 0) continue
    const u = usage.values[i]
    if (allWhole && others.every(b => (b as SourceBatch).present[i] === 1)) joined++
    kwh += u
    costInc += u * pricing.values[i * PRICING_WIDTH]
    costExc += u * pricing.values[i * PRICING_WIDTH + 1]
    carbon += u * co2.values[i * 2]
    forecastSlots += co2.values[i * 2 + 1]
    for (let f = 0; f < state.fuels.length; f++) fuelSums[f] += u * mix.values[i * MAX_FUELS + f]
    if (regional === undefined || regional.present[i] === 0) continue
    regionalSlots++
    regionalKwh += u
    regionalCarbon += u * regional.values[i * REGIONAL_WIDTH]
  }
  // The day's standing charge is the one in force at its first slot: the first slot the
  // pricing batch has (a whole batch lacking slot 0 is a short day, complete = false).
  const first = pricing.present.indexOf(1)
  const standingInc = first < 0 ? null : orNull(pricing.values[first * PRICING_WIDTH + 2])
  const standingExc = first < 0 ? null : orNull(pricing.values[first * PRICING_WIDTH + 3])
  let exportKwh = 0
  let exportValue = 0
  for (let i = 0; i < day.slots; i++) {
    if (exported === undefined || exported.present[i] === 0) continue
    exportKwh += exported.values[i * EXPORT_WIDTH]
    exportValue += exported.values[i * EXPORT_WIDTH] * exported.values[i * EXPORT_WIDTH + 1]
  }
  let gasKwh = 0
  let gasCostInc = 0
  let gasCostExc = 0
  let gasCarbon = 0
  for (let i = 0; i < day.slots; i++) {
    if (gas === undefined || gas.present[i] === 0) continue
    const k = gas.values[i * GAS_WIDTH]
    gasKwh += k
    gasCostInc += k * gas.values[i * GAS_WIDTH + 1]
    gasCostExc += k * gas.values[i * GAS_WIDTH + 2]
    gasCarbon += gas.values[i * GAS_WIDTH + 5]
  }
  // Gas's standing charge is the one in force at its first slot with a meter (a slot without
  // one has none, NaN); 0 when no slot of the day has a gas meter.
  let gasStandingInc = 0
  let gasStandingExc = 0
  for (let i = 0; i < day.slots; i++) {
    if (gas === undefined || gas.present[i] === 0 || Number.isNaN(gas.values[i * GAS_WIDTH + 3])) continue
    gasStandingInc = gas.values[i * GAS_WIDTH + 3]
    gasStandingExc = gas.values[i * GAS_WIDTH + 4]
    break
  }
  const mixShares: Record<string, number> = {}
  if (kwh > 0) {
    for (let f = 0; f < state.fuels.length; f++) {
      if ((mix.columnMask & (1 << f)) !== 0) mixShares[state.fuels[f]] = fuelSums[f] / kwh
    }
  }
  return {
    date: day.date,
    kwh,
    cost_inc_vat: costInc,
    cost_exc_vat: costExc,
    carbon_g: carbon,
    avg_intensity: kwh > 0 ? carbon / kwh : null,
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
    avg_intensity_regional: regionalSlots > 0 && regionalKwh > 0 ? regionalCarbon / regionalKwh : null
  }
}
