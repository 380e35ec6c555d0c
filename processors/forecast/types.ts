import type { IntensityForecast } from '../../clients/carbon/types.ts'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import type { Logger } from '../../lib/log.ts'
import type { ForecastOptions } from './options.ts'

/** One half-hour of the next 48 hours on energy.forecast (schemas/energy.forecast.avsc). Times are UTC ms. */
export interface ForecastRecord {
  slot_start: number
  slot_end: number
  local_date: string
  /** When the refresh that produced the record ran. */
  fetched_at: number
  /** gCO2/kWh; null when unknown. */
  intensity_forecast: number | null
  intensity_index: string | null
  /** The Carbon Intensity region of the intensity; null: the national forecast. */
  region_id: number | null
  region: string | null
  /** Import unit rate, p/kWh; null where not published yet. */
  price_inc_vat: number | null
  price_exc_vat: number | null
  tariff_code: string | null
}

/** A slot's import unit rate. */
export interface PriceForecast {
  slot_start: number
  value_inc_vat: number
  value_exc_vat: number
  tariff_code: string
}

/**
 * What one refresh fetched: each part is its values (possibly none: an empty answer) or the
 * error that kept it from being read. A part that failed or came back empty leaves the previous
 * forecast's values in place.
 */
export interface FetchedForecast {
  intensity: IntensityForecast[] | Error
  prices: PriceForecast[] | Error
}

export interface ForecastDeps {
  config: Readonly<Config>
  codec: Codec
  log: Logger
  /** The clock (UTC ms); tests pass the sample API's. */
  now?: () => number
  options?: Partial<ForecastOptions>
}
