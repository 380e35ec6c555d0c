import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { Codec } from '../lib/avro.ts'
import type { Config } from '../lib/config.ts'
import { openCopy, writeBatch, type CopyStream, type StagedRow } from '../lib/copy-writer.ts'
import { writeHalving } from './halving.ts'
import { isRecordError } from './sql-errors.ts'
import { createSeenKeys, type SeenKeys } from './seen-keys.ts'
import { stageRecords } from './stage.ts'
import type { Pool } from '../lib/db.ts'
import { createConsumer } from '../lib/kafka.ts'
import { readRanges, type RangeRecord } from '../lib/range-reader.ts'
import type { Logger } from '../lib/log.ts'
import { tableChecksum, type TableChecksum } from './checksum.ts'
import type { SinkTarget } from '../lib/copy-writer.ts'
import { topicIn } from '../processors/topology.ts'

type Incoming = RangeRecord

export interface ReplayDeps { config: Readonly<Config>, codec: Codec, pool: Pool, log: Logger }

export interface ReplayResult extends TableChecksum { records: number, ms: number }

/**
 * Rebuilds a table from its topic without readers ever seeing it half-empty: the topic is
 * read from the start into a shadow table, which then replaces the live one in a single
 * transaction. That transaction locks the live table (waiting out the running sink's open
 * batch), tops the shadow up to wherever the sink had got to, swaps the tables and sets the
 * sink's offsets, so the running sink carries on from a consistent position.
 */
export async function replayTable (deps: ReplayDeps, target: SinkTarget, onProgress?: (records: number, total: number) => void): Promise<ReplayResult> {
  try {
    return await rebuild(deps, target, true, onProgress)
  } catch (err) {
    if (!isRecordError(err)) throw err
    // The plain COPY cannot skip a row the table refuses (the live sink dead-lettered it):
    // start again with every batch through the writer that narrows such a record down.
    deps.log.warn({ table: target.name, err: (err as Error).message }, 'a record breaks a table constraint; replaying through the upserting writer')
    return await rebuild(deps, target, false, onProgress)
  }
}

