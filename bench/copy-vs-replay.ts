import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import copyStreams from 'pg-copy-streams'
import type { Pool } from '../lib/db.ts'
import type { SinkTarget } from '../lib/copy-writer.ts'

/**
 * The baseline for replay speed: the table's rows exported with COPY TO, then timed while
 * COPY FROM loads them into an empty table of the same definition (same indexes).
 */
export async function bareCopyRowsPerSecond (pool: Pool, target: SinkTarget): Promise<{ rows: number, ms: number, rowsPerSecond: number }> {
  const { table, columns } = target.spec
  const client = await pool.connect()
  try {
    const chunks: Buffer[] = []
    const out = client.query(copyStreams.to(`COPY (SELECT ${columns.join(', ')} FROM ${table}) TO STDOUT`))
    for await (const chunk of out) chunks.push(chunk as Buffer)
    const data = Buffer.concat(chunks)
    const bare = `${table}_bare_copy`
    await client.query(`DROP TABLE IF EXISTS ${bare}; CREATE TABLE ${bare} (LIKE ${table} INCLUDING ALL)`)
    const started = performance.now()
    await client.query('BEGIN')
    await pipeline(Readable.from([data]), client.query(copyStreams.from(`COPY ${bare} (${columns.join(', ')}) FROM STDIN`)))
    await client.query('COMMIT')
    const ms = performance.now() - started
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${bare}`)
    await client.query(`DROP TABLE ${bare}`)
    const n = Number(rows[0].n)
    return { rows: n, ms, rowsPerSecond: n / (ms / 1000) }
  } finally {
    client.release()
  }
}
