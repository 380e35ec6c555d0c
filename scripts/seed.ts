import { parseArgs } from 'node:util'
import { createCodec } from '../lib/avro.ts'
import { loadConfigOrExit } from '../lib/config.ts'
import { createPool } from '../lib/db.ts'
import { describeError, EnergyError } from '../lib/errors.ts'
import { createLogger } from '../lib/log.ts'
import { createRegistryClient } from '../lib/registry.ts'
import { resolveRange, seed, SETTLE_DAYS } from '../processors/ingest/seed.ts'
import { checkSources, splitList, topology } from '../processors/topology.ts'

const HELP = `Usage: npm run seed -- [FROM] [TO] [--only ${topology.sourceNames.join(',')}]

Requests every Europe/London local date from FROM to TO, inclusive, on energy_processor.
  FROM  YYYY-MM-DD; omitted: the day after the newest date in energy_usage.daily_summary
  TO    YYYY-MM-DD; omitted: today minus ${SETTLE_DAYS} days (consumption settles late)
  --only  fetch only these sources for the dates (default: every source)
Re-seeding a date is safe: its records are replaced and the day is recomputed.`

const { values, positionals } = parseArgs({ allowPositionals: true, options: { only: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
if (values.help === true) {
  console.log(HELP)
  process.exit(0)
}
const config = loadConfigOrExit('seed')
const log = createLogger(config.logLevel).child({ component: 'seed' })
try {
  if (positionals.length > 2) throw new EnergyError('ENERGY_USAGE', `expected at most FROM and TO, got ${positionals.length} arguments`)
  const sources = values.only === undefined ? [] : checkSources(topology, splitList(values.only), '--only')
  const [from, to] = positionals
  const range = resolveRange(from, to, from === undefined ? await newestDay(config.databaseUrl) : undefined)
  await seed({ config, codec: createCodec(createRegistryClient(config), undefined, config.namespace), log }, range, sources)
} catch (err) {
  log.error({ code: (err as EnergyError).code }, describeError(err))
  console.error(`seed: ${describeError(err)}`)
  process.exitCode = 1
}

async function newestDay (databaseUrl: string): Promise<string | undefined> {
  const pool = createPool(databaseUrl, log, 1)
  try {
    const { rows } = await pool.query<{ newest: string | null }>("SELECT to_char(max(date), 'YYYY-MM-DD') AS newest FROM energy_usage.daily_summary")
    return rows[0].newest ?? undefined
  } finally {
    await pool.end()
  }
}
