import type { CopyValue, SinkTarget } from '../../lib/copy-writer.ts'
import { COMPLETION_TOPIC } from '../../lib/topics.ts'
import { CORE_FIELDS, storedFields, type FieldSpec } from '../source/fields.ts'
import type { DailyAggregate } from './types.ts'

/**
 * Where `completion` lands: one daily_summary row per date, keyed by the date, a column per
 * field of the table that has one (fields.ts; jsonb ones as JSON text).
 */
export function dailySummaryTargetOf (fields: readonly FieldSpec[]): SinkTarget<DailyAggregate> {
  const stored = storedFields(fields)
  const json = stored.map(f => f.sql === 'jsonb')
  const names = stored.map(f => f.name)
  return {
    name: 'daily_summary',
    topic: COMPLETION_TOPIC,
    spec: { table: 'energy_usage.daily_summary', columns: names, types: stored.map(f => f.sql), rowKey: ['date'] },
    toRows: a => {
      const values = a as unknown as Record<string, CopyValue>
      return [names.map((name, i) => json[i] ? JSON.stringify(values[name]) : values[name])]
    },
    keyValues: key => [key]
  }
}

/** The daily_summary sink of the core fields (the topology's adds its sources' fields). */
export const dailySummaryTarget: SinkTarget<DailyAggregate> = dailySummaryTargetOf(CORE_FIELDS)
