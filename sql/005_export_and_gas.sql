-- energy.export and energy.gas land here: one row per half-hour, like consumption. A slot
-- without such a meter in force has 0 and null meter/tariff (a household without solar or gas).
CREATE TABLE IF NOT EXISTS energy_usage.export_readings (
  slot_start   timestamptz      PRIMARY KEY,
  slot_end     timestamptz      NOT NULL,
  local_date   date             NOT NULL,
  kwh          double precision NOT NULL,
  meter_serial text,
  tariff_code  text,
  rate         double precision NOT NULL,
  batch_id     text             NOT NULL,
  updated_at   timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS export_readings_local_date ON energy_usage.export_readings (local_date);

CREATE TABLE IF NOT EXISTS energy_usage.gas_readings (
  slot_start              timestamptz      PRIMARY KEY,
  slot_end                timestamptz      NOT NULL,
  local_date              date             NOT NULL,
  consumption             double precision NOT NULL,
  unit                    text,
  kwh                     double precision NOT NULL,
  meter_serial            text,
  tariff_code             text,
  value_inc_vat           double precision NOT NULL,
  value_exc_vat           double precision NOT NULL,
  standing_charge_inc_vat double precision,
  standing_charge_exc_vat double precision,
  carbon_g                double precision NOT NULL,
  batch_id                text             NOT NULL,
  updated_at              timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS gas_readings_local_date ON energy_usage.gas_readings (local_date);
