import { randomUUID } from 'node:crypto'
import type { Codec } from './avro.ts'
import type { Config } from './config.ts'
import { describeError } from './errors.ts'
import { createConsumer, READ_COMMITTED, type EnergyConsumer } from './kafka.ts'
import type { Logger } from './log.ts'
import { readRanges, type RangeRecord } from './range-reader.ts'

// A one-partition compacted topic read as a global table (ksqlDB's GLOBAL TABLE, Kafka Streams'
// GlobalKTable): every reader holds the latest value per key. Unlike a GlobalKTable, which a
// thread of its own keeps fresh, a reader catches up when it asks, before the work that needs
// the table: what was committed before a request was made is there when it is served.

export interface GlobalTable<V> {
  /** Reads what was committed since the last call (one read at a time). */
  catchUp (): Promise<void>
  get (key: string): V | undefined
  values (): IterableIterator<V>
  close (): Promise<void>
}

export function createGlobalTable<V> (config: Readonly<Config>, codec: Codec, log: Logger, topic: string): GlobalTable<V> {
  const rows = new Map<string, V>()
  let position = 0n
  // One client for the end offsets, kept: a catch-up with nothing new is one round trip.
  let probe: EnergyConsumer | undefined
  let reading: Promise<void> = Promise.resolve()

  async function read (): Promise<void> {
    probe ??= createConsumer(config, { clientId: 'energy-global-table', groupId: `${config.namespace}energy-global-table-${randomUUID()}` })
    const ends = await probe.listOffsets({ topics: [topic], timestamp: -1n, isolationLevel: READ_COMMITTED })
    const until = ends.get(topic)?.[0] ?? 0n
    if (until <= position) return
    await readRanges(config, [{ topic, partition: 0, from: position, until }], async records => { await applyToTable(rows, records, codec, topic, log) })
    position = until
  }

  return {
    catchUp () {
      const next = reading.then(read)
      reading = next.catch(() => {})
      return next
    },
    get: key => rows.get(key),
    values: () => rows.values(),
    async close () {
      await probe?.close(true)
      probe = undefined
    }
  }
}

/**
 * A compacted topic's records applied to its latest value per key: a tombstone removes the key;
 * a record that cannot be decoded keeps the one before it (only this pipeline writes these
 * topics). The global table's read and a task's store restored from its changelog.
 */
export async function applyToTable<V> (rows: Map<string, V>, records: ReadonlyArray<Pick<RangeRecord, 'key' | 'value' | 'offset'>>, codec: Codec, topic: string, log: Logger): Promise<void> {
  for (const r of records) {
    if (r.key === undefined) continue
    if (r.value === undefined) {
      rows.delete(r.key)
      continue
    }
    try {
      rows.set(r.key, await codec.decode<V>(topic, r.value))
    } catch (err) {
      log.error({ err: describeError(err), topic, offset: String(r.offset), key: r.key }, 'compacted topic record cannot be decoded, keeping the previous one')
    }
  }
}
