// A bench's results as a flat list of named figures, and two of them side by side with the
// relative change: `npm run bench -- --baseline <rev>` (docs/bench.md). Pure functions over the
// results file's shape; a baseline written by an older bench may lack some figures (shown `-`).

export interface StageFigures { doneMs: number, recordsPerSecond: number, recordsPerCpuSecond: number }

export interface UpstreamRequests { total: number, bySource: Record<string, number> }

export interface BackfillFigures {
  upstreamLatencyMs: number
  seedMs: number
  totalMs: number
  recordsPerSecond: number
  sourcesLandedMs: number
  daysPerSecond: number
  stages: Record<'fetchProduce' | 'join' | 'sinks', StageFigures>
  upstreamRequests: UpstreamRequests
  cpuSeconds: Record<string, number>
  peakRssMB: { join: number, sinks: number, processors: number }
}

export interface ReplayFigures { table: string, rows: number, replayRowsPerSecond: number, bareCopyRowsPerSecond: number, ratio: number }

/** What the results file holds (bench/results/bench-<time>.json). */
export interface BenchResults {
  machine: { cores: number }
  range: { days: number, sourceRecords: number }
  upstream: { maxInFlightPerHost: number, maxPerSecondPerHost: number }
  backfill: BackfillFigures
  backfillWithUpstreamLatency: BackfillFigures | null
  completion: { records: number, perDay: number }
  replay: ReplayFigures[]
  latency: { medianMs: number | null, worstMs: number | null }
}

/** One figure: `decimals` places when printed, then its unit if any (s, ms, MB); null when the run did not measure it. */
export interface Figure { measure: string, value: number | null, unit: string, decimals: number }

/** The upstream request counters, in the order printed; co2, mix and regional are the Carbon host's. */
export const REQUEST_SOURCES = ['co2', 'mix', 'pricing', 'usage', 'export', 'gas', 'regional', 'account', 'catalogue', 'graphql'] as const

/** The processes whose CPU seconds are printed (the names the bench gives its children). */
const PROCESSES = ['processors', 'join', 'sinks', 'sample API carbon', 'sample API octopus'] as const

type Loose<T> = { [K in keyof T]?: T[K] extends object | null ? Loose<NonNullable<T[K]>> | null : T[K] | null }

const num = (value: unknown): number | null => typeof value === 'number' && Number.isFinite(value) ? value : null

/** Every figure the bench prints of one backfill, each measure prefixed with `prefix`. */
export function backfillFigures (b: Loose<BackfillFigures>, prefix = ''): Figure[] {
  const f = (measure: string, value: unknown, unit: string, decimals = 0): Figure => ({ measure: `${prefix}${measure}`, value: num(value), unit, decimals })
  const s = (ms: unknown): number | null => num(ms) === null ? null : (ms as number) / 1000
  return [
    f('backfill end to end', s(b.totalMs), 's', 1),
    f('backfill days per second', b.daysPerSecond, ''),
    f('backfill records per second', b.recordsPerSecond, ''),
    f('processors done (fetch+produce)', s(b.stages?.fetchProduce?.doneMs), 's', 1),
    f('source tables complete', s(b.sourcesLandedMs), 's', 1),
    f('records per CPU-second: fetch+produce', b.stages?.fetchProduce?.recordsPerCpuSecond, ''),
    f('records per CPU-second: join', b.stages?.join?.recordsPerCpuSecond, ''),
    f('records per CPU-second: sinks', b.stages?.sinks?.recordsPerCpuSecond, ''),
    ...PROCESSES.map(p => f(`CPU seconds: ${p}`, b.cpuSeconds?.[p], 's', 1)),
    ...REQUEST_SOURCES.map(source => f(`upstream requests: ${source}`, b.upstreamRequests?.bySource?.[source] ?? (b.upstreamRequests == null ? null : 0), '')),
    f('upstream requests: total', b.upstreamRequests?.total, ''),
    f('peak RSS: join', b.peakRssMB?.join, 'MB'),
    f('peak RSS: sinks', b.peakRssMB?.sinks, 'MB'),
    f('peak RSS: processors', b.peakRssMB?.processors, 'MB')
  ]
}

/** Every figure of a results file, in the order printed. */
export function figuresOf (r: Loose<BenchResults>): Figure[] {
  const latency = r.backfillWithUpstreamLatency
  return [
    ...backfillFigures(r.backfill ?? {}),
    ...(latency == null ? [] : backfillFigures(latency, `+${latency.upstreamLatencyMs ?? '?'} ms per answer: `)),
    { measure: 'join emissions (completion records)', value: num(r.completion?.records), unit: '', decimals: 0 },
    { measure: 'join emissions per day', value: num(r.completion?.perDay), unit: '', decimals: 2 },
    ...(r.replay ?? []).flatMap(x => x == null
      ? []
      : [
          { measure: `replay ${x.table}: replay rows/s`, value: num(x.replayRowsPerSecond), unit: '', decimals: 0 },
          { measure: `replay ${x.table}: bare COPY rows/s`, value: num(x.bareCopyRowsPerSecond), unit: '', decimals: 0 },
          { measure: `replay ${x.table}: replay / bare COPY`, value: num(x.ratio), unit: '', decimals: 2 }
        ]),
    { measure: 'latency: median', value: num(r.latency?.medianMs), unit: 'ms', decimals: 0 },
    { measure: 'latency: worst', value: num(r.latency?.worstMs), unit: 'ms', decimals: 0 }
  ]
}

/** `after` against `before` in per cent, signed, one decimal; '-' when either is missing or before is 0. */
export function relativeChange (before: number | null, after: number | null): string {
  if (before === null || after === null) return '-'
  if (before === 0) return after === 0 ? '0.0%' : '-'
  const change = (after - before) / Math.abs(before) * 100
  const text = change.toFixed(1)
  return `${change > 0 && text !== '0.0' ? '+' : ''}${text === '-0.0' ? '0.0' : text}%`
}

function formatFigure (f: Figure | undefined): string {
  if (f === undefined || f.value === null) return '-'
  const text = f.value.toFixed(f.decimals)
  return f.unit === '' ? text : `${text} ${f.unit}`
}

/**
 * Rows of measure, before, after and change: every measure of `after` in its order, then
 * any only `before` has (a figure a newer baseline measured).
 */
export function compareRows (before: readonly Figure[], after: readonly Figure[]): string[][] {
  const byMeasure = (figures: readonly Figure[]): Map<string, Figure> => new Map(figures.map(f => [f.measure, f]))
  const b = byMeasure(before)
  const a = byMeasure(after)
  const measures = [...a.keys(), ...[...b.keys()].filter(m => !a.has(m))]
  return measures.map(m => [m, formatFigure(b.get(m)), formatFigure(a.get(m)), relativeChange(b.get(m)?.value ?? null, a.get(m)?.value ?? null)])
}

/** Lines of a table: the first column left-aligned, the figures right-aligned, two spaces apart. */
export function formatTable (header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string => cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ').trimEnd()
  return [line(header), ...rows.map(line)]
}
