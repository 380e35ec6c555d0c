import type { Pool } from '../db.ts'
import { loadOffsets, writeBatch, type OffsetUpdate, type StagedRow, type TableSpec } from '../copy-writer.ts'
import type { Counters } from './counters.ts'
import { positionKey, type Positions } from './positions.ts'
import type { Incoming } from './types.ts'

// The effectively-once commit of a task that writes Postgres (a sink): its rows and its next
// offsets in one Postgres transaction (lib/copy-writer.ts, sink_offsets), from the positions
// it read there; Kafka's group offsets are never its position.

export interface PostgresCommit {
  /** The stored positions, by `topic:partition` (the task's StartPositions). */
  load (): Promise<ReadonlyMap<string, bigint>>
  /**
   * Lands `rows` with the offsets after `consumed` in one transaction; expects the stored
   * positions to be the task's (ENERGY_POSITION_MOVED otherwise), then moves them.
   */
  commit (consumed: readonly Incoming[], rows: StagedRow[], positions: Positions): Promise<void>
}

export function createPostgresCommit (pool: Pool, sink: string, topic: string, spec: TableSpec, counters: Counters): PostgresCommit {
  function offsetUpdates (consumed: readonly Incoming[], positions: Positions): OffsetUpdate[] {
    const next = new Map<number, bigint>()
    for (const m of consumed) next.set(m.partition, m.offset + 1n)
    return [...next].map(([partition, offset]) => ({ topic, partition, expected: positions.get(topic, partition) ?? null, next: offset }))
  }
  return {
    async load () {
      const stored = await loadOffsets(pool, sink, topic)
      return new Map([...stored].map(([partition, next]) => [positionKey(topic, partition), next]))
    },
    async commit (consumed, rows, positions) {
      const offsets = offsetUpdates(consumed, positions)
      const client = await pool.connect()
      let written
      try {
        written = await writeBatch(client, sink, spec, rows, offsets)
      } finally {
        client.release()
      }
      for (const o of offsets) positions.set(topic, o.partition, o.next)
      counters.add('commits')
      counters.add('recordsIn', consumed.length)
      counters.add('recordsOut', written.upserted + written.deleted)
    }
  }
}
