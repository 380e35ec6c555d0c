import { MAX_FUELS } from '../mix/index.ts'
import type { DayState, DailyAggregate, JoinState, SourceBatch } from './types.ts'

/** The inputs the daily figures read, by name; createJoinProcessor checks they are all declared. */
export const AGGREGATE_INPUTS = ['co2', 'mix', 'pricing', 'usage'] as const

/** Doubles per slot of the pricing input (processors/pricing/index.ts): inc, exc, standing inc, exc. */
const PRICING_WIDTH = 4

const orNull = (x: number): number | null => Number.isNaN(x) ? null : x

/**
 * The day's figures (DESIGN.md "The join"), over the slots where all four sources have a
 * value: kwh = Σu, cost = Σu·p, carbon_g = Σu·i (i = actual, else forecast), avg_intensity =
 * carbon_g / kwh, mix[fuel] = Σu·perc / kwh. Summing only joined slots keeps the figures
 * consistent with each other; `complete` says whether that was every slot. Full precision.
 * The bill (DESIGN.md "The account"): the tariff and standing charge of the day's first slot,
 * bill_inc_vat = cost_inc_vat + standing_charge_inc_vat + gas − export (gas and export 0 for now).
 */
export function aggregateDay (state: JoinState, day: DayState, computedAt: number): DailyAggregate | undefined {
  // A day is emitted once every input is whole, the ones the figures read and any other.
  if (day.whole.some(b => b === undefined)) return undefined
  const [co2, mix, pricing, usage] = AGGREGATE_INPUTS.map(name => day.whole[state.index.get(name) ?? -1] as SourceBatch)
  const fuelSums = new Float64Array(MAX_FUELS)
  let kwh = 0
  let costInc = 0
  let costExc = 0
  let carbon = 0
  let joined = 0
  let forecastSlots = 0
  for (let i = 0; i < day.slots; i++) {
    if (co2.present[i] === 0 || mix.present[i] === 0 || pricing.present[i] === 0 || usage.present[i] === 0) continue
    const u = usage.values[i]
    joined++
    kwh += u
    costInc += u * pricing.values[i * PRICING_WIDTH]
    costExc += u * pricing.values[i * PRICING_WIDTH + 1]
    carbon += u * co2.values[i * 2]
    forecastSlots += co2.values[i * 2 + 1]
    for (let f = 0; f < state.fuels.length; f++) fuelSums[f] += u * mix.values[i * MAX_FUELS + f]
  }
  // The day's standing charge is the one in force at its first slot: the first slot the
  // pricing batch has (a whole batch lacking slot 0 is a short day, complete = false).
  const first = pricing.present.indexOf(1)
  const standingInc = first < 0 ? null : orNull(pricing.values[first * PRICING_WIDTH + 2])
  const standingExc = first < 0 ? null : orNull(pricing.values[first * PRICING_WIDTH + 3])
  // No export or gas meter yet (the account's meters come with OCTOPUS_ACCOUNT): 0.
  const gasCostInc = 0
  const gasStandingInc = 0
  const exportValue = 0
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
    batches: Object.fromEntries(state.inputs.map((input, i) => [input.name, (day.whole[i] as SourceBatch).id])),
    computed_at: computedAt,
    import_tariff_code: pricing.label,
    standing_charge_inc_vat: standingInc,
    standing_charge_exc_vat: standingExc,
    export_kwh: 0,
    export_value: exportValue,
    gas_kwh: 0,
    gas_cost_inc_vat: gasCostInc,
    gas_cost_exc_vat: 0,
    gas_standing_charge_inc_vat: gasStandingInc,
    gas_standing_charge_exc_vat: 0,
    gas_carbon_g: 0,
    // DESIGN.md "The account": unknown while the standing charge is.
    bill_inc_vat: standingInc === null ? null : costInc + standingInc + gasCostInc + gasStandingInc - exportValue
  }
}
