import { parseArgs } from 'node:util'
import { createCodec } from '../lib/avro.ts'
import { loadConfigOrExit } from '../lib/config.ts'
import { createPool, type Pool } from '../lib/db.ts'
import { describeError, EnergyError } from '../lib/errors.ts'
import { createLogger } from '../lib/log.ts'
import { createRegistryClient } from '../lib/registry.ts'
import { datesBetween } from '../lib/london-day.ts'
import { createProgress } from '../lib/progress.ts'
import { landedSources } from '../processors/ingest/landed.ts'
import { INCOMPLETE_DAYS, incompleteDates, resolveRange, seed, seedDates, SETTLE_DAYS } from '../processors/ingest/seed.ts'
import { parseTimeout, WAIT_TIMEOUT_MS, waitForDays, waitReport } from '../processors/ingest/seed-wait.ts'
import { checkSources, configuredSources, splitList, topology } from '../processors/topology.ts'
import { MAX_SPAN_DAYS } from '../processors/ingest/spans.ts'

const HELP = `Usage: npm run seed -- [FROM] [TO] [--only ${topology.sourceNames.join(',')}] [--span-days N] [--refresh-account] [--wait|--no-wait] [--timeout T]
       npm run seed -- --incomplete [--days N] [--only …] [--span-days N] [--refresh-account] [--wait|--no-wait] [--timeout T]

Requests every Europe/London local date from FROM to TO, inclusive, on energy_processor,
consecutive days together: each request covers a span the processors fetch in as few upstream
calls as the APIs allow, and split into per-day batches.
  FROM  YYYY-MM-DD; omitted: the day after the newest date in energy_usage.daily_summary
  TO    YYYY-MM-DD; omitted: today minus ${SETTLE_DAYS} days (consumption settles late)
  --incomplete  instead, the days of the last N (--days, default ${INCOMPLETE_DAYS}) up to yesterday
                whose daily_summary is missing or not complete (late consumption, a failed source)
  --only  fetch only these sources for the dates (default: every source)
  --span-days N  most days one request covers, 1 to ${MAX_SPAN_DAYS} (default ${MAX_SPAN_DAYS}; 1: a request a day)
  --wait     then follow the days until they are in daily_summary: days landed per source and
             in daily_summary, rate, ETA, dead letters as they come (the default on a terminal;
             a live display there, a JSON progress line every 5 s otherwise). Exit 0 when every
             day landed (its bill in daily_summary), 1 when some did not (named), 130 when
             stopped by Ctrl-C or SIGTERM (the requests stay published; the pipeline carries on)
  --no-wait  return once the requests are published (the default when stdout is not a terminal)
  --timeout T  how long --wait waits: seconds, or 90s, 30m, 1h (default ${WAIT_TIMEOUT_MS / 60000}m)
  --refresh-account  also ask Octopus's GraphQL API for the account's facts (gas meters' units,
             payment method, devices) when energy.account already has them (see below)
With OCTOPUS_ACCOUNT the account is read first (a change re-requests the days it moves): its
REST answer every time; GraphQL's facts only when the last account published on energy.account
lacks them (the first seed, or GraphQL could not tell then) or with --refresh-account, else
those of that record (the running pipeline's account refresher asks every ACCOUNT_REFRESH_HOURS).
Re-seeding a date is safe: its records are replaced and the day is recomputed.`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  allowNegative: true,
  options: { only: { type: 'string' }, incomplete: { type: 'boolean' }, days: { type: 'string' }, 'span-days': { type: 'string' }, 'refresh-account': { type: 'boolean' }, wait: { type: 'boolean' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } }
})
if (values.help === true) {
  console.log(HELP)
  process.exit(0)
}
const config = loadConfigOrExit('seed')
const log = createLogger(config.logLevel).child({ component: 'seed' })
try {
  if (positionals.length > 2) throw new EnergyError('ENERGY_USAGE', `expected at most FROM and TO, got ${positionals.length} arguments`)
  const sources = values.only === undefined ? [] : checkSources(topology, splitList(values.only), '--only')
  const spanDays = Number(values['span-days'] ?? MAX_SPAN_DAYS)
  if (!Number.isInteger(spanDays) || spanDays < 1 || spanDays > MAX_SPAN_DAYS) throw new EnergyError('ENERGY_USAGE', `--span-days must be a whole number from 1 to ${MAX_SPAN_DAYS}, got "${values['span-days']}"`)
  const wait = values.wait ?? process.stdout.isTTY === true
  const timeoutMs = values.timeout === undefined ? WAIT_TIMEOUT_MS : parseTimeout(values.timeout)
  const deps = { config, codec: createCodec(createRegistryClient(config), undefined, config.namespace), log, askFacts: values['refresh-account'] === true }
  if (values.incomplete === true) {
    if (positionals.length > 0) throw new EnergyError('ENERGY_USAGE', '--incomplete takes no FROM or TO (it looks at the last --days days)')
    const days = Number(values.days ?? INCOMPLETE_DAYS)
    if (!Number.isInteger(days) || days < 1 || days > 3660) throw new EnergyError('ENERGY_USAGE', `--days must be a whole number from 1 to 3660, got "${values.days}"`)
    const dates = await withPool(pool => incompleteDates(pool, days))
    log.info({ days, incomplete: dates.length }, dates.length === 0 ? 'every day of the window is complete' : 'requesting the incomplete days again')
    if (dates.length > 0) {
      await seedDates(deps, dates, sources, spanDays)
      if (wait) await waitAndReport(dates, sources, timeoutMs, `seed --incomplete (${dates.length} days)`)
    }
  } else {
    if (values.days !== undefined) throw new EnergyError('ENERGY_USAGE', '--days goes with --incomplete')
    const [from, to] = positionals
    const range = resolveRange(from, to, from === undefined ? await withPool(newestDay) : undefined)
    await seed(deps, range, sources, spanDays)
    if (wait) await waitAndReport(datesBetween(range.from, range.to), sources, timeoutMs, `seed ${range.from} … ${range.to}`)
  }
} catch (err) {
  // Caught up is not a failure: a cron line catching up every morning exits 0.
  if (err instanceof EnergyError && err.upToDate === true) {
    log.info(err.message)
    process.exit(0)
  }
  log.error({ code: (err as EnergyError).code }, describeError(err))
  console.error(`seed: ${describeError(err)}`)
  process.exitCode = 1
}

