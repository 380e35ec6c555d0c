import type { SinkTarget } from '../../lib/copy-writer.ts'
import { COMPACTED, type TopicSpec } from '../../lib/topics.ts'
import type { DispatchSnapshot } from './types.ts'

/** Contract name of the dispatch snapshots topic. */
export const DISPATCHES_TOPIC = 'energy.dispatches'

// Every dispatch as last seen (key: device/start): a table, so compacted, kept for good. One
// partition: it is read whole (by the poller at start and by the dispatches source), and the
// join reads the per-day energy.dispatch_slots derived from it, not this topic.
export const DISPATCHES_SPEC: TopicSpec = { name: DISPATCHES_TOPIC, copartitioned: false, partitions: 1, configs: COMPACTED }

/** energy.dispatches → energy_usage.dispatches, one row per dispatch, upserted (the latest snapshot wins). */
export const dispatchesTarget: SinkTarget<DispatchSnapshot> = {
  name: 'dispatches',
  topic: DISPATCHES_TOPIC,
  spec: {
    table: 'energy_usage.dispatches',
    columns: ['device_id', 'start_at', 'end_at', 'local_date', 'kwh', 'status', 'source', 'location', 'completed_source', 'completed_location', 'first_seen_at', 'last_seen_at', 'relabelled_at'],
    types: ['text', 'timestamptz', 'timestamptz', 'date', 'float8', 'text', 'text', 'text', 'text', 'text', 'timestamptz', 'timestamptz', 'timestamptz'],
    rowKey: ['device_id', 'start_at']
  },
  toRows: r => [[r.device_id, r.start, r.end, r.local_date, r.kwh, r.status, r.source, r.location, r.completed_source, r.completed_location, r.first_seen_at, r.last_seen_at, r.relabelled_at]],
  keyValues: key => {
    const cut = key.lastIndexOf('/')
    return [key.slice(0, cut), Date.parse(key.slice(cut + 1))]
  }
}
