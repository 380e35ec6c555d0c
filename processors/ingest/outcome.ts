import { describeError, isEnergyError } from '../../lib/errors.ts'
import type { DaySpan } from '../../lib/london-day.ts'
import type { Logger } from '../../lib/log.ts'
import type { Incoming } from '../../lib/stream/types.ts'
import type { DayOutcome } from './days.ts'

/** Outcome of one request: its days (records or why none), or why the request as a whole failed. */
export interface Handled {
  message: Incoming
  /** The request's batch id, its first date and its span (more than a day: dlq.span). */
  batchId?: string
  date?: string
  span?: DaySpan
  days: DayOutcome[]
  error?: unknown
}

/** One line per request: the days produced (and slots missing), and the days dead-lettered per reason. */
export function logOutcome (log: Logger, { days, error, message }: Handled): void {
  if (error !== undefined) log.error({ err: describeError(error), date: message.key, offset: String(message.offset) }, 'request not served, sent to energy.dlq')
  const produced = days.flatMap(d => 'records' in d ? [d] : [])
  if (produced.length > 0) {
    const missing = produced.reduce((n, d) => n + d.day.slots - d.records.length, 0)
    const records = produced.reduce((n, d) => n + d.records.length, 0)
    const fields = produced.length === 1 ? { date: produced[0].day.date, records, missing } : { from: produced[0].day.date, to: produced[produced.length - 1].day.date, days: produced.length, records, missing }
    if (missing > 0) log.warn(fields, `${produced.length === 1 ? 'day' : 'days'} produced with ${missing} slots missing`)
    else log.info(fields, produced.length === 1 ? 'day produced' : 'days produced')
  }
  const failed = new Map<string, { dates: string[], err: unknown }>()
  for (const d of days) {
    if (!('error' in d)) continue
    const why = describeError(d.error)
    const entry = failed.get(why) ?? { dates: [], err: d.error }
    entry.dates.push(d.day.date)
    failed.set(why, entry)
  }
  for (const { dates, err } of failed.values()) {
    // Not published yet, or not priceable: the upstream's state, not a fault.
    const level = isEnergyError(err, 'ENERGY_NO_DATA') || isEnergyError(err, 'ENERGY_UNPRICED') ? 'warn' : 'error'
    const which = dates.length === 1 ? { date: dates[0] } : { from: dates[0], to: dates[dates.length - 1], days: dates.length }
    log[level]({ err: describeError(err), ...which, offset: String(message.offset) }, `${dates.length === 1 ? 'day' : 'days'} not served, sent to energy.dlq`)
  }
}
