import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { createCodec } from '../lib/avro.ts'
import { createPool, type Pool } from '../lib/db.ts'
import { datesBetween, londonDay } from '../lib/london-day.ts'
import type { Logger } from '../lib/log.ts'
import { createRegistryClient } from '../lib/registry.ts'
import { seed } from '../processors/ingest/seed.ts'
import { fnv1a } from '../lib/hash.ts'
import { readTopic } from '../lib/range-reader.ts'
import { tableChecksum } from '../sinks/checksum.ts'
import { topology } from '../processors/topology.ts'
import { createEnvironment, type Environment } from '../lib/environment.ts'
import { SAMPLE_ACCOUNT } from '../sample-api/index.ts'
import { PARTS as PART_PROCESSES, startPart, startSampleApi, waitFor, type Child, type PartName } from '../lib/processes.ts'

// The fault suite: a backfill run undisturbed, the same backfill run while parts of the
// pipeline, the broker and Postgres are killed at random moments, and a comparison of every
// table and of the latest `completion` per date. Identical means nothing was lost or doubled.

export interface ChaosOptions {
  from: string
  to: string
  kills: number
  /** Also kill the broker once and restart Postgres once (both shared: CI or a quiet machine). */
  infrastructure: boolean
  log: Logger
  say: (line: string) => void
}

export interface Comparison { what: string, reference: string, disturbed: string, same: boolean }
export interface ChaosReport { kills: Array<{ atMs: number, victim: string }>, comparisons: Comparison[], identical: boolean }

const PARTS = Object.keys(PART_PROCESSES) as PartName[]
interface Running { env: Environment, api: Child, parts: Map<string, Child> }

async function startPipeline (name: string, log: Logger): Promise<Running> {
  // The whole sample account: every meter (import, export, gas) and the tariff switches.
  const env = await createEnvironment(name, log, topology, { OCTOPUS_ACCOUNT: SAMPLE_ACCOUNT })
  const api = await startSampleApi(env.env, env.config.carbonApiUrl)
  const parts = new Map<string, Child>()
  for (const part of PARTS) parts.set(part, startPart(part, env.env))
  return { env, api, parts }
}

async function stopPipeline (run: Running): Promise<void> {
  for (const child of [...run.parts.values(), run.api]) await child.stop()
}

function expectedSlots (dates: string[]): number {
  return dates.reduce((sum, d) => sum + londonDay(d).slots, 0)
}

/** Waits until every table holds the range and nothing changed for `quietMs`. */
async function settle (pool: Pool, dates: string[], quietMs: number, timeoutMs: number): Promise<void> {
  const slots = expectedSlots(dates)
  let last = ''
  let since = Date.now()
  await waitFor('the pipeline to settle', async () => {
    // Every source table (mix has a row per fuel, so it only counts towards quiet), then the days.
    const counts = topology.sinkTargets.map(t => `(SELECT count(*) FROM ${t.spec.table})`)
    const { rows } = await pool.query<{ s: string }>(`SELECT ${counts.join(" || '/' || ")} || '/' ||
      (SELECT coalesce(max(updated_at)::text, '') FROM energy_usage.daily_summary) AS s`)
    const state = rows[0].s
    if (state !== last) {
      last = state
      since = Date.now()
    }
    const byTable = new Map(topology.sinkTargets.map((t, i) => [t.name, Number(state.split('/')[i])]))
    // The source tables only: agreements and the forecast (the next 48 hours) are not per seeded
    // slot, and the opt-in sources (dispatches, billed) do not run here.
    const sourcesFull = topology.sources.filter(s => s.optIn !== true).every(s => s.sink.spec.recordKey !== undefined || byTable.get(s.sink.name) === slots)
    return sourcesFull && byTable.get('daily_summary') === dates.length && Date.now() - since >= quietMs
  }, timeoutMs, 500)
}

/** Table checksums without batch ids and fetch times (two runs' requests differ in those). */
async function snapshot (run: Running): Promise<Map<string, string>> {
  const pool = createPool(run.env.config.databaseUrl, createSilent())
  const out = new Map<string, string>()
  try {
    for (const target of topology.sinkTargets) {
      const c = await tableChecksum(pool, target.spec, undefined, ['batch_id', 'fetched_at'])
      out.set(`table ${target.name}`, `${c.rows} rows, md5 ${c.md5.slice(0, 12)}`)
    }
  } finally {
    await pool.end()
  }
  const latest = await latestCompletion(run)
  out.set('completion: latest per date', `${latest.size} dates, ${fingerprint([...latest.values()].sort().join('\n'))}`)
  return out
}

async function latestCompletion (run: Running): Promise<Map<string, string>> {
  const { config } = run.env
  const codec = createCodec(createRegistryClient(config.schemaRegistryUrl), undefined, config.namespace)
  const topic = config.topics.completion
  const latest = new Map<string, string>()
  await readTopic(config, topic, async records => {
    for (const m of records) {
      if (m.key === undefined || m.value === undefined) continue
      const { computed_at: _at, batches: _b, ...figures } = await codec.decode<Record<string, unknown>>(topic, m.value)
      latest.set(m.key, canonical(figures))
    }
  })
  return latest
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
function canonical (value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a < b ? -1 : 1)
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
}

function fingerprint (text: string): string {
  return `fnv ${fnv1a(text).toString(16)}`
}

function createSilent (): Logger {
  return { warn () {}, info () {}, error () {}, debug () {}, child () { return this } } as unknown as Logger
}

