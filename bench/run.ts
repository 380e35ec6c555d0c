import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { createStatusProbes, watchedGroups, type StatusProbes } from '../api/status.ts'
import { createCodec, type Codec } from '../lib/avro.ts'
import { createPool, type Pool } from '../lib/db.ts'
import { addDays, datesBetween, londonDay, londonToday } from '../lib/london-day.ts'
import { loadConfigOrExit, type Config } from '../lib/config.ts'
import { createLogger } from '../lib/log.ts'
import { createProgress } from '../lib/progress.ts'
import { createRegistryClient } from '../lib/registry.ts'
import { createAccountTable } from '../processors/account/table.ts'
import { CARBON_HISTORY } from '../clients/carbon/ranges.ts'
import { settledCount } from '../processors/ingest/landed.ts'
import { seed } from '../processors/ingest/seed.ts'
import { topology } from '../processors/topology.ts'
import { replayTable } from '../sinks/replay.ts'
import { baselineArgs, parseBenchArgs, type BenchOptions } from './args.ts'
import { checkoutBaseline, removeBaseline, runBaselineBench, type Baseline } from './baseline.ts'
import { compareRows, figuresOf, formatTable, REQUEST_SOURCES, type BackfillFigures, type BenchResults, type StageFigures, type UpstreamRequests } from './compare.ts'
import { bareCopyRowsPerSecond } from './copy-vs-replay.ts'
import { createEnvironment, freePort, type Environment } from '../lib/environment.ts'
import { readTopic } from '../lib/range-reader.ts'
import { startPart, startSampleApi, waitFor, type Child } from '../lib/processes.ts'
import { REAL_ACCOUNT, SAMPLE_ACCOUNT, type RequestCounters } from '../sample-api/index.ts'
import { formatChecks, readChecks } from '../scripts/demo/checks.ts'

const HELP = `Usage: npm run bench -- [--years N] [--latency-runs N] [--upstream-latency-ms N] [--baseline REV] [--keep] [--profile]

Measures, in one run, each backfill on a fresh namespace and database of its own (deleted
afterwards unless --keep):
  1. backfill: N years (default 10) of days through the whole pipeline, end to end and per
     stage, and the upstream requests it made per source, from the sample APIs' counters (reset
     just before the seed; the seed's account read is counted, the processors' read at start
     is waited for before the reset, so it is not)
  2. the same backfill with --upstream-latency-ms N (default 150; 0 skips it) before every
     upstream answer: a second fresh environment, with its own sample APIs (started with
     --latency-ms N) and its own pipeline processes, set up once the first environment's
     processes are stopped (and it is deleted), so both backfills start from the same state
  3. replay of each source table against a bare COPY of the same rows (first environment)
  4. latency: one requested day to its daily_summary row, pipeline idle (default 20 runs)
  5. peak RSS of the join, the sinks and the processors during each backfill
The Carbon and Octopus APIs are two hosts, as in production: two sample API processes on two
ports of 127.0.0.1, CARBON_API_URL on one and OCTOPUS_API_URL on the other (the account, rates
and consumption all on the Octopus one), so each host gets its own HTTP_MAX_IN_FLIGHT and
HTTP_MAX_PER_SECOND, as the real services would.
Prices by the sample account (OCTOPUS_ACCOUNT=${SAMPLE_ACCOUNT}: three tariffs from 2016, standing
charges), as a household with history would. Prints a table and writes
bench/results/bench-<time>.json. --profile writes a V8 CPU profile of every process it starts
to bench/results/profiles/ (open in Chrome DevTools). Ctrl-C stops everything it started and
deletes the environments (unless --keep).

--baseline REV (a commit, branch or tag) measures REV first, then the working tree, back to back
with the same options: REV is checked out into a git worktree at .bench/baseline-<commit>
(node_modules linked to ours when its package-lock.json is the same, else npm ci there) and its
own bench/run.ts runs there, on fresh namespaces and databases of its own. Then one table of
every figure, REV and the working tree side by side with the relative change; the results file
holds the working tree's figures and REV's under "baseline", and REV's bench log is copied to
bench/results/bench-<time>-baseline.log. The worktree is removed at the end, on an error or on
Ctrl-C (git worktree remove).`

