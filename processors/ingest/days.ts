import { describeError, EnergyError, isEnergyError } from '../../lib/errors.ts'
import { localDateOf, spanOf, type DaySpan, type LondonDay } from '../../lib/london-day.ts'
import type { Logger } from '../../lib/log.ts'
import type { FetchContext, SlotValues, SourceDeclaration } from '../source/types.ts'

/** A day of a request's span: its values, or why it has none. */
export type DayOutcome<V> = { day: Readonly<LondonDay>, values: V[] } | { day: Readonly<LondonDay>, error: unknown }

/**
 * The span's days, each with its values or why it has none. A failed fetch is retried on the
 * two halves of the span, down to single days, so a day the upstream answers badly (a
 * malformed slot, a 500 on one date) costs only itself; when both halves fail to reach the
 * upstream (down, refusing the key, rate limiting), every day fails at once rather than
 * trying each day of a year.
 */
export async function fetchDays (source: SourceDeclaration, span: DaySpan, context: FetchContext, log: Logger): Promise<Array<DayOutcome<SlotValues>>> {
  async function isolate (span: DaySpan, error: unknown): Promise<Array<DayOutcome<SlotValues>>> {
    if (span.days.length === 1) return [{ day: span.days[0], error }]
    const middle = Math.ceil(span.days.length / 2)
    const halves = [spanOf(span.days.slice(0, middle)), spanOf(span.days.slice(middle))]
    log.debug({ from: span.from, to: span.to, err: describeError(error) }, 'span failed, fetching its halves apart')
    const attempts = await Promise.all(halves.map(async half => await attempt(half)))
    const errors = attempts.flatMap(a => 'error' in a ? [a.error] : [])
    if (errors.length === 2 && errors.every(isUnreachable)) return span.days.map(day => ({ day, error: errors[0] }))
    const outcomes = await Promise.all(halves.map(async (half, i) => {
      const a = attempts[i]
      return 'values' in a ? perDay(half, a.values) : await isolate(half, a.error)
    }))
    return outcomes.flat()
  }

  async function attempt (span: DaySpan): Promise<{ values: SlotValues[] } | { error: unknown }> {
    try {
      return { values: await source.fetchSpan(span, context) }
    } catch (error) {
      if (context.signal.aborted || (isEnergyError(error, 'ENERGY_SCHEMA') && error.retryable)) throw error
      return { error }
    }
  }

  /** The span's values split by day; a day without any says why (visible in energy.dlq and /api/status). */
  function perDay (span: DaySpan, values: SlotValues[]): Array<DayOutcome<SlotValues>> {
    const byDate = new Map<string, SlotValues[]>()
    for (const v of values) {
      const date = localDateOf(v.slot_start)
      const list = byDate.get(date)
      if (list === undefined) byDate.set(date, [v])
      else list.push(v)
    }
    return span.days.map(day => {
      const dayValues = byDate.get(day.date)
      if (dayValues !== undefined) return { day, values: dayValues }
      return { day, error: source.whyMissing?.(day, context) ?? new EnergyError('ENERGY_NO_DATA', `${source.name} has no data for ${day.date} yet`, { date: day.date }) }
    })
  }

  const first = await attempt(span)
  return 'values' in first ? perDay(span, first.values) : await isolate(span, first.error)
}

/**
 * The upstream could not be reached or refused to serve at all (down, throttling, credentials):
 * not one day's fault, so a span is not split further for it.
 */
function isUnreachable (err: unknown): boolean {
  if (isEnergyError(err, 'ENERGY_RATE_LIMITED') || isEnergyError(err, 'ENERGY_AUTH')) return true
  return isEnergyError(err, 'ENERGY_FETCH') && (err.status === undefined || err.status === 429 || (err.status as number) >= 500)
}
