import { test } from 'node:test'
import assert from 'node:assert/strict'
import { baselineArgs, parseBenchArgs } from '../../../bench/args.ts'
import { compareRows, figuresOf, formatTable, relativeChange, type BackfillFigures, type BenchResults } from '../../../bench/compare.ts'

const backfill = (totalMs: number, sinksRss: number): BackfillFigures => ({
  upstreamLatencyMs: 0,
  seedMs: 120,
  totalMs,
  recordsPerSecond: 10000,
  sourcesLandedMs: 20000,
  daysPerSecond: 60,
  stages: {
    fetchProduce: { doneMs: 30000, recordsPerSecond: 1, recordsPerCpuSecond: 40000 },
    join: { doneMs: totalMs, recordsPerSecond: 1, recordsPerCpuSecond: 45000 },
    sinks: { doneMs: totalMs, recordsPerSecond: 1, recordsPerCpuSecond: 70000 }
  },
  upstreamRequests: { total: 843, bySource: { co2: 248, mix: 248 } },
  cpuSeconds: { processors: 27.9, join: 25.8, sinks: 16.9 },
  peakRssMB: { join: 254, sinks: sinksRss, processors: 1070 }
})

const results = (totalMs: number, sinksRss: number): BenchResults => ({
  machine: { cores: 2 },
  range: { days: 3653, sourceRecords: 1173942 },
  upstream: { maxInFlightPerHost: 4, maxPerSecondPerHost: 20 },
  backfill: backfill(totalMs, sinksRss),
  backfillWithUpstreamLatency: null,
  completion: { records: 17000, perDay: 4.69 },
  replay: [{ table: 'consumption', rows: 175344, replayRowsPerSecond: 90000, bareCopyRowsPerSecond: 100000, ratio: 0.9 }],
  latency: { medianMs: null, worstMs: null }
})

test('the relative change is signed, in per cent with one decimal, and - when it cannot be told', () => {
  assert.equal(relativeChange(830, 280), '-66.3%')
  assert.equal(relativeChange(64, 66.5), '+3.9%')
  assert.equal(relativeChange(10, 10), '0.0%')
  assert.equal(relativeChange(100000, 99999.99), '0.0%')
  assert.equal(relativeChange(0, 0), '0.0%')
  assert.equal(relativeChange(0, 5), '-')
  assert.equal(relativeChange(null, 5), '-')
  assert.equal(relativeChange(5, null), '-')
})

test('every printed figure of a run is flat, named and in order, a missing one null', () => {
  const figures = figuresOf(results(66500, 830))
  const byName = new Map(figures.map(f => [f.measure, f]))
  assert.deepEqual(byName.get('backfill end to end'), { measure: 'backfill end to end', value: 66.5, unit: 's', decimals: 1 })
  assert.equal(byName.get('backfill days per second')?.value, 60)
  assert.equal(byName.get('peak RSS: sinks')?.value, 830)
  assert.equal(byName.get('CPU seconds: join')?.value, 25.8)
  assert.equal(byName.get('CPU seconds: sample API carbon')?.value, null)
  assert.equal(byName.get('upstream requests: mix')?.value, 248)
  // A source the sample API did not count was asked nothing.
  assert.equal(byName.get('upstream requests: regional')?.value, 0)
  assert.equal(byName.get('upstream requests: total')?.value, 843)
  assert.equal(byName.get('join emissions per day')?.value, 4.69)
  assert.equal(byName.get('replay consumption: replay / bare COPY')?.value, 0.9)
  assert.equal(byName.get('latency: median')?.value, null)
  assert.equal(figures[0].measure, 'backfill end to end')
  assert.equal(figures.at(-1)?.measure, 'latency: worst')
})

test('a second backfill with upstream latency has its own prefixed figures', () => {
  const r = { ...results(66500, 830), backfillWithUpstreamLatency: { ...backfill(70000, 500), upstreamLatencyMs: 150 } }
  const figures = figuresOf(r)
  assert.equal(figures.find(f => f.measure === '+150 ms per answer: backfill end to end')?.value, 70)
  assert.equal(figures.find(f => f.measure === '+150 ms per answer: peak RSS: sinks')?.value, 500)
})

test('before and after side by side: formatted figures and the change, rows only one side has at the end', () => {
  const before = figuresOf(results(64000, 830))
  // An older baseline lacked a figure the working tree has, and had one it no longer prints.
  const after = figuresOf(results(66500, 280)).filter(f => f.measure !== 'backfill days per second')
  before.push({ measure: 'a figure since removed', value: 3, unit: 'MB', decimals: 0 })
  const rows = compareRows(before, after)
  assert.deepEqual(rows[0], ['backfill end to end', '64.0 s', '66.5 s', '+3.9%'])
  assert.deepEqual(rows.find(r => r[0] === 'peak RSS: sinks'), ['peak RSS: sinks', '830 MB', '280 MB', '-66.3%'])
  assert.deepEqual(rows.find(r => r[0] === 'replay consumption: replay / bare COPY'), ['replay consumption: replay / bare COPY', '0.90', '0.90', '0.0%'])
  assert.deepEqual(rows.find(r => r[0] === 'latency: median'), ['latency: median', '-', '-', '-'])
  assert.deepEqual(rows.at(-2), ['backfill days per second', '60', '-', '-'])
  assert.deepEqual(rows.at(-1), ['a figure since removed', '3 MB', '-', '-'])
})

test('a table pads the measure to the left and the figures to the right', () => {
  assert.deepEqual(formatTable(['measure', 'before', 'after', 'change'], [['peak RSS: sinks', '830 MB', '280 MB', '-66.3%'], ['x', '1 s', '12.5 s', '+1150.0%']]), [
    'measure          before   after    change',
    'peak RSS: sinks  830 MB  280 MB    -66.3%',
    'x                   1 s  12.5 s  +1150.0%'
  ])
})

test('the arguments: defaults, checks, and the same run for the baseline without --baseline', () => {
  assert.deepEqual(parseBenchArgs([]), { years: 10, latencyRuns: 20, upstreamLatencyMs: 150, keep: false, profile: false, help: false })
  const o = parseBenchArgs(['--years', '2', '--latency-runs', '0', '--upstream-latency-ms', '0', '--baseline', 'main~3', '--keep'])
  assert.deepEqual(o, { years: 2, latencyRuns: 0, upstreamLatencyMs: 0, keep: true, profile: false, baseline: 'main~3', help: false })
  assert.deepEqual(baselineArgs(o), ['--years', '2', '--latency-runs', '0', '--upstream-latency-ms', '0', '--keep'])
  assert.deepEqual(baselineArgs(parseBenchArgs(['--profile'])), ['--years', '10', '--latency-runs', '20', '--upstream-latency-ms', '150', '--profile'])
  assert.throws(() => parseBenchArgs(['--upstream-latency-ms', '1.5']), { message: '--upstream-latency-ms must be a whole number of ms (0 skips the second backfill), got "1.5"' })
  assert.throws(() => parseBenchArgs(['--years', '0']), { message: '--years must be a positive number, got "0"' })
  assert.throws(() => parseBenchArgs(['--latency-runs', 'x']), { message: '--latency-runs must be a whole number, got "x"' })
  assert.throws(() => parseBenchArgs(['--baseline', ' ']), { message: '--baseline needs a git revision (a commit, branch or tag)' })
  assert.throws(() => parseBenchArgs(['--baseline']), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' })
  assert.throws(() => parseBenchArgs(['--nope']), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' })
})