let options: BenchOptions
try {
  options = parseBenchArgs(process.argv.slice(2))
} catch (err) {
  console.error(`bench: ${(err as Error).message} (--help for usage)`)
  process.exit(1)
}
if (options.help) {
  console.log(HELP)
  process.exit(0)
}
const { years, latencyRuns, upstreamLatencyMs } = options
const log = createLogger('warn')
const say = (text: string): void => { console.error(`[bench] ${text}`) }
// The backfill's progress, beside the [bench] lines: live on a terminal, JSON lines otherwise.
const progress = createProgress({ stream: process.stderr, tty: process.stderr.isTTY === true, log: createLogger('info', process.stderr).child({ component: 'bench' }) })

// Days of the Intelligent Octopus run (measureIntelligent): a month of the sample EV's account.
const INTELLIGENT_DAYS = 30
const CARBON_SOURCES: ReadonlySet<string> = new Set(['co2', 'mix', 'regional'])

// The throwaway environments derive from this config: a bad variable stops here, in one line each.
const baseConfig = loadConfigOrExit('bench')
const profileDir = new URL('./results/profiles/', import.meta.url).pathname
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
const resultsPrefix = new URL(`./results/bench-${Date.now()}`, import.meta.url).pathname
const logPath = `${resultsPrefix}.log`
const logFile = createWriteStream(logPath)

/** One environment with its sample APIs and pipeline processes: one backfill. */
interface Run {
  environment: Environment
  /** `--latency-ms` of its sample APIs. */
  latencyMs: number
  config: Readonly<Config>
  pool: Pool
  codec: Codec
  probes: StatusProbes
  /** The Carbon and the Octopus sample API (their origins take the admin requests). */
  apis: Array<{ child: Child, url: string }>
  processors: Child
  join: Child
  sinks: Child
  /** Everything started, oldest first. */
  children: Child[]
  /** Stops its processes, closes its clients and deletes the environment (unless --keep); once. */
  close (): Promise<void>
}

/** Run.close of every run started, registered before it starts anything. */
const closers: Array<() => Promise<void>> = []
let cleaning: Promise<void> | undefined
/** Closes every run, newest first; the same promise however often it is called. */
async function cleanUp (): Promise<void> {
  cleaning ??= (async () => {
    for (const close of [...closers].reverse()) await close().catch((err: unknown) => { say(`cleaning up: ${(err as Error).message}`) })
    logFile.end()
  })()
  return await cleaning
}
// The children share the bench's process group, so a terminal's Ctrl-C reaches them too; the
// handler makes sure they are stopped (a signal sent to the bench alone) and the environments
// deleted. Only the first signal counts: through `npm run` a Ctrl-C arrives twice (lib/shutdown.ts).
let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return
    interrupted = true
    say(`${signal}: stopping everything the bench started`)
    const exit = (): never => process.exit(130)
    cleanUp().then(exit, exit)
  })
}

