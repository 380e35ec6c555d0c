import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { createCodec } from '../lib/avro.ts'
import { loadConfig } from '../lib/config.ts'
import { createPool } from '../lib/db.ts'
import { describeError } from '../lib/errors.ts'
import { addDays, londonToday } from '../lib/london-day.ts'
import { createLogger } from '../lib/log.ts'
import { createRegistryClient } from '../lib/registry.ts'
import { startChild, startSampleApi, waitFor, type Child } from '../bench/processes.ts'
import { seed, SETTLE_DAYS } from './seed/index.ts'
import { setup } from './setup/index.ts'
import { formatDays, readDays } from './demo/table.ts'

const HELP = `Usage: npm run demo -- [--days N] [--exit]

The whole pipeline on local, offline data in one command: starts the local stack if it is not
up, runs setup, starts the sample API, the pipeline and the API, seeds the last N complete
days (default 30), shows progress, prints the days from Postgres, then serves the dashboard
on http://API_HOST:API_PORT until Ctrl-C. Everything it started is stopped on exit.
  --exit  stop after printing the table (for scripts and CI)`

const { values } = parseArgs({ options: { days: { type: 'string', default: '30' }, exit: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
if (values.help === true) {
  console.log(HELP)
  process.exit(0)
}
const days = Number(values.days)
const config = loadConfig()
const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel)
const say = (text: string): void => { console.log(`demo: ${text}`) }
const children: Child[] = []
let stackStarted = false

async function main (): Promise<void> {
  if (spawnSync(process.execPath, ['scripts/stack.ts', 'status'], { stdio: 'ignore' }).status !== 0) {
    say('starting the local stack (Kafka and the schema registry; the first run downloads them)')
    if (spawnSync(process.execPath, ['scripts/stack.ts', 'up'], { stdio: 'inherit' }).status !== 0) throw new Error('the stack did not start (see above)')
    stackStarted = true
  }
  say('setup: database, migrations, topics, schemas')
  await setup(config, log)

  const env = { LOG_LEVEL: 'warn' }
  children.push(await startSampleApi(env, config.carbonApiUrl, process.stderr))
  start('pipeline', 'scripts/start.ts', env)
  const api = start('api', 'api/server.ts', env)

  const to = addDays(londonToday(), -SETTLE_DAYS)
  const from = addDays(to, -(days - 1))
  const codec = createCodec(createRegistryClient(config.schemaRegistryUrl), undefined, config.namespace)
  const pool = createPool(config.databaseUrl, log)
  try {
    const before = new Date()
    say(`seeding ${from} … ${to} (${days} days)`)
    await seed({ config, codec, log }, { from, to })
    let shown = -1
    await waitFor('the days to land in Postgres', async () => {
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM energy_usage.daily_summary WHERE date BETWEEN $1 AND $2 AND updated_at >= $3', [from, to, before])
      const n = Number(rows[0].n)
      if (n !== shown) {
        shown = n
        say(`${n}/${days} days joined and landed`)
      }
      return n >= days
    }, 180000, 500)
    console.log(`\n${formatDays(await readDays(pool, from, to))}\n`)
  } finally {
    await pool.end()
  }
  if (values.exit === true) return
  if (api.process.exitCode !== null) throw new Error(`the API exited (is port ${config.apiPort} taken? set API_PORT)`)
  say(`dashboard on http://${config.apiHost}:${config.apiPort}/ — Ctrl-C to stop`)
  await new Promise<void>(resolve => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
}

/** Starts a child whose output goes to ours, so its warnings and errors show. */
function start (name: string, script: string, env: Record<string, string>): Child {
  const child = startChild(name, script, [], env, process.stderr)
  children.push(child)
  return child
}

async function stopAll (): Promise<void> {
  for (const child of children.reverse()) await child.stop()
  if (stackStarted) spawnSync(process.execPath, ['scripts/stack.ts', 'down'], { stdio: 'inherit' })
}

try {
  await main()
  await stopAll()
} catch (err) {
  console.error(`demo: ${describeError(err)}`)
  await stopAll()
  process.exitCode = 1
}
