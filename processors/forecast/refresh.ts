import type { TariffCatalogue } from '../../clients/octopus/catalogue.ts'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import type { Pool } from '../../lib/db.ts'
import { describeError } from '../../lib/errors.ts'
import type { Logger } from '../../lib/log.ts'
import { isoUtc, SLOT_MS, type SlotRange } from '../../lib/london-day.ts'
import type { RangeRecord } from '../../lib/range-reader.ts'
import type { AccountTable } from '../account/table.ts'
import { fetchForecast } from './fetch.ts'
import { mergeForecast } from './normalise.ts'
import type { ForecastOptions } from './options.ts'
import type { ForecastRecord } from './types.ts'

/** The next `slots` half-hours from the one holding `nowMs`: slot starts are UTC instants, 30 minutes apart. */
export function horizonOf (nowMs: number, slots: number): SlotRange {
  const startMs = Math.floor(nowMs / SLOT_MS) * SLOT_MS
  return { startMs, endMs: startMs + slots * SLOT_MS }
}

/**
 * Applies energy.forecast's records to the latest record per slot (a tombstone removes the
 * slot): the forecast's store, restored from the topic (compacted, one partition, its own
 * changelog) and kept up to date as its own output is read back.
 */
export async function applyForecastRecords (records: ReadonlyArray<Pick<RangeRecord, 'key' | 'value' | 'offset'>>, latest: Map<number, ForecastRecord>, codec: Codec, topic: string, log: Logger): Promise<void> {
  for (const r of records) {
    if (r.key === undefined) continue
    const start = Date.parse(r.key)
    if (r.value === undefined || r.value.length === 0) {
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
}

export interface RefreshDeps {
  config: Readonly<Config>
  codec: Codec
  log: Logger
  pool: Pool
  /** energy.account as a table, with OCTOPUS_ACCOUNT. */
  accounts?: AccountTable
  /** Tariffs resolved from the product catalogue, kept between refreshes. */
  tariffs?: TariffCatalogue
  /** The latest record per slot, as on the topic (the store). */
  latest: ReadonlyMap<number, ForecastRecord>
  /** Slots tombstoned in this session whose rows the sink may not have deleted yet: not sent twice. */
  tombstoned: ReadonlySet<number>
  options: ForecastOptions
}

/** What one refresh produces: the merged records of the next 48 hours, and the slots to tombstone. */
export interface RefreshPlan {
  /** Empty when nothing could be read. */
  records: ForecastRecord[]
  /** Slot starts moved to settled history. */
  settled: number[]
}

/**
 * One refresh, planned: fetch the next 48 hours and merge them with the previous forecast (a
 * record per slot), and find the slots whose day has been seeded (to tombstone). A part that
 * cannot be read keeps the previous values (a warning), as does Postgres unreadable. Nothing is
 * produced here: the task sends the plan in one transaction.
 */
export async function planRefresh (deps: RefreshDeps, nowMs: number, signal: AbortSignal): Promise<RefreshPlan> {
  const { config, log, latest, options } = deps
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

  const nothingNew = (fetched.intensity instanceof Error || fetched.intensity.length === 0) && fetched.prices instanceof Error
  const records = nothingNew ? [] : mergeForecast(range, latest, fetched, nowMs)
  if (records.length > 0) {
    const intensities = Array.isArray(fetched.intensity) ? fetched.intensity : []
    log.info({
      from,
      slots: records.length,
      priced: records.filter(r => r.price_inc_vat !== null).length,
      region: intensities[0]?.region ?? (intensities.length > 0 ? 'national' : undefined),
      tariffs: [...new Set(records.map(r => r.tariff_code).filter(c => c !== null))]
    }, 'forecast produced')
  }
  return { records, settled: await settledSlots(deps, nowMs) }
}

// A slot moves from the forecast to settled history once it has ended and its day is in
// daily_summary: its settled values are then in carbon_intensity and unit_rates. A tombstone
// on the topic (not a DELETE) so that the table stays what the topic replays to.
const SETTLED = `SELECT f.slot_start FROM energy_usage.forecast f
  JOIN energy_usage.daily_summary d ON d.date = f.local_date
  WHERE f.slot_end <= $1 ORDER BY f.slot_start`

/** Slots of seeded days not tombstoned yet; none when Postgres cannot be read (a warning). */
async function settledSlots (deps: RefreshDeps, nowMs: number): Promise<number[]> {
  const { pool, log, tombstoned } = deps
  try {
    const { rows } = await pool.query<{ slot_start: Date }>(SETTLED, [new Date(nowMs)])
    return rows.map(r => r.slot_start.getTime()).filter(ms => !tombstoned.has(ms))
  } catch (err) {
    log.warn({ err: describeError(err) }, 'seeded days not read from Postgres, their forecast slots stay for now')
    return []
  }
}
