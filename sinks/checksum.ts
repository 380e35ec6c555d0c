import type { Pool } from '../lib/db.ts'
import type { TableSpec } from '../lib/copy-writer.ts'

export interface TableChecksum { table: string, rows: number, md5: string }

/**
 * Row count and an md5 over every row's columns (not updated_at), in key order: equal
 * checksums mean equal tables, whichever process or replay wrote them. `exclude` leaves
 * columns out, e.g. batch_id to compare two runs whose requests had different ids.
 */
export async function tableChecksum (pool: Pool, spec: TableSpec, table = spec.table, exclude: string[] = []): Promise<TableChecksum> {
  const cols = spec.columns.filter(c => !exclude.includes(c)).map(c => `coalesce(${c}::text, '∅')`).join(', \'|\', ')
  const { rows } = await pool.query<{ rows: string, md5: string | null }>(
    `SELECT count(*) AS rows, md5(string_agg(concat(${cols}), E'\\n' ORDER BY ${spec.rowKey.join(', ')})) AS md5 FROM ${table}`)
  return { table: spec.table, rows: Number(rows[0].rows), md5: rows[0].md5 ?? md5Empty }
}

const md5Empty = 'd41d8cd98f00b204e9800998ecf8427e'