function killBroker (say: (line: string) => void): boolean {
  const pidFile = new URL('../.stack/run/kafka.pid', import.meta.url).pathname
  if (!existsSync(pidFile)) {
    say('broker: not started by this checkout (.stack/run/kafka.pid missing), not killed')
    return false
  }
  process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL')
  return true
}

function restartBroker (): void {
  execFileSync(process.execPath, ['scripts/stack.ts', 'up'], { cwd: new URL('../', import.meta.url).pathname, stdio: 'ignore' })
}

function restartPostgres (say: (line: string) => void): boolean {
  if (!existsSync('/etc/postgresql')) {
    say('postgres: no cluster under /etc/postgresql, not restarted')
    return false
  }
  const version = readdirSync('/etc/postgresql').sort().at(-1) ?? ''
  // An immediate stop is Postgres's crash: no checkpoint, recovery from the WAL on start.
  const stop = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'stop', '-m', 'immediate'], { encoding: 'utf8' })
  if (stop.status !== 0) {
    say(`postgres: could not stop it (${stop.stderr.trim()}), not restarted`)
    return false
  }
  spawnSync('sleep', ['2'])
  spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { encoding: 'utf8' })
  return true
}

export async function runChaos (options: ChaosOptions): Promise<ChaosReport> {
  const { say, log } = options
  const dates = datesBetween(options.from, options.to)
  say(`reference run: ${dates.length} days, undisturbed`)
  const reference = await startPipeline('chaos_ref', log)
  let expected: Map<string, string>
  try {
    const codec = createCodec(createRegistryClient(reference.env.config.schemaRegistryUrl), undefined, reference.env.namespace)
    await seed({ config: reference.env.config, codec, log }, { from: options.from, to: options.to })
    const pool = createPool(reference.env.config.databaseUrl, log)
    try { await settle(pool, dates, 3000, 10 * 60 * 1000) } finally { await pool.end() }
    expected = await snapshot(reference)
  } finally {
    await stopPipeline(reference)
    await reference.env.dispose()
  }

  say(`disturbed run: the same days, ${options.kills} kills`)
  const disturbed = await startPipeline('chaos', log)
  const kills: ChaosReport['kills'] = []
  try {
    const codec = createCodec(createRegistryClient(disturbed.env.config.schemaRegistryUrl), undefined, disturbed.env.namespace)
    const started = Date.now()
    const seeding = seed({ config: disturbed.env.config, codec, log }, { from: options.from, to: options.to })
    const brokerAt = options.infrastructure ? Math.floor(options.kills / 3) : -1
    const postgresAt = options.infrastructure ? Math.floor((2 * options.kills) / 3) : -1
    const victims = shuffledCycles(PARTS)
    for (let k = 0; k < options.kills; k++) {
      await sleep(300 + Math.random() * 1500)
      const at = Date.now() - started
      if (k === brokerAt) {
        if (killBroker(say)) {
          kills.push({ atMs: at, victim: 'broker' })
          say(`${(at / 1000).toFixed(1)} s: SIGKILL broker`)
          await sleep(1000)
          restartBroker()
        }
        continue
      }
      if (k === postgresAt) {
        if (restartPostgres(say)) {
          kills.push({ atMs: at, victim: 'postgres' })
          say(`${(at / 1000).toFixed(1)} s: Postgres stopped (immediate) and restarted`)
        }
        continue
      }
      const victim = victims.next()
      await disturbed.parts.get(victim)?.stop('SIGKILL')
      kills.push({ atMs: at, victim })
      say(`${(at / 1000).toFixed(1)} s: SIGKILL ${victim}`)
      await sleep(Math.random() * 500)
      disturbed.parts.set(victim, startPart(victim, disturbed.env.env))
    }
    await seeding
    say('settling')
    const pool = createPool(disturbed.env.config.databaseUrl, log)
    try { await settle(pool, dates, 5000, 10 * 60 * 1000) } finally { await pool.end() }
    const actual = await snapshot(disturbed)
    const comparisons = [...expected].map(([what, ref]) => ({ what, reference: ref, disturbed: actual.get(what) ?? 'missing', same: ref === actual.get(what) }))
    return { kills, comparisons, identical: comparisons.every(c => c.same) }
  } finally {
    await stopPipeline(disturbed)
    await disturbed.env.dispose()
  }
}

/**
 * Parts in random order, each once per round: random victims, but every part is killed
 * as often as the others, give or take one (uniform picks once left the join out of 18 kills).
 */
function shuffledCycles<T> (parts: readonly T[]): { next (): T } {
  let round: T[] = []
  return {
    next () {
      if (round.length === 0) {
        round = [...parts]
        for (let i = round.length - 1; i > 0; i--) {
          const j = Math.floor(Math.random() * (i + 1));
          [round[i], round[j]] = [round[j], round[i]]
        }
      }
      return round.pop() as T
    }
  }
}

export function formatReport (report: ChaosReport): string {
  const w = Math.max(...report.comparisons.map(c => c.what.length))
  const lines = report.comparisons.map(c => `${c.what.padEnd(w)}  ${c.same ? 'same     ' : 'DIFFERENT'}  ${c.disturbed}${c.same ? '' : ` (reference ${c.reference})`}`)
  const victims = report.kills.map(k => k.victim)
  const counts = [...new Set(victims)].map(v => `${v} ×${victims.filter(x => x === v).length}`).join(', ')
  return `${report.kills.length} kills (${counts})\n${lines.join('\n')}\n${report.identical ? 'IDENTICAL to the undisturbed run' : 'NOT identical'}`
}