async function rebuild ({ config, codec, pool, log }: ReplayDeps, target: SinkTarget, fast: boolean, onProgress?: (records: number, total: number) => void): Promise<ReplayResult> {
  const started = Date.now()
  const live = target.spec.table
  const topic = topicIn(config, target.topic)
  const shadow = `${live}_rebuild`
  const shadowSpec = { ...target.spec, table: shadow }
  await pool.query(`DROP TABLE IF EXISTS ${shadow}; CREATE TABLE ${shadow} (LIKE ${live} INCLUDING ALL)`)

  const consumer = createConsumer(config, { clientId: 'energy-replay', groupId: `${config.namespace}energy-replay-${randomUUID()}` })
  let records = 0
  try {
    const [first, end] = await Promise.all([
      consumer.listOffsets({ topics: [topic], timestamp: -2n }),
      consumer.listOffsets({ topics: [topic], timestamp: -1n, isolationLevel: 1 })
    ])
    const from = first.get(topic) ?? []
    const until = end.get(topic) ?? []
    const total = until.reduce((sum, o, p) => sum + Number(o - from[p]), 0)
    const position = from.slice()

    const seen = createSeenKeys()
    const late: Incoming[] = []
    const stage = (batch: Incoming[]): Promise<StagedRow[]> => stageRecords(codec, target, topic, batch,
      // The live sink dead-lettered such a record when it first saw it.
      async (m, err) => { log.debug({ err, offset: String(m.offset) }, 'replay skips a rejected record') })
    /**
     * Outside the swap, a record whose key is new goes straight into the shadow table with a
     * plain COPY (the fast path); inside it (`client`), everything goes through the upsert.
     */
    const load = async (client: pg.ClientBase | undefined, batch: Incoming[]): Promise<void> => {
      if (client !== undefined || !fast) {
        await writeShadow(client, batch)
        return
      }
      await fastCopy?.write((await stage(splitFresh(batch, seen, late))).map(r => r.values))
    }

    /** Through the upserting writer; in the swap transaction (`client`) under a savepoint. */
    const writeShadow = async (client: pg.ClientBase | undefined, batch: Incoming[]): Promise<void> => {
      const rows = await stage(batch)
      await writeHalving(batch.length, async (lo, hi, withRows) => {
        const part = withRows ? rows.filter(r => r.seq >= lo && r.seq < hi) : []
        if (client === undefined) {
          const c = await pool.connect()
          try { await writeBatch(c, 'replay', shadowSpec, part, []) } finally { c.release() }
          return
        }
        await client.query('SAVEPOINT replay_batch')
        try {
          await writeNested(client, shadowSpec, part)
          await client.query('RELEASE SAVEPOINT replay_batch')
        } catch (err) {
          await client.query('ROLLBACK TO SAVEPOINT replay_batch')
          throw err
        }
      }, async (i, err) => { log.warn({ offset: String(batch[i].offset), err: (err as Error).message }, 'replay skips a record the table refuses (the sink dead-lettered it)') })
    }

    const readRange = async (client: pg.ClientBase | undefined, stop: bigint[]): Promise<void> => {
      const ranges = stop.map((until, partition) => ({ topic, partition, from: position[partition], until }))
      await readRanges(config, ranges, async fetched => {
        for (let i = 0; i < fetched.length; i += config.sinkBatchSize) {
          const batch = fetched.slice(i, i + config.sinkBatchSize)
          await load(client, batch)
          advance(position, batch)
          records += batch.length
          onProgress?.(records, total)
        }
      })
      for (let p = 0; p < stop.length; p++) if (stop[p] > position[p]) position[p] = stop[p]
    }

    let fastCopy: CopyStream | undefined
    if (fast) {
      const fastClient = await pool.connect()
      try {
        fastCopy = openCopy(fastClient, shadowSpec)
        await readRange(undefined, until)
        await fastCopy.end()
        fastClient.release()
      } catch (err) {
        // A connection whose COPY failed is not put back in the pool.
        fastClient.release(err as Error)
        throw err
      }
    } else {
      await readRange(undefined, until)
    }
    // Records whose key came again (older versions not yet compacted away) and tombstones
    // are applied after the plain COPY, in log order, through the upserting writer.
    for (let i = 0; i < late.length; i += config.sinkBatchSize) await writeShadow(undefined, late.slice(i, i + config.sinkBatchSize))

    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      await client.query(`LOCK TABLE ${live} IN ACCESS EXCLUSIVE MODE`)
      const { rows } = await client.query<{ partition: number, next_offset: string }>(
        'SELECT partition, next_offset FROM energy_usage.sink_offsets WHERE sink = $1 AND topic = $2 FOR UPDATE', [target.name, topic])
      const sinkAt = position.map((_, p) => BigInt(rows.find(r => r.partition === p)?.next_offset ?? '0'))
      // The running sink may be ahead of what was read: catch the shadow up to it.
      await readRange(client, sinkAt)
      const indexes = await client.query<{ indexname: string, indexdef: string }>(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname || '.' || tablename = $1", [live])
      await client.query(`DROP TABLE ${live}`)
      await client.query(`ALTER TABLE ${shadow} RENAME TO ${live.split('.')[1]}`)
      await restoreIndexNames(client, live, indexes.rows)
      for (let p = 0; p < position.length; p++) {
        await client.query(`INSERT INTO energy_usage.sink_offsets (sink, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
          ON CONFLICT (sink, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
        [target.name, topic, p, String(position[p])])
      }
      await client.query('COMMIT')
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  } finally {
    await consumer.close(true)
  }
  const ms = Date.now() - started
  return { ...await tableChecksum(pool, target.spec), records, ms }
}

// The per-record loops are plain functions (not inside the async ones above), so that V8
// optimises them within the first batches: a replay runs few, large batches.

/**
 * The records of a batch whose key is new: they can go to the shadow table by plain COPY.
 * Tombstones, keyless records and later versions of a key go to `late`.
 */
function splitFresh (batch: Incoming[], seen: SeenKeys, late: Incoming[]): Incoming[] {
  const fresh: Incoming[] = []
  for (const m of batch) {
    const tombstone = m.value === undefined || m.value.length === 0
    // Once a key has gone the slow way, its later records must follow it there.
    const met = m.key !== undefined && seen.add(m.key)
    if (m.key === undefined || tombstone || met) {
      late.push(m)
    } else {
      fresh.push(m)
    }
  }
  return fresh
}

/** Moves each partition's position past the batch's last record of it. */
function advance (position: bigint[], batch: Incoming[]): void {
  const last = new Map<number, bigint>()
  for (const m of batch) last.set(m.partition, m.offset)
  for (const [partition, offset] of last) position[partition] = offset + 1n
}

/** writeBatch inside the caller's transaction (the swap), without its own BEGIN/COMMIT. */
async function writeNested (client: pg.ClientBase, spec: SinkTarget['spec'], rows: StagedRow[]): Promise<void> {
  const proxy = Object.create(client) as pg.ClientBase
  proxy.query = ((text: unknown, ...rest: unknown[]) => {
    if (text === 'BEGIN' || text === 'COMMIT' || text === 'ROLLBACK') return Promise.resolve({ rows: [], rowCount: 0 })
    return (client.query as (...a: unknown[]) => unknown)(text, ...rest)
  }) as pg.ClientBase['query']
  await writeBatch(proxy, 'replay', spec, rows, [])
}

/** Gives the swapped-in table's indexes the names the replaced table's had. */
async function restoreIndexNames (client: pg.ClientBase, live: string, before: Array<{ indexname: string, indexdef: string }>): Promise<void> {
  const schema = live.split('.')[0]
  const table = live.split('.')[1]
  const { rows } = await client.query<{ indexname: string, indexdef: string }>(
    'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2', [schema, table])
  const shape = (def: string, name: string): string => def.replace(name, '').replace(/\S+_rebuild\b/g, table)
  for (const old of before) {
    const match = rows.find(r => shape(r.indexdef, r.indexname) === shape(old.indexdef, old.indexname))
    if (match !== undefined && match.indexname !== old.indexname) {
      await client.query(`ALTER INDEX ${schema}.${match.indexname} RENAME TO ${old.indexname}`)
    }
  }
}