/**
 * Follows the requested days into the tables until they landed, the timeout or a signal; sets
 * the exit status. The first SIGINT or SIGTERM stops the wait, later ones are ignored (Ctrl-C
 * under npm arrives twice).
 */
async function waitAndReport (dates: string[], only: readonly string[], timeoutMs: number, title: string): Promise<void> {
  const tty = process.stdout.isTTY === true
  const display = createProgress({ stream: process.stdout, tty, log })
  const stop = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) {
      display.event(`${signal}: already stopping the wait`, { signal })
      return
    }
    display.event(`${signal}: stopping the wait (the requests are published; the pipeline carries on with them)`, { signal })
    stop.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const sources = landedSources((only.length > 0 ? only : configuredSources(topology, config)).map(name => topology.source(name)))
  const result = await withPool(pool => waitForDays({ config, pool, log, display }, { dates, sources, timeoutMs, signal: stop.signal, title }))
  const lines = waitReport(result)
  const limit = (list: readonly string[]): string[] => list.slice(0, 10)
  const fields = {
    outcome: result.outcome,
    days: result.dates.length,
    landed: result.landed.landed.size,
    incomplete: result.incomplete.length,
    deadLetters: result.deadLetters,
    missing: limit(result.missing),
    missingBySource: Object.fromEntries([...result.missingBySource].map(([s, d]) => [s, limit(d)]))
  }
  const ok = result.missing.length === 0 && result.outcome !== 'interrupted'
  if (tty) for (const line of lines) console.log(line)
  else if (ok) log.info(fields, lines.join('; '))
  else log.error(fields, lines.join('; '))
  process.exitCode = result.outcome === 'interrupted' ? 130 : ok ? 0 : 1
}

async function withPool<T> (use: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = createPool(config.databaseUrl, log, 1)
  try {
    return await use(pool)
  } finally {
    await pool.end()
  }
}

async function newestDay (pool: Pool): Promise<string | undefined> {
  const { rows } = await pool.query<{ newest: string | null }>("SELECT to_char(max(date), 'YYYY-MM-DD') AS newest FROM energy_usage.daily_summary")
  return rows[0].newest ?? undefined
}
