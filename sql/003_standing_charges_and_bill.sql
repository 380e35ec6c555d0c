-- energy.pricing-value version 2 adds the standing charge in force at each slot (p/day,
-- default null: unknown), completion-value version 2 the DESIGN.md "The account" columns.
-- Records written before land with NULL standing charges and bill (unknown, never 0) and 0
-- export and gas (no such meter yet). Idempotent: every column IF NOT EXISTS.
ALTER TABLE energy_usage.unit_rates
  ADD COLUMN IF NOT EXISTS standing_charge_exc_vat double precision,
  ADD COLUMN IF NOT EXISTS standing_charge_inc_vat double precision;

ALTER TABLE energy_usage.daily_summary
  ADD COLUMN IF NOT EXISTS import_tariff_code          text,
  ADD COLUMN IF NOT EXISTS standing_charge_inc_vat     double precision,
  ADD COLUMN IF NOT EXISTS standing_charge_exc_vat     double precision,
  ADD COLUMN IF NOT EXISTS export_kwh                  double precision NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS export_value                double precision NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS gas_kwh                     double precision NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS gas_cost_inc_vat            double precision NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS gas_cost_exc_vat            double precision NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS gas_standing_charge_inc_vat double precision NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS gas_standing_charge_exc_vat double precision NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS gas_carbon_g                double precision NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS bill_inc_vat                double precision;
