import type { Message } from '@platformatic/kafka'
import type { Codec } from '../lib/avro.ts'
import type { Config } from '../lib/config.ts'
import { createBatcher } from '../lib/batcher.ts'
import { loadOffsets, writeBatch, type OffsetUpdate, type SinkTarget } from '../lib/copy-writer.ts'
import { writeHalving } from './halving.ts'
import { describePgError, isTransientPgError, sqlState } from './sql-errors.ts'
import { stageRecords } from './stage.ts'
import { checkTable } from './table-check.ts'
import type { Pool } from '../lib/db.ts'
import { dlqMessage } from '../lib/dlq.ts'
import { describeError, isEnergyError } from '../lib/errors.ts'
import { createConsumer, createProducer, type EnergyProducer } from '../lib/kafka.ts'
import type { Logger } from '../lib/log.ts'
import { isRetryable, retry } from '../lib/retry.ts'
import { closeQuietly, supervise, type Supervised } from '../lib/supervisor.ts'
import { DEFAULT_SINK_OPTIONS, type SinkOptions } from './options.ts'
import { sinkGroup, topicIn } from '../processors/topology.ts'

export type { SinkTarget }

type Incoming = Message<string, Buffer, string, string>

export interface SinkDeps {
  config: Readonly<Config>
  codec: Codec
  log: Logger
  pool: Pool
  target: SinkTarget
  options?: Partial<SinkOptions>
}

/**
 * A topic → its table, effectively once: rows and the next offsets commit in one Postgres
 * transaction, and the sink reads from the offsets stored there, never from Kafka's group
 * offsets. Poison records go to energy.dlq; Postgres outages are retried until it is back.
 */
