-- energy.account lands here: one row per agreement of every meter point of the account
-- (kind: import, export, gas), with the property it belongs to. Replaying energy.account
-- rebuilds it. Idempotent.
CREATE TABLE IF NOT EXISTS energy_usage.agreements (
  account      text        NOT NULL,
  meter_point  text        NOT NULL,
  valid_from   timestamptz NOT NULL,
  valid_to     timestamptz,
  tariff_code  text        NOT NULL,
  kind         text        NOT NULL,
  meters       jsonb       NOT NULL,
  moved_in_at  timestamptz,
  moved_out_at timestamptz,
  postcode     text,
  fetched_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account, meter_point, valid_from)
);
