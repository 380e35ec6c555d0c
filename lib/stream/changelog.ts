import { READ_COMMITTED } from '../kafka.ts'
import type { RangeRecord } from '../range-reader.ts'
import { positionKey } from './positions.ts'
import type { StartPositions, TaskContext } from './task.ts'

// A task's store kept in a one-partition compacted topic, its changelog (the forecast's
// energy.forecast, the account refresher's energy.account, the dispatches poller's
// energy.dispatches): restored to the topic's end before the first batch of each session, then
// read on from there, so the store is rebuilt, never committed.

export interface Changelog {
  /** The task's start: where the last restore ended. */
  start: StartPositions
  /** Reads the changelog to its last stable offset into the store (in a processor's init). */
  restore (context: TaskContext, apply: (records: RangeRecord[]) => Promise<void>): Promise<void>
}

export function createChangelog (topic: string): Changelog {
  let restoredTo = new Map<string, bigint>()
  return {
    start: { kind: 'stored', load: async () => restoredTo },
    async restore (context, apply) {
      const ends = await context.consumer.listOffsets({ topics: [topic], timestamp: -1n, isolationLevel: READ_COMMITTED })
      const until = ends.get(topic)?.[0] ?? 0n
      await context.restore([{ topic, partition: 0, until }], apply)
      restoredTo = new Map([[positionKey(topic, 0), until]])
    }
  }
}
