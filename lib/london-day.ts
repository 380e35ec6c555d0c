// A day is a Europe/London local date (DESIGN.md "The day"). UK clocks follow the EU
// rule since 1996: BST starts at 01:00 UTC on the last Sunday of March and ends at
// 01:00 UTC on the last Sunday of October. Pure arithmetic keeps this hot path free of
// Intl; test/unit/lib/london-day.test.ts checks it against Intl over decades.

export const SLOT_MS = 30 * 60 * 1000
const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/

export interface LondonDay {
  /** Local date, YYYY-MM-DD. */
  date: string
  /** UTC instant of local midnight starting the day (ms). */
  startMs: number
  /** UTC instant of the next local midnight (ms). */
  endMs: number
  /** 46, 48 or 50. */
  slots: number
}

function lastSundayUtc (year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0)
  return lastDay - new Date(lastDay).getUTCDay() * DAY_MS
}

/** UTC offset of London (ms) at a UTC instant. */
export function londonOffsetMs (utcMs: number): number {
  const year = new Date(utcMs).getUTCFullYear()
  const bstStart = lastSundayUtc(year, 2) + HOUR_MS
  const bstEnd = lastSundayUtc(year, 9) + HOUR_MS
  return utcMs >= bstStart && utcMs < bstEnd ? HOUR_MS : 0
}

// The years londonDay() serves. The rule above is the UK's from 1996 on (in 1995 BST ended on
// 22 October, not on the last Sunday; before that the rules changed often): every day from 1996
// to 2200 matches Intl's Europe/London, and every earlier year has days that do not. 2100 bounds
// the future: tz data only projects today's rule, and no source has data that far ahead. The
// bounds also keep every date and its next day four-digit years (Date has no year 10000 here).
export const FIRST_YEAR = 1996
export const LAST_YEAR = 2100

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * True when `text` is a real proleptic Gregorian calendar date written YYYY-MM-DD, any year
 * 0000-9999. Arithmetic, not Date: Date.UTC maps years 0-99 to 1900-1999.
 */
export function isCalendarDate (text: string): boolean {
  const m = DATE_RE.exec(text)
  if (m === null) return false
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  if (month < 1 || month > 12 || day < 1) return false
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])
}

/** True when `text` is a real calendar date (YYYY-MM-DD) in a year londonDay() serves. */
export function isLocalDate (text: string): boolean {
  if (!isCalendarDate(text)) return false
  const year = Number(text.slice(0, 4))
  return year >= FIRST_YEAR && year <= LAST_YEAR
}

/**
 * Why `text` is not a London day londonDay() serves ('not a date' or 'out of range'), as a
 * sentence that quotes it (cut to 60 characters); undefined when it is one.
 */
export function localDateProblem (text: string): string | undefined {
  if (!isCalendarDate(text)) return `"${clip(text)}" is not a date (expected YYYY-MM-DD)`
  if (!isLocalDate(text)) return `"${text}": year ${text.slice(0, 4)} is out of range (${FIRST_YEAR}-${LAST_YEAR})`
  return undefined
}

function clip (text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}

function midnightUtc (date: string): number {
  const naive = Date.parse(`${date}T00:00:00Z`)
  // Local midnight is never inside the 01:00 UTC switch hour, so the offset just before
  // naive midnight (the previous evening, UTC) is the offset at local midnight.
  return naive - londonOffsetMs(naive - HOUR_MS)
}

// Days are looked up for every record that flows; a century of days is ~36,500 entries.
const dayCache = new Map<string, Readonly<LondonDay>>()
const DAY_CACHE_LIMIT = 40000

/** The London day for a YYYY-MM-DD date; throws RangeError on anything else (localDateProblem). */
export function londonDay (date: string): Readonly<LondonDay> {
  const cached = dayCache.get(date)
  if (cached !== undefined) return cached
  const problem = localDateProblem(date)
  if (problem !== undefined) throw new RangeError(problem)
  const startMs = midnightUtc(date)
  const endMs = midnightUtc(addDays(date, 1))
  const day = Object.freeze({ date, startMs, endMs, slots: (endMs - startMs) / SLOT_MS })
  if (dayCache.size >= DAY_CACHE_LIMIT) dayCache.clear()
  dayCache.set(date, day)
  return day
}

/** A stretch of half-hour slots, [startMs, endMs): a day or a span of days. */
export type SlotRange = Pick<LondonDay, 'startMs' | 'endMs'>

/** UTC start instants (ms) of every half-hour slot of a day or span, in order. */
export function slotStarts (range: SlotRange): number[] {
  const slots = (range.endMs - range.startMs) / SLOT_MS
  const starts = new Array<number>(slots)
  for (let i = 0; i < slots; i++) starts[i] = range.startMs + i * SLOT_MS
  return starts
}

/** Consecutive London days, as one request covers them: from the first day's start to the last day's end. */
export interface DaySpan extends SlotRange {
  /** The days in order, at least one. */
  days: ReadonlyArray<Readonly<LondonDay>>
  /** First and last date, YYYY-MM-DD. */
  from: string
  to: string
}

/** The span of `count` London days from `first`; throws RangeError like londonDay. */
export function londonSpan (first: string, count: number): DaySpan {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`a span has a whole number of days, at least 1 (got ${count})`)
  const days = [londonDay(first)]
  for (let i = 1; i < count; i++) days.push(londonDay(addDays(first, i)))
  return spanOf(days)
}

/** The span of consecutive `days` (at least one, in order). */
export function spanOf (days: ReadonlyArray<Readonly<LondonDay>>): DaySpan {
  const first = days[0]
  const last = days[days.length - 1]
  return { days, from: first.date, to: last.date, startMs: first.startMs, endMs: last.endMs }
}

/** The London local date containing a UTC instant. */
export function localDateOf (utcMs: number): string {
  return new Date(utcMs + londonOffsetMs(utcMs)).toISOString().slice(0, 10)
}

const isoDayPrefix = new Map<number, string>()

/**
 * `new Date(ms).toISOString()` for whole seconds, without a Date per call: the sinks format
 * two timestamps per record, and the date part repeats for a whole day.
 */
export function isoUtc (ms: number): string {
  const dayNumber = Math.floor(ms / DAY_MS)
  let prefix = isoDayPrefix.get(dayNumber)
  if (prefix === undefined) {
    prefix = new Date(dayNumber * DAY_MS).toISOString().slice(0, 11)
    if (isoDayPrefix.size >= DAY_CACHE_LIMIT) isoDayPrefix.clear()
    isoDayPrefix.set(dayNumber, prefix)
  }
  const inDay = ms - dayNumber * DAY_MS
  const two = (n: number): string => n < 10 ? `0${n}` : String(n)
  const millis = inDay % 1000
  return `${prefix}${two(Math.floor(inDay / HOUR_MS))}:${two(Math.floor(inDay / 60000) % 60)}:${two(Math.floor(inDay / 1000) % 60)}.${String(millis).padStart(3, '0')}Z`
}

export function addDays (date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}

/** Every date from `from` to `to`, inclusive. */
export function datesBetween (from: string, to: string): string[] {
  const dates: string[] = []
  for (let d = from; d <= to; d = addDays(d, 1)) dates.push(d)
  return dates
}

/** Today's London local date. */
export function londonToday (nowMs = Date.now()): string {
  return localDateOf(nowMs)
}
