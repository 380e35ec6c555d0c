import type { Config } from '../lib/config.ts'
import { readRanges, type OffsetRange, type RangeRecord } from '../lib/range-reader.ts'

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

// The newest records of a partition (the dead letters the status lists) are kept the same
// way, by the partition's end: offsets below the last stable offset never change, so a call
// reads only what was added since the last one (nothing at rest), and reads back from the
// end only as far as it takes to find `keep` committed records. Aborted transactions and
// markers take offsets too, so "the last 50" can lie further back than 50 offsets.

/** A committed record of a range, made into T by the reader (its value need not be kept). */
export interface KeptRecord<T> {
  topic: string
  partition: number
  offset: bigint
  item: T
}

/** Reads the ranges (at most one per partition) and returns their committed records, made into T. */
export type ReadRecords<T> = (ranges: CountRange[]) => Promise<Array<KeptRecord<T>>>

export interface RecentRecordsOptions<T> {
  read: ReadRecords<T>
  /** Records kept per partition: the newest this many. */
  keep: number
  /** Most offsets one recent() reads. */
  maxOffsets: number
  /** What is kept longer than this is dropped and read afresh (a topic recreated past its old end). */
  ttlMs: number
}

export interface RecentRecords<T> {
  /**
   * For each range [from, until) (from: the log start, until: the last stable offset), its
   * newest `keep` committed records, newest first. Fewer when the range holds fewer, or when
   * `maxOffsets` stopped the reading back short (the next call reads on from there).
   */
  recent (ranges: CountRange[], now?: number): Promise<Array<Array<KeptRecord<T>>>>
}

/** What is kept of one partition: its newest records in [back, until), oldest first. */
interface Tail<T> {
  until: bigint
  back: bigint
  records: Array<KeptRecord<T>>
  since: number
}

export function createRecentRecords<T> (options: RecentRecordsOptions<T>): RecentRecords<T> {
  const known = new Map<string, Tail<T>>()
  const keep = Math.max(1, Math.floor(options.keep))
  // The first look back: a few offsets per record wanted, for the markers in between.
  const firstWindow = BigInt(keep * 4)

  async function recent (ranges: CountRange[], now = Date.now()): Promise<Array<Array<KeptRecord<T>>>> {
    const work = new Map<string, { range: CountRange, prior: Tail<T> | undefined, tail: Tail<T> }>()
    for (const range of ranges) {
      const key = partitionKey(range.topic, range.partition)
      if (work.has(key)) continue
      const prior = known.get(key)
      let tail: Tail<T>
      // Past the end: the topic was recreated. Old: read afresh, in case it was recreated further.
      if (prior === undefined || prior.until > range.until || now - prior.since >= options.ttlMs) {
        tail = { until: range.until, back: range.until, records: [], since: now }
      } else {
        // Retention may have removed the oldest records.
        tail = { ...prior, back: prior.back < range.from ? range.from : prior.back, records: prior.records.filter(r => r.offset >= range.from) }
      }
      work.set(key, { range, prior, tail })
    }
    // A partition nobody asks about any more (the topic is gone) is forgotten.
    for (const key of known.keys()) if (!work.has(key)) known.delete(key)

    let left = BigInt(Math.max(0, Math.floor(options.maxOffsets)))
    const take = (n: bigint): bigint => {
      const t = n < left ? n : left
      left -= t
      return t
    }

    // Forward: what was added since. Over the bound, only the newest offsets are read and
    // what was kept is dropped (the records in between are unknown).
    const forward: Array<{ tail: Tail<T>, chunk: CountRange }> = []
    for (const { range, tail } of work.values()) {
      if (range.until <= tail.until) continue
      const from = range.until - take(range.until - tail.until)
      if (from > tail.until) {
        tail.records = []
        tail.back = from
      }
      tail.until = range.until
      if (from < range.until) forward.push({ tail, chunk: { topic: range.topic, partition: range.partition, from, until: range.until } })
    }
    if (forward.length > 0) {
      const read = await options.read(forward.map(f => f.chunk))
      for (const { tail, chunk } of forward) tail.records = [...tail.records, ...within(read, chunk)].slice(-keep)
    }

    // Backward: until each partition has `keep` records, or its log start, or the bound.
    // (take() lowers `left`.)
    for (let window = firstWindow; ; window *= 2n) {
      if (left <= 0n) break
      const backward: Array<{ tail: Tail<T>, chunk: CountRange }> = []
      for (const { range, tail } of work.values()) {
        if (tail.records.length >= keep || tail.back <= range.from || left <= 0n) continue
        const span = tail.back - range.from
        const from = tail.back - take(span < window ? span : window)
        backward.push({ tail, chunk: { topic: range.topic, partition: range.partition, from, until: tail.back } })
      }
      if (backward.length === 0) break
      const read = await options.read(backward.map(b => b.chunk))
      for (const { tail, chunk } of backward) {
        tail.records = [...within(read, chunk), ...tail.records].slice(-keep)
        tail.back = chunk.from
      }
    }

    return ranges.map(range => {
      const key = partitionKey(range.topic, range.partition)
      const w = work.get(key)
      if (w === undefined) return []
      // A concurrent call may have read the same offsets meanwhile: keep one result.
      if (known.get(key) === w.prior) known.set(key, w.tail)
      return w.tail.records.toReversed()
    })
  }

  return { recent }
}

const within = <T>(records: Array<KeptRecord<T>>, chunk: CountRange): Array<KeptRecord<T>> =>
  records.filter(r => r.topic === chunk.topic && r.partition === chunk.partition && r.offset >= chunk.from && r.offset < chunk.until)

/** The real ReadRecords: readRanges (read_committed, aborted transactions dropped), each record made into T. */
export function createRangeRecordReader<T> (config: Pick<Config, 'kafkaBrokers' | 'namespace'>, parse: (record: RangeRecord) => T): ReadRecords<T> {
  return async ranges => {
    const out: Array<KeptRecord<T>> = []
    await readRanges(config, ranges, async records => {
      for (const record of records) out.push({ topic: record.topic, partition: record.partition, offset: record.offset, item: parse(record) })
    })
    return out
  }
}
