import type { Co2Values, MixValues, RegionalValues } from '../../clients/carbon/types.ts'
import type { AccountView } from '../../clients/octopus/account-view.ts'
import type { RatesContext } from '../../clients/octopus/rates.ts'
import type { Account, PricingValues, UsageValues } from '../../clients/octopus/types.ts'
import type { Config } from '../../lib/config.ts'
import type { SinkTarget } from '../../lib/copy-writer.ts'
import type { EnergyError } from '../../lib/errors.ts'
import type { DaySpan, LondonDay } from '../../lib/london-day.ts'
import type { FieldSpec } from './fields.ts'

// What a source is (the contract every processors/<source>/ implements and the runtime, the
// join and the topology read): its declaration, the context it fetches with, its records'
// envelope, and how the join reads it. The values of the API answers are the clients' types
// (clients/octopus/types.ts, clients/carbon/types.ts).

/** What every half-hour record carries (DESIGN.md "Records"). */
export interface SlotEnvelope {
  local_date: string
  /** UTC ms. */
  slot_start: number
  slot_end: number
  batch_id: string
  /** Records this source produced for local_date in this batch. */
  batch_size: number
}

/**
 * A slot's export (kWh) and its rate (p/kWh, no VAT); meter and tariff null where no export meter
 * is in force; `read` false where one is but has no reading (kWh 0).
 */
export interface ExportValues { slot_start: number, kwh: number, meter_serial: string | null, tariff_code: string | null, rate: number, read: boolean }
/**
 * A slot's gas as read (`unit`) and in kWh, priced, with its carbon; null meter, unit, tariff
 * where no gas meter is in force; `read` false where an agreement is but no reading (kWh 0, its
 * standing charge owed).
 */
export interface GasValues {
  slot_start: number
  consumption: number
  unit: string | null
  kwh: number
  meter_serial: string | null
  tariff_code: string | null
  value_inc_vat: number
  value_exc_vat: number
  standing_charge_inc_vat: number | null
  standing_charge_exc_vat: number | null
  carbon_g: number
  read: boolean
}

export type Co2Record = SlotEnvelope & Co2Values
export type MixRecord = SlotEnvelope & MixValues
export type RegionalRecord = SlotEnvelope & RegionalValues
export type PricingRecord = SlotEnvelope & PricingValues
export type UsageRecord = SlotEnvelope & UsageValues
export type ExportRecord = SlotEnvelope & ExportValues
export type GasRecord = SlotEnvelope & GasValues

/** What a source fetches with: a client context with the processor's tariff catalogue (RatesContext), and the account. */
export interface FetchContext extends RatesContext {
  /**
   * With OCTOPUS_ACCOUNT, for a source that reads it: the latest account on energy.account
   * when the request's batch began (undefined: none published yet).
   */
  account?: Account
}

/** What may decide whether a source can run at all (SourceDeclaration.unavailable). */
export type SourceConditions = Pick<Config, 'carbonRegionId' | 'carbonPostcode' | 'octopusAccount' | 'octopusApiKey'>

/** The values a source produces for one half-hour: the envelope is added by the runner. */
export interface SlotValues { slot_start: number }

/** A source's half-hour record on its topic: its values and the envelope. */
export type SlotRecord<V extends SlotValues = SlotValues> = SlotEnvelope & V

/**
 * One source, declared once (DESIGN.md "The topology, declared once"): its name, its topic
 * and value schema, how it fetches a span of London days and normalises it, the table its sink
 * lands it in, and whether and how the join reads it. processors/topology.ts lists the sources and
 * derives the rest (topic configs, groups, transactional ids, sink targets, --only groups).
 */
/** A span's values: one array, or chunks in time order. */
export type SpanValues<V> = Promise<V[]> | AsyncIterable<V[]>

