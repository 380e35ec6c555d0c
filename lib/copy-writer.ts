import { Readable } from 'node:stream'
import { once } from 'node:events'
import { finished, pipeline } from 'node:stream/promises'
import type pg from 'pg'
import copyStreams from 'pg-copy-streams'
import { BinaryCopyEncoder, type ColumnType, type CopyValue } from './copy-binary.ts'
import { EnergyError } from './errors.ts'

// The one COPY writer: a batch lands with COPY into a staging table, then one
// INSERT ... SELECT ... ON CONFLICT DO UPDATE (deduplicated per key first), and the sink's
// next offsets are written in the same transaction (DESIGN.md "Postgres"). A batch counts as
// landed only when the pipeline resolved and COMMIT returned.

export type { ColumnType, CopyValue }

export interface TableSpec {
  /** Target table, schema-qualified. */
  table: string
  /** Columns filled from records, in COPY order (updated_at is set by the writer). */
  columns: string[]
  /** Their Postgres types, for the binary COPY format. */
  types: ColumnType[]
  /** Primary key of a row. */
  rowKey: string[]
  /**
   * Key of a Kafka record when one record makes several rows (mix: slot_start for nine fuel
   * rows). Rows of a re-delivered record replace all the record's previous rows.
   */
  recordKey?: string[]
}

/**
 * Where a topic lands: its table, and how one record becomes rows. A tombstone (null value)
 * deletes the record's rows: its Kafka key gives the record key columns.
 */
export interface SinkTarget<R = unknown> {
  /** Sink name: its consumer group suffix and its rows in sink_offsets. */
  name: string
  /** Contract name of its topic (the namespace is prefixed at run time). */
  topic: string
  spec: TableSpec
  toRows (record: R): CopyValue[][]
  /** Record-key column values from a Kafka key, for tombstones. */
  keyValues (key: string): CopyValue[]
}

export interface StagedRow {
  /** Position of the record in the batch: the latest per key wins. */
  seq: number
  /** A tombstone: delete the record's rows. Values are ignored. */
  deleted: boolean
  values: CopyValue[]
}

export interface OffsetUpdate {
  topic: string
  partition: number
  /** Where this writer last read the partition from; null when it has no row yet. */
  expected: bigint | null
  next: bigint
}

export interface WriteResult { upserted: number, deleted: number }

const stagingNames = new WeakMap<pg.ClientBase, Set<string>>()

export async function writeBatch (client: pg.ClientBase, sink: string, spec: TableSpec, rows: StagedRow[], offsets: OffsetUpdate[]): Promise<WriteResult> {
  const staging = `staging_${spec.table.replace(/\W/g, '_')}`
  const recordKey = spec.recordKey ?? spec.rowKey
  await client.query('BEGIN')
  try {
    await ensureStaging(client, staging, spec)
    await copyRows(client, staging, spec, rows)
    const keyMatch = recordKey.map(k => `t.${k} = l.${k}`).join(' AND ')
    const latest = `SELECT DISTINCT ON (${recordKey.join(', ')}) ${recordKey.join(', ')}, _seq, _deleted FROM ${staging} ORDER BY ${recordKey.join(', ')}, _seq DESC`
    // Tombstones delete; a multi-row record first clears the rows it had.
    const deleted = await client.query(`DELETE FROM ${spec.table} t USING (${latest}) l WHERE ${keyMatch}${spec.recordKey === undefined ? ' AND l._deleted' : ''}`)
    const updates = spec.columns.filter(c => !spec.rowKey.includes(c)).map(c => `${c} = EXCLUDED.${c}`)
    const upserted = await client.query(`INSERT INTO ${spec.table} (${spec.columns.join(', ')}, updated_at)
      SELECT ${spec.columns.map(c => `s.${c}`).join(', ')}, now() FROM ${staging} s
      JOIN (${latest}) l ON ${recordKey.map(k => `s.${k} = l.${k}`).join(' AND ')} AND s._seq = l._seq
      WHERE NOT l._deleted
      ON CONFLICT (${spec.rowKey.join(', ')}) DO UPDATE SET ${updates.join(', ')}, updated_at = now()`)
    for (const o of offsets) await saveOffset(client, sink, o)
    await client.query('COMMIT')
    return { upserted: upserted.rowCount ?? 0, deleted: spec.recordKey === undefined ? deleted.rowCount ?? 0 : 0 }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    // A rolled-back transaction takes a staging table it created with it.
    stagingNames.get(client)?.delete(staging)
    throw err
  }
}

