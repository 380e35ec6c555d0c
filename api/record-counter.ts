import type { Config } from '../lib/config.ts'
import { readRanges, type OffsetRange } from '../lib/range-reader.ts'

// Lag and the dead-letter count are records, not offsets. Offsets overcount on every topic
// written in transactions (processors and the join): each COMMIT or ABORT marker takes an
// offset, and so does each record of an aborted transaction, yet a read_committed consumer
// sees neither. The only way to know how many records a range holds is to read it; the range
// reader (lib/range-reader.ts) fetches read_committed, drops aborted transactions and steps
// over control batches, so what it hands over is exactly what a consumer would get.
//
// Reading is bounded: one count() reads at most `maxOffsets` offsets, smallest ranges first,
// so a pipeline at rest (ranges of one marker each) is always counted exactly and a backlog
// of millions never reads gigabytes. A range below the last stable offset never changes
// (every transaction in it is decided), so progress is kept between calls and only the
// offsets added since are read: at rest, after the first call, nothing is read at all, and
// a large dead-letter topic becomes exact over successive calls.

/** A partition's offsets [from, until); `until` at most the last stable offset. */
export interface CountRange {
  topic: string
  partition: number
  from: bigint
  until: bigint
}

/** Names a range by where it starts: its end is the partition's last stable offset. */
export function rangeKey (range: Pick<CountRange, 'topic' | 'partition' | 'from'>): string {
  return `${range.topic}\u0000${range.partition}\u0000${range.from}`
}

/** Reads the ranges (they may overlap) and returns the committed records in each, in order. */
export type ReadCounts = (ranges: CountRange[]) => Promise<number[]>

export interface RecordCounterOptions {
  read: ReadCounts
  /** Most offsets one count() reads. */
  maxOffsets: number
  /** Progress older than this is dropped and the range read afresh. */
  ttlMs: number
}

export interface RecordCounter {
  /**
   * Committed records in each range, by rangeKey(). A range that was not read to its end
   * (over the bound) is absent: its caller falls back to counting offsets.
   */
  count (ranges: CountRange[], now?: number): Promise<Map<string, number>>
}

/** Records in [from, upTo) of one range. */
interface Progress {
  upTo: bigint
  records: number
  since: number
}

export function createRecordCounter (options: RecordCounterOptions): RecordCounter {
  const known = new Map<string, Progress>()

  async function count (ranges: CountRange[], now = Date.now()): Promise<Map<string, number>> {
    const wanted = new Map<string, { range: CountRange, progress: Progress }>()
    for (const range of ranges) {
      const key = rangeKey(range)
      if (range.until <= range.from || wanted.has(key)) continue
      let progress = known.get(key)
      // Past the end: the topic was recreated. Old: compaction may have removed records since.
      if (progress === undefined || progress.upTo > range.until || now - progress.since >= options.ttlMs) {
        progress = { upTo: range.from, records: 0, since: now }
        known.set(key, progress)
      }
      wanted.set(key, { range, progress })
    }
    // A range nobody asks about any more (its consumer moved on) is forgotten.
    for (const key of known.keys()) if (!wanted.has(key)) known.delete(key)

    const open = [...wanted].filter(([, w]) => w.progress.upTo < w.range.until)
      .sort(([, a], [, b]) => compare(a.range.until - a.progress.upTo, b.range.until - b.progress.upTo))
    const chunks: Array<{ key: string, chunk: CountRange, progress: Progress }> = []
    let left = BigInt(Math.max(0, Math.floor(options.maxOffsets)))
    for (const [key, { range, progress }] of open) {
      if (left <= 0n) break
      const remaining = range.until - progress.upTo
      const take = remaining < left ? remaining : left
      chunks.push({ key, chunk: { topic: range.topic, partition: range.partition, from: progress.upTo, until: progress.upTo + take }, progress })
      left -= take
    }
    const counted = chunks.length > 0 ? await options.read(chunks.map(c => c.chunk)) : []

    const result = new Map<string, number>()
    const reached = new Map<string, Progress>()
    chunks.forEach(({ key, chunk, progress }, i) => {
      const next = { upTo: chunk.until, records: progress.records + counted[i], since: progress.since }
      reached.set(key, next)
      // A concurrent call may have counted the same offsets meanwhile: keep one, never both.
      if (known.get(key) === progress) known.set(key, next)
    })
    for (const [key, { range, progress }] of wanted) {
      const p = reached.get(key) ?? progress
      if (p.upTo === range.until) result.set(key, p.records)
    }
    return result
  }

  return { count }
}

const compare = (a: bigint, b: bigint): number => a < b ? -1 : a > b ? 1 : 0

const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`

/**
 * The real ReadCounts: overlapping ranges of a partition (groups at nearby positions) are
 * merged and read once. readRanges takes one range per partition, so disjoint spans of one
 * partition are read in successive calls.
 */
export function createRangeCountReader (config: Pick<Config, 'kafkaBrokers' | 'namespace'>): ReadCounts {
  return async ranges => {
    const counts = new Array<number>(ranges.length).fill(0)
    const byPartition = new Map<string, number[]>()
    ranges.forEach((r, i) => {
      const k = partitionKey(r.topic, r.partition)
      byPartition.set(k, [...(byPartition.get(k) ?? []), i])
    })
    const spans = new Map<string, OffsetRange[]>()
    for (const [k, indexes] of byPartition) {
      const sorted = indexes.map(i => ranges[i]).sort((a, b) => compare(a.from, b.from))
      const merged: OffsetRange[] = []
      for (const r of sorted) {
        const last = merged.at(-1)
        if (last !== undefined && r.from <= last.until) {
          if (r.until > last.until) last.until = r.until
        } else {
          merged.push({ topic: r.topic, partition: r.partition, from: r.from, until: r.until })
        }
      }
      spans.set(k, merged)
    }
    for (let round = 0; ; round++) {
      const batch = [...spans.values()].map(list => list[round]).filter(span => span !== undefined)
      if (batch.length === 0) break
      await readRanges(config, batch, async records => {
        for (const record of records) {
          for (const i of byPartition.get(partitionKey(record.topic, record.partition)) ?? []) {
            if (record.offset >= ranges[i].from && record.offset < ranges[i].until) counts[i]++
          }
        }
      })
    }
    return counts
  }
}
