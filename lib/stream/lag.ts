import type { Config } from '../config.ts'
import { readRanges } from '../range-reader.ts'
import { positionKey } from './positions.ts'

// A task's lag in records, not offsets. Its inputs are written in transactions: every COMMIT
// or ABORT marker takes an offset, and so does every record of an aborted transaction, yet a
// read_committed consumer is never handed either (KIP-98, "control messages",
// https://cwiki.apache.org/confluence/display/KAFKA/KIP-98+-+Exactly+Once+Delivery+and+Transactional+Messaging).
// So the last stable offset minus the task's position says 1 for ever on an idle input (the
// position, last record + 1, stops before the last commit marker), as Kafka's own lag does;
// @platformatic/kafka's getLag() is offsets too (latest minus committed: platformatic/kafka
// src/clients/consumer/consumer.ts). What the client does expose is where its message stream
// fetches next (MessagesStream offsetsToFetch): after each fetch it is the last batch's last
// offset + 1, control batches included, while a control batch's records are never pushed
// (src/clients/consumer/messages-stream.ts #pushRecords; 2.12.1 as installed). So the records
// behind are none when the stream has fetched to the end and the task has processed every
// record it handed out (what lies between is markers and aborted records). A task that stands
// still behind them (a batch held, a stopped step) has them counted once by a read_committed
// read of [position, end) (lib/range-reader.ts), as many as one lag read may take; a task
// working through a backlog (its position moved since the last lag read) has its offsets
// given instead, an upper bound marked inexact, so a busy task opens no reader every 5 s.

/** Where a task stands in one input partition when its lag is read. */
export interface PartitionStand {
  topic: string
  partition: number
  /** The task's next offset to process. */
  position: bigint
  /** The partition's last stable offset. */
  end: bigint
  /** The consumer has fetched up to `end` and holds no record at or past `position` unprocessed. */
  drained: boolean
  /** The position moved since the previous lag read (or there was none): the task is at work. */
  moving: boolean
}

/** One partition's offsets [from, until) whose records are to be counted. */
export interface LagRange {
  topic: string
  partition: number
  from: bigint
  until: bigint
}

export interface LagPlan {
  /** By `topic:partition`: the figures known without reading. */
  lag: Record<string, number>
  /** The ranges to read and count. */
  count: LagRange[]
  /** false when a figure is offsets: a backlog past the bound. */
  exact: boolean
}

/**
 * Which partitions need no read (at or past the end, or drained: 0), which are read (standing
 * still, smallest first, `maxOffsets` in all) and which are given as their offsets (moving, or
 * too far behind to read). Pure.
 */
export function planLag (stands: readonly PartitionStand[], maxOffsets: number): LagPlan {
  const lag: Record<string, number> = {}
  const behind: LagRange[] = []
  let exact = true
  for (const s of stands) {
    if (s.position >= s.end || s.drained) lag[positionKey(s.topic, s.partition)] = 0
    else if (s.moving) {
      lag[positionKey(s.topic, s.partition)] = Number(s.end - s.position)
      exact = false
    } else behind.push({ topic: s.topic, partition: s.partition, from: s.position, until: s.end })
  }
  behind.sort((a, b) => compare(a.until - a.from, b.until - b.from))
  const count: LagRange[] = []
  let left = BigInt(Math.max(0, Math.floor(maxOffsets)))
  for (const r of behind) {
    const offsets = r.until - r.from
    if (offsets <= left) {
      count.push(r)
      left -= offsets
    } else {
      lag[positionKey(r.topic, r.partition)] = Number(offsets)
      exact = false
    }
  }
  return { lag, count, exact }
}

const compare = (a: bigint, b: bigint): number => a < b ? -1 : a > b ? 1 : 0

/** Committed records in each range, in order. */
export type CountRecords = (ranges: LagRange[]) => Promise<number[]>

/** Counts with the range reader: one read for every range (one per partition). */
export function createRecordCount (config: Pick<Config, 'kafkaBrokers' | 'namespace'>): CountRecords {
  return async ranges => {
    const counts = new Map<string, number>()
    await readRanges(config, ranges, async records => {
      for (const r of records) {
        const key = positionKey(r.topic, r.partition)
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
    })
    return ranges.map(r => counts.get(positionKey(r.topic, r.partition)) ?? 0)
  }
}

/**
 * Keeps each partition's last count: a range below the last stable offset never changes, so a
 * task that stands still (a batch held, a stopped step) is not read again at every lag read;
 * after `ttlMs` it is, in case compaction removed records.
 */
export function keepCounts (count: CountRecords, ttlMs: number, now: () => number = Date.now): CountRecords {
  const kept = new Map<string, { from: bigint, until: bigint, records: number, at: number }>()
  return async ranges => {
    const key = (r: LagRange): string => positionKey(r.topic, r.partition)
    const records = ranges.map(r => {
      const k = kept.get(key(r))
      return k !== undefined && k.from === r.from && k.until === r.until && now() - k.at < ttlMs ? k.records : undefined
    })
    const unknown = ranges.filter((_, i) => records[i] === undefined)
    const counted = unknown.length > 0 ? await count(unknown) : []
    unknown.forEach((r, i) => kept.set(key(r), { from: r.from, until: r.until, records: counted[i], at: now() }))
    let next = 0
    return records.map(n => n ?? counted[next++])
  }
}
