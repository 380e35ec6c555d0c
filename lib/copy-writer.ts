import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import copyStreams from 'pg-copy-streams'
import { EnergyError } from './errors.ts'

// The one COPY writer: a batch lands with COPY into a staging table, then one
// INSERT ... SELECT ... ON CONFLICT DO UPDATE (deduplicated per key first), and the sink's
// next offsets are written in the same transaction (DESIGN.md "Postgres"). A batch counts as
// landed only when the pipeline resolved and COMMIT returned.

export type CopyValue = string | number | boolean | null

export interface TableSpec {
  /** Target table, schema-qualified. */
  table: string
  /** Columns filled from records, in COPY order (updated_at is set by the writer). */
  columns: string[]
  /** Primary key of a row. */
  rowKey: string[]
  /**
   * Key of a Kafka record when one record makes several rows (mix: slot_start for nine fuel
   * rows). Rows of a re-delivered record replace all the record's previous rows.
   */
  recordKey?: string[]
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
    SELECT ${spec.columns.join(', ')}, 0::bigint AS _seq, false AS _deleted FROM ${spec.table} WITH NO DATA`)
  known.add(staging)
}

async function copyRows (client: pg.ClientBase, staging: string, spec: TableSpec, rows: StagedRow[]): Promise<void> {
  const copy = client.query(copyStreams.from(`COPY ${staging} (${spec.columns.join(', ')}, _seq, _deleted) FROM STDIN`))
  await pipeline(Readable.from(copyLines(rows, row => row.values.map(copyText).join('\t') + `\t${row.seq}\t${row.deleted ? 't' : 'f'}\n`)), copy)
}

/**
 * A plain COPY of rows into a table, nothing else: for loading a table nobody reads yet
 * (replay's shadow table), where there is nothing to deduplicate against.
 */
export async function copyInto (client: pg.ClientBase, table: string, columns: string[], rows: CopyValue[][]): Promise<void> {
  const copy = client.query(copyStreams.from(`COPY ${table} (${columns.join(', ')}) FROM STDIN`))
  await pipeline(Readable.from(copyLines(rows, values => values.map(copyText).join('\t') + '\n')), copy)
}

function * copyLines<T> (rows: T[], line: (row: T) => string): Generator<string> {
  let chunk = ''
  for (const row of rows) {
    chunk += line(row)
    if (chunk.length > 65536) {
      yield chunk
      chunk = ''
    }
  }
  if (chunk.length > 0) yield chunk
}

/** COPY text format: \N is NULL; backslash, tab, newline and carriage return are escaped. */
export function copyText (value: CopyValue): string {
  if (value === null) return '\\N'
  if (typeof value === 'boolean') return value ? 't' : 'f'
  if (typeof value === 'number') return String(value)
  return value.replace(/[\\\t\n\r]/g, c => c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')
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
    throw new EnergyError('ENERGY_SINK', `sink ${sink} position on ${o.topic}[${o.partition}] moved under it (expected ${o.expected ?? 'none'})`,
      { topic: o.topic, partition: o.partition, retryable: true, positionMoved: true })
  }
}

/** The stored next offsets of a sink, per partition of its topic. */
export async function loadOffsets (client: pg.ClientBase | pg.Pool, sink: string, topic: string): Promise<Map<number, bigint>> {
  const { rows } = await client.query<{ partition: number, next_offset: string }>(
    'SELECT partition, next_offset FROM energy_usage.sink_offsets WHERE sink = $1 AND topic = $2', [sink, topic])
  return new Map(rows.map(r => [r.partition, BigInt(r.next_offset)]))
}
