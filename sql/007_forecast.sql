-- energy.forecast lands here: the next 48 hours, one row per half-hour, the latest forecast
-- per slot (the topic is compacted and the sink upserts). Kept apart from the settled tables
-- (carbon_intensity, unit_rates): no daily figure reads it. A slot leaves it once it has ended
-- and its day is in daily_summary: the forecast component tombstones it on energy.forecast,
-- and the sink deletes the row (docs/processors.md "The forecast"). Idempotent.
CREATE TABLE IF NOT EXISTS energy_usage.forecast (
  slot_start         timestamptz      PRIMARY KEY,
  slot_end           timestamptz      NOT NULL,
  local_date         date             NOT NULL,
  fetched_at         timestamptz      NOT NULL,
  intensity_forecast integer,
  intensity_index    text,
  region_id          integer,
  region             text,
  price_inc_vat      double precision,
  price_exc_vat      double precision,
  tariff_code        text,
  updated_at         timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS forecast_local_date ON energy_usage.forecast (local_date);
