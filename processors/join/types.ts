import type { Source } from '../../lib/topics.ts'

/** The `completion` value (schemas/completion.avsc). */
export interface DailyAggregate {
  date: string
  kwh: number
  cost_inc_vat: number
  cost_exc_vat: number
  carbon_g: number
  avg_intensity: number | null
  mix: Record<string, number>
  slots_expected: number
  slots_joined: number
  complete: boolean
  forecast_slots: number
  batches: Record<string, string>
  computed_at: number
}

/**
 * One source's batch for a day: a column block of `width` doubles per slot, plus which slots
 * arrived. Typed arrays keep a day at a few kilobytes, so ten years fit in tens of megabytes.
 */
export interface SourceBatch {
  id: string
  size: number
  count: number
  present: Uint8Array
  values: Float64Array
  /** mix only: bit f set when fuel f appeared. */
  fuelMask: number
}

export interface DayState {
  date: string
  startMs: number
  slots: number
  /** Latest whole batch per source, indexed by SOURCE_INDEX. */
  whole: Array<SourceBatch | undefined>
  /** Batches still arriving, per source; a handful at most. */
  pending: SourceBatch[][]
}

export interface JoinState {
  days: Map<string, DayState>
  /** Fuel names in column order for the mix block. */
  fuels: string[]
}

export const SOURCE_INDEX: Record<Source, number> = { co2: 0, mix: 1, pricing: 2, usage: 3 }
