import { columnLayout } from './columns.ts'
import { MAX_FUELS } from './join-input.ts'

// The columns of the electricity inputs (usage, pricing, co2, mix), declared here rather than in
// their folders because others read them too: the join's electricity fold (join/aggregate.ts)
// and regional's fold (usage). A source reads another's columns only through this file, so no
// source imports another and the join imports no source. An input whose columns only its own
// fold reads (export, gas, regional) declares them in its folder.

/** usage: kWh imported. */
export const USAGE_COLUMNS = columnLayout(['kwh'])

/** pricing: price inc VAT, exc VAT (p/kWh), standing charge inc VAT, exc VAT (p/day; NaN: unknown). */
export const PRICING_COLUMNS = columnLayout(['inc', 'exc', 'standing_inc', 'standing_exc'])

/** co2: the intensity used (actual, else forecast), 1 when that was the forecast. */
export const CO2_COLUMNS = columnLayout(['intensity', 'is_forecast'])

/** mix: a share (%) per fuel, the fuel of column f being batch.columns[f]. */
export const MIX_COLUMNS = columnLayout(Array.from({ length: MAX_FUELS }, (_, f) => `fuel_${f}`))

/**
 * dispatches: 1 when a completed smart charge at home touches the slot, 1 when another completed
 * dispatch does, 1 when the day is known (after the first dispatch snapshot). The electricity
 * fold re-prices the first kind (dispatch-pricing.ts).
 */
export const DISPATCH_COLUMNS = columnLayout(['smart_home', 'other', 'known'])
