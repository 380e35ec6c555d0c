import { describeError, EnergyError, isEnergyError } from '../../lib/errors.ts'
import { localDateOf, spanOf, type DaySpan, type LondonDay } from '../../lib/london-day.ts'
import type { Logger } from '../../lib/log.ts'
import type { Outgoing } from '../../lib/stream/types.ts'
import { spanChunks, spanValues } from '../source/span-values.ts'
import type { FetchContext, SlotValues, SourceDeclaration } from '../source/types.ts'

/** A day of a request's span: its encoded records (one per slot it has), or why it has none. */
export type DayOutcome = { day: Readonly<LondonDay>, records: Outgoing[] } | { day: Readonly<LondonDay>, error: unknown }

/** Turns a day's values into its records, or says why it has none (a record too large, say). */
export type SettleDay = (day: Readonly<LondonDay>, values: SlotValues[]) => Promise<DayOutcome>

/**
 * The span's days, each settled (encoded) as soon as the upstream's answers cover it: a source
 * that answers in chunks (a Carbon Intensity range at a time) never has its span's values held
 * whole, only the encoded records. A failed fetch keeps the days settled before it and retries
 * the rest on its two halves, down to single days, so a day the upstream answers badly (a
 * malformed slot, a 500 on one date) costs only itself; when both halves fail to reach the
 * upstream (down, refusing the key, rate limiting), every day fails at once rather than trying
 * each day of a year.
 */
export async function fetchDays (source: SourceDeclaration, span: DaySpan, context: FetchContext, log: Logger, settle: SettleDay): Promise<DayOutcome[]> {
  /** Settles a day from the values gathered by date, or says why it has none. */
  async function settleFrom (byDate: Map<string, SlotValues[]>, day: Readonly<LondonDay>): Promise<DayOutcome> {
    const values = byDate.get(day.date)
    byDate.delete(day.date)
    if (values !== undefined) return await settle(day, values)
    return { day, error: source.whyMissing?.(day, context) ?? new EnergyError('ENERGY_NO_DATA', `${source.name} has no data for ${day.date} yet`, { date: day.date }) }
  }

  async function streamed (span: DaySpan): Promise<DayOutcome[]> {
    const outcomes: DayOutcome[] = []
    const byDate = new Map<string, SlotValues[]>()
    try {
      for await (const chunk of spanChunks(source.fetchSpan(span, context))) {
        for (const v of chunk) {
          const date = localDateOf(v.slot_start)
          const list = byDate.get(date)
          if (list === undefined) byDate.set(date, [v])
          else list.push(v)
        }
        // Values come in time order: a day is whole once a value starts at or after its end.
        const last = chunk.at(-1)?.slot_start ?? -Infinity
        while (outcomes.length < span.days.length && span.days[outcomes.length].endMs <= last) outcomes.push(await settleFrom(byDate, span.days[outcomes.length]))
      }
    } catch (error) {
      if (context.signal.aborted || (isEnergyError(error, 'ENERGY_SCHEMA') && error.retryable)) throw error
      const rest = span.days.slice(outcomes.length)
      return rest.length === 0 ? outcomes : [...outcomes, ...await isolate(spanOf(rest), error)]
    }
    while (outcomes.length < span.days.length) outcomes.push(await settleFrom(byDate, span.days[outcomes.length]))
    return outcomes
  }

  async function isolate (span: DaySpan, error: unknown): Promise<DayOutcome[]> {
    if (span.days.length === 1) return [{ day: span.days[0], error }]
    const middle = Math.ceil(span.days.length / 2)
    const halves = [spanOf(span.days.slice(0, middle)), spanOf(span.days.slice(middle))]
    log.debug({ from: span.from, to: span.to, err: describeError(error) }, 'span failed, fetching its halves apart')
    const attempts = await Promise.all(halves.map(async half => await attempt(half)))
    const errors = attempts.flatMap(a => 'error' in a ? [a.error] : [])
    if (errors.length === 2 && errors.every(isUnreachable)) return span.days.map(day => ({ day, error: errors[0] }))
    const outcomes = await Promise.all(halves.map(async (half, i) => {
      const a = attempts[i]
      return 'values' in a ? await perDay(half, a.values) : await isolate(half, a.error)
    }))
    return outcomes.flat()
  }

  /** A half fetched whole (the failure path only: a span that failed is retried in parts). */
  async function attempt (span: DaySpan): Promise<{ values: SlotValues[] } | { error: unknown }> {
    try {
      return { values: await spanValues(source.fetchSpan(span, context)) }
    } catch (error) {
      if (context.signal.aborted || (isEnergyError(error, 'ENERGY_SCHEMA') && error.retryable)) throw error
      return { error }
    }
  }

  async function perDay (span: DaySpan, values: SlotValues[]): Promise<DayOutcome[]> {
    const byDate = new Map<string, SlotValues[]>()
    for (const v of values) {
      const date = localDateOf(v.slot_start)
      const list = byDate.get(date)
      if (list === undefined) byDate.set(date, [v])
      else list.push(v)
    }
    const outcomes: DayOutcome[] = []
    for (const day of span.days) outcomes.push(await settleFrom(byDate, day))
    return outcomes
  }

  return await streamed(span)
}

/**
 * The upstream could not be reached or refused to serve at all (down, throttling, credentials):
 * not one day's fault, so a span is not split further for it.
 */
function isUnreachable (err: unknown): boolean {
  if (isEnergyError(err, 'ENERGY_RATE_LIMITED') || isEnergyError(err, 'ENERGY_AUTH')) return true
  return isEnergyError(err, 'ENERGY_FETCH') && (err.status === undefined || err.status === 429 || (err.status as number) >= 500)
}
