import type { Readable } from 'node:stream'
import pg from 'pg'
import copyStreams from 'pg-copy-streams'
import type { Pool } from '../lib/db.ts'
import { londonDay, londonToday } from '../lib/london-day.ts'
import { monthParam } from './months.ts'
import { badRange, dateParam } from './params.ts'
import { storedFields, type FieldSpec } from '../processors/source/fields.ts'
import { topology } from '../processors/topology.ts'
import { MONTH_SUMS, summarySpan } from './queries.ts'

// Data out: days, half-hours and months as CSV (RFC 4180, header row) or JSON lines, streamed
// by Postgres's COPY … TO STDOUT, so ten years of half-hours go out in constant memory. COPY
// takes no bind parameters: the only values written into the statements are dates that
// dateParam/monthParam checked (YYYY-MM-DD / YYYY-MM), quoted with pg's escapeLiteral.

export type ExportWhat = 'days' | 'halfhours' | 'months'
export type ExportFormat = 'csv' | 'jsonl'
export const EXPORT_WHATS: readonly ExportWhat[] = ['days', 'halfhours', 'months']
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'jsonl']

const lit = (text: string): string => pg.escapeLiteral(text)
// Timestamps as ISO 8601 with the offset (2024-10-27T01:30:00+00:00), booleans as true/false.
const iso = (column: string, as = column): string => `to_json(${column}) #>> '{}' AS ${as}`

/**
 * The SELECT of `what` between `from` and `to` (dates; months: their first days), oldest first;
 * days have daily_summary's columns as the field table lists them (`fields`).
 */
export function exportQuery (what: ExportWhat, format: ExportFormat, from: string, to: string, fields: readonly FieldSpec[] = topology.summaryFields): string {
  // COPY's CSV writes booleans t/f; the export writes true/false, as JSON does.
  const bool = (expression: string, as: string): string => format === 'csv' ? `(${expression})::text AS ${as}` : `${expression} AS ${as}`
  if (what === 'days') {
    const columns = [...storedFields(fields).map(f =>
      f.name === 'date' ? 'to_char(date, \'YYYY-MM-DD\') AS date' : f.sql === 'bool' ? bool(f.name, f.name) : f.name), iso('updated_at')]
    return `SELECT ${columns.join(', ')} FROM energy_usage.daily_summary WHERE date BETWEEN ${lit(from)}::date AND ${lit(to)}::date ORDER BY date`
  }
  if (what === 'months') {
    return `WITH months AS (SELECT generate_series(${lit(from)}::date, ${lit(to)}::date, interval '1 month')::date AS month)
      SELECT to_char(m.month, 'YYYY-MM') AS month, ${MONTH_SUMS},
        ${bool("count(d.date) FILTER (WHERE d.bill_complete) = (m.month + interval '1 month')::date - m.month", 'whole')}
      FROM months m
      LEFT JOIN energy_usage.daily_summary d ON d.date >= m.month AND d.date < (m.month + interval '1 month')::date
      GROUP BY m.month ORDER BY m.month`
  }
  // Every half-hour of the London days from..to (46 or 50 on clock-change days), with what each
  // source table has for it; the mix as a JSON object of fuel → percent.
  const start = new Date(londonDay(from).startMs).toISOString()
  const end = new Date(londonDay(to).endMs - 30 * 60 * 1000).toISOString()
  return `SELECT ${iso('s.slot_start', 'slot_start')}, to_char((s.slot_start AT TIME ZONE 'Europe/London')::date, 'YYYY-MM-DD') AS local_date,
      c.kwh AS usage_kwh, r.value_inc_vat AS price_inc_vat, r.tariff_code, ci.forecast AS intensity_forecast, ci.actual AS intensity_actual,
      (SELECT jsonb_object_agg(m.fuel, m.perc ORDER BY m.fuel) FROM energy_usage.generation_mix m WHERE m.slot_start = s.slot_start) AS mix,
      e.kwh AS export_kwh, e.rate AS export_rate, g.kwh AS gas_kwh, g.value_inc_vat AS gas_rate_inc_vat, g.carbon_g AS gas_carbon_g,
      ri.forecast AS regional_intensity
    FROM generate_series(${lit(start)}::timestamptz, ${lit(end)}::timestamptz, interval '30 minutes') AS s (slot_start)
    LEFT JOIN energy_usage.consumption c ON c.slot_start = s.slot_start
    LEFT JOIN energy_usage.unit_rates r ON r.slot_start = s.slot_start
    LEFT JOIN energy_usage.carbon_intensity ci ON ci.slot_start = s.slot_start
    LEFT JOIN energy_usage.export_readings e ON e.slot_start = s.slot_start
    LEFT JOIN energy_usage.gas_readings g ON g.slot_start = s.slot_start
    LEFT JOIN energy_usage.regional_intensity ri ON ri.slot_start = s.slot_start
    ORDER BY s.slot_start`
}

