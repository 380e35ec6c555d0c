import { setTimeout as sleep } from 'node:timers/promises'
import type { Pool } from '../../lib/db.ts'
import { openDeadLetterTail, type DeadLetterNote } from '../../lib/dlq-tail.ts'
import type { Config } from '../../lib/config.ts'
import { EnergyError } from '../../lib/errors.ts'
import type { Logger } from '../../lib/log.ts'
import type { ProgressDisplay, ProgressSnapshot } from '../../lib/progress.ts'
import { formatDuration } from '../../lib/rate.ts'
import { landedDays, wantedDays, type Landed, type LandedSource } from './landed.ts'

// `npm run seed --wait`: after the requests are published, follows the days into the source
// tables and daily_summary, with the dead letters as they come, until every day is as complete
// as the upstream allows, the timeout passes or the user stops waiting.

/** Default --timeout: a ten-year backfill takes well under a minute on the sample APIs. */
export const WAIT_TIMEOUT_MS = 30 * 60 * 1000
/** How often the tables and the DLQ are asked. */
export const WAIT_POLL_MS = 1000
/** Most dates a message names. */
export const LIST_LIMIT = 10

/** --timeout: whole seconds, or a number with s, m or h. */
export function parseTimeout (text: string): number {
  const match = /^(\d+)(s|m|h)?$/.exec(text)
  const ms = match === null ? 0 : Number(match[1]) * { s: 1000, m: 60000, h: 3600000 }[(match[2] ?? 's') as 's' | 'm' | 'h']
  if (ms <= 0) throw new EnergyError('ENERGY_USAGE', `--timeout must be a positive number of seconds, or of minutes or hours (90s, 30m, 1h), got "${text}"`)
  return ms
}

export interface WaitDeps { config: Readonly<Config>, pool: Pool, log: Logger, display: ProgressDisplay }

export interface WaitOptions {
  /** The requested days. */
  dates: readonly string[]
  sources: readonly LandedSource[]
  timeoutMs?: number
  pollMs?: number
  /** Aborted: stop waiting (the requests stay published). */
  signal?: AbortSignal
  /** What the display's title says. */
  title: string
}

export interface WaitResult {
  outcome: 'settled' | 'timeout' | 'interrupted'
  dates: readonly string[]
  landed: Landed
  /** Per source, the days it could have and its table does not. */
  missingBySource: Map<string, string[]>
  /** Days without their bill in daily_summary. */
  missing: string[]
  /** Days landed but not complete (an input still missing: carbon, a meter's readings). */
  incomplete: string[]
  deadLetters: number
}

export async function waitForDays ({ config, pool, display }: WaitDeps, options: WaitOptions): Promise<WaitResult> {
  const { dates, sources, signal } = options
  const timeoutMs = options.timeoutMs ?? WAIT_TIMEOUT_MS
  const pollMs = options.pollMs ?? WAIT_POLL_MS
  const started = Date.now()
  const tail = await openDeadLetterTail(config)
  let deadLetters = 0
  try {
    while (true) {
      for (const note of await tail.poll()) {
        deadLetters++
        display.event(deadLetterLine(note), { deadLetter: note })
      }
      const landed = await landedDays(pool, sources, dates)
      const elapsedMs = Date.now() - started
      const snapshot = seedSnapshot(options.title, dates, sources, landed, elapsedMs, timeoutMs)
      const outcome = landed.settled.size >= new Set(dates).size
        ? 'settled'
        : signal?.aborted === true ? 'interrupted' : elapsedMs >= timeoutMs ? 'timeout' : undefined
      if (outcome !== undefined) {
        display.finish(snapshot)
        return summarise(outcome, dates, sources, landed, deadLetters)
      }
      display.update(snapshot)
      try {
        await sleep(Math.min(pollMs, timeoutMs - elapsedMs), undefined, { signal })
      } catch {
        // Aborted: one more look, then stop.
      }
    }
  } finally {
    await tail.close()
  }
}

/** One line per dead letter: who gave up on which day, and why. */
export function deadLetterLine (note: DeadLetterNote): string {
  // describeError's text usually begins with the code already.
  const why = note.error.startsWith(note.code) ? note.error : `${note.code}: ${note.error}`
  return `dead letter: ${note.component}${note.date === '' ? '' : ` ${note.date}`} ${why}`
}

/** The display's rows: each source's days, then daily_summary's. */
export function seedSnapshot (title: string, dates: readonly string[], sources: readonly LandedSource[], landed: Landed, elapsedMs: number, timeoutMs: number): ProgressSnapshot {
  const total = new Set(dates).size
  const incomplete = landed.landed.size - landed.complete.size
  return {
    title,
    elapsedMs,
    note: `timeout in ${formatDuration(Math.max(0, timeoutMs - elapsedMs))}`,
    rows: [
      ...sources.map(s => ({ label: s.name, done: landed.sources.get(s.name)?.size ?? 0, total: wantedDays(s.name, [...new Set(dates)]).length, unit: 'days' })),
      { label: 'daily_summary', done: landed.landed.size, total, unit: 'days', ...(incomplete > 0 ? { note: `${incomplete} incomplete` } : {}) }
    ]
  }
}

function summarise (outcome: WaitResult['outcome'], dates: readonly string[], sources: readonly LandedSource[], landed: Landed, deadLetters: number): WaitResult {
  const days = [...new Set(dates)].sort()
  const missingBySource = new Map<string, string[]>()
  for (const s of sources) {
    const have = landed.sources.get(s.name) ?? new Set()
    const missing = wantedDays(s.name, days).filter(d => !have.has(d))
    if (missing.length > 0) missingBySource.set(s.name, missing)
  }
  return {
    outcome,
    dates: days,
    landed,
    missingBySource,
    missing: days.filter(d => !landed.landed.has(d)),
    incomplete: days.filter(d => landed.landed.has(d) && !landed.complete.has(d)),
    deadLetters
  }
}

/** The closing lines: what landed, what is missing (at most LIST_LIMIT dates each). */
export function waitReport (result: WaitResult): string[] {
  const total = result.dates.length
  const lines: string[] = []
  if (result.outcome === 'interrupted') lines.push('stopped waiting: the requests are published and the pipeline carries on with them')
  if (result.outcome === 'timeout') lines.push('timed out waiting')
  lines.push(`${total - result.missing.length}/${total} days landed in daily_summary${result.incomplete.length > 0 ? `, ${result.incomplete.length} of them incomplete (${listDates(result.incomplete)})` : ''}${result.deadLetters > 0 ? `; ${result.deadLetters} dead letter${result.deadLetters === 1 ? '' : 's'}` : ''}`)
  if (result.missing.length > 0) lines.push(`missing from daily_summary: ${listDates(result.missing)}`)
  if (result.outcome !== 'settled') {
    for (const [source, days] of result.missingBySource) lines.push(`${source} has not got: ${listDates(days)}`)
  }
  return lines
}

/** Dates as a bounded list: the first LIST_LIMIT, then how many more. */
export function listDates (dates: readonly string[]): string {
  const shown = dates.slice(0, LIST_LIMIT).join(', ')
  return dates.length > LIST_LIMIT ? `${shown} and ${dates.length - LIST_LIMIT} more` : shown
}
