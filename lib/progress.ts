import type { Logger } from './log.ts'
import { createRate, formatDuration, formatRate, type Pace } from './rate.ts'

// Progress of long work (the seed's wait, a replay, the bench's backfill), one renderer for all:
// the caller hands it snapshots as often as it likes; on a terminal it redraws a few lines in
// place about once a second, otherwise it logs a JSON line (pino, as every other log line)
// every few seconds. Events (a dead letter) scroll above the live lines on a terminal and are
// logged at warn otherwise.

export interface ProgressRow {
  label: string
  done: number
  total: number
  /** What is counted, plural: 'days', 'records'. */
  unit: string
  /** A short remark after the figures, e.g. '3 incomplete'. */
  note?: string
}

export interface ProgressSnapshot {
  /** What is going on, e.g. 'seed 2024-01-01 … 2024-12-31'. */
  title: string
  elapsedMs: number
  rows: readonly ProgressRow[]
  /** A remark on the title line, e.g. 'timeout in 28 min 10 s'. */
  note?: string
}

export type PacedRow = ProgressRow & Pace

export interface ProgressOptions {
  /** Where a terminal display is drawn. */
  stream: NodeJS.WriteStream | NodeJS.WritableStream
  /** Draw in place (stream is a terminal) or log lines. */
  tty: boolean
  /** Where the plain lines and events go when not a terminal. */
  log: Logger
  /** Least time between two terminal frames (default 1000 ms). */
  ttyIntervalMs?: number
  /** Least time between two plain lines (default 5000 ms). */
  plainIntervalMs?: number
  now?: () => number
}

export interface ProgressDisplay {
  /** The newest snapshot: drawn (or logged) when the last one is old enough. */
  update: (snapshot: ProgressSnapshot) => void
  /** Something that happened: a line above the display, or a warn log line with `fields`. */
  event: (text: string, fields?: Record<string, unknown>) => void
  /** The last snapshot drawn whatever the interval; the display stays on screen. */
  finish: (snapshot: ProgressSnapshot) => void
}

const BAR_WIDTH = 20

export function createProgress (options: ProgressOptions): ProgressDisplay {
  const { stream, tty, log } = options
  const now = options.now ?? Date.now
  const interval = tty ? (options.ttyIntervalMs ?? 1000) : (options.plainIntervalMs ?? 5000)
  const rates = new Map<string, ReturnType<typeof createRate>>()
  let lastDraw = -Infinity
  // Lines of the frame on screen, which the next frame overwrites.
  let drawn = 0
  let last: PacedRow[] = []
  let lastSnapshot: ProgressSnapshot | undefined
  // Event lines waiting to be written above the frame.
  let pending = ''

  const pace = (snapshot: ProgressSnapshot): PacedRow[] => snapshot.rows.map(row => {
    let rate = rates.get(row.label)
    if (rate === undefined) rates.set(row.label, rate = createRate())
    return { ...row, ...rate.add(now(), row.done, row.total) }
  })
  const columns = (): number => ('columns' in stream && typeof stream.columns === 'number' && stream.columns > 0) ? stream.columns : 100
  const draw = (snapshot: ProgressSnapshot, rows: PacedRow[]): void => {
    const frame = ttyFrame(snapshot, rows, columns())
    // One write per frame: back to the frame's first line, clear below, the events, the new lines.
    stream.write(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ''}${pending}${frame.join('\n')}\n`)
    pending = ''
    drawn = frame.length
  }
  const emit = (snapshot: ProgressSnapshot, rows: PacedRow[]): void => {
    if (tty) draw(snapshot, rows)
    else log.info(plainFields(snapshot, rows), plainLine(snapshot, rows))
  }
  return {
    update (snapshot) {
      // Rates are sampled on every snapshot, drawn only at the interval.
      last = pace(snapshot)
      lastSnapshot = snapshot
      if (now() - lastDraw < interval && pending === '') return
      lastDraw = now()
      emit(snapshot, last)
    },
    event (text, fields = {}) {
      if (!tty) {
        log.warn(fields, text)
      } else if (lastSnapshot === undefined || drawn === 0) {
        stream.write(`${truncate(text, columns())}\n`)
      } else {
        // Drawn above the frame with the next snapshot: a burst of events is one redraw.
        pending += `${truncate(text, columns())}\n`
      }
    },
    finish (snapshot) {
      emit(snapshot, pace(snapshot))
      lastDraw = now()
      // The final frame stays: what is written next goes below it, not over it.
      drawn = 0
    }
  }
}

/** A terminal frame: the title line, then a line per row with a bar, rate and ETA. */
export function ttyFrame (snapshot: ProgressSnapshot, rows: readonly PacedRow[], columns = 100): string[] {
  const width = Math.max(...rows.map(r => r.label.length), 0)
  const title = [snapshot.title, formatDuration(snapshot.elapsedMs), snapshot.note].filter(Boolean).join(' · ')
  return [title, ...rows.map(row => {
    const share = row.total > 0 ? Math.min(1, row.done / row.total) : 1
    // Down, so the bar is full only when done.
    const filled = Math.floor(share * BAR_WIDTH)
    const figures = `${row.done}/${row.total} ${row.unit}`
    const pace = row.done >= row.total ? 'done' : `${formatRate(row.perSecond)} ${row.unit}/s${row.etaMs === undefined ? '' : `  ETA ${formatDuration(row.etaMs)}`}`
    const note = row.note === undefined ? '' : `  (${row.note})`
    return `  ${row.label.padEnd(width)} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${figures}  ${pace}${note}`
  })].map(line => truncate(line, columns))
}

/** A plain line's message: the title, then each row's figures. */
export function plainLine (snapshot: ProgressSnapshot, rows: readonly PacedRow[]): string {
  return `${snapshot.title}: ${rows.map(r => `${r.label} ${r.done}/${r.total}`).join(', ')}`
}

/** A plain line's fields: per row done, total, rate (per second) and ETA (seconds). */
export function plainFields (snapshot: ProgressSnapshot, rows: readonly PacedRow[]): Record<string, unknown> {
  return {
    elapsedS: Math.round(snapshot.elapsedMs / 1000),
    progress: Object.fromEntries(rows.map(r => [r.label, {
      done: r.done,
      total: r.total,
      unit: r.unit,
      perSecond: Number(r.perSecond.toFixed(2)),
      etaS: r.etaMs === undefined ? null : Math.round(r.etaMs / 1000),
      ...(r.note === undefined ? {} : { note: r.note })
    }]))
  }
}

// A line as wide as the terminal may wrap, and the next redraw would go back one line too few.
function truncate (line: string, columns: number): string {
  return line.length < columns ? line : `${line.slice(0, Math.max(0, columns - 2))}…`
}
