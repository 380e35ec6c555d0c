-- energy.regional lands here: the household's region's carbon per half-hour (the regional
-- endpoints have a forecast and no actual), with the region it was asked for and its mix as
-- {fuel: perc}.
CREATE TABLE IF NOT EXISTS energy_usage.regional_intensity (
  slot_start      timestamptz PRIMARY KEY,
  slot_end        timestamptz NOT NULL,
  local_date      date        NOT NULL,
  region_id       integer     NOT NULL,
  region          text        NOT NULL,
  forecast        integer     NOT NULL,
  intensity_index text        NOT NULL,
  mix             jsonb       NOT NULL,
  batch_id        text        NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS regional_intensity_local_date ON energy_usage.regional_intensity (local_date);

-- The day's figures by the regional forecast, beside the national ones (processors/join/aggregate.ts);
-- NULL when the day has no regional data.
ALTER TABLE energy_usage.daily_summary ADD COLUMN IF NOT EXISTS carbon_g_regional double precision;
ALTER TABLE energy_usage.daily_summary ADD COLUMN IF NOT EXISTS avg_intensity_regional double precision;
