import type { SlotEnvelope } from '../ingest/types.ts'
import type { ColumnLayout } from './columns.ts'
import type { CoreAggregate, FieldSpec } from './fields.ts'

/**
 * The `completion` value (schemas/completion.avsc): one field per entry of CORE_FIELDS
 * (fields.ts), where each field is declared once. A topology whose sources declare fields of
 * their own carries those too (topology.summaryFields).
 */
export type DailyAggregate = CoreAggregate

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
 * How the join reads one source (declared with the source, processors/<source>/index.ts, with
 * joinInput() of columns.ts): its named columns, how a record writes them, and the daily_summary
 * fields it produces (its fold).
 */
export interface JoinInput<R extends SlotEnvelope = SlotEnvelope> {
  /** Its columns by name (columns.ts). */
  columns: ColumnLayout<string>
  /** Doubles per slot in the input's column block: columns.width. */
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
  /** A meter's input: whether a slot it has was read (slots_joined and missing_readings count it). */
  read? (batch: SourceBatch, slot: number): boolean
  /** daily_summary fields the input adds beyond the core ones (fields.ts), appended to completion. */
  fields: readonly FieldSpec[]
  /** Its fields' values for a day it is whole on (core fields by its name, and its own). */
  fold? (day: JoinDay, batch: SourceBatch): object
}

/** A day as a fold reads it: its slots and the inputs' whole batches by name. */
export interface JoinDay {
  date: string
  slots: number
  /** An input's whole batch for the day; undefined when it is not in (or not declared). */
  whole (name: string): SourceBatch | undefined
  /** Whether the join reads the input at all. */
  declared (name: string): boolean
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
}

export interface JoinState {
  inputs: readonly JoinInputSpec[]
  /** Input name → its index in `inputs`, DayState.whole and DayState.pending. */
  index: ReadonlyMap<string, number>
  days: Map<string, DayState>
}
