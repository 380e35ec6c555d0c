import type { Pool } from '../../lib/db.ts'
import { addDays, londonSpan, londonToday } from '../../lib/london-day.ts'
import { fetchTariffSlots } from '../../clients/octopus/rates.ts'
import type { RatesContext } from '../../clients/octopus/rates.ts'

// A candidate tariff's prices per half-hour, fetched once per tariff and day and kept in
// compare_prices (sql/009_tariff_comparison.sql). A day asked is recorded in compare_days
// with the half-hours that had a price, so a day without rates (before a product launched) is
// known as such and never asked again, and never priced at zero.

/** Days fetched in one go: a quarter of Agile is ~3 pages of rates. */
const CHUNK_DAYS = 92

/** The dates from..to that compare_days does not have for the tariff, in runs of consecutive dates. */
async function missingRuns (pool: Pool, tariff: string, from: string, to: string): Promise<string[][]> {
  const { rows } = await pool.query<{ date: string }>(`SELECT to_char(d, 'YYYY-MM-DD') AS date
    FROM generate_series($2::date, $3::date, interval '1 day') AS d
    WHERE NOT EXISTS (SELECT 1 FROM energy_usage.compare_days k WHERE k.tariff_code = $1 AND k.local_date = d::date)
    ORDER BY d`, [tariff, from, to])
  const runs: string[][] = []
  for (const { date } of rows) {
    const run = runs[runs.length - 1]
    if (run !== undefined && addDays(run[run.length - 1], 1) === date && run.length < CHUNK_DAYS) run.push(date)
    else runs.push([date])
  }
  return runs
}

export interface PricesFetched {
  /** Upstream fetches made (chunks of days), 0 when everything was kept already. */
  chunks: number
}

/**
 * Makes compare_prices hold the tariff's prices for every day from..to that has any, asking
 * the upstream only for days not asked before. Upstream errors throw (nothing is recorded for
 * the chunk that failed, so it is asked again next time).
 */
export async function ensurePrices (pool: Pool, tariff: string, product: string, from: string, to: string, context: RatesContext): Promise<PricesFetched> {
  const runs = await missingRuns(pool, tariff, from, to)
  for (const run of runs) {
    const span = londonSpan(run[0], run.length)
    const slots = await fetchTariffSlots(span, { tariff, from: span.startMs, to: span.endMs }, context, { source: 'compare', product })
    const perDay = new Map(run.map(date => [date, 0]))
    for (const s of slots) {
      const date = span.days.find(d => s.slot_start >= d.startMs && s.slot_start < d.endMs)?.date
      if (date !== undefined) perDay.set(date, (perDay.get(date) ?? 0) + 1)
    }
    // A recent day without prices may get them yet (Agile publishes the next day's at ~16:00):
    // only an older one is kept as having none.
    const settled = addDays(londonToday(), -2)
    for (const [date, n] of perDay) if (n === 0 && date >= settled) perDay.delete(date)
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      await client.query(`INSERT INTO energy_usage.compare_prices (tariff_code, slot_start, price_inc_vat, standing_inc_vat)
        SELECT $1, to_timestamp(s / 1000.0), p, c FROM unnest($2::float8[], $3::float8[], $4::float8[]) AS t (s, p, c)
        ON CONFLICT (tariff_code, slot_start) DO UPDATE SET price_inc_vat = excluded.price_inc_vat, standing_inc_vat = excluded.standing_inc_vat`,
      [tariff, slots.map(s => s.slot_start), slots.map(s => s.value_inc_vat), slots.map(s => s.standing_charge_inc_vat)])
      await client.query(`INSERT INTO energy_usage.compare_days (tariff_code, local_date, slots)
        SELECT $1, d, n FROM unnest($2::date[], $3::int[]) AS t (d, n)
        ON CONFLICT (tariff_code, local_date) DO UPDATE SET slots = excluded.slots, fetched_at = now()`,
      [tariff, [...perDay.keys()], [...perDay.values()]])
      await client.query('COMMIT')
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  }
  return { chunks: runs.length }
}