export interface SourceDeclaration<V extends SlotValues = SlotValues> {
  /** Component name: `--only`, SOURCES, consumer group, log field. */
  name: string
  /** Contract topic name; its value schema is schemas/<topic>.avsc unless `schema` is given. */
  topic: string
  /** The Avro schema as JSON text, for a source declared outside schemas/ (tests). */
  schema?: string
  /**
   * Values for the slots of the span the source has, ascending, one per slot start, in as few
   * upstream requests as its endpoints allow: all at once, or in chunks as the answers come (a
   * long span is then never held whole: each day is encoded once a chunk passes its end). A
   * throw fails the days not yet whole: the runner then fetches them in halves, so a bad day
   * costs only itself.
   */
  fetchSpan (span: DaySpan, context: FetchContext): SpanValues<V>
  /**
   * Why this configuration cannot serve the source at all (regional without any region), or
   * undefined. Such a source is left out of the sources that run when SOURCES is empty and of
   * `--only processors`; named in SOURCES or `--only`, it runs and says why for each day.
   */
  unavailable? (config: SourceConditions): string | undefined
  /**
   * Runs only when SOURCES (or `--only`) names it, never by default: a check or an adjustment
   * the household turns on (dispatches, billed), not a figure every day needs.
   */
  optIn?: true
  /** Why a day of a fetched span has no values (default: ENERGY_NO_DATA, not published yet). */
  whyMissing? (day: LondonDay, context: FetchContext): EnergyError
  /** Where its sink lands the records. */
  sink: Omit<SinkTarget<SlotRecord<V>>, 'topic'>
  /**
   * What the source reads of the account (OCTOPUS_ACCOUNT), when it does: its processor keeps
   * the energy.account table, and a change of the account that this view sees requests the
   * source's changed days again.
   */
  accountView?: AccountView
  /** How the join reads it; a source without one is not a join input. */
  join?: JoinInput<SlotRecord<V>>
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
  /** `width` doubles per slot, slot-major: slot s's column c is values[s * width + c]. */
  values: Float64Array
  /**
   * Doubles per slot in this batch: the input's width, or for a dictionary input (mix) the
   * columns its records have named so far (widenBatch, columns.ts), so a day of 9 fuels keeps 9.
   */
  width: number
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

/** One column of an input's block (columns.ts). */
export interface Column {
  readonly index: number
  get (batch: SourceBatch, slot: number): number
  set (batch: SourceBatch, slot: number, value: number): void
}

/** A join input's columns by name (columnLayout, columns.ts): a name not declared fails the typecheck. */
export type ColumnLayout<N extends string> = { readonly [K in N]: Column } & {
  readonly names: readonly N[]
  /** Doubles per slot. */
  readonly width: number
  /** The column at a position (a block of like columns: mix's fuels). */
  at (index: number): Column
  /** Sets every column of a slot to `value`. */
  fill (batch: SourceBatch, slot: number, value: number): void
}

/**
 * How the join reads one source (declared with the source, processors/<source>/index.ts, with
 * joinInput() of columns.ts; read by processors/join/): its named columns, how a record writes
 * them, and the daily_summary fields it produces (its fold).
 */
export interface JoinInput<R extends SlotEnvelope = SlotEnvelope> {
  /** Its columns by name (columns.ts). */
  columns: ColumnLayout<string>
  /** Doubles per slot in the input's column block: columns.width (a dictionary input's most). */
  width: number
  /**
   * Its columns are a dictionary each batch's records name (mix: fuels, batch.columns): a batch
   * starts with none and check() widens it to the names it reserves (widenBatch).
   */
  dictionary?: boolean
  /**
   * Read only when SOURCES runs it (the account's other meters, regional). Whatever the flag, a
   * day is computed once pricing is whole; a missing input leaves it incomplete (join/aggregate.ts).
   */
  optional?: boolean
  /**
   * Rejects what the join cannot use beyond the slot/date contract (the caller dead-letters
   * it). Given the way to the record's batch, it reserves there what write() will need (mix:
   * its fuel columns), so write() never fails on a record it admitted.
   */
  check? (record: R, batch?: () => SourceBatch): void
  /** Writes the record's values into its slot's columns. */
  write (record: R, batch: SourceBatch, slot: number): void
  /** A meter's input: whether a slot it has was read (slots_joined and missing_readings count it). */
  read? (batch: SourceBatch, slot: number): boolean
  /** daily_summary fields the input adds beyond the core ones (fields.ts), appended to completion. */
  fields: readonly FieldSpec[]
  /** Its fields' values for a day it is whole on (core fields by its name, and its own). */
  fold? (day: JoinDay, batch: SourceBatch): object  /**
   * Fields that compare its own with the day's figures (billed − bill_inc_vat), from every
   * fold's values; called after them, for a day it is whole on.
   */
  settle? (figures: Readonly<Record<string, unknown>>): object
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

/** A request on energy_processor (schemas/energy_processor.avsc): the days a source serves. */
export interface EnergyRequest {
  date: string
  request_id: string
  requested_at: number
  /** Empty means every source. */
  sources: string[]
  /** fetched_at of the account the request was made with (version 2; null: none, or before). */
  account_version: number | null
  /** Consecutive days from `date` the request covers (version 3; 1 before). */
  days: number
}
