import { READ_COMMITTED } from '../kafka.ts'
import type { RangeRecord } from '../range-reader.ts'
import { positionKey } from './positions.ts'
import { createTask, type StartPositions, type Task, type TaskContext, type TaskSpec } from './task.ts'

// A task's store kept in a one-partition compacted topic, its changelog (the forecast's
// energy.forecast, the account refresher's energy.account, the dispatches poller's
// energy.dispatches): restored to the topic's end before the first batch of each session, then
// read on from there, so the store is rebuilt, never committed.

export interface Changelog {
  topic: string
  /** The task's start: where the last restore ended. */
  start: StartPositions
  /** Reads the changelog to its last stable offset into the store (in a processor's init). */
  restore (context: TaskContext, apply: (records: RangeRecord[]) => Promise<void>): Promise<void>
}

export function createChangelog (topic: string): Changelog {
  let restoredTo = new Map<string, bigint>()
  return {
    topic,
    start: { kind: 'stored', load: async () => restoredTo },
    async restore (context, apply) {
      const ends = await context.consumer.listOffsets({ topics: [topic], timestamp: -1n, isolationLevel: READ_COMMITTED })
      const until = ends.get(topic)?.[0] ?? 0n
      await context.restore([{ topic, partition: 0, until }], apply)
      restoredTo = new Map([[positionKey(topic, 0), until]])
    }
  }
}

/** What a task that keeps its store in its changelog says of itself; createChangelogTask does the rest. */
export interface ChangelogTaskSpec extends Pick<TaskSpec, 'name' | 'kind' | 'config' | 'log' | 'group' | 'restartDelayMs' | 'punctuateMs' | 'processor'> {
  changelog: Changelog
  transactionalId: string
  /** Records read back per batch (default 100). */
  batchSize?: number
}

/**
 * A task whose input is its own changelog and whose work is a wall-clock punctuation, the first
 * right after the restore (the forecast, the account refresher, the dispatches poller): it
 * reads the changelog from where the restore ended and sends each punctuation's output in a
 * Kafka transaction of its own.
 */
export function createChangelogTask ({ changelog, transactionalId, batchSize = 100, ...spec }: ChangelogTaskSpec): Task {
  return createTask({
    ...spec,
    topics: [changelog.topic],
    start: changelog.start,
    commit: { kind: 'kafka', transactionalId },
    batchSize,
    batchWaitMs: 50,
    punctuateAtStart: true
  })
}
