import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import type { Logger } from './log.ts'

export const SQL_DIR = new URL('../sql/', import.meta.url).pathname

// Any constant works: it only has to be the same for every process running migrations.
const MIGRATION_LOCK = 7_411_001

/** Creates the database named in the URL when it is missing; returns whether it did. */
export async function ensureDatabase (databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl)
  const name = decodeURIComponent(url.pathname.slice(1))
  url.pathname = '/postgres'
  const admin = new pg.Client({ connectionString: url.toString() })
  await admin.connect()
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (found.rowCount !== 0) return false
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
    return true
  } finally {
    await admin.end()
  }
}

/**
 * Applies sql/NNN_*.sql in order, each in its own transaction with its bookkeeping row, under
 * an advisory lock so two processes never race. Returns the versions it applied.
 */
export async function migrate (client: pg.ClientBase, log: Logger, dir = SQL_DIR): Promise<string[]> {
  const files = readdirSync(dir).filter(f => /^\d+_.*\.sql$/.test(f)).sort()
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS energy_usage;
      CREATE TABLE IF NOT EXISTS energy_usage.schema_migrations (
        version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
    const done = new Set((await client.query<{ version: string }>('SELECT version FROM energy_usage.schema_migrations')).rows.map(r => r.version))
    const applied: string[] = []
    for (const file of files) {
      const version = file.slice(0, -'.sql'.length)
      if (done.has(version)) continue
      await client.query('BEGIN')
      try {
        await client.query(readFileSync(join(dir, file), 'utf8'))
        await client.query('INSERT INTO energy_usage.schema_migrations (version) VALUES ($1)', [version])
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK')
        throw Object.assign(err as Error, { migration: file })
      }
      log.info({ migration: file }, 'migration applied')
      applied.push(version)
    }
    return applied
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
  }
}
