-- Money never waits for carbon (issue 21): a day lands with its bill once pricing is whole, and
-- again as usage, export, gas and carbon arrive. Days before the Carbon Intensity history
-- (2017-09-26) have no carbon: carbon_g null. bill_complete tells a finished bill from finished
-- carbon (complete: every input, every slot); carbon_slots says how many priced slots have
-- carbon; missing_readings names the meters in force without readings (their standing charges
-- are owed regardless). Export and gas rows say whether the slot was read (false: an agreement
-- in force, no reading). Idempotent.
ALTER TABLE energy_usage.daily_summary ALTER COLUMN carbon_g DROP NOT NULL;
ALTER TABLE energy_usage.daily_summary ADD COLUMN IF NOT EXISTS bill_complete boolean NOT NULL DEFAULT false;
ALTER TABLE energy_usage.daily_summary ADD COLUMN IF NOT EXISTS carbon_slots smallint;
ALTER TABLE energy_usage.daily_summary ADD COLUMN IF NOT EXISTS missing_readings jsonb NOT NULL DEFAULT '[]';
-- A day complete before this version had every input whole, its bill included.
UPDATE energy_usage.daily_summary SET bill_complete = true WHERE complete AND NOT bill_complete;
ALTER TABLE energy_usage.export_readings ADD COLUMN IF NOT EXISTS read boolean NOT NULL DEFAULT true;
ALTER TABLE energy_usage.gas_readings ADD COLUMN IF NOT EXISTS read boolean NOT NULL DEFAULT true;
