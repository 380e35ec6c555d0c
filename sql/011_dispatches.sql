-- Intelligent Octopus dispatches (issue 23): every dispatch snapshot the poller keeps
-- (energy.dispatches, latest per device and start), the half-hours the join reads
-- (energy.dispatch_slots), and daily_summary's re-pricing columns. Idempotent.
CREATE TABLE IF NOT EXISTS energy_usage.dispatches (
  device_id          text             NOT NULL,
  start_at           timestamptz      NOT NULL,
  end_at             timestamptz      NOT NULL,
  local_date         date             NOT NULL,
  kwh                double precision NOT NULL,
  status             text             NOT NULL,
  source             text,
  location           text,
  completed_source   text,
  completed_location text,
  first_seen_at      timestamptz      NOT NULL,
  last_seen_at       timestamptz      NOT NULL,
  relabelled_at      timestamptz,
  updated_at         timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, start_at)
);
CREATE INDEX IF NOT EXISTS dispatches_local_date ON energy_usage.dispatches (local_date);
CREATE TABLE IF NOT EXISTS energy_usage.dispatch_slots (
  slot_start  timestamptz PRIMARY KEY,
  slot_end    timestamptz NOT NULL,
  local_date  date        NOT NULL,
  smart_home  boolean     NOT NULL,
  other       boolean     NOT NULL,
  known       boolean     NOT NULL,
  batch_id    text        NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS dispatch_slots_local_date ON energy_usage.dispatch_slots (local_date);
ALTER TABLE energy_usage.daily_summary ADD COLUMN IF NOT EXISTS dispatch_kwh double precision NOT NULL DEFAULT 0;
ALTER TABLE energy_usage.daily_summary ADD COLUMN IF NOT EXISTS dispatch_saving double precision NOT NULL DEFAULT 0;
ALTER TABLE energy_usage.daily_summary ADD COLUMN IF NOT EXISTS dispatch_note text;
