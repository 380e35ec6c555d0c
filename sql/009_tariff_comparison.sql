-- Tariff comparison (issue 24): other tariffs' prices per half-hour, fetched once per tariff
-- and day and kept, so a comparison over years costs few upstream calls and a retired product
-- still compares. compare_days records every day asked of a tariff, with how many half-hours
-- had a price (0: none published, e.g. before the product launched): such a day is never
-- fetched again and never priced at zero. Idempotent.
CREATE TABLE IF NOT EXISTS energy_usage.compare_prices (
  tariff_code      text             NOT NULL,
  slot_start       timestamptz      NOT NULL,
  price_inc_vat    double precision NOT NULL,
  standing_inc_vat double precision,
  PRIMARY KEY (tariff_code, slot_start)
);
CREATE TABLE IF NOT EXISTS energy_usage.compare_days (
  tariff_code  text        NOT NULL,
  local_date   date        NOT NULL,
  slots        smallint    NOT NULL,
  fetched_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tariff_code, local_date)
);
