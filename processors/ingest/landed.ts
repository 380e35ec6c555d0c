import { CARBON_HISTORY } from '../../clients/carbon/ranges.ts'
import type { Pool } from '../../lib/db.ts'
import type { SourceDeclaration } from '../source/types.ts'

// Which requested days have landed, the one place that asks (the seed's wait, the bench).
// A source has a day when its table holds a row of it; a day has landed when its daily_summary
// row holds the whole bill (bill_complete; money never waits for carbon); it is settled when it
// is as complete as the upstream allows: every input, or every one but carbon before the Carbon
// Intensity histories begin (national 2017-09-26, regional 2018-05-10).

const SETTLED = `(complete OR (bill_complete AND date <= '${CARBON_HISTORY.regional}'::date
  AND (carbon_slots = slots_expected OR date <= '${CARBON_HISTORY.national}'::date)))`

/** The first day a source's upstream has (the carbon ones' histories); undefined: any day. */
const FIRST_DAY: Readonly<Record<string, string>> = { co2: CARBON_HISTORY.national, mix: CARBON_HISTORY.national, regional: CARBON_HISTORY.regional }

export interface LandedSource {
  name: string
  /** Its table, with a local_date column. */
  table: string
}

export interface Landed {
  /** Per source, the requested days its table has. */
  sources: Map<string, Set<string>>
  /** Days whose daily_summary row holds the bill. */
  landed: Set<string>
  /** Of those, the ones with every input (complete). */
  complete: Set<string>
  /** Days as complete as the upstream allows. */
  settled: Set<string>
}

/** The sources' names and tables. */
export function landedSources (sources: readonly SourceDeclaration[]): LandedSource[] {
  return sources.map(s => ({ name: s.name, table: s.sink.spec.table }))
}

/** The days of `dates` each source could have: none before its upstream's history. */
export function wantedDays (source: string, dates: readonly string[]): string[] {
  const first = FIRST_DAY[source]
  return first === undefined ? [...dates] : dates.filter(d => d >= first)
}

/** What of `dates` (YYYY-MM-DD, any order) has landed, in every source table and in daily_summary. */
export async function landedDays (pool: Pool, sources: readonly LandedSource[], dates: readonly string[]): Promise<Landed> {
  const wanted = new Set(dates)
  const sorted = [...wanted].sort()
  const from = sorted[0]
  const to = sorted.at(-1)
  const result: Landed = { sources: new Map(sources.map(s => [s.name, new Set()])), landed: new Set(), complete: new Set(), settled: new Set() }
  if (from === undefined || to === undefined) return result
  await Promise.all(sources.map(async source => {
    // A skip scan of the local_date index: one probe per day, not a read of every half-hour row.
    const { rows } = await pool.query<{ d: string }>(`WITH RECURSIVE day AS (
        SELECT min(local_date) AS d FROM ${source.table} WHERE local_date BETWEEN $1 AND $2
        UNION ALL
        SELECT (SELECT min(local_date) FROM ${source.table} WHERE local_date > day.d AND local_date <= $2) FROM day WHERE day.d IS NOT NULL
      ) SELECT to_char(d, 'YYYY-MM-DD') AS d FROM day WHERE d IS NOT NULL`, [from, to])
    const found = result.sources.get(source.name) as Set<string>
    for (const r of rows) if (wanted.has(r.d)) found.add(r.d)
  }))
  const { rows } = await pool.query<{ d: string, complete: boolean, settled: boolean }>(`SELECT to_char(date, 'YYYY-MM-DD') AS d, complete, ${SETTLED} AS settled
    FROM energy_usage.daily_summary WHERE date BETWEEN $1 AND $2 AND bill_complete`, [from, to])
  for (const r of rows) {
    if (!wanted.has(r.d)) continue
    result.landed.add(r.d)
    if (r.complete) result.complete.add(r.d)
    if (r.settled) result.settled.add(r.d)
  }
  return result
}

/** How many daily_summary days are settled, in the whole table (the bench's fresh database). */
export async function settledCount (pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM energy_usage.daily_summary WHERE ${SETTLED}`)
  return Number(rows[0].n)
}
