-- The pipeline's tables (DESIGN.md "Postgres"). Every figure is double precision: the
-- values arrive as Avro doubles and the contract keeps full precision.
CREATE SCHEMA IF NOT EXISTS energy_usage;

CREATE TABLE IF NOT EXISTS energy_usage.carbon_intensity (
  slot_start      timestamptz PRIMARY KEY,
  slot_end        timestamptz NOT NULL,
  local_date      date        NOT NULL,
  forecast        integer     NOT NULL,
  actual          integer,
  intensity_index text        NOT NULL,
  batch_id        text        NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS carbon_intensity_local_date ON energy_usage.carbon_intensity (local_date);

CREATE TABLE IF NOT EXISTS energy_usage.generation_mix (
  slot_start  timestamptz      NOT NULL,
  fuel        text             NOT NULL,
  perc        double precision NOT NULL,
  slot_end    timestamptz      NOT NULL,
  local_date  date             NOT NULL,
  batch_id    text             NOT NULL,
  updated_at  timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (slot_start, fuel)
);
CREATE INDEX IF NOT EXISTS generation_mix_local_date ON energy_usage.generation_mix (local_date);

CREATE TABLE IF NOT EXISTS energy_usage.unit_rates (
  slot_start     timestamptz      PRIMARY KEY,
  slot_end       timestamptz      NOT NULL,
  local_date     date             NOT NULL,
  tariff_code    text             NOT NULL,
  value_exc_vat  double precision NOT NULL,
  value_inc_vat  double precision NOT NULL,
  batch_id       text             NOT NULL,
  updated_at     timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS unit_rates_local_date ON energy_usage.unit_rates (local_date);

CREATE TABLE IF NOT EXISTS energy_usage.consumption (
  slot_start   timestamptz      PRIMARY KEY,
  slot_end     timestamptz      NOT NULL,
  local_date   date             NOT NULL,
  kwh          double precision NOT NULL CHECK (kwh >= 0),
  batch_id     text             NOT NULL,
  updated_at   timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS consumption_local_date ON energy_usage.consumption (local_date);

CREATE TABLE IF NOT EXISTS energy_usage.daily_summary (
  date            date             PRIMARY KEY,
  kwh             double precision NOT NULL,
  cost_inc_vat    double precision NOT NULL,
  cost_exc_vat    double precision NOT NULL,
  carbon_g        double precision NOT NULL,
  avg_intensity   double precision,
  mix             jsonb            NOT NULL,
  slots_expected  smallint         NOT NULL CHECK (slots_expected IN (46, 48, 50)),
  slots_joined    smallint         NOT NULL,
  complete        boolean          NOT NULL,
  forecast_slots  smallint         NOT NULL DEFAULT 0,
  updated_at      timestamptz      NOT NULL DEFAULT now()
);

-- Each sink's Kafka position, written in the same transaction as the rows it covers.
CREATE TABLE IF NOT EXISTS energy_usage.sink_offsets (
  sink        text    NOT NULL,
  topic       text    NOT NULL,
  partition   integer NOT NULL,
  next_offset bigint  NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sink, topic, partition)
);
