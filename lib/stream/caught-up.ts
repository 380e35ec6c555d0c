import type { Readable } from 'node:stream'
import { positionKey, type Positions } from './positions.ts'
import type { Incoming } from './types.ts'

// Whether a task has been handed every record of a partition up to an offset, as Kafka
// Streams asks the consumer for a partition's known lag before it lets a task go on without
// it: the task's position is there, or the consumer has fetched up to it and holds nothing
// more for the task (what lies between is transaction markers, which take offsets too).

/** Whether every record of `topic:partition` below `end` (a last stable offset) is processed or in hand. */
export type CaughtUp = (topic: string, partition: number, end: bigint) => boolean

/** A consumer's message stream: where it fetches next per `topic:partition`. */
export type FetchingStream = Readable & { readonly offsetsToFetch: ReadonlyMap<string, bigint> }

export interface HandedRecords {
  /** The batch given to the processor: in hand, as processed, until its positions move past it. */
  hand (batch: readonly Incoming[]): void
  /** Positions moved past the batch in hand (or it failed). */
  release (): void
  caughtUp: CaughtUp
  /**
   * Whether the consumer has fetched `topic:partition` up to `end` and holds no record at or
   * past `position` that it has not handed to the task and the task not processed: what lies
   * between `position` and `end` is transaction markers and aborted records.
   */
  drained (topic: string, partition: number, position: bigint, end: bigint): boolean
}

export function trackHanded (stream: FetchingStream, positions: Positions): HandedRecords {
  // Past the last record of each partition the stream handed out (the batcher may hold it).
  const seen = new Map<string, bigint>()
  const inHand = new Map<string, bigint>()
  stream.on('data', (m: Incoming) => { seen.set(positionKey(m.topic, m.partition), m.offset + 1n) })
  const drained = (topic: string, partition: number, position: bigint, end: bigint): boolean => {
    const key = positionKey(topic, partition)
    return position >= (seen.get(key) ?? 0n) && (stream.offsetsToFetch.get(key) ?? 0n) >= end && stream.readableLength === 0
  }
  return {
    hand (batch) {
      for (const m of batch) inHand.set(positionKey(m.topic, m.partition), m.offset + 1n)
    },
    release () { inHand.clear() },
    caughtUp (topic, partition, end) {
      const own = positions.get(topic, partition) ?? 0n
      const handed = inHand.get(positionKey(topic, partition)) ?? 0n
      const position = own > handed ? own : handed
      return position >= end || drained(topic, partition, position, end)
    },
    drained
  }
}
