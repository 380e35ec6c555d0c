import type { TableSpec } from '../lib/copy-writer.ts'
import type { Pool } from '../lib/db.ts'
import { EnergyError } from '../lib/errors.ts'

/**
 * Checks at start-up that the sink's table has every column its records fill (daily_summary:
 * every field of the topology's field table), so a migration that was never applied or never
 * written fails here, naming the column, not as a COPY error on the first batch.
 */
export async function checkTable (pool: Pool, spec: Pick<TableSpec, 'table' | 'columns'>): Promise<void> {
  const [schema, table] = spec.table.split('.')
  const { rows } = await pool.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [schema, table])
  const present = new Set(rows.map(r => r.column_name))
  // No table at all: the first COPY says so with Postgres's own 42P01, as it always has.
  if (present.size === 0) return
  const missing = spec.columns.filter(c => !present.has(c))
  if (missing.length > 0) {
    throw new EnergyError('ENERGY_NOT_SET_UP', `table ${spec.table} has no column ${missing.join(', ')}: add it in a migration (sql/) and run \`npm run setup\``)
  }
}
