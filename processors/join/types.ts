import type { SlotEnvelope } from '../ingest/types.ts'

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

/**
 * One input's batch for a day: a column block of `width` doubles per slot, plus which slots
 * arrived. Typed arrays keep a day at a few kilobytes, so ten years fit in tens of megabytes.
 */
export interface SourceBatch {
  id: string
  size: number
  count: number
  present: Uint8Array
  values: Float64Array
  /** Bit c set when dictionary column c appeared (mix: which fuels the batch named). */
  columnMask: number
  /**
   * The batch's own dictionary (mix: fuel names in the order its records named them): per
   * batch, so names learned from one day's input never take another day's columns.
   */
  columns: string[]
  /**
   * Text an input keeps per batch, not per slot (pricing: the tariff code of its earliest
   * slot), with the slot it came from; null until written.
   */
  label: string | null
  labelSlot: number
}

/**
 * How the join reads one source (declared with the source, processors/<source>/index.ts):
 * how many doubles a slot takes and how a record writes them. The aggregate reads the
 * columns by the input's name (aggregate.ts).
 */
export interface JoinInput<R extends SlotEnvelope = SlotEnvelope> {
  /** Doubles per slot in the input's column block. */
  width: number
  /**
   * Read only when SOURCES runs it (the account's other meters, regional). Whatever the flag, a
   * day is computed once pricing is whole; a missing input leaves it incomplete (aggregate.ts).
   */
  optional?: boolean
  /**
   * Rejects what the join cannot use beyond the slot/date contract (the caller dead-letters
   * it). Given the state, it reserves what write() will need, so write() never fails on a
   * record it admitted.
   */
  check? (record: R, state?: JoinState): void
  /** Writes the record's values into batch.values[base, base + width). */
  write (record: R, batch: SourceBatch, base: number, state: JoinState): void
}

/** A join input as the join sees it: the source's name and topic, and its JoinInput. */
export interface JoinInputSpec {
  name: string
  topic: string
  join: JoinInput
}

export interface DayState {
  date: string
  startMs: number
  slots: number
  /** Latest whole batch per input, indexed like JoinState.inputs. */
  whole: Array<SourceBatch | undefined>
  /** Batches still arriving, per input; a handful at most. */
  pending: SourceBatch[][]
  /** daySignature of the last aggregate emitted (or found on completion at restore); undefined: none. */
  emitted: string | undefined
}

export interface JoinState {
  inputs: readonly JoinInputSpec[]
  /** Input name → its index in `inputs`, DayState.whole and DayState.pending. */
  index: ReadonlyMap<string, number>
  days: Map<string, DayState>
  /**
   * Dates whose figures changed since their last emission but lack an input that may still
   * come, with when they were first held (ms): checked again at each batch boundary.
   */
  held: Map<string, number>
}
