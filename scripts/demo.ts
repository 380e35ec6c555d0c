import { parseArgs } from 'node:util'
import { createCodec } from '../lib/avro.ts'
import { loadConfigOrExit } from '../lib/config.ts'
import { REAL_ACCOUNT, SAMPLE_ACCOUNT } from '../sample-api/index.ts'
import { createPool } from '../lib/db.ts'
import { describeError } from '../lib/errors.ts'
import { addDays, londonToday } from '../lib/london-day.ts'
import { createLogger } from '../lib/log.ts'
import { createRegistryClient } from '../lib/registry.ts'
import { onShutdown } from '../lib/shutdown.ts'
import { startChild, waitFor, type Child } from '../lib/processes.ts'
import { kafkaSpec, registrySpec, type ServiceSpec } from './stack/services.ts'
import { runningPid, stop as stopService } from './stack/supervise.ts'
import { seed, SETTLE_DAYS } from '../processors/ingest/seed.ts'
import { availableSources, configuredSources, topology } from '../processors/topology.ts'
import { setup } from '../lib/setup.ts'
import { formatChecks, readChecks } from './demo/checks.ts'
import { formatDays, readDays } from './demo/table.ts'

const HELP = `Usage: npm run demo -- [--days N] [--account A-…] [--exit]

The whole pipeline on local, offline data in one command: starts the local stack if it is not
up, runs setup, starts the sample API, the pipeline and the API, seeds the last N complete
days (default 30) of the sample account ${SAMPLE_ACCOUNT} (import, export, gas; OCTOPUS_ACCOUNT
overrides it), shows progress, prints the days from Postgres, then serves the dashboard on
http://API_HOST:API_PORT until Ctrl-C. Everything it started is stopped on exit. With an account
and no SOURCES it runs the opt-in sources too (dispatches, billed) and prints their summary: the
Intelligent Octopus dispatches kept and re-priced, and the bill computed vs Octopus's own figures
with the days that differ by more than 1p.
  --account A-…  the account to show (the sample API also serves ${REAL_ACCOUNT}: the shapes real
                 accounts carry, Intelligent Octopus Go 2026 and Intelligent Flux export today)
  --exit         stop after printing the table (for scripts and CI)`