try {
  const to = addDays(londonToday(), -3)
  const from = addDays(to, -Math.round(years * 365.25) + 1)
  const dates = datesBetween(from, to)
  const slots = dates.reduce((sum, d) => sum + londonDay(d).slots, 0)
  // Carbon sources have no records before their history (co2 and mix 2017-09-26, regional 2018-05-10).
  const slotsFrom = (start: string): number => dates.filter(d => d >= start).reduce((sum, d) => sum + londonDay(d).slots, 0)
  const HISTORY: Record<string, string> = { co2: CARBON_HISTORY.national, mix: CARBON_HISTORY.national, regional: CARBON_HISTORY.regional }
  const records = topology.sources.reduce((sum, s) => sum + (HISTORY[s.name] === undefined ? slots : slotsFrom(HISTORY[s.name])), 0)
  const range = { from, to, dates, slots, records }
  say(`${dates.length} days, ${slots} half-hours per source, ${records} source records`)

  const baseline = options.baseline === undefined ? undefined : await measureBaseline(options.baseline)

  const first = await startRun(0)
  const backfill = await measureBackfill(first, range)
  const { config, pool, codec } = first
  // A day is emitted again when an optional input (export, gas) lands in a later poll.
  const completionRecords = await readTopic(config, config.topics.completion, async () => {})

  say('replay vs bare COPY')
  const replays = []
  // Not the forecast: the next 48 hours are no part of a backfill (the bench does not run it).
  for (const target of topology.sinkTargets.filter(t => t.name !== 'daily_summary' && t.name !== 'forecast')) {
    // Each measurement starts from a checkpoint, so neither pays for the other's (or the
    // backfill's) dirty pages; the bare COPY runs on both sides of the replay.
    await pool.query('CHECKPOINT')
    const bareBefore = await bareCopyRowsPerSecond(pool, target)
    await pool.query('CHECKPOINT')
    const replay = await replayTable({ config, codec, pool, log }, target)
    await pool.query('CHECKPOINT')
    const bareAfter = await bareCopyRowsPerSecond(pool, target)
    const bareRowsPerSecond = (bareBefore.rowsPerSecond + bareAfter.rowsPerSecond) / 2
    const replayRowsPerSecond = replay.rows / (replay.ms / 1000)
    replays.push({ table: target.name, rows: replay.rows, replayMs: Math.round(replay.ms), replayRowsPerSecond: Math.round(replayRowsPerSecond), bareCopyMs: Math.round((bareBefore.ms + bareAfter.ms) / 2), bareCopyRowsPerSecond: Math.round(bareRowsPerSecond), ratio: replayRowsPerSecond / bareRowsPerSecond })
  }

  say(`latency, ${latencyRuns} single-day requests`)
  const latencies: number[] = []
  for (let i = 0; i < latencyRuns; i++) {
    const date = dates[Math.floor((i + 0.5) * dates.length / latencyRuns)]
    const { rows } = await pool.query<{ at: Date }>('SELECT updated_at AS at FROM energy_usage.daily_summary WHERE date = $1', [date])
    const before = rows[0].at.getTime()
    const t0 = performance.now()
    await seed({ config, codec, log: createLogger('silent') }, { from: date, to: date })
    await waitFor(`day ${date}`, async () => {
      assertRunning(first)
      const r = await pool.query<{ at: Date }>('SELECT updated_at AS at FROM energy_usage.daily_summary WHERE date = $1', [date])
      return r.rows[0].at.getTime() > before
    }, 60000, 10)
    latencies.push(performance.now() - t0)
  }
  latencies.sort((a, b) => a - b)
  await first.close()

  const intelligent = await measureIntelligent()

  let withLatency: BackfillFigures | null = null
  if (upstreamLatencyMs > 0) {
    const second = await startRun(upstreamLatencyMs)
    withLatency = await measureBackfill(second, range)
    await second.close()
  }

  const results = {
    machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    range: { from, to, days: dates.length, halfHours: slots, sourceRecords: records },
    upstream: {
      hosts: 'two sample API processes, Carbon and Octopus on two ports',
      maxInFlightPerHost: baseConfig.httpMaxInFlight,
      maxPerSecondPerHost: baseConfig.httpMaxPerSecond
    },
    backfill,
    backfillWithUpstreamLatency: withLatency,
    cpuSecondsDuringBackfill: backfill.cpuSeconds,
    completion: { records: completionRecords, perDay: Number((completionRecords / dates.length).toFixed(2)) },
    replay: replays,
    latency: { runs: latencies.length, medianMs: Math.round(latencies[Math.floor(latencies.length / 2)]), worstMs: Math.round(latencies[latencies.length - 1]) },
    memory: { joinPeakRssMB: backfill.peakRssMB.join, sinksPeakRssMB: backfill.peakRssMB.sinks, processorsPeakRssMB: backfill.peakRssMB.processors },
    intelligent
  }
  const file = new URL(`./results/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url)
  writeFileSync(file, JSON.stringify(baseline === undefined ? results : { ...results, baseline }, null, 2) + '\n')
  if (baseline === undefined) printTable(results)
  else printComparison(baseline, results)
  console.log(`\nIntelligent Octopus (the opt-in sources): ${intelligent.account}, ${intelligent.from}..${intelligent.to}, ${intelligent.landed}/${intelligent.days} days with Octopus's billed figures in ${(intelligent.ms / 1000).toFixed(1)} s, ${intelligent.graphqlRequests} GraphQL requests`)
  console.log(intelligent.summary)
  console.log(`\nresults: ${file.pathname}`)
} finally {
  await cleanUp()
}

/** What the opt-in sources did over the last INTELLIGENT_DAYS days of the sample EV's account. */
interface IntelligentFigures {
  account: string
  from: string
  to: string
  days: number
  /** Days whose daily_summary row has Octopus's billed figure. */
  landed: number
  /** From the seed to the last of them (or the deadline). */
  ms: number
  graphqlRequests: number
  /** The demo's summary (scripts/demo/checks.ts): dispatches re-priced, computed vs billed with the reasons. */
  summary: string
}

/**
 * Issue 23 in the bench: the sample account with an EV on Intelligent Octopus Go
 * (REAL_ACCOUNT) seeded over INTELLIGENT_DAYS days with every source running, the opt-in
 * dispatches (its poller snapshots what GraphQL lists now) and billed (Octopus's own figures,
 * GraphQL measurements) too: how long, how many GraphQL requests, and what the join re-priced
 * and how the computed bill compares with Octopus's (the days older than the first snapshot are
 * priced without dispatches, as a real backfill's are). Reported, not compared with a baseline.
 */
async function measureIntelligent (): Promise<IntelligentFigures> {
  const run = await startRun(0, { OCTOPUS_ACCOUNT: REAL_ACCOUNT, SOURCES: topology.sourceNames.join(',') })
  try {
    const { config, pool, codec } = run
    const to = addDays(londonToday(), -3)
    const from = addDays(to, -(INTELLIGENT_DAYS - 1))
    say(`Intelligent Octopus: ${REAL_ACCOUNT}, ${from}..${to} with the dispatches and billed sources`)
    const started = performance.now()
    await seed({ config, codec, log }, { from, to })
    // A day Octopus has not measured has no billed figure: reported as such after the deadline.
    let landed = 0
    for (const deadline = Date.now() + 3 * 60 * 1000; landed < INTELLIGENT_DAYS && Date.now() < deadline; await sleep(250)) {
      assertRunning(run)
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM energy_usage.daily_summary WHERE date BETWEEN $1 AND $2 AND billed_inc_vat IS NOT NULL', [from, to])
      landed = Number(rows[0].n)
    }
    const ms = performance.now() - started
    const requests = await upstreamRequests(run)
    return { account: REAL_ACCOUNT, from, to, days: INTELLIGENT_DAYS, landed, ms: Math.round(ms), graphqlRequests: requests.bySource.graphql ?? 0, summary: formatChecks(await readChecks(pool, from, to)) }
  } finally {
    await run.close()
  }
}

/**
 * `rev` checked out into a worktree and measured by its own bench with the same options, before
 * the working tree's run; the worktree is removed once it is done (or by cleanUp, on an error
 * or a signal).
 */
async function measureBaseline (rev: string): Promise<{ rev: string, commit: string, results: unknown }> {
  const root = new URL('../', import.meta.url).pathname
  // Set as they start, for a close that may come from a signal at any point.
  const started: { checkout?: Baseline, child?: Child } = {}
  let removed: Promise<void> | undefined
  const close = async (): Promise<void> => {
    removed ??= (async () => {
      // Its bench deletes its own environments on SIGTERM, as ours does.
      await started.child?.stop('SIGTERM', 60000)
      if (started.checkout !== undefined) await removeBaseline(root, started.checkout.dir)
    })()
    return await removed
  }
  closers.push(close)
  const checkout = started.checkout = await checkoutBaseline(root, rev, say)
  say(`baseline ${rev} (${checkout.commit.slice(0, 12)}) in ${checkout.dir}`)
  const bench = runBaselineBench(checkout, baselineArgs(options), logFile, say, resultsPrefix)
  started.child = bench.child
  try {
    return { rev, commit: checkout.commit, results: await bench.results }
  } finally {
    await close()
  }
}

/**
 * A fresh environment (namespace, database, topics) with the Carbon and Octopus sample APIs on
 * two ports, each answering after `latencyMs`, and the pipeline's three processes.
 */
async function startRun (latencyMs: number, extra: Record<string, string> = {}): Promise<Run> {
  // Two hosts as in production, so lib/http.ts limits each on its own (its key is the URL's
  // host, port included): two ports of 127.0.0.1 rather than `localhost` beside 127.0.0.1, which
  // depends on how the box resolves localhost (::1 first on some; the sample API is on IPv4).
  const carbonPort = await freePort()
  let octopusPort = await freePort()
  while (octopusPort === carbonPort) octopusPort = await freePort()
  const environment = await createEnvironment('bench', log, topology, {
    OCTOPUS_ACCOUNT: SAMPLE_ACCOUNT,
    SAMPLE_API_PORT: String(carbonPort),
    CARBON_API_URL: `http://127.0.0.1:${carbonPort}/carbon`,
    OCTOPUS_API_URL: `http://127.0.0.1:${octopusPort}/octopus/v1`,
    // Octopus's GraphQL beside its REST API, on the Octopus host (the account refresh asks it).
    OCTOPUS_GRAPHQL_URL: `http://127.0.0.1:${octopusPort}/octopus/v1/graphql/`,
    ...extra
  })
  const { config } = environment
  const env = options.profile ? { ...environment.env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : environment.env
  const pool = createPool(config.databaseUrl, log)
  const probes = createStatusProbes({ config, pool, log, timeoutMs: 5000 })
  const children: Child[] = []
  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    closing ??= (async () => {
      for (const c of [...children].reverse()) await c.stop('SIGTERM', 30000)
      await probes.close?.()
      await pool.end()
      if (options.keep) say(`kept namespace ${environment.namespace} and database ${new URL(config.databaseUrl).pathname.slice(1)}`)
      else await environment.dispose()
    })()
    return await closing
  }
  closers.push(close)
  say(`namespace ${environment.namespace}${latencyMs > 0 ? `, upstream latency ${latencyMs} ms` : ''}`)
  const apis: Run['apis'] = []
  for (const [name, url, port] of [['carbon', config.carbonApiUrl, carbonPort], ['octopus', config.octopusApiUrl, octopusPort]] as const) {
    const child = await startSampleApi({ ...env, SAMPLE_API_PORT: String(port) }, url, logFile, { name: `sample API ${name}`, latencyMs })
    children.push(child)
    apis.push({ child, url })
  }
  const processors = startPart('processors', env, logFile)
  const join = startPart('join', env, logFile)
  const sinks = startPart('sinks', env, logFile)
  children.push(processors, join, sinks)
  const codec = createCodec(createRegistryClient(config.schemaRegistryUrl), undefined, config.namespace)
  return { environment, latencyMs, config, pool, codec, probes, apis, processors, join, sinks, children, close }
}

/**
 * Throws if a process of `run` has exited: a part that stopped for good would otherwise leave
 * the bench waiting out its 30-minute deadline.
 */
function assertRunning (run: Run): void {
  const gone = run.children.find(c => c.process.exitCode !== null || c.process.signalCode !== null)
  if (gone !== undefined) throw new Error(`${gone.name} exited (${gone.process.exitCode ?? gone.process.signalCode}): its log is in ${logPath}`)
}

/** Both sample APIs' counters, summed (each source is counted by one of them). */
async function upstreamRequests (run: Run): Promise<UpstreamRequests> {
  const bySource: Record<string, number> = Object.fromEntries(REQUEST_SOURCES.map(s => [s, 0]))
  let total = 0
  for (const { url } of run.apis) {
    const res = await fetch(new URL('/_admin/requests', url), { signal: AbortSignal.timeout(5000) })
    if (!res.ok) throw new Error(`${new URL('/_admin/requests', url).href} answered HTTP ${res.status}`)
    const counters = await res.json() as RequestCounters
    total += counters.total
    for (const [source, n] of Object.entries(counters.bySource)) bySource[source] = (bySource[source] ?? 0) + (n ?? 0)
  }
  return { total, bySource }
}

/** Seeds the range into `run` and waits until every day's daily_summary row is committed. */
async function measureBackfill (run: Run, range: { from: string, to: string, dates: string[], slots: number, records: number }): Promise<BackfillFigures> {
  const { config, pool, codec, probes, processors, join, sinks, latencyMs } = run
  // The processors read and publish the account once at start (the account refresher): waited
  // for until it is on energy.account, so that read falls before the reset and the counts hold
  // the backfill's requests alone, the same in every run; and the seed finds the account
  // unchanged, as against a running pipeline. (A seed racing the refresher publishes an account
  // of its own, which the refresher's older one then follows: each processor waits 10 s for the
  // seed's version before it serves the requests.) The clock starts with the processors up.
  const accounts = createAccountTable(config, codec, log)
  try {
    await waitFor('the processors to publish the account', async () => {
      assertRunning(run)
      await accounts.catchUp()
      return accounts.get(config.octopusAccount) !== undefined
    }, 60000, 100)
  } finally {
    await accounts.close()
  }
  for (const { url } of run.apis) {
    const res = await fetch(new URL('/_admin/reset', url), { method: 'POST', signal: AbortSignal.timeout(5000) })
    if (!res.ok) throw new Error(`${new URL('/_admin/reset', url).href} answered HTTP ${res.status}`)
  }
  say(`backfill${latencyMs > 0 ? ` with ${latencyMs} ms upstream latency` : ''}`)
  const started = performance.now()
  await seed({ config, codec, log }, { from: range.from, to: range.to })
  const seeded = performance.now()
  const marks: Record<string, number> = {}
  const count = async (table: string): Promise<number> => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)
  // The ingest processors are done when their groups have committed every request.
  const processorGroups = watchedGroups(config).filter(g => g.kind === 'processor').map(g => g.group)
  const processorsDone = async (): Promise<boolean> => {
    // A broker hiccup makes this poll say "not yet", not end the benchmark.
    const snapshot = await probes.kafka().catch(() => undefined)
    if (snapshot === undefined) return false
    const latest = snapshot.topics.get(config.topics.requests)?.latest ?? []
    return processorGroups.every(group => {
      const committed = snapshot.committed.get(group)?.get(config.topics.requests) ?? []
      return latest.every((end, p) => end === 0n || (committed[p] ?? -1n) >= end)
    })
  }
  let peakJoin = 0
  let peakSinks = 0
  let consumption = 0
  const snapshot = (now: number, settled: number): Parameters<typeof progress.update>[0] => ({
    title: `backfill${latencyMs > 0 ? ` +${latencyMs} ms` : ''}`,
    elapsedMs: now - started,
    rows: [
      { label: 'consumption', done: Math.min(consumption, range.slots), total: range.slots, unit: 'half-hours' },
      { label: 'daily_summary', done: settled, total: range.dates.length, unit: 'days' }
    ]
  })
  await waitFor('the backfill', async () => {
    assertRunning(run)
    peakJoin = Math.max(peakJoin, join.peakRss())
    peakSinks = Math.max(peakSinks, sinks.peakRss())
    const now = performance.now()
    if (marks.produced === undefined && await processorsDone()) marks.produced = now
    if (marks.sources === undefined) {
      consumption = await count('energy_usage.consumption')
      if (consumption >= range.slots) marks.sources = now
    }
    // A day is landed once every input it can have is in (processors/ingest/landed.ts: money
    // never waits for carbon, so a day's first row, with its bill, is not the end).
    const settled = await settledCount(pool)
    if (settled >= range.dates.length) {
      marks.done = now
      progress.finish(snapshot(now, settled))
      return true
    }
    progress.update(snapshot(now, settled))
    return false
  }, 30 * 60 * 1000, 250)
  const totalMs = marks.done - started
  const requests = await upstreamRequests(run)
  const cpu = Object.fromEntries(run.children.map(c => [c.name, Number(c.cpuSeconds().toFixed(1))]))
  say(`backfill landed in ${(totalMs / 1000).toFixed(1)} s, ${requests.total} upstream requests`)
  // Stages run at once, so each is given when it finished (wall) and how many records it
  // handles per CPU-second of its own process (what it would do with a core to itself).
  const stage = (doneAt: number | undefined, process: string): StageFigures => {
    const doneMs = Math.round((doneAt ?? marks.done) - started)
    return { doneMs, recordsPerSecond: Math.round(range.records / (doneMs / 1000)), recordsPerCpuSecond: Math.round(range.records / cpu[process]) }
  }
  return {
    upstreamLatencyMs: latencyMs,
    seedMs: Math.round(seeded - started),
    totalMs: Math.round(totalMs),
    recordsPerSecond: Math.round(range.records / (totalMs / 1000)),
    sourcesLandedMs: Math.round((marks.sources ?? marks.done) - started),
    daysPerSecond: Math.round(range.dates.length / (totalMs / 1000)),
    stages: {
      fetchProduce: stage(marks.produced, 'processors'),
      join: stage(marks.done, 'join'),
      sinks: stage(marks.done, 'sinks')
    },
    upstreamRequests: requests,
    cpuSeconds: cpu,
    peakRssMB: { join: Math.round(peakJoin / 2 ** 20), sinks: Math.round(peakSinks / 2 ** 20), processors: Math.round(processors.peakRss() / 2 ** 20) }
  }
}

