-- energy.usage-value version 2 adds meter_serial (default null): records written with
-- version 1 land with NULL, newer ones with the meter's serial.
ALTER TABLE energy_usage.consumption ADD COLUMN IF NOT EXISTS meter_serial text;
