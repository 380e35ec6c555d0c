import type { CORE_FIELDS, StoredFields } from '../processors/source/fields.ts'
import type { FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify'
import type { Logger } from '../lib/log.ts'
import type { OtherStatistic, Reason } from './billed.ts'

/** The fastify instance build() returns, with the project's pino logger. */
export type ApiApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>

// Response shapes of the API (docs/api.md). Figures are the stored doubles, unrounded;
// dates are Europe/London local dates 'YYYY-MM-DD'; instants are ISO-8601 UTC.

/**
 * One row of energy_usage.daily_summary: the join's aggregate, as landed, a field per column of
 * the field table (processors/source/fields.ts; a double stored NaN or ±Infinity reads null,
 * api/queries.ts), and the fields the topology's sources add.
 */
export type DaySummary = SummaryFields & { updated_at: string }
export type SummaryFields = StoredFields<typeof CORE_FIELDS> & { [field: string]: unknown }

export interface DaysResponse {
  from: string
  to: string
  /** Newest first. */
  days: DaySummary[]
}

/** One half-hour of a day, from the source tables. */
export interface Slot {
  start: string
  usage_kwh: number | null
  /** p/kWh including VAT. */
  price_inc_vat: number | null
  /** gCO2/kWh: actual, else forecast. */
  intensity: number | null
  /** null when there is no intensity at all. */
  intensity_is_forecast: boolean | null
  /** Percentage per fuel; {} when the slot has no mix. */
  mix: Record<string, number>
  /** kWh exported (export_readings); 0 without an export meter in force, null when the table has no row. */
  export_kwh: number | null
  /** p/kWh paid for the export (no VAT on export); null when the table has no row. */
  export_rate: number | null
  /** Gas used, kWh (gas_readings); 0 without a gas meter in force, null when the table has no row. */
  gas_kwh: number | null
  /** Gas unit rate, p/kWh including VAT; null when the table has no row. */
  gas_rate_inc_vat: number | null
  /** gCO2e of the slot's gas; null when the table has no row. */
  gas_carbon_g: number | null
  /** gCO2/kWh of the household's region (regional_intensity: the regional forecast); null when the table has no row. */
  regional_intensity: number | null
}

/**
 * Per source of the topology (processors/topology.ts), how many of the day's slots its table
 * has a row for; pricing and co2 keep the names the API gave them first, price and intensity.
 */
export interface SourceSlots {
  usage: number
  price: number
  intensity: number
  mix: number
  export: number
  gas: number
  regional: number
  [source: string]: number
}

export interface DayResponse {
  date: string
  /** 46, 48 or 50: the slots of this London day. */
  slots_expected: number
  /** null when the join has not produced the day (yet). */
  summary: DaySummary | null
  slots: Slot[]
  /** Starts of the slots lacking at least one of the four electricity sources (usage, price, intensity, mix). */
  missing: string[]
  /** Slots with a row, per source table: slots_expected when the source is whole. */
  source_slots: SourceSlots
}

export interface ProbeReport {
  ok: boolean
  error?: string
}

export interface GroupLag {
  group: string
  kind: 'processor' | 'join' | 'sink'
  topics: string[]
  /**
   * Records (not offsets) behind the end of its topics, as a read_committed consumer counts
   * them, summed over partitions; null when it cannot be known (broker down, topic missing,
   * or, counted from outside, Postgres down for a sink).
   */
  lag: number | null
  /**
   * false when `lag` is not an exact count: some backlog was larger than what is read to
   * count it, so its offsets were counted, an upper bound (markers and aborted records take
   * offsets). Also false when `lag` is null.
   */
  lag_exact: boolean
  /**
   * Where `lag` comes from. 'task': the group's own running tasks (their counters, published
   * to energy_usage.task_status less than a minute ago) for every partition. 'broker': counted
   * from outside for every partition, the group's position (processors and the join: their
   * committed Kafka offsets; sinks: sink_offsets in Postgres) against the broker's end offsets,
   * because no fresh task of the group gives it (its process is down, or has not read its lag
   * yet). 'mixed': some partitions each way (a rebalance, one of several instances down).
   * null when `lag` is.
   */
  lag_source: 'task' | 'broker' | 'mixed' | null
}

/** One dead letter on energy.dlq (lib/dlq.ts headers), as GET /api/status lists it. */
export interface RecentDeadLetter {
  /** When it was dead-lettered (its dlq.failed_at header), ISO-8601 UTC; null when it carries none. */
  at: string | null
  /** What dead-lettered it: the ingest processor (a source name), 'join', or the sink (a table name); null when it names none. */
  component: string | null
  /** The London date of the request it failed (dlq.date); null for join and sink dead letters. */
  date: string | null
  /** Its error code (dlq.error.code): ENERGY_NO_DATA, ENERGY_MALFORMED, … or UNKNOWN. */
  code: string
  /** Its error message (dlq.error, without the code in front) on one line, cut to 200 characters ('…' when cut). */
  error: string
}

/** A run of consecutive days with consumption but no price (GET /api/status `unpriced`). */
export interface UnpricedDays {
  from: string
  to: string
  days: number
  /** Why, from the newest ENERGY_UNPRICED dead letter of a day in the run among those read; null when none is. */
  reason: string | null
}

export interface StatusResponse {
  broker: ProbeReport
  registry: ProbeReport
  postgres: ProbeReport
  groups: GroupLag[]
  /** Newest date whose daily_summary is complete; null when none (or Postgres is down). */
  newest_complete_date: string | null
  /** Committed records in energy.dlq, as a read_committed reader sees them; null when the broker is down or the topic missing. */
  dlq_records: number | null
  /** As lag_exact: false when dlq_records is an offsets figure (an upper bound) or null. */
  dlq_exact: boolean
  /**
   * The newest dead letters (at most 50, by DLQ offset), newest first, committed only;
   * [] when there are none, null when they cannot be read (broker down, topic missing).
   */
  dead_letters: RecentDeadLetter[] | null
  /**
   * Days that have consumption but could not be priced (before any agreement, rates not
   * published): how many, and the newest runs of them; null when Postgres is down.
   */
  unpriced: { days: number, runs: UnpricedDays[] } | null
  /**
   * Each running task's own counters (lib/stream), as its process last published them
   * (energy_usage.task_status); null when Postgres is down.
   */
  tasks: TaskStatus[] | null
  /** Whether Octopus's GraphQL API could be used (dispatches, billed figures); null when Postgres is down. */
  graphql: GraphqlStatus | null
  checked_at: string
}

/**
 * Octopus's GraphQL API as its users last found it (the dispatches poller, the account
 * refresher): ok, or why it could not check.
 */
export interface GraphqlStatus {
  ok: boolean
  /** What could not be checked and why (no OCTOPUS_API_KEY, an authentication error); null when ok. */
  unchecked: string | null
  /**
   * The account refresher's last check of the facts REST does not give (null: no refresher
   * running): those it could not check ('gas meter units', 'payment method', 'devices'; the
   * configuration, and what was learnt before, decide them meanwhile) and why.
   */
  facts: { unchecked: string[], reason: string | null } | null
}

/** A task's counters as the runtime keeps them (lib/stream/counters.ts). */
export interface TaskStatus {
  task: string
  instance: string
  kind: string
  group: string
  records_in: number
  records_out: number
  commits: number
  dead_letters: number
  /** Records behind the last stable offset, over the partitions the task owns (lib/stream/lag.ts). */
  lag: number
  /** false when `lag` is offsets for some partition: an upper bound (a backlog past what one lag read counts). */
  lag_exact: boolean
  /** The last restore from compacted inputs: records read of the offsets it had to read. */
  restore: { records: number, offsets: number, done: boolean } | null
  sessions: number
  published_at: string
  /** Not published for over a minute: its process stopped or cannot reach Postgres. */
  stale: boolean
}

/** A calendar month's figures: sums over its days in daily_summary (pence, kWh, grams). */
export interface MonthFigures {
  /** Calendar days of the period, and of them: with a row, complete, bill complete. */
  calendar_days: number
  days: number
  days_complete: number
  days_bill_complete: number
  import_kwh: number
  import_cost_inc_vat: number
  standing_charge_inc_vat: number
  export_kwh: number
  export_value: number
  gas_kwh: number
  gas_cost_inc_vat: number
  gas_standing_charge_inc_vat: number
  /** Summed over the bill_days whose bill is known. */
  bill_inc_vat: number
  bill_days: number
  /** Summed over the carbon_days that have carbon data (national), regional_days (regional). */
  carbon_g: number
  carbon_days: number
  carbon_g_regional: number
  regional_days: number
  gas_carbon_g: number
  /** What Octopus billed the import meter point (daily_summary.billed_inc_vat), summed over the billed_days that have it. */
  billed_inc_vat: number
  billed_days: number
  /**
   * Over the billed_compared_days whose billed_difference is known: the computed import bill
   * (cost_inc_vat + standing_charge_inc_vat) and Σ billed_difference (billed − computed).
   */
  billed_computed_inc_vat: number
  billed_difference: number
  billed_compared_days: number
  /** Every day of the month is in with its bill complete: the month's bill is final. */
  whole: boolean
}

export interface MonthSummary extends MonthFigures {
  /** YYYY-MM */
  month: string
  /** The same month a year before, for comparison (null when out of the table's range). */
  year_before: MonthFigures | null
}

export interface YearSummary extends MonthFigures {
  /** YYYY */
  year: string
  /** Months of the year inside the asked range (12 when the whole year was asked). */
  months: number
}

export interface MonthsResponse {
  /** YYYY-MM */
  from: string
  to: string
  /** Oldest first. */
  months: MonthSummary[]
  /** Per calendar year, the sums of its months above. */
  years: YearSummary[]
}

/** Whether the billed source has landed anything, and what to do when it has not. */
export interface BilledSourceState {
  /** energy_usage.billed has rows. */
  running: boolean
  /** SOURCES names billed (an opt-in source: not run otherwise). */
  in_sources: boolean
  /** Why there is nothing to compare, in a sentence; null when running. */
  note: string | null
}

/** A day whose billed and computed figures differ by more than tolerance_pence. */
export interface BilledDay {
  date: string
  slots_expected: number
  /** cost_inc_vat + standing_charge_inc_vat: the import meter point as the pipeline priced it, pence. */
  computed_inc_vat: number
  billed_inc_vat: number
  /** billed − computed (daily_summary.billed_difference). */
  difference: number
  usage_slots: number
  billed_slots: number
  dispatch_kwh: number
  tariffs: string[]
  other_statistics: OtherStatistic[]
  reasons: Reason[]
}

export interface BilledResponse {
  from: string
  to: string
  tolerance_pence: number
  source: BilledSourceState
  /** Days of the range with a billed figure; of them, with a difference (the computed bill known); of them, differing. */
  days_billed: number
  days_compared: number
  days_differing: number
  /** Over the compared days. */
  billed_inc_vat: number
  computed_inc_vat: number
  difference: number
  /** The differing days, newest first. */
  days: BilledDay[]
}