const { values } = parseArgs({ options: { days: { type: 'string', default: '30' }, account: { type: 'string' }, exit: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
if (values.help === true) {
  console.log(HELP)
  process.exit(0)
}
const days = Number(values.days)
// On the sample API the demo shows the sample account (every meter: import, export, gas, tariff
// switches) unless OCTOPUS_ACCOUNT says otherwise; children get the same variable.
const base = loadConfigOrExit('demo')
const onSample = new URL(base.octopusApiUrl).port === String(base.sampleApiPort) && ['127.0.0.1', 'localhost', base.sampleApiHost].includes(new URL(base.octopusApiUrl).hostname)
const accountEnv: Record<string, string> = values.account !== undefined
  ? { OCTOPUS_ACCOUNT: values.account }
  : base.octopusAccount === '' && onSample ? { OCTOPUS_ACCOUNT: SAMPLE_ACCOUNT } : {}
// On the sample API its GraphQL endpoint is the one beside its REST one (the default names port
// 8090, whatever SAMPLE_API_PORT says).
const graphqlEnv: Record<string, string> = onSample && process.env.OCTOPUS_GRAPHQL_URL === undefined ? { OCTOPUS_GRAPHQL_URL: `${base.octopusApiUrl}/graphql/` } : {}
const withAccount = loadConfigOrExit('demo', { ...process.env, ...accountEnv, ...graphqlEnv })
// With an account and no SOURCES, the opt-in sources that can run (billed needs GraphQL access)
// run too (issue 23): the Intelligent Octopus dispatches (the sample's A-REAL2026 has an EV on
// Intelligent Octopus Go) and Octopus's own billed figures (GraphQL measurements), so the summary
// compares the bill with what Octopus billed.
const optIn = ['dispatches', 'billed'].filter(name => topology.source(name).unavailable?.(withAccount) === undefined)
const runEnv: Record<string, string> = withAccount.octopusAccount !== '' && withAccount.sources.length === 0 && optIn.length > 0
  ? { ...accountEnv, ...graphqlEnv, SOURCES: [...availableSources(topology, withAccount), ...optIn].join(',') }
  : { ...accountEnv, ...graphqlEnv }
const config = loadConfigOrExit('demo', { ...process.env, ...runEnv })
const checked = configuredSources(topology, config).some(s => s === 'dispatches' || s === 'billed')
const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel)
const say = (text: string): void => { console.log(`demo: ${text}`) }
/** Everything started, oldest first; `stack status` and `stack up` too, so a signal stops them. */
const children: Child[] = []
/** The stack's services that were down when the demo ran `stack up`: it stops only those. */
let stackStarted: ServiceSpec[] = []
let stopping = false
// From here on a signal stops what has been started so far, whatever main() is doing.
const stop = onShutdown(log, stopAll)

async function main (): Promise<void> {
  if (await start('stack status', 'scripts/stack.ts', ['status'], 'ignore').exited !== 0) {
    say('starting the local stack (Kafka and the schema registry; the first run downloads them)')
    // Noted first, so that stopping finds what an interrupted `up` got to start (pid files).
    stackStarted = [kafkaSpec(config), registrySpec(config)].filter(spec => runningPid(spec) === undefined)
    if (await start('stack up', 'scripts/stack.ts', ['up'], 'inherit').exited !== 0) throw new Error('the stack did not start (see above)')
  }
  say('setup: database, migrations, topics, schemas')
  await setup(config, log, topology)

  const env = { LOG_LEVEL: 'warn', ...runEnv }
  const sampleApi = start('sample-api', 'scripts/sample-api.ts', [], 'stderr', env)
  await waitFor('the sample API', async () => {
    if (sampleApi.process.exitCode !== null) throw new Error(`the sample API exited (is its port taken? set SAMPLE_API_PORT): ${config.carbonApiUrl}`)
    // With a deadline: something else on the port may accept and never answer.
    return (await fetch(`${config.carbonApiUrl}/intensity/date/2024-01-01`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.ok === true
  }, 20000)
  start('pipeline', 'scripts/start.ts', [], 'stderr', env)
  const api = start('api', 'api/server.ts', [], 'stderr', env)

  const to = addDays(londonToday(), -SETTLE_DAYS)
  const from = addDays(to, -(days - 1))
  const codec = createCodec(createRegistryClient(config.schemaRegistryUrl), undefined, config.namespace)
  const pool = createPool(config.databaseUrl, log)
  try {
    const before = new Date()
    say(`seeding ${from} … ${to} (${days} days)`)
    await seed({ config, codec, log }, { from, to })
    let shown = -1
    let allLandedAt: number | undefined
    // A day lands once its electricity is joined and again as export and gas arrive: wait for
    // every day complete, or for 10 s after the last one landed (a day can stay short of a slot).
    await waitFor('the days to land in Postgres', async () => {
      const { rows } = await pool.query<{ n: string, complete: string }>(`SELECT count(*) AS n, count(*) FILTER (WHERE complete) AS complete
        FROM energy_usage.daily_summary WHERE date BETWEEN $1 AND $2 AND updated_at >= $3`, [from, to, before])
      const [n, complete] = [Number(rows[0].n), Number(rows[0].complete)]
      if (n !== shown) {
        shown = n
        say(`${n}/${days} days joined and landed`)
      }
      if (n >= days) allLandedAt ??= Date.now()
      return complete >= days || (allLandedAt !== undefined && Date.now() - allLandedAt > 10000)
    }, 180000, 500)
    if (checked) await waitForBilled(pool, from, to)
    console.log(`\n${formatDays(await readDays(pool, from, to))}\n`)
    if (checked) console.log(`${formatChecks(await readChecks(pool, from, to))}\n`)
  } finally {
    await pool.end()
  }
  if (values.exit === true) return
  if (api.process.exitCode !== null) throw new Error(`the API exited (is port ${config.apiPort} taken? set API_PORT)`)
  // Until a signal: the children keep the process alive, onShutdown stops them.
  say(`dashboard on http://${config.apiHost}:${config.apiPort}/ — Ctrl-C to stop`)
}

/**
 * Octopus's billed figures arrive after a day is joined (an optional input re-emits it): waits
 * for every day's, or for 15 s without a new one (a day Octopus measured nothing of has none).
 */
async function waitForBilled (pool: ReturnType<typeof createPool>, from: string, to: string): Promise<void> {
  let seen = -1
  let changedAt = Date.now()
  await waitFor('the billed figures', async () => {
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM energy_usage.daily_summary WHERE date BETWEEN $1 AND $2 AND billed_inc_vat IS NOT NULL', [from, to])
    const n = Number(rows[0].n)
    if (n !== seen) {
      seen = n
      changedAt = Date.now()
    }
    return n >= days || Date.now() - changedAt > 15000
  }, 120000, 500)
}

/**
 * Starts a child that the shutdown will stop, detached (lib/processes.ts): a terminal's Ctrl-C
 * reaches only the demo, which stops them in order (the API and the pipeline before the sample
 * API they read, the stack last), waiting for each. 'stderr' keeps children's log lines out of
 * the table on stdout.
 */
function start (name: string, script: string, args: string[], output: 'ignore' | 'inherit' | 'stderr', env: Record<string, string> = {}): Child {
  if (stopping) throw new Error(`not starting ${name}: stopping`)
  const out = output === 'ignore' ? undefined : output === 'inherit' ? process.stdout : process.stderr
  const child = startChild(name, script, args, env, out, undefined, true)
  children.push(child)
  return child
}

/** Stops the children newest first, then what it started of the stack (as `stack down` does). */
async function stopAll (reason: string): Promise<void> {
  stopping = true
  if (reason.startsWith('SIG')) say(`${reason}: stopping everything the demo started`)
  for (const child of children.reverse()) await child.stop('SIGTERM', 30000)
  for (const spec of stackStarted.reverse()) {
    if (runningPid(spec) === undefined) continue
    const killed = await stopService(spec)
    say(`${spec.name}: stopped${killed ? ' (killed after the grace period)' : ''}`)
  }
}

main().then(() => {
  if (values.exit === true) stop('finished')
}, (err: unknown) => {
  // Once stopping, main() fails because its children are going; that is no news.
  if (!stopping) console.error(`demo: ${describeError(err)}`)
  stop('failed', 1)
})
