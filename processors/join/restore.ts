import { randomUUID } from 'node:crypto'
import type { Message } from '@platformatic/kafka'
import type { Config } from '../../lib/config.ts'
import { createBatcher } from '../../lib/batcher.ts'
import { createConsumer, READ_COMMITTED } from '../../lib/kafka.ts'

type Incoming = Message<string, Buffer, string, string>

export interface PartitionRange {
  topic: string
  partition: number
  /** Read up to, not including, this offset. */
  until: bigint
}

/**
 * Reads each range from the partition's first offset up to `until`, read-committed, handing
 * every record to `apply` in log order. A throwaway group is used (it commits nothing, so the
 * broker drops it); the stream's fetch position, which steps over transaction markers, says
 * when a range is done.
 */
export async function readRanges (config: Pick<Config, 'kafkaBrokers' | 'namespace'>, ranges: PartitionRange[], apply: (message: Incoming) => Promise<void>): Promise<number> {
  const wanted = ranges.filter(r => r.until > 0n)
  if (wanted.length === 0) return 0
  const topics = [...new Set(wanted.map(r => r.topic))]
  const consumer = createConsumer(config, { clientId: 'energy-join-restore', groupId: `${config.namespace}energy-join-restore-${randomUUID()}` })
  let read = 0
  try {
    const earliest = await consumer.listOffsets({ topics, timestamp: -2n })
    const latest = await consumer.listOffsets({ topics, timestamp: -1n })
    const until = new Map(wanted.map(r => [`${r.topic}:${r.partition}`, r.until]))
    const offsets = []
    for (const topic of topics) {
      const first = earliest.get(topic) ?? []
      const last = latest.get(topic) ?? []
      for (let p = 0; p < last.length; p++) {
        offsets.push({ topic, partition: p, offset: until.has(`${topic}:${p}`) ? first[p] : last[p] })
      }
    }
    const stream = await consumer.consume({ topics, mode: 'manual', offsets, autocommit: false })
    const done = (): boolean => [...until].every(([key, end]) => (stream.offsetsToFetch.get(key) ?? 0n) >= end)
    // Records are applied strictly in log order, one batch at a time, with the stream paused
    // by the batcher while a batch is being applied.
    const batcher = createBatcher<Incoming>(stream, 2000, 10)
    const finished = new AbortController()
    const check = (): void => { if (done()) finished.abort() }
    stream.on('fetch', check)
    check()
    while (true) {
      const batch = await batcher.next(finished.signal)
      for (const message of batch) {
        const end = until.get(`${message.topic}:${message.partition}`)
        if (end === undefined || message.offset >= end) continue
        read++
        await apply(message)
      }
      if (batch.length === 0 && finished.signal.aborted) break
    }
    await stream.close()
    return read
  } finally {
    await consumer.close(true)
  }
}

/** Reads every partition of a topic up to its last stable offset now, read-committed. */
export async function readToEnd (config: Pick<Config, 'kafkaBrokers' | 'namespace'>, topic: string, apply: (message: Incoming) => Promise<void>): Promise<number> {
  const probe = createConsumer(config, { clientId: 'energy-read-to-end', groupId: `${config.namespace}energy-read-to-end-${randomUUID()}` })
  let ends: Map<string, bigint[]>
  try {
    ends = await probe.listOffsets({ topics: [topic], timestamp: -1n, isolationLevel: READ_COMMITTED })
  } finally {
    await probe.close(true)
  }
  return await readRanges(config, (ends.get(topic) ?? []).map((until, partition) => ({ topic, partition, until })), apply)
}
