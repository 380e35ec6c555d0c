import type { Codec } from '../lib/avro.ts'
import type { Config } from '../lib/config.ts'
import type { SinkTarget } from '../lib/copy-writer.ts'
import { writeHalving } from './halving.ts'
import { describePgError, isTransientPgError, sqlState } from './sql-errors.ts'
import { stageRecords } from './stage.ts'
import { checkTable } from './table-check.ts'
import type { Pool } from '../lib/db.ts'
import { describeError, isEnergyError } from '../lib/errors.ts'
import type { Logger } from '../lib/log.ts'
import { isRetryable, retry } from '../lib/retry.ts'
import { createPostgresCommit } from '../lib/stream/postgres-commit.ts'
import { createTask, type StreamProcessor, type Task, type TaskContext } from '../lib/stream/task.ts'
import { loadPositions } from '../lib/stream/positions.ts'
import type { Incoming } from '../lib/stream/types.ts'
import { DEFAULT_SINK_OPTIONS, type SinkOptions } from './options.ts'
import { sinkGroup, topicIn } from '../processors/topology.ts'

export type { SinkTarget }

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
 * offsets (lib/stream: the runtime's stored positions and Postgres commit). Its step: stage
 * a batch, write it halving around records Postgres refuses (dead-lettered), retry while
 * Postgres is away.
 */
export function createSink (deps: SinkDeps): Task {
  const { config, codec, pool, target } = deps
  const options: SinkOptions = { batchSize: config.sinkBatchSize, batchWaitMs: config.sinkBatchMs, ...DEFAULT_SINK_OPTIONS, ...deps.options }
  const log = deps.log.child({ sink: target.name })
  const topic = topicIn(config, target.topic)
  const name = `sink ${target.name}`

  // A batch retried after a Postgres outage is decoded again: each record is dead-lettered once.
  const deadLettered = new Set<string>()

  async function deadLetter (context: TaskContext, m: Incoming, err: unknown): Promise<void> {
    const key = `${m.partition}:${m.offset}`
    if (deadLettered.has(key)) return
    if (deadLettered.size > 100000) deadLettered.clear()
    deadLettered.add(key)
    // A Postgres refusal is told with its SQLSTATE (dlq.error and dlq.error.sqlstate), so a
    // reader of energy.dlq sees why without the sink's log.
    const code = sqlState(err)
    const error = code === undefined ? err : new Error(describePgError(err), { cause: err })
    const headers: Record<string, string> = code === undefined ? { 'dlq.sink': target.name } : { 'dlq.sink': target.name, 'dlq.error.sqlstate': code }
    log.error({ err: describeError(error), partition: m.partition, offset: String(m.offset) }, 'record rejected, sent to energy.dlq')
    await context.deadLetters.send(m, error, headers)
  }

  /**
   * Lands a contiguous run of records: decoded once (undecodable ones dead-lettered), then
   * written, with a record whose values Postgres refuses (isRecordError: a constraint, a NUL
   * byte, a duplicate key within the record, …) narrowed down and dead-lettered.
   */
  async function land (batch: Incoming[], context: TaskContext): Promise<void> {
    const rows = await stageRecords(codec, target, topic, batch, async (m, err) => await deadLetter(context, m, err))
    await writeHalving(batch.length, async (lo, hi, withRows) => {
      await commit.commit(batch.slice(lo, hi), withRows ? rows.filter(r => r.seq >= lo && r.seq < hi) : [], context.positions)
    }, async (i, err) => await deadLetter(context, batch[i], err))
  }

  /**
   * Retries a batch until it lands while the failure is transient (isTransientPgError: the
   * connection, the server's resources, a serialization failure or deadlock; or a retryable
   * EnergyError such as a registry outage). Any other error ends the session: the supervisor
   * restarts it from the stored positions (a missing table or column must not dead-letter
   * every record). A stop ends the backoff wait at once (lib/retry.ts) and the batch is left to
   * the next start, from the stored positions.
   */
  const processor: StreamProcessor = {
    async init () {
      await checkTable(pool, target.spec)
    },
    async process (batch, context) {
      const { positions, signal } = context
      await retry(async () => {
        while (true) {
          const fresh = positions.fresh(batch)
          if (fresh.length === 0) return
          try {
            await land(fresh, context)
            return
          } catch (err) {
            if (!isEnergyError(err, 'ENERGY_POSITION_MOVED') || signal.aborted) throw err
            log.warn({ err: err.message }, 'position moved (another instance or a replay), reloading it')
            loadPositions(positions, await commit.load())
          }
        }
      }, {
        baseDelayMs: 500,
        maxDelayMs: options.maxRetryDelayMs,
        retryable: err => isEnergyError(err) ? isRetryable(err) : isTransientPgError(err),
        signal,
        onRetry: ({ err, attempt, delayMs }) => log.error({ err: describeError(err), attempt, delayMs: Math.round(delayMs), code: (err as { code?: string }).code }, 'batch did not land in Postgres, retrying')
      })
      log.debug({ records: batch.length }, 'batch landed')
    }
  }

  const task = createTask({
    name,
    kind: 'sink',
    config,
    log,
    group: sinkGroup(target, config.namespace),
    topics: [topic],
    start: { kind: 'stored', load: async () => await commit.load() },
    batchSize: options.batchSize,
    batchWaitMs: options.batchWaitMs,
    restartDelayMs: options.restartDelayMs,
    processor
  })
  const commit = createPostgresCommit(pool, target.name, topic, target.spec, task.counters)
  return task
}
