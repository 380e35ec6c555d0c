import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { createStatusProbes, watchedGroups } from '../api/status.ts'
import { createCodec } from '../lib/avro.ts'
import { createPool } from '../lib/db.ts'
import { addDays, datesBetween, londonDay, londonToday } from '../lib/london-day.ts'
import { loadConfigOrExit } from '../lib/config.ts'
import { createLogger } from '../lib/log.ts'
import { createRegistryClient } from '../lib/registry.ts'
import { seed } from '../processors/ingest/seed.ts'
import { topology } from '../processors/topology.ts'
import { replayTable } from '../sinks/replay.ts'
import { bareCopyRowsPerSecond } from './copy-vs-replay.ts'
import { createEnvironment } from '../lib/environment.ts'
import { readTopic } from '../lib/range-reader.ts'
import { startPart, startSampleApi, waitFor, type Child } from '../lib/processes.ts'
import { SAMPLE_ACCOUNT } from '../sample-api/index.ts'

const HELP = `Usage: npm run bench -- [--years N] [--latency-runs N] [--keep] [--profile]

Measures, in one run on a fresh namespace and database (deleted afterwards unless --keep):
  1. backfill: N years (default 10) of days through the whole pipeline, end to end and per stage
  2. replay of each source table against a bare COPY of the same rows
  3. latency: one requested day to its daily_summary row, pipeline idle (default 20 runs)
  4. peak RSS of the join and of the sinks during the backfill
Prices by the sample account (OCTOPUS_ACCOUNT=${SAMPLE_ACCOUNT}: three tariffs from 2016, standing
charges), as a household with history would. Prints a table and writes
bench/results/bench-<time>.json. --profile writes a V8 CPU profile of every pipeline process to
bench/results/profiles/ (open in Chrome DevTools).`

const { values } = parseArgs({
  options: {
    years: { type: 'string', default: '10' },
    'latency-runs': { type: 'string', default: '20' },
    keep: { type: 'boolean' },
    profile: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  }
})
if (values.help === true) {
  console.log(HELP)
  process.exit(0)
}
const years = Number(values.years)
const latencyRuns = Number(values['latency-runs'])
const log = createLogger('warn')
const say = (text: string): void => { console.error(`[bench] ${text}`) }

