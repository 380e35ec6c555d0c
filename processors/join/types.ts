import type { JoinInputSpec, SourceBatch } from '../source/types.ts'

// The join's input types are the sources' contract (processors/source/types.ts).
export type { JoinInput, JoinInputSpec, SourceBatch } from '../source/types.ts'

/** The `completion` value (schemas/completion.avsc). */
export interface DailyAggregate {
  date: string
  kwh: number
  cost_inc_vat: number
  cost_exc_vat: number
  /** null: no carbon data for the day (before the Carbon Intensity history), version 4. */
  carbon_g: number | null
  avg_intensity: number | null
  mix: Record<string, number>
  slots_expected: number
  slots_joined: number
  complete: boolean
  forecast_slots: number
  batches: Record<string, string>
  computed_at: number
  /** Version 2 (DESIGN.md "The account"): pence and kWh; null = unknown, 0 = no such meter. */
  import_tariff_code: string | null
  standing_charge_inc_vat: number | null
  standing_charge_exc_vat: number | null
  export_kwh: number
  export_value: number
  gas_kwh: number
  gas_cost_inc_vat: number
  gas_cost_exc_vat: number
  gas_standing_charge_inc_vat: number
  gas_standing_charge_exc_vat: number
  gas_carbon_g: number
  bill_inc_vat: number | null
  /** Version 3 (issue 16): by the regional forecast; null when the day has no regional data. */
  carbon_g_regional: number | null
  avg_intensity_regional: number | null
  /** Version 4 (money never waits for carbon): every money input has every slot read. */
  bill_complete: boolean
  /** Priced slots with usage that have carbon data (null: computed before version 4). */
  carbon_slots: number | null
  /** Meters with slots in force but no readings: usage, export, gas. */
  missing_readings: string[]
}

export interface DayState {
  date: string
  startMs: number
  slots: number
  /** Latest whole batch per input, indexed like JoinState.inputs. */
  whole: Array<SourceBatch | undefined>
  /** Batches still arriving, per input; a handful at most. */
  pending: SourceBatch[][]
}

export interface JoinState {
  inputs: readonly JoinInputSpec[]
  /** Input name → its index in `inputs`, DayState.whole and DayState.pending. */
  index: ReadonlyMap<string, number>
  days: Map<string, DayState>
}
