import type { MessageToProduce } from '@platformatic/kafka'
import type { TariffCatalogue } from '../../clients/octopus/catalogue.ts'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import type { Pool } from '../../lib/db.ts'
import { describeError } from '../../lib/errors.ts'
import type { EnergyProducer } from '../../lib/kafka.ts'
import type { Logger } from '../../lib/log.ts'
import { isoUtc, SLOT_MS, type SlotRange } from '../../lib/london-day.ts'
import { readTopic } from '../../lib/range-reader.ts'
import type { AccountTable } from '../account/table.ts'
import { fetchForecast } from './fetch.ts'
import { mergeForecast } from './normalise.ts'
import type { ForecastOptions } from './options.ts'
import type { ForecastRecord } from './types.ts'

type Message = MessageToProduce<string, Buffer, string, string>

/** The next `slots` half-hours from the one holding `nowMs`: slot starts are UTC instants, 30 minutes apart. */
export function horizonOf (nowMs: number, slots: number): SlotRange {
  const startMs = Math.floor(nowMs / SLOT_MS) * SLOT_MS
  return { startMs, endMs: startMs + slots * SLOT_MS }
}

/** The latest record per slot on energy.forecast (compacted, one partition): what a refresh merges with. */
export async function readLatest (config: Readonly<Config>, codec: Codec, topic: string, log: Logger): Promise<Map<number, ForecastRecord>> {
  const latest = new Map<number, ForecastRecord>()
  await readTopic(config, topic, async records => {
    for (const r of records) {
      if (r.key === undefined) continue
      const start = Date.parse(r.key)
      if (r.value === undefined) {
        latest.delete(start)
        continue
      }
      try {
        const record = await codec.decode<ForecastRecord>(topic, r.value)
        latest.set(record.slot_start, record)
      } catch (err) {
        // Only this component writes the topic; a record it cannot read is simply not merged with.
        log.warn({ err: describeError(err), offset: String(r.offset), key: r.key }, 'energy.forecast record cannot be decoded, not merging with it')
      }
    }
  })
  return latest
}

export interface RefreshDeps {
  config: Readonly<Config>
  codec: Codec
  log: Logger
  producer: EnergyProducer
  pool: Pool
  /** energy.account as a table, with OCTOPUS_ACCOUNT. */
  accounts?: AccountTable
  /** Tariffs resolved from the product catalogue, kept between refreshes. */
  tariffs?: TariffCatalogue
  /** The latest record per slot, as on the topic; kept up to date here. */
  latest: Map<number, ForecastRecord>
  /** Slots tombstoned in this session whose rows the sink may not have deleted yet: not sent twice. */
  tombstoned: Set<number>
  topic: string
  options: ForecastOptions
}

export interface RefreshReport {
  /** Records produced (0 when nothing could be read). */
  produced: number
  /** Slots moved to settled history (tombstoned). */
  settled: number
}

/**
 * One refresh: fetch the next 48 hours, merge with the previous forecast, produce a record per
 * slot; then tombstone the slots whose day has been seeded. A part that cannot be read keeps
 * the previous values (a warning); only Kafka failures throw (the session restarts).
 */
export async function refreshForecast (deps: RefreshDeps, nowMs: number, signal: AbortSignal): Promise<RefreshReport> {
  const { config, codec, log, producer, latest, topic, options } = deps
  const range = horizonOf(nowMs, options.horizonSlots)
  if (deps.accounts !== undefined) {
    await deps.accounts.catchUp().catch((err: unknown) => {
      log.warn({ err: describeError(err) }, 'energy.account not read, pricing ahead by the account held')
    })
  }
  const account = deps.accounts?.get(config.octopusAccount)
  const fetched = await fetchForecast(range, { config, log, signal, account, tariffs: deps.tariffs }, options.maxEntries)

  const from = isoUtc(range.startMs)
  if (fetched.intensity instanceof Error) {
    log.warn({ err: describeError(fetched.intensity), from }, 'carbon forecast not read, keeping the previous forecast')
  } else if (fetched.intensity.length === 0) {
    log.warn({ from }, 'carbon forecast answer is empty, keeping the previous forecast')
  }
  if (fetched.prices instanceof Error) log.warn({ err: describeError(fetched.prices), from }, 'prices ahead not read, keeping the previous prices')

  let produced = 0
  const nothingNew = (fetched.intensity instanceof Error || fetched.intensity.length === 0) && fetched.prices instanceof Error
  if (!nothingNew) {
    const records = mergeForecast(range, latest, fetched, nowMs)
    const messages: Message[] = await Promise.all(records.map(async r => ({ topic, partition: 0, key: isoUtc(r.slot_start), value: await codec.encode(topic, r) })))
    if (messages.length > 0) await producer.send({ messages })
    for (const r of records) latest.set(r.slot_start, r)
    produced = records.length
    const intensities = Array.isArray(fetched.intensity) ? fetched.intensity : []
    log.info({
      from,
      slots: records.length,
      priced: records.filter(r => r.price_inc_vat !== null).length,
      region: intensities[0]?.region ?? (intensities.length > 0 ? 'national' : undefined),
      tariffs: [...new Set(records.map(r => r.tariff_code).filter(c => c !== null))]
    }, 'forecast produced')
  }
  return { produced, settled: await settle(deps, nowMs) }
}

// A slot moves from the forecast to settled history once it has ended and its day is in
// daily_summary: its settled values are then in carbon_intensity and unit_rates. A tombstone
// on the topic (not a DELETE) so that the table stays what the topic replays to.
const SETTLED = `SELECT f.slot_start FROM energy_usage.forecast f
  JOIN energy_usage.daily_summary d ON d.date = f.local_date
  WHERE f.slot_end <= $1 ORDER BY f.slot_start`

async function settle (deps: RefreshDeps, nowMs: number): Promise<number> {
  const { pool, log, producer, latest, topic, tombstoned } = deps
  let inTable: Set<number>
  try {
    const { rows } = await pool.query<{ slot_start: Date }>(SETTLED, [new Date(nowMs)])
    inTable = new Set(rows.map(r => r.slot_start.getTime()))
  } catch (err) {
    log.warn({ err: describeError(err) }, 'seeded days not read from Postgres, their forecast slots stay for now')
    return 0
  }
  // A row the sink has deleted never comes back: only those still in the table are remembered.
  for (const ms of tombstoned) if (!inTable.has(ms)) tombstoned.delete(ms)
  const starts = [...inTable].filter(ms => !tombstoned.has(ms))
  if (starts.length === 0) return 0
  await producer.send({ messages: starts.map(ms => ({ topic, partition: 0, key: isoUtc(ms) })) })
  for (const ms of starts) {
    latest.delete(ms)
    tombstoned.add(ms)
  }
  log.info({ slots: starts.length, first: isoUtc(starts[0]), last: isoUtc(starts[starts.length - 1]) }, 'forecast slots of seeded days moved to settled history')
  return starts.length
}