// The throwaway environment derives from this config: a bad variable stops here, in one line each.
loadConfigOrExit('bench')
const environment = await createEnvironment('bench', log, topology, { OCTOPUS_ACCOUNT: SAMPLE_ACCOUNT })
const { config } = environment
const profileDir = new URL('./results/profiles/', import.meta.url).pathname
const env = values.profile === true ? { ...environment.env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : environment.env
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
const logFile = createWriteStream(new URL(`./results/bench-${Date.now()}.log`, import.meta.url))
const pool = createPool(config.databaseUrl, log)
const codec = createCodec(createRegistryClient(config.schemaRegistryUrl), undefined, config.namespace)
const children: Child[] = []
const probes = createStatusProbes({ config, pool, log, timeoutMs: 5000 })
try {
  const to = addDays(londonToday(), -3)
  const from = addDays(to, -Math.round(years * 365.25) + 1)
  const dates = datesBetween(from, to)
  const slots = dates.reduce((sum, d) => sum + londonDay(d).slots, 0)
  say(`${dates.length} days, ${slots} half-hours per source, ${slots * topology.sources.length} source records; namespace ${environment.namespace}`)

  children.push(await startSampleApi(env, config.carbonApiUrl, logFile))
  const processors = startPart('processors', env, logFile)
  const join = startPart('join', env, logFile)
  const sinks = startPart('sinks', env, logFile)
  children.push(processors, join, sinks)

  const started = performance.now()
  await seed({ config, codec, log }, { from, to })
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
  await waitFor('the backfill', async () => {
    peakJoin = Math.max(peakJoin, join.peakRss())
    peakSinks = Math.max(peakSinks, sinks.peakRss())
    const now = performance.now()
    if (marks.produced === undefined && await processorsDone()) marks.produced = now
    if (marks.sources === undefined && await count('energy_usage.consumption') >= slots) marks.sources = now
    const days = await count('energy_usage.daily_summary')
    if (days >= dates.length) {
      marks.done = now
      return true
    }
    return false
  }, 30 * 60 * 1000, 250)
  const totalMs = marks.done - started
  const cpu = Object.fromEntries(children.map(c => [c.name, Number(c.cpuSeconds().toFixed(1))]))
  say(`backfill landed in ${(totalMs / 1000).toFixed(1)} s`)
  // A day is emitted again when an optional input (export, gas) lands in a later poll.
  const completionRecords = await readTopic(config, config.topics.completion, async () => {})

  say('replay vs bare COPY')
  const replays = []
  for (const target of topology.sinkTargets.filter(t => t.name !== 'daily_summary')) {
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
      const r = await pool.query<{ at: Date }>('SELECT updated_at AS at FROM energy_usage.daily_summary WHERE date = $1', [date])
      return r.rows[0].at.getTime() > before
    }, 60000, 10)
    latencies.push(performance.now() - t0)
  }
  latencies.sort((a, b) => a - b)

  const records = slots * topology.sources.length
  // Stages run at once, so each is given when it finished (wall) and how many records it
  // handles per CPU-second of its own process (what it would do with a core to itself).
  const stage = (doneAt: number | undefined, process: string) => {
    const doneMs = Math.round((doneAt ?? marks.done) - started)
    return { doneMs, recordsPerSecond: Math.round(records / (doneMs / 1000)), recordsPerCpuSecond: Math.round(records / cpu[process]) }
  }
  const results = {
    machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    range: { from, to, days: dates.length, halfHours: slots, sourceRecords: records },
    backfill: {
      seedMs: Math.round(seeded - started),
      totalMs: Math.round(totalMs),
      recordsPerSecond: Math.round(records / (totalMs / 1000)),
      sourcesLandedMs: Math.round((marks.sources ?? marks.done) - started),
      daysPerSecond: Math.round(dates.length / (totalMs / 1000)),
      stages: {
        fetchProduce: stage(marks.produced, 'processors'),
        join: stage(marks.done, 'join'),
        sinks: stage(marks.done, 'sinks')
      }
    },
    cpuSecondsDuringBackfill: cpu,
    completion: { records: completionRecords, perDay: Number((completionRecords / dates.length).toFixed(2)) },
    replay: replays,
    latency: { runs: latencies.length, medianMs: Math.round(latencies[Math.floor(latencies.length / 2)]), worstMs: Math.round(latencies[latencies.length - 1]) },
    memory: { joinPeakRssMB: Math.round(peakJoin / 2 ** 20), sinksPeakRssMB: Math.round(peakSinks / 2 ** 20), processorsPeakRssMB: Math.round(processors.peakRss() / 2 ** 20) }
  }
  const file = new URL(`./results/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url)
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n')
  printTable(results)
  console.log(`\nresults: ${file.pathname}`)
} finally {
  for (const c of children.reverse()) await c.stop()
  await probes.close?.()
  await pool.end()
  if (values.keep !== true) await environment.dispose()
  logFile.end()
}

interface StageFigures { doneMs: number, recordsPerSecond: number, recordsPerCpuSecond: number }

function printTable (r: { machine: { cores: number }, range: { days: number, sourceRecords: number }, backfill: { totalMs: number, recordsPerSecond: number, sourcesLandedMs: number, stages: Record<'fetchProduce' | 'join' | 'sinks', StageFigures> }, cpuSecondsDuringBackfill: Record<string, number>, completion: { records: number, perDay: number }, replay: Array<{ table: string, rows: number, replayRowsPerSecond: number, bareCopyRowsPerSecond: number, ratio: number }>, latency: { medianMs: number, worstMs: number }, memory: { joinPeakRssMB: number, sinksPeakRssMB: number, processorsPeakRssMB: number } }): void {
  const rows: Array<[string, string, string]> = [
    [`backfill: ${r.range.days} days, ${r.range.sourceRecords} records, end to end`, `${(r.backfill.totalMs / 1000).toFixed(1)} s`, '< 60 s for 10 years'],
    ['backfill: records per second', String(r.backfill.recordsPerSecond), ''],
    ['backfill: stage done after (records/s)', `fetch+produce ${seconds(r.backfill.stages.fetchProduce.doneMs)} (${r.backfill.stages.fetchProduce.recordsPerSecond}), sources landed ${seconds(r.backfill.sourcesLandedMs)}, join and sinks ${seconds(r.backfill.stages.join.doneMs)} (${r.backfill.stages.join.recordsPerSecond})`, ''],
    ['backfill: records per CPU-second of each stage', `fetch+produce ${r.backfill.stages.fetchProduce.recordsPerCpuSecond}, join ${r.backfill.stages.join.recordsPerCpuSecond}, sinks ${r.backfill.stages.sinks.recordsPerCpuSecond}`, ''],
    ['backfill: CPU seconds per process', Object.entries(r.cpuSecondsDuringBackfill).map(([k, v]) => `${k} ${v}`).join(', '), ''],
    ['backfill: completion records (join emissions) per day', `${r.completion.records} (${r.completion.perDay} per day)`, ''],
    // A table of a few rows measures fixed costs (a transaction, a swap), not throughput.
    ...r.replay.map((x): [string, string, string] => [`replay ${x.table} (${x.rows} rows): replay vs bare COPY rows/s`, `${x.replayRowsPerSecond} vs ${x.bareCopyRowsPerSecond} = ${x.ratio.toFixed(2)}`,
      x.rows < 10000 ? 'n/a (few rows)' : '>= 0.50']),
    ['latency: one day requested → daily_summary, median / worst', `${r.latency.medianMs} / ${r.latency.worstMs} ms`, 'median < 1000 ms'],
    ['peak RSS: join / sinks / processors', `${r.memory.joinPeakRssMB} / ${r.memory.sinksPeakRssMB} / ${r.memory.processorsPeakRssMB} MB`, 'join < 250 MB']
  ]
  const w0 = Math.max(...rows.map(x => x[0].length))
  const w1 = Math.max(...rows.map(x => x[1].length))
  console.log(`\nenergy pipeline benchmark: ${r.machine.cores} cores\n`)
  console.log(`${'measure'.padEnd(w0)}  ${'result'.padEnd(w1)}  target`)
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`)
}

function seconds (ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
