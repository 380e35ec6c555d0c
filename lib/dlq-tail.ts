import { randomUUID } from 'node:crypto'
import type { Config } from './config.ts'
import { createConsumer, READ_COMMITTED } from './kafka.ts'
import { readRanges } from './range-reader.ts'

// The dead letters that arrive from now on (the seed's wait shows each as it happens): the
// DLQ's ends are taken when the tail opens, and each poll reads, read_committed, what was
// committed past them since (a processor's dead letter is part of its transaction).

export interface DeadLetterNote {
  /** The processor, sink or component that gave up (dlq.processor, dlq.sink, dlq.component). */
  component: string
  /** The day it is about (dlq.date, else the record's key when it is a date), or ''. */
  date: string
  code: string
  error: string
}

export interface DeadLetterTail {
  /** The dead letters committed since the last poll (the first: since the tail opened). */
  poll: () => Promise<DeadLetterNote[]>
  close: () => Promise<void>
}

type TailConfig = Pick<Config, 'kafkaBrokers' | 'namespace'> & { topics: Pick<Config['topics'], 'dlq'> }

export async function openDeadLetterTail (config: TailConfig): Promise<DeadLetterTail> {
  const topic = config.topics.dlq
  const consumer = createConsumer(config, { clientId: 'energy-dlq-tail', groupId: `${config.namespace}energy-dlq-tail-${randomUUID()}` })
  const ends = async (): Promise<bigint[]> =>
    (await consumer.listOffsets({ topics: [topic], isolationLevel: READ_COMMITTED })).get(topic) ?? []
  let position: bigint[]
  try {
    position = await ends()
  } catch (err) {
    await consumer.close(true)
    throw err
  }
  return {
    async poll () {
      const until = await ends()
      const ranges = until.flatMap((end, partition) => end > (position[partition] ?? 0n) ? [{ topic, partition, from: position[partition] ?? 0n, until: end }] : [])
      if (ranges.length === 0) return []
      const notes: DeadLetterNote[] = []
      await readRanges(config, ranges, async records => {
        for (const r of records) notes.push(describeDeadLetter(r.headers, r.key))
      })
      position = until
      return notes
    },
    async close () {
      await consumer.close(true)
    }
  }
}

/** What a dead letter's headers (lib/dlq.ts) say: who gave up, on which day, and why. */
export function describeDeadLetter (headers: ReadonlyMap<string, string>, key: string | undefined): DeadLetterNote {
  const component = headers.get('dlq.processor') ?? headers.get('dlq.sink') ?? headers.get('dlq.component') ?? headers.get('dlq.source.topic') ?? 'unknown'
  const keyDate = key !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(key) ? key : ''
  const dated = headers.get('dlq.date')
  const date = dated === undefined || dated === '' ? keyDate : dated
  return { component, date, code: headers.get('dlq.error.code') ?? 'UNKNOWN', error: headers.get('dlq.error') ?? '' }
}
