import { addDays } from '../../lib/london-day.ts'

// A request covers a span of consecutive days (energy_processor's `days`, version 3), so a
// processor fetches it in as few upstream calls as its endpoints allow: a consumption page holds
// 25,000 half-hours, a unit-rate page 1,500, a Carbon Intensity range 14 days.

/**
 * Longest span one request may cover: two years, so one transaction holds at most two years of
 * one source (~35,000 records) and a hostile request cannot ask for a century.
 */
export const MAX_SPAN_DAYS = 731

/** A request's first date and how many days it covers. */
export interface RequestSpan { date: string, days: number }

/**
 * `dates` (YYYY-MM-DD, any order, repeats ignored) as runs of consecutive days, each at most
 * `maxDays` long, oldest first.
 */
export function spansOf (dates: readonly string[], maxDays = MAX_SPAN_DAYS): RequestSpan[] {
  const spans: RequestSpan[] = []
  let last: string | undefined
  for (const date of [...new Set(dates)].sort()) {
    const current = spans.at(-1)
    if (current !== undefined && last !== undefined && date === addDays(last, 1) && current.days < maxDays) current.days++
    else spans.push({ date, days: 1 })
    last = date
  }
  return spans
}
