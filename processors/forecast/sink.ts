import type { SinkTarget } from '../../lib/copy-writer.ts'
import type { TopicSpec } from '../../lib/topics.ts'
import { COMPACTED } from '../../lib/topics.ts'
import { slotKeyValues } from '../source/keys.ts'
import type { ForecastRecord } from './types.ts'

/** Contract name of the forecast topic. */
export const FORECAST_TOPIC = 'energy.forecast'

// The latest forecast per half-hour (key: slot start), revised every refresh: a table, so
// compacted. One partition: it is read whole by its own producer on start and joins nothing,
// so it is not co-partitioned by date like the source topics.
export const FORECAST_SPEC: TopicSpec = { name: FORECAST_TOPIC, copartitioned: false, partitions: 1, configs: COMPACTED }

/**
 * Where energy.forecast lands: energy_usage.forecast, one row per slot, upserted (the latest
 * forecast wins); a tombstone (a slot moved to settled history) deletes its row.
 */
export const forecastTarget: SinkTarget<ForecastRecord> = {
  name: 'forecast',
  topic: FORECAST_TOPIC,
  spec: {
    table: 'energy_usage.forecast',
    columns: ['slot_start', 'slot_end', 'local_date', 'fetched_at', 'intensity_forecast', 'intensity_index', 'region_id', 'region', 'price_inc_vat', 'price_exc_vat', 'tariff_code'],
    types: ['timestamptz', 'timestamptz', 'date', 'timestamptz', 'int4', 'text', 'int4', 'text', 'float8', 'float8', 'text'],
    rowKey: ['slot_start']
  },
  toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.fetched_at, r.intensity_forecast, r.intensity_index, r.region_id, r.region, r.price_inc_vat, r.price_exc_vat, r.tariff_code]],
  keyValues: slotKeyValues
}
