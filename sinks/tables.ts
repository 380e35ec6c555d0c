import type { CopyValue, TableSpec } from '../lib/copy-writer.ts'
import { TOPIC_NAMES, type TopicKey } from '../lib/topics.ts'
import type { Co2Record, MixRecord, PricingRecord, UsageRecord } from '../processors/ingest/types.ts'
import type { DailyAggregate } from '../processors/join/types.ts'

// Where each topic lands: its table, and how one record becomes rows. A tombstone (null
// value) deletes the record's rows: its key gives the record key columns.

export interface SinkTarget<R = unknown> {
  /** Sink name: its consumer group suffix and its rows in sink_offsets. */
  name: string
  /** Its topic's key in config.topics. */
  topic: TopicKey
  spec: TableSpec
  toRows (record: R): CopyValue[][]
  /** Record-key column values from a Kafka key, for tombstones. */
  keyValues (key: string): CopyValue[]
}

// Kafka keys of slot records are ISO-8601 UTC slot starts.
const slotKey = (key: string): CopyValue[] => [Date.parse(key)]

export const carbonIntensityTarget: SinkTarget<Co2Record> = {
  name: 'carbon_intensity',
  topic: 'co2',
  spec: {
    table: 'energy_usage.carbon_intensity',
    columns: ['slot_start', 'slot_end', 'local_date', 'forecast', 'actual', 'intensity_index', 'batch_id'],
    types: ['timestamptz', 'timestamptz', 'date', 'int4', 'int4', 'text', 'text'],
    rowKey: ['slot_start']
  },
  toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.forecast, r.actual, r.index, r.batch_id]],
  keyValues: slotKey
}

export const generationMixTarget: SinkTarget<MixRecord> = {
  name: 'generation_mix',
  topic: 'mix',
  spec: {
    table: 'energy_usage.generation_mix',
    columns: ['slot_start', 'fuel', 'perc', 'slot_end', 'local_date', 'batch_id'],
    types: ['timestamptz', 'text', 'float8', 'timestamptz', 'date', 'text'],
    rowKey: ['slot_start', 'fuel'],
    recordKey: ['slot_start']
  },
  toRows: r => r.generationmix.map(f => [r.slot_start, f.fuel, f.perc, r.slot_end, r.local_date, r.batch_id]),
  keyValues: slotKey
}

export const unitRatesTarget: SinkTarget<PricingRecord> = {
  name: 'unit_rates',
  topic: 'pricing',
  spec: {
    table: 'energy_usage.unit_rates',
    columns: ['slot_start', 'slot_end', 'local_date', 'tariff_code', 'value_exc_vat', 'value_inc_vat', 'batch_id'],
    types: ['timestamptz', 'timestamptz', 'date', 'text', 'float8', 'float8', 'text'],
    rowKey: ['slot_start']
  },
  toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.tariff_code, r.value_exc_vat, r.value_inc_vat, r.batch_id]],
  keyValues: slotKey
}

export const consumptionTarget: SinkTarget<UsageRecord> = {
  name: 'consumption',
  topic: 'usage',
  spec: {
    table: 'energy_usage.consumption',
    columns: ['slot_start', 'slot_end', 'local_date', 'kwh', 'batch_id', 'meter_serial'],
    types: ['timestamptz', 'timestamptz', 'date', 'float8', 'text', 'text'],
    rowKey: ['slot_start']
  },
  toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.consumption, r.batch_id, r.meter_serial]],
  keyValues: slotKey
}

export const dailySummaryTarget: SinkTarget<DailyAggregate> = {
  name: 'daily_summary',
  topic: 'completion',
  spec: {
    table: 'energy_usage.daily_summary',
    columns: ['date', 'kwh', 'cost_inc_vat', 'cost_exc_vat', 'carbon_g', 'avg_intensity', 'mix', 'slots_expected', 'slots_joined', 'complete', 'forecast_slots'],
    types: ['date', 'float8', 'float8', 'float8', 'float8', 'float8', 'jsonb', 'int2', 'int2', 'bool', 'int2'],
    rowKey: ['date']
  },
  toRows: a => [[a.date, a.kwh, a.cost_inc_vat, a.cost_exc_vat, a.carbon_g, a.avg_intensity, JSON.stringify(a.mix), a.slots_expected, a.slots_joined, a.complete, a.forecast_slots]],
  keyValues: key => [key]
}

export const SINK_TARGETS: SinkTarget[] = [carbonIntensityTarget, generationMixTarget, unitRatesTarget, consumptionTarget, dailySummaryTarget] as SinkTarget[]

/** A target by table name (`consumption`) or contract topic name (`energy.usage`). */
export function findTarget (name: string): SinkTarget | undefined {
  return SINK_TARGETS.find(t => t.name === name || TOPIC_NAMES[t.topic] === name)
}
