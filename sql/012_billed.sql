-- What Octopus billed (issue 23): each half-hour of the electricity import meter point as
-- GraphQL `measurements` costs it (energy.billed), and daily_summary's comparison with the
-- computed bill. Statistics of other types or labels are kept as given (other_statistics). Idempotent.
CREATE TABLE IF NOT EXISTS energy_usage.billed (
  slot_start        timestamptz PRIMARY KEY,
  slot_end          timestamptz NOT NULL,
  local_date        date        NOT NULL,
  mpan              text        NOT NULL,
  kwh               double precision NOT NULL,
  consumption_cost  double precision,
  standing_cost     double precision,
  other_statistics  jsonb       NOT NULL,
  batch_id          text        NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS billed_local_date ON energy_usage.billed (local_date);
ALTER TABLE energy_usage.daily_summary ADD COLUMN IF NOT EXISTS billed_inc_vat double precision;
ALTER TABLE energy_usage.daily_summary ADD COLUMN IF NOT EXISTS billed_difference double precision;
ALTER TABLE energy_usage.daily_summary ADD COLUMN IF NOT EXISTS billed_other_statistics smallint NOT NULL DEFAULT 0;
