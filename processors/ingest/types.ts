import type { Config } from '../../lib/config.ts'
import type { LondonDay } from '../../lib/london-day.ts'
import type { Logger } from '../../lib/log.ts'
import type { Source } from '../../lib/topics.ts'

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
export interface PricingValues { slot_start: number, tariff_code: string, value_exc_vat: number, value_inc_vat: number }
export interface UsageValues { slot_start: number, consumption: number, meter_serial: string | null }

export type Co2Record = SlotEnvelope & Co2Values
export type MixRecord = SlotEnvelope & MixValues
export type PricingRecord = SlotEnvelope & PricingValues
export type UsageRecord = SlotEnvelope & UsageValues

/** A request on energy_processor (schemas/energy_processor.avsc). */
export interface EnergyRequest {
  date: string
  request_id: string
  requested_at: number
  /** Empty means every source. */
  sources: string[]
}

export interface FetchContext {
  config: Readonly<Config>
  log: Logger
  signal: AbortSignal
}

/** One source: how to fetch a London day and normalise it to half-hour values. */
export interface SourceDefinition<V extends { slot_start: number } = { slot_start: number }> {
  /** Also the key of its topic in config.topics. */
  name: Source
  /** Values for the slots of the day the source has, ascending, one per slot start. */
  fetchDay (day: LondonDay, context: FetchContext): Promise<V[]>
}