export function createSink (deps: SinkDeps): Supervised {
  const { config, codec, pool, target } = deps
  const options: SinkOptions = { batchSize: config.sinkBatchSize, batchWaitMs: config.sinkBatchMs, ...DEFAULT_SINK_OPTIONS, ...deps.options }
  const log = deps.log.child({ sink: target.name })
  const topic = topicIn(config, target.topic)
  const group = sinkGroup(target, config.namespace)
  /** Next offset per partition as Postgres has it; absent = not loaded, null = no row yet. */
  const positions = new Map<number, bigint | null>()
  let assigned = new Set<number>()

  async function reloadPositions (): Promise<void> {
    const stored = await loadOffsets(pool, target.name, topic)
    positions.clear()
    for (const p of assigned) positions.set(p, stored.get(p) ?? null)
  }

  // A batch retried after a Postgres outage is decoded again: each record is dead-lettered once.
  const deadLettered = new Set<string>()

  async function deadLetter (dlq: EnergyProducer, m: Incoming, err: unknown): Promise<void> {
    const key = `${m.partition}:${m.offset}`
    if (deadLettered.has(key)) return
    if (deadLettered.size > 100000) deadLettered.clear()
    deadLettered.add(key)
    // A Postgres refusal is told with its SQLSTATE (dlq.error and dlq.error.sqlstate), so a
    // reader of energy.dlq sees why without the sink's log.
    const code = sqlState(err)
    const error = code === undefined ? err : new Error(describePgError(err), { cause: err })
    const context: Record<string, string> = code === undefined ? { 'dlq.sink': target.name } : { 'dlq.sink': target.name, 'dlq.error.sqlstate': code }
    log.error({ err: describeError(error), partition: m.partition, offset: String(m.offset) }, 'record rejected, sent to energy.dlq')
    await dlq.send({ messages: [dlqMessage({ dlqTopic: config.topics.dlq, topic: m.topic, partition: m.partition, offset: m.offset, key: m.key, value: m.value, error, context })] })
  }

  function offsetUpdates (batch: Incoming[]): OffsetUpdate[] {
    const next = new Map<number, bigint>()
    for (const m of batch) next.set(m.partition, m.offset + 1n)
    return [...next].map(([partition, offset]) => ({ topic, partition, expected: positions.get(partition) ?? null, next: offset }))
  }

  /**
   * Lands a contiguous run of records: decoded once (undecodable ones dead-lettered), then
   * written, with a record whose values Postgres refuses (isRecordError: a constraint, a NUL
   * byte, a duplicate key within the record, …) narrowed down and dead-lettered.
   */
  async function land (batch: Incoming[], dlq: EnergyProducer): Promise<void> {
    const rows = await stageRecords(codec, target, topic, batch, (m, err) => deadLetter(dlq, m, err))
    await writeHalving(batch.length, async (lo, hi, withRows) => {
      const offsets = offsetUpdates(batch.slice(lo, hi))
      const client = await pool.connect()
      try {
        await writeBatch(client, target.name, target.spec, withRows ? rows.filter(r => r.seq >= lo && r.seq < hi) : [], offsets)
      } finally {
        client.release()
      }
      for (const o of offsets) positions.set(o.partition, o.next)
    }, (i, err) => deadLetter(dlq, batch[i], err))
  }

  /**
   * Retries a batch until it lands while the failure is transient (isTransientPgError: the
   * connection, the server's resources, a serialization failure or deadlock; or a retryable
   * EnergyError such as a registry outage). Any other error ends the session: the supervisor
   * restarts it from the stored positions (a missing table or column must not dead-letter
   * every record). A stop ends the backoff wait at once (lib/retry.ts) and the batch is left to
   * the next start, from the stored positions.
   */
  async function landWithRetry (batch: Incoming[], dlq: EnergyProducer, signal: AbortSignal): Promise<void> {
    await retry(async () => {
      while (true) {
        const fresh = batch.filter(m => assigned.has(m.partition) && m.offset >= (positions.get(m.partition) ?? 0n))
        if (fresh.length === 0) return
        try {
          await land(fresh, dlq)
          return
        } catch (err) {
          if (!isEnergyError(err, 'ENERGY_POSITION_MOVED') || signal.aborted) throw err
          log.warn({ err: err.message }, 'position moved (another instance or a replay), reloading it')
          await reloadPositions()
        }
      }
    }, {
      baseDelayMs: 500,
      maxDelayMs: options.maxRetryDelayMs,
      retryable: err => isEnergyError(err) ? isRetryable(err) : isTransientPgError(err),
      signal,
      onRetry: ({ err, attempt, delayMs }) => log.error({ err: describeError(err), attempt, delayMs: Math.round(delayMs), code: (err as { code?: string }).code }, 'batch did not land in Postgres, retrying')
    })
  }

  async function session (signal: AbortSignal): Promise<void> {
    const consumer = createConsumer(config, { clientId: group, groupId: group })
    const dlq = createProducer(config, { clientId: `${group}-dlq` })
    consumer.on('consumer:group:join', ({ assignments }) => {
      assigned = new Set((assignments ?? []).flatMap(a => a.partitions))
      // Positions of gained partitions come from Postgres before their first batch.
      positions.clear()
    })
    try {
      await checkTable(pool, target.spec)
      const stored = await loadOffsets(pool, target.name, topic)
      const earliest = await consumer.listOffsets({ topics: [topic], timestamp: -2n })
      const offsets = (earliest.get(topic) ?? []).map((first, partition) => ({ topic, partition, offset: stored.get(partition) ?? first }))
      const stream = await consumer.consume({ topics: [topic], mode: 'manual', offsets, autocommit: false })
      const batcher = createBatcher<Incoming>(stream, options.batchSize, options.batchWaitMs)
      log.info({ topic, table: target.spec.table }, 'sink started')
      while (!signal.aborted) {
        const batch = await batcher.next(signal)
        if (batch.length === 0) continue
        if ([...assigned].some(p => !positions.has(p))) await reloadPositions()
        await landWithRetry(batch, dlq, signal)
        log.debug({ records: batch.length }, 'batch landed')
      }
      await stream.close()
    } finally {
      await closeQuietly(() => consumer.close(true))
      await closeQuietly(() => dlq.close())
    }
  }

  return supervise({ name: `sink ${target.name}`, log, restartDelayMs: options.restartDelayMs, session })
}
