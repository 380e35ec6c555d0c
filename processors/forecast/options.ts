// Defaults of the forecast component (docs/processors.md "The forecast"). How often it
// refreshes is configuration (FORECAST_REFRESH_MINUTES, lib/config.ts forecastRefreshMs).

export interface ForecastOptions {
  /** Half-hours ahead, from the current one. */
  horizonSlots: number
  /** Pause before a failed session (broker or registry down) starts again. */
  restartDelayMs: number
  /** Most entries an answer may list before it is refused as hostile. */
  maxEntries: number
  /** Time between refreshes; undefined: FORECAST_REFRESH_MINUTES (tests take less). */
  refreshMs?: number
}

export const DEFAULT_FORECAST_OPTIONS: ForecastOptions = {
  // 48 hours: what the Carbon Intensity fw48h endpoint answers.
  horizonSlots: 96,
  // Like a processor's: the broker or the registry is back within seconds, usually.
  restartDelayMs: 5000,
  // fw48h lists 96 slots; four times that is room for any real answer, not for a hostile one.
  maxEntries: 384
}
