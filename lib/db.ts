import pg from 'pg'
import type { Logger } from './log.ts'
import { redactUrl } from './config.ts'

export type Pool = pg.Pool

/** A Postgres pool with an error listener: an idle client dying must not crash the process. */
export function createPool (databaseUrl: string, log: Logger, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, application_name: 'energy-pipeline' })
  pool.on('error', err => log.warn({ err, database: redactUrl(databaseUrl) }, 'idle Postgres client failed'))
  return pool
}