async function ensureStaging (client: pg.ClientBase, staging: string, spec: TableSpec): Promise<void> {
  let known = stagingNames.get(client)
  if (known === undefined) {
    known = new Set()
    stagingNames.set(client, known)
  }
  if (known.has(staging)) return
  // Per connection, emptied at every commit: no cleanup, no clash between sinks.
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${staging} ON COMMIT DELETE ROWS AS
    SELECT ${spec.columns.join(', ')}, 0::integer AS _seq, false AS _deleted FROM ${spec.table} WITH NO DATA`)
  known.add(staging)
}

async function copyRows (client: pg.ClientBase, staging: string, spec: TableSpec, rows: StagedRow[]): Promise<void> {
  const copy = client.query(copyStreams.from(`COPY ${staging} (${spec.columns.join(', ')}, _seq, _deleted) FROM STDIN (FORMAT binary)`))
  const encoder = new BinaryCopyEncoder(spec.types)
  // Encoded a 64 KiB chunk at a time as the connection takes them: the batch's COPY data is
  // never whole in memory.
  await pipeline(Readable.from(encode(encoder, rows)), copy)
}

export interface CopyStream {
  /** Encodes and sends rows, waiting while the server is behind. */
  write (rows: CopyValue[][]): Promise<void>
  /** Ends the COPY; resolves once the server has taken every row. */
  end (): Promise<void>
}

/**
 * One COPY kept open across many writes, so that Postgres parses and stores rows while the
 * caller reads and decodes the next ones: loading a table becomes two cores' work, not one's.
 */
export function openCopy (client: pg.ClientBase, spec: Pick<TableSpec, 'table' | 'columns' | 'types'>): CopyStream {
  const copy = client.query(copyStreams.from(`COPY ${spec.table} (${spec.columns.join(', ')}) FROM STDIN (FORMAT binary)`))
  const encoder = new BinaryCopyEncoder(spec.types)
  const done = finished(copy)
  // pg-copy-streams reports a server error with an 'error' event and then drops its
  // connection, without marking the stream errored: remember it, and stop writing.
  let failure: unknown
  done.catch(err => { failure = err })
  const send = async (chunk: Buffer): Promise<void> => {
    if (failure !== undefined) throw failure
    if (!copy.write(chunk)) await Promise.race([once(copy, 'drain'), done])
  }
  let started = false
  return {
    async write (rows) {
      if (!started) {
        started = true
        await send(encoder.header())
      }
      for (const values of rows) {
        const chunk = encoder.row(values)
        if (chunk !== undefined) await send(chunk)
      }
      const rest = encoder.flush()
      if (rest !== undefined) await send(rest)
    },
    async end () {
      if (failure !== undefined) throw failure
      if (!started) await send(encoder.header())
      copy.end(encoder.trailer())
      await done
    }
  }
}

function * encode (encoder: BinaryCopyEncoder, rows: StagedRow[]): Generator<Buffer> {
  yield encoder.header()
  for (const row of rows) {
    const chunk = encoder.stagingRow(row.values, row.seq, row.deleted)
    if (chunk !== undefined) yield chunk
  }
  const rest = encoder.flush()
  if (rest !== undefined) yield rest
  yield encoder.trailer()
}

/**
 * Moves the sink's position only from where this writer believes it is: if another instance
 * (or a replay) moved it, the whole batch rolls back instead of landing twice.
 */
async function saveOffset (client: pg.ClientBase, sink: string, o: OffsetUpdate): Promise<void> {
  const result = o.expected === null
    ? await client.query(`INSERT INTO energy_usage.sink_offsets (sink, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
        ON CONFLICT DO NOTHING`, [sink, o.topic, o.partition, String(o.next)])
    : await client.query(`UPDATE energy_usage.sink_offsets SET next_offset = $4, updated_at = now()
        WHERE sink = $1 AND topic = $2 AND partition = $3 AND next_offset = $5`, [sink, o.topic, o.partition, String(o.next), String(o.expected)])
  if (result.rowCount !== 1) {
    throw new EnergyError('ENERGY_POSITION_MOVED', `sink ${sink} position on ${o.topic}[${o.partition}] moved under it (expected ${o.expected ?? 'none'})`,
      { topic: o.topic, partition: o.partition, retryable: true })
  }
}

/** The stored next offsets of a sink, per partition of its topic. */
export async function loadOffsets (client: pg.ClientBase | pg.Pool, sink: string, topic: string): Promise<Map<number, bigint>> {
  const { rows } = await client.query<{ partition: number, next_offset: string }>(
    'SELECT partition, next_offset FROM energy_usage.sink_offsets WHERE sink = $1 AND topic = $2', [sink, topic])
  return new Map(rows.map(r => [r.partition, BigInt(r.next_offset)]))
}
