import { randomUUID } from 'node:crypto'
import type { fetchV17 } from '@platformatic/kafka'
import type { Config } from './config.ts'
import { EnergyError } from './errors.ts'
import { createConsumer, READ_COMMITTED, type EnergyConsumer } from './kafka.ts'
import { retry } from './retry.ts'

// Reads fixed offset ranges of partitions, read-committed, for the bulk readers: replay and
// the join's restore. It sends its own Fetch requests, one ahead of the caller, and hands
// over each response's records at once. The message stream would build a message object,
// a headers Map and a commit closure per record, and its per-record loop runs unoptimised
// for most of a one-off read (V8 drops its on-stack replacement at every record batch),
// which slowed the first replay in a process (docs/bench.md).

export interface RangeRecord {
  topic: string
  partition: number
  offset: bigint
  key: string | undefined
  /** undefined for a tombstone. */
  value: Buffer | undefined
  headers: ReadonlyMap<string, string>
}

export interface OffsetRange {
  topic: string
  partition: number
  /** First offset to read; the partition's log start when left out. */
  from?: bigint
  /** Read up to, not including, this offset. */
  until: bigint
}

export interface RangeReadOptions {
  /** Most bytes per Fetch response. */
  maxBytes?: number
}

// 128 KB fetches: the records in flight die young instead of being promoted; the extra
// round trips hide behind the request already in flight (docs/bench.md).
const DEFAULT_MAX_BYTES = 128 * 1024

type FetchedBatch = NonNullable<fetchV17.FetchResponsePartition['records']>[number]

interface Cursor {
  topic: string
  topicId: string
  partition: number
  leader: number
  position: bigint
  until: bigint
  /** The partition's last stable offset as last answered. */
  lastStable?: bigint
}

const IS_CONTROL = 1 << 5
const NO_HEADERS: ReadonlyMap<string, string> = new Map()

/**
 * Hands every committed record in the ranges to `onRecords`, in log order per partition,
 * one Fetch response at a time (the next request is already out while `onRecords` runs).
 * Returns the number of records read.
 */
export async function readRanges (config: Pick<Config, 'kafkaBrokers' | 'namespace'>, ranges: OffsetRange[], onRecords: (records: RangeRecord[]) => Promise<void>, options: RangeReadOptions = {}): Promise<number> {
  const wanted = ranges.filter(r => r.until > (r.from ?? 0n))
  if (wanted.length === 0) return 0
  // A throwaway group id: fetching commits nothing, so the broker never keeps the group.
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  const consumer = createConsumer(config, { clientId: 'energy-range-reader', groupId: `${config.namespace}energy-range-reader-${randomUUID()}`, maxBytes })
  let read = 0
  try {
    const cursors = await openCursors(consumer, wanted)
    const fetchOpen = (): Promise<Fetched[]> => {
      const open = cursors.filter(c => c.position < c.until)
      const fetched = open.length > 0 ? fetchFromLeaders(consumer, open, maxBytes) : Promise.resolve([])
      // Nothing is left unhandled if onRecords throws while a fetch is out.
      fetched.catch(() => {})
      return fetched
    }
    let next = fetchOpen()
    while (true) {
      const records = collect(await next)
      const done = cursors.every(c => c.position >= c.until)
      next = fetchOpen()
      if (records.length > 0) {
        await onRecords(records)
        read += records.length
      }
      if (done) break
    }
    return read
  } finally {
    await consumer.close(true)
  }
}

async function openCursors (consumer: EnergyConsumer, ranges: OffsetRange[]): Promise<Cursor[]> {
  const topics = [...new Set(ranges.map(r => r.topic))]
  const [metadata, earliest] = await Promise.all([
    consumer.metadata({ topics }),
    consumer.listOffsets({ topics, timestamp: -2n })
  ])
  return ranges.map(r => {
    const topic = metadata.topics.get(r.topic)
    const partition = topic?.partitions[r.partition]
    if (topic === undefined || partition === undefined) {
      throw new EnergyError('ENERGY_NOT_SET_UP', `cannot read ${r.topic}[${r.partition}]: no such topic partition`, { topic: r.topic, partition: r.partition })
    }
    const logStart = earliest.get(r.topic)?.[r.partition] ?? 0n
    const from = r.from === undefined || r.from < logStart ? logStart : r.from
    return { topic: r.topic, topicId: topic.id, partition: r.partition, leader: partition.leader, position: from, until: r.until }
  })
}

type Fetched = [Cursor[], fetchV17.FetchResponse]

/**
 * Fetches, and when a fetch fails even after the client's own retries (a partition moved to
 * another broker, for one), looks the leaders up again and tries again, 3 attempts in all, a
 * short backoff apart (a leader election takes moments).
 */
