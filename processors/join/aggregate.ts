import type { DayState, DailyAggregate, JoinState } from './types.ts'
import { SOURCE_INDEX } from './types.ts'
import { MAX_FUELS } from './state.ts'

/**
 * The day's figures (DESIGN.md "The join"), over the slots where all four sources have a
 * value: kwh = Σu, cost = Σu·p, carbon_g = Σu·i (i = actual, else forecast), avg_intensity =
 * carbon_g / kwh, mix[fuel] = Σu·perc / kwh. Summing only joined slots keeps the figures
 * consistent with each other; `complete` says whether that was every slot. Full precision.
 */
export function aggregateDay (state: JoinState, day: DayState, computedAt: number): DailyAggregate | undefined {
  const [co2, mix, pricing, usage] = [SOURCE_INDEX.co2, SOURCE_INDEX.mix, SOURCE_INDEX.pricing, SOURCE_INDEX.usage].map(i => day.whole[i])
  if (co2 === undefined || mix === undefined || pricing === undefined || usage === undefined) return undefined
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
    costInc += u * pricing.values[i * 2]
    costExc += u * pricing.values[i * 2 + 1]
    carbon += u * co2.values[i * 2]
    forecastSlots += co2.values[i * 2 + 1]
    for (let f = 0; f < state.fuels.length; f++) fuelSums[f] += u * mix.values[i * MAX_FUELS + f]
  }
  const mixShares: Record<string, number> = {}
  if (kwh > 0) {
    for (let f = 0; f < state.fuels.length; f++) {
      if ((mix.fuelMask & (1 << f)) !== 0) mixShares[state.fuels[f]] = fuelSums[f] / kwh
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
    batches: { co2: co2.id, mix: mix.id, pricing: pricing.id, usage: usage.id },
    computed_at: computedAt
  }
}