function printTable (r: BenchResults): void {
  const backfills = [r.backfill, ...(r.backfillWithUpstreamLatency === null ? [] : [r.backfillWithUpstreamLatency])]
  // A backfill row: one figure per backfill, side by side.
  const both = (measure: string, figure: (b: BackfillFigures) => string, target = ''): string[] => [measure, ...backfills.map(figure), target]
  const one = (measure: string, figure: string, target = ''): string[] => [measure, figure, ...backfills.slice(1).map(() => ''), target]
  const cpu = (b: BackfillFigures, name: string): string => String(b.cpuSeconds[name] ?? '-')
  const rows: string[][] = [
    both(`backfill: ${r.range.days} days, ${r.range.sourceRecords} records, end to end`, b => seconds(b.totalMs), '< 15 s; < 30 s at +150 ms (10 years)'),
    both('backfill: processors done (fetch+produce), records/s', b => `${seconds(b.stages.fetchProduce.doneMs)} (${b.stages.fetchProduce.recordsPerSecond})`),
    both('backfill: source tables complete', b => seconds(b.sourcesLandedMs)),
    both('backfill: records per second, end to end', b => String(b.recordsPerSecond)),
    both('backfill: records per CPU-second: fetch+produce / join / sinks', b => `${b.stages.fetchProduce.recordsPerCpuSecond} / ${b.stages.join.recordsPerCpuSecond} / ${b.stages.sinks.recordsPerCpuSecond}`),
    both('backfill: CPU seconds: processors / join / sinks / sample APIs', b => `${cpu(b, 'processors')} / ${cpu(b, 'join')} / ${cpu(b, 'sinks')} / ${cpu(b, 'sample API carbon')} + ${cpu(b, 'sample API octopus')}`),
    ...REQUEST_SOURCES.map(source => both(`upstream requests: ${source} (${CARBON_SOURCES.has(source) ? 'Carbon' : 'Octopus'} host)`, b => String(b.upstreamRequests.bySource[source] ?? 0))),
    both('upstream requests: total', b => String(b.upstreamRequests.total), '≤ 700 (10 years)'),
    one('backfill: completion records (join emissions) per day', `${r.completion.records} (${r.completion.perDay} per day)`),
    // A table of a few rows measures fixed costs (a transaction, a swap), not throughput.
    ...r.replay.map(x => one(`replay ${x.table} (${x.rows} rows): replay vs bare COPY rows/s`, `${x.replayRowsPerSecond} vs ${x.bareCopyRowsPerSecond} = ${x.ratio.toFixed(2)}`,
      x.rows < 10000 ? 'n/a (few rows)' : '>= 0.50')),
    one('latency: one day requested → daily_summary, median / worst', `${r.latency.medianMs} / ${r.latency.worstMs} ms`, 'median < 1000 ms'),
    both('peak RSS during the backfill: join / sinks / processors', b => `${b.peakRssMB.join} / ${b.peakRssMB.sinks} / ${b.peakRssMB.processors} MB`, 'join < 250 MB')
  ]
  const header = ['measure', 'no added latency', ...backfills.slice(1).map(b => `+${b.upstreamLatencyMs} ms per answer`), 'target']
  const widths = header.slice(0, -1).map((_, i) => Math.max(header[i].length, ...rows.map(x => x[i].length)))
  const line = (cells: string[]): string => cells.map((c, i) => i < widths.length ? c.padEnd(widths[i]) : c).join('  ').trimEnd()
  console.log(`\nenergy pipeline benchmark: ${r.machine.cores} cores; Carbon and Octopus on two hosts, each at most ${r.upstream.maxInFlightPerHost} requests in flight and ${r.upstream.maxPerSecondPerHost} started per second\n`)
  console.log(line(header))
  for (const row of rows) console.log(line(row))
}

/** Every figure of `baseline` and of this run side by side, with the relative change. */
function printComparison (baseline: { rev: string, commit: string, results: unknown }, r: BenchResults): void {
  const rows = compareRows(figuresOf(baseline.results as BenchResults), figuresOf(r))
  console.log(`\nenergy pipeline benchmark, before and after: ${r.machine.cores} cores; ${r.range.days} days, ${r.range.sourceRecords} source records; each host at most ${r.upstream.maxInFlightPerHost} requests in flight and ${r.upstream.maxPerSecondPerHost} started per second\n`)
  for (const line of formatTable(['measure', `${baseline.rev} (${baseline.commit.slice(0, 12)})`, 'working tree', 'change'], rows)) console.log(line)
}

function seconds (ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