async function fetchFromLeaders (consumer: EnergyConsumer, cursors: Cursor[], maxBytes: number): Promise<Fetched[]> {
  return await retry(async attempt => {
    if (attempt > 1) {
      const topics = [...new Set(cursors.map(c => c.topic))]
      const metadata = await consumer.metadata({ topics, forceUpdate: true })
      for (const c of cursors) c.leader = metadata.topics.get(c.topic)?.partitions[c.partition]?.leader ?? c.leader
    }
    return await fetchAll(consumer, cursors, maxBytes)
  }, { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000, retryable: () => true })
}

/** One Fetch per partition leader, each for every open partition it leads. */
function fetchAll (consumer: EnergyConsumer, cursors: Cursor[], maxBytes: number): Promise<Fetched[]> {
  const byLeader = new Map<number, Cursor[]>()
  for (const c of cursors) byLeader.set(c.leader, [...(byLeader.get(c.leader) ?? []), c])
  return Promise.all([...byLeader].map(async ([node, led]) => {
    const response = await consumer.fetch({
      node,
      isolationLevel: READ_COMMITTED,
      maxBytes,
      minBytes: 1,
      maxWaitTime: 100,
      topics: led.map(c => ({
        topicId: c.topicId,
        partitions: [{ partition: c.partition, fetchOffset: c.position, partitionMaxBytes: maxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }]
      }))
    })
    return [led, response] as Fetched
  }))
}

/** The responses' records within the ranges; moves each cursor past what it fetched. */
function collect (responses: Fetched[]): RangeRecord[] {
  const records: RangeRecord[] = []
  for (const [led, response] of responses) {
    const answered = new Set<Cursor>()
    for (const topic of response.responses) {
      for (const fetched of topic.partitions) {
        const cursor = led.find(c => c.topicId === topic.topicId && c.partition === fetched.partitionIndex)
        // A partition with an error code fails the whole fetch (the client throws), so
        // every partition here answered.
        if (cursor === undefined) continue
        answered.add(cursor)
        cursor.lastStable = fetched.lastStableOffset
        const batches = fetched.records ?? []
        if (batches.length === 0) checkReachable(cursor)
        for (const batch of batches) addBatch(cursor, batch, records)
      }
    }
    // An incremental fetch session (KIP-227, @platformatic/kafka 2.x) leaves out a partition
    // with no new records and no new offsets: nothing changed since its last answer.
    for (const cursor of led) if (!answered.has(cursor)) checkReachable(cursor)
  }
  return records
}

/** A range that ends past the partition's last stable offset would be waited on for ever. */
function checkReachable (cursor: Cursor): void {
  if (cursor.lastStable !== undefined && cursor.lastStable <= cursor.position && cursor.position < cursor.until) {
    throw new EnergyError('ENERGY_RANGE', `${cursor.topic}[${cursor.partition}] has nothing to read past offset ${cursor.lastStable}, short of ${cursor.until}`, { topic: cursor.topic, partition: cursor.partition, offset: cursor.position })
  }
}

// Called once per record batch: small enough for V8 to optimise it early.
function addBatch (cursor: Cursor, batch: FetchedBatch, records: RangeRecord[]): void {
  const start = cursor.position
  const end = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n
  if (end > cursor.position) cursor.position = end < cursor.until ? end : cursor.until
  // Transaction markers only step the position.
  if ((batch.attributes & IS_CONTROL) !== 0) return
  for (const record of batch.records) {
    const offset = batch.firstOffset + BigInt(record.offsetDelta)
    if (offset < start || offset >= cursor.until) continue
    records.push({
      topic: cursor.topic,
      partition: cursor.partition,
      offset,
      key: record.key === null ? undefined : record.key.toString('utf8'),
      value: record.value === null ? undefined : record.value,
      headers: record.headers.length === 0 ? NO_HEADERS : headersOf(record.headers)
    })
  }
}

function headersOf (headers: Array<[Buffer | null, Buffer | null]>): Map<string, string> {
  const map = new Map<string, string>()
  for (const [key, value] of headers) if (key !== null) map.set(key.toString('utf8'), value?.toString('utf8') ?? '')
  return map
}

/** Reads every partition of a topic from its start up to its last stable offset now. */
export async function readTopic (config: Pick<Config, 'kafkaBrokers' | 'namespace'>, topic: string, onRecords: (records: RangeRecord[]) => Promise<void>): Promise<number> {
  const probe = createConsumer(config, { clientId: 'energy-range-reader', groupId: `${config.namespace}energy-range-reader-${randomUUID()}` })
  let ends: Map<string, bigint[]>
  try {
    ends = await probe.listOffsets({ topics: [topic], timestamp: -1n, isolationLevel: READ_COMMITTED })
  } finally {
    await probe.close(true)
  }
  return await readRanges(config, (ends.get(topic) ?? []).map((until, partition) => ({ topic, partition, until })), onRecords)
}
