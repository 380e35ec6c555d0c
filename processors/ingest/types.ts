import type { Config } from '../../lib/config.ts'
import type { DaySpan, LondonDay } from '../../lib/london-day.ts'
import type { EnergyError } from '../../lib/errors.ts'
import type { Logger } from '../../lib/log.ts'
import type { SinkTarget } from '../../lib/copy-writer.ts'
import type { JoinInput } from '../join/types.ts'
import type { Account } from '../account/types.ts'
import type { AccountView } from '../account/agreements.ts'
import type { TariffCatalogue } from '../../clients/octopus/catalogue.ts'

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

export interface Co2Values { slot_start: number, forecast: number, actual: number | null, index: string }
export interface FuelShare { fuel: string, perc: number }
export interface MixValues { slot_start: number, generationmix: FuelShare[] }
/** A slot's regional carbon (Carbon Intensity `/regional/...`): the region's forecast (no actual), index and mix. */
export interface RegionalValues { slot_start: number, region_id: number, region: string, forecast: number, index: string, generationmix: FuelShare[] }
export interface RateValues { slot_start: number, tariff_code: string, value_exc_vat: number, value_inc_vat: number }
/**
 * A slot's unit rate (p/kWh) and the tariff's standing charge in force at the slot (p/day);
 * a standing charge is null when unknown (none listed for the slot, or a record written before
 * version 2 of energy.pricing-value).
 */
export interface PricingValues extends RateValues { standing_charge_exc_vat: number | null, standing_charge_inc_vat: number | null }
export interface UsageValues { slot_start: number, consumption: number, meter_serial: string | null }
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

/** A request on energy_processor (schemas/energy_processor.avsc). */
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

export interface FetchContext {
  config: Readonly<Config>
  log: Logger
  signal: AbortSignal
  /**
   * With OCTOPUS_ACCOUNT, for a source that reads it: the latest account on energy.account
   * when the request's batch began (undefined: none published yet).
   */
  account?: Account
  /** The processor's tariff catalogue (resolutions kept between requests); none: a fresh one per call. */
  tariffs?: TariffCatalogue
}

/** What may decide whether a source can run at all (SourceDeclaration.unavailable). */
export type SourceConditions = Pick<Config, 'carbonRegionId' | 'carbonPostcode' | 'octopusAccount'>

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
export interface SourceDeclaration<V extends SlotValues = SlotValues> {
  /** Component name: `--only`, SOURCES, consumer group, log field. */
  name: string
  /** Contract topic name; its value schema is schemas/<topic>.avsc unless `schema` is given. */
  topic: string
  /** The Avro schema as JSON text, for a source declared outside schemas/ (tests). */
  schema?: string
  /**
   * Values for the slots of the span the source has, ascending, one per slot start, in as few
   * upstream requests as its endpoints allow. A throw fails the span: the runner then fetches
   * its halves apart, so a bad day costs only itself.
   */
  fetchSpan (span: DaySpan, context: FetchContext): Promise<V[]>
  /**
   * Why this configuration cannot serve the source at all (regional without any region), or
   * undefined. Such a source is left out of the sources that run when SOURCES is empty and of
   * `--only processors`; named in SOURCES or `--only`, it runs and says why for each day.
   */
  unavailable? (config: SourceConditions): string | undefined
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
