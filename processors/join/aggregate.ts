import { dispatchRepricing } from '../source/dispatch-pricing.ts'
import { CORE_FIELDS, defaultsOf, type FieldsBy } from '../source/fields.ts'
import { MAX_FUELS } from '../source/join-input.ts'
import { CO2_COLUMNS, MIX_COLUMNS, PRICING_COLUMNS, USAGE_COLUMNS } from '../source/shared-columns.ts'
import type { DayState, DailyAggregate, JoinDay, JoinInputSpec, JoinState, SourceBatch } from './types.ts'

/** The inputs the daily figures read, by name; createJoinProcessor checks they are all declared. */
export const AGGREGATE_INPUTS = ['co2', 'mix', 'pricing', 'usage'] as const

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
  const view: JoinDay = { date: day.date, slots: day.slots, whole, declared: name => state.index.has(name) }
  const electricity = electricityFold(view, pricing)
  // Each input's fields: its fold's when it is whole for the day, else their defaults.
  const folded: Record<string, unknown> = { ...foldDefaults(state) }
  for (let k = 0; k < state.inputs.length; k++) {
    const { fold } = state.inputs[k].join
    const batch = day.whole[k]
    if (fold !== undefined && batch !== undefined) Object.assign(folded, fold(view, batch))
  }
  const meters = folded as FieldsBy<'export' | 'gas' | 'regional'>
  const joined = joinedSlots(state, day, pricing, whole('usage'))
  // Readings missing: an import slot priced (an agreement in force) without usage, a meter's
  // slot not read (or the meter's input not in at all).
  const missingReadings = [
    ...(electricity.usageRead < electricity.pricedSlots ? ['usage'] : []),
    ...state.inputs.flatMap((input, k) => input.join.read === undefined || readCount(input.join.read, day.whole[k], day.slots) === day.slots ? [] : [input.name])
  ]
  const standingInc = electricity.fields.standing_charge_inc_vat
  const produced: FieldsBy<'join' | 'bill'> = {
    date: day.date,
    slots_expected: day.slots,
    slots_joined: joined,
    complete: joined === day.slots,
    batches: Object.fromEntries(state.inputs.flatMap((input, i) => day.whole[i] === undefined ? [] : [[input.name, (day.whole[i] as SourceBatch).id]])),
    computed_at: computedAt,
    // DESIGN.md "The account": unknown while a standing charge is.
    bill_inc_vat: standingInc === null ? null : electricity.fields.cost_inc_vat + standingInc + meters.gas_cost_inc_vat + meters.gas_standing_charge_inc_vat - meters.export_value,
    bill_complete: electricity.pricedSlots === day.slots && missingReadings.length === 0,
    missing_readings: missingReadings
  }
  // Typed: a core field no fold produces fails here (its producer's FieldsBy is missing it).
  const aggregate: DailyAggregate = { ...folded, ...produced, ...electricity.fields, ...meters }
  // Fields comparing an input with the day's figures (billed: Octopus's figure − bill_inc_vat).
  for (let k = 0; k < state.inputs.length; k++) {
    const { settle } = state.inputs[k].join
    if (settle !== undefined && day.whole[k] !== undefined) Object.assign(aggregate, settle(aggregate))
  }
  return aggregate
}

interface Electricity {
  fields: FieldsBy<'electricity'>
  /** Slots priced, and of those, slots with usage. */
  pricedSlots: number
  usageRead: number
}

