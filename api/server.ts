import { flushCompileCache } from 'node:module'
import { parseArgs } from 'node:util'
import { loadConfigOrExit } from '../lib/config.ts'
import { createPool } from '../lib/db.ts'
import { describeError } from '../lib/errors.ts'
import { createLogger } from '../lib/log.ts'
import { onShutdown } from '../lib/shutdown.ts'
import { build } from './app.ts'
import { checkExposure } from './auth.ts'

// The only file that listens (tests use app.inject()).

const HELP = `Usage: npm run api

Serves the JSON API and the dashboard (docs/api.md) from Postgres until SIGTERM or Ctrl-C.
  http://API_HOST:API_PORT/            dashboard
  http://API_HOST:API_PORT/api/days    daily summaries (?from=YYYY-MM-DD&to=YYYY-MM-DD)
  http://API_HOST:API_PORT/api/days/D  one day, half-hour by half-hour
  http://API_HOST:API_PORT/api/months  calendar months and years (?from=YYYY-MM&to=YYYY-MM)
  http://API_HOST:API_PORT/api/compare would another tariff have been cheaper (?from&to&tariffs=agile,go,…)
  http://API_HOST:API_PORT/api/days.csv, halfhours.csv, months.csv (and .jsonl): data out
  http://API_HOST:API_PORT/api/status  broker, registry, Postgres, lag per group, DLQ count
  http://API_HOST:API_PORT/metrics     Prometheus metrics of the whole pipeline
  http://API_HOST:API_PORT/api/docs/   the OpenAPI document (/api/openapi.json), browsable
  http://API_HOST:API_PORT/healthz, /readyz  health checks (open without the token)
Environment: API_HOST (default 127.0.0.1), API_PORT (3000), DATABASE_URL, KAFKA_BROKERS,
SCHEMA_REGISTRY_URL, LOG_LEVEL, API_TOKEN (required when API_HOST is not a loopback
address; then every route but /healthz and /readyz needs it as a bearer token or basic-auth
password) (docs/configuration.md).
  -h, --help  print this and exit`

const { values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' } } })
if (values.help === true) {
  console.log(HELP)
  process.exit(0)
}

const config = loadConfigOrExit('api')
const log = createLogger(config.logLevel)
try {
  checkExposure(config)
} catch (err) {
  log.fatal(describeError(err))
  process.exit(1)
}
const pool = createPool(config.databaseUrl, log)
const app = build({ pool, config, log })
try {
  await app.listen({ host: config.apiHost, port: config.apiPort })
  log.info({ url: `http://${config.apiHost.includes(':') ? `[${config.apiHost}]` : config.apiHost}:${config.apiPort}/` }, 'API and dashboard listening')
} catch (err) {
  log.fatal({ err }, `API failed to start: ${describeError(err)}`)
  await pool.end().catch(() => {})
  process.exit(1)
}

onShutdown(log, async () => {
  await app.close()
  await pool.end()
})
// Written now, not at exit: the next start finds every module compiled (lib/processes.ts COMPILE_CACHE).
flushCompileCache()