/**
 * The COPY statement of a query in a format. JSON lines: one row_to_json per row, written by
 * COPY's CSV mode with a delimiter and quote that JSON text never holds raw (Postgres escapes
 * control characters in JSON), so every line is the JSON text unquoted and unescaped — COPY's
 * text mode would double its backslashes.
 */
export function copyStatement (query: string, format: ExportFormat): string {
  if (format === 'csv') return `COPY (${query}) TO STDOUT WITH (FORMAT csv, HEADER true)`
  return `COPY (SELECT row_to_json(t)::text FROM (${query}) t) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`
}

/**
 * Streams the rows of `what` between from and to; the pool's client is released when the
 * stream ends, fails or is destroyed (a client gone mid-download), and discarded unless it
 * ended cleanly, since a half-read COPY leaves the connection unusable.
 */
export async function exportStream (pool: Pool, what: ExportWhat, format: ExportFormat, from: string, to: string, fields?: readonly FieldSpec[]): Promise<Readable> {
  const client = await pool.connect()
  let stream: Readable
  try {
    stream = client.query(copyStreams.to(copyStatement(exportQuery(what, format, from, to, fields), format)))
  } catch (err) {
    client.release(err as Error)
    throw err
  }
  let released = false
  const release = (err?: Error): void => {
    if (released) return
    released = true
    client.release(err)
  }
  stream.once('end', () => release())
  stream.once('error', err => release(err))
  stream.once('close', () => release(new Error('export stream closed before its end')))
  return stream
}

/** Most days of half-hours one export covers (twenty years: 350,640 rows, streamed). */
export const MAX_EXPORT_DAYS = 20 * 366

export interface ExportRange { from: string, to: string }

/**
 * The checked range of an export: dates for days and half-hours, months for months (given as
 * YYYY-MM, returned as their first days); what is not given spans daily_summary's dates.
 * Throws ENERGY_BAD_DATE naming the parameter.
 */
export async function exportRange (pool: Pool, what: ExportWhat, from: string | undefined, to: string | undefined): Promise<ExportRange> {
  if (what === 'months') {
    const fromMonth = from === undefined ? undefined : monthParam('from', from)
    const toMonth = to === undefined ? undefined : monthParam('to', to)
    const span = fromMonth === undefined || toMonth === undefined ? await summarySpan(pool) : undefined
    const today = londonToday().slice(0, 7)
    const last = toMonth ?? span?.newest?.slice(0, 7) ?? today
    const first = fromMonth ?? span?.oldest?.slice(0, 7) ?? last
    if (first > last) throw badRange(`from ${first} is after to ${last}`)
    return { from: `${first}-01`, to: `${last}-01` }
  }
  const fromDate = from === undefined ? undefined : dateParam('from', from)
  const toDate = to === undefined ? undefined : dateParam('to', to)
  const span = fromDate === undefined || toDate === undefined ? await summarySpan(pool) : undefined
  const last = toDate ?? span?.newest ?? londonToday()
  const first = fromDate ?? span?.oldest ?? last
  if (first > last) throw badRange(`from ${first} is after to ${last}`)
  const days = (Date.parse(last) - Date.parse(first)) / 86400000 + 1
  if (what === 'halfhours' && days > MAX_EXPORT_DAYS) throw badRange(`from ${first} to ${last} is ${days} days of half-hours; at most ${MAX_EXPORT_DAYS} per export`)
  return { from: first, to: last }
}