/** The electricity import figures, over pricing, usage, co2 and mix (DESIGN.md "The join"). */
function electricityFold (day: JoinDay, pricing: SourceBatch): Electricity {
  const [co2, mix, usage] = ['co2', 'mix', 'usage'].map(day.whole)
  // On an Intelligent tariff, the half-hours a completed smart charge at home touches cost the off-peak rate.
  const repriced = dispatchRepricing(day, pricing)
  const fuelSums = new Float64Array(MAX_FUELS)
  let kwh = 0
  let costInc = 0
  let costExc = 0
  let carbonKwh = 0
  let carbon = 0
  let carbonSlots = 0
  let anyCarbon = false
  let forecastSlots = 0
  let usageRead = 0
  for (let i = 0; i < day.slots; i++) {
    const hasCarbon = co2 !== undefined && mix !== undefined && co2.present[i] === 1 && mix.present[i] === 1
    if (hasCarbon) anyCarbon = true
    if (pricing.present[i] === 0 || usage === undefined || usage.present[i] === 0) continue
    usageRead++
    const u = USAGE_COLUMNS.kwh.get(usage, i)
    kwh += u
    const offPeak = repriced !== undefined && repriced.slots[i] === 1
    costInc += u * (offPeak ? repriced.offPeakInc : PRICING_COLUMNS.inc.get(pricing, i))
    costExc += u * (offPeak ? repriced.offPeakExc : PRICING_COLUMNS.exc.get(pricing, i))
    if (!hasCarbon) continue
    carbonSlots++
    carbonKwh += u
    carbon += u * CO2_COLUMNS.intensity.get(co2, i)
    forecastSlots += CO2_COLUMNS.is_forecast.get(co2, i)
    for (let f = 0; f < mix.columns.length; f++) fuelSums[f] += u * MIX_COLUMNS.at(f).get(mix, i)
  }
  // The day's standing charge is the one in force at its first slot: the first slot the
  // pricing batch has (a whole batch lacking slot 0 is a short day, complete = false).
  const first = pricing.present.indexOf(1)
  const mixShares: Record<string, number> = {}
  if (carbonKwh > 0 && mix !== undefined) {
    for (let f = 0; f < mix.columns.length; f++) {
      if ((mix.columnMask & (1 << f)) !== 0) mixShares[mix.columns[f]] = fuelSums[f] / carbonKwh
    }
  }
  return {
    pricedSlots: pricing.present.reduce((n: number, p) => n + p, 0),
    usageRead,
    fields: {
      kwh,
      cost_inc_vat: costInc,
      cost_exc_vat: costExc,
      carbon_g: anyCarbon ? carbon : null,
      avg_intensity: carbonKwh > 0 ? carbon / carbonKwh : null,
      mix: mixShares,
      forecast_slots: forecastSlots,
      import_tariff_code: pricing.label,
      standing_charge_inc_vat: first < 0 ? null : orNull(PRICING_COLUMNS.standing_inc.get(pricing, first)),
      standing_charge_exc_vat: first < 0 ? null : orNull(PRICING_COLUMNS.standing_exc.get(pricing, first)),
      carbon_slots: carbonSlots
    }
  }
}

/** Money slots (priced, with usage) that every declared input has, each meter read. */
function joinedSlots (state: JoinState, day: DayState, pricing: SourceBatch, usage: SourceBatch | undefined): number {
  let joined = 0
  for (let i = 0; i < day.slots; i++) {
    if (pricing.present[i] === 0 || usage === undefined || usage.present[i] === 0) continue
    let all = true
    for (let k = 0; k < state.inputs.length && all; k++) {
      const b = day.whole[k]
      const read = state.inputs[k].join.read
      all = b !== undefined && b.present[i] === 1 && (read === undefined || read(b, i))
    }
    if (all) joined++
  }
  return joined
}

function readCount (read: (batch: SourceBatch, slot: number) => boolean, batch: SourceBatch | undefined, slots: number): number {
  if (batch === undefined) return 0
  let n = 0
  for (let i = 0; i < slots; i++) if (read(batch, i)) n++
  return n
}

/** Per set of inputs: the fields their folds produce, at their defaults (export 0, regional null). */
const DEFAULTS = new WeakMap<readonly JoinInputSpec[], Record<string, unknown>>()

function foldDefaults (state: JoinState): Record<string, unknown> {
  let defaults = DEFAULTS.get(state.inputs)
  if (defaults === undefined) {
    const core = new Set<string>(['join', 'electricity', 'bill'])
    defaults = defaultsOf([...CORE_FIELDS, ...state.inputs.flatMap(i => i.join.fields)].filter(f => f.by === undefined || !core.has(f.by)))
    DEFAULTS.set(state.inputs, defaults)
  }
  return defaults
}
